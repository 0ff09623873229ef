//! Agreement of our e-mail and host-name rules with public validity suites
//! (../shared/corpora). Every deliberate difference is listed here with its
//! reason; any other disagreement fails the test, so the documented
//! agreement (docs/validation.md) stays true.

use std::path::PathBuf;

use mailsetup_core::finding::has_error;
use mailsetup_core::validate::{HostRole, check_email, check_host};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    input: String,
    valid: bool,
    #[serde(default)]
    note: String,
}

fn corpus(name: &str) -> Vec<Case> {
    let dir = std::env::var_os("MAILSETUP_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora"));
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (the shared corpora are expected beside the repository)", path.display()));
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn email_ok(input: &str) -> bool {
    !has_error(&check_email(input, "email").findings)
}

fn host_ok(input: &str) -> bool {
    !has_error(&check_host(input, "smtp.host", HostRole::Smtp).findings)
}

/// Runs a corpus; returns (agreeing, total, unexplained disagreements).
fn measure(name: &str, ok: fn(&str) -> bool, deliberate: &[(&str, &str)]) -> (usize, usize, Vec<String>) {
    let cases = corpus(name);
    let mut agree = 0;
    let mut unexplained = Vec::new();
    for c in &cases {
        if ok(&c.input) == c.valid {
            agree += 1;
        } else if !deliberate.iter().any(|(input, _)| *input == c.input) {
            unexplained.push(format!("{:?} corpus says valid={} ({})", c.input, c.valid, c.note));
        }
    }
    (agree, cases.len(), unexplained)
}

fn report(name: &str, (agree, total, unexplained): (usize, usize, Vec<String>), min_percent: usize) {
    let pct = agree * 100 / total;
    println!("{name}: {agree}/{total} agree ({pct}%)");
    for u in &unexplained {
        println!("  unexplained: {u}");
    }
    assert!(unexplained.is_empty(), "{name}: {} unexplained disagreements", unexplained.len());
    assert!(pct >= min_percent, "{name}: agreement {pct}% fell below {min_percent}%");
}

#[test]
fn isemail() {
    report("isemail", measure("isemail.jsonl", email_ok, ISEMAIL_DELIBERATE), 90);
}

#[test]
fn rust_validator_crate() {
    report("validator", measure("rust_validator_crate.jsonl", email_ok, VALIDATOR_DELIBERATE), 85);
}

#[test]
fn rust_email_address_crate() {
    report("email_address", measure("rust_email_address_crate.jsonl", email_ok, EMAIL_ADDRESS_DELIBERATE), 85);
}

#[test]
fn jsonschema_hostname() {
    report("hostname", measure("hostname_jsonschema_hostname.jsonl", host_ok, HOSTNAME_DELIBERATE), 90);
}

/// Spaces around a typed address: trimmed with an info finding (`trimmed`),
/// never silently, and never an error in a form (issue #3).
const TRIMMED: &str = "spaces around the address are trimmed with an info finding";

/// Issue #12: no top-level domain is all digits (RFC 3696 §2), and a
/// resolver may read such a name as an IP address; isemail calls it valid
/// but unusual for SMTP.
const TLD_NUMERIC: &str = "a domain ending in digits only is an error (domain_numeric_tld)";

const ISEMAIL_DELIBERATE: &[(&str, &str)] = &[
    ("test@iana.123", TLD_NUMERIC),
    ("first.last@example.123", TLD_NUMERIC),
    (" test@iana.org", TRIMMED),
    ("test@iana.org ", TRIMMED),
    ("\"\"@iana.org", "an empty quoted mailbox name is never what a user means (email_address agrees: invalid)"),
    ("test@xn--example.com", "`xn--example` is not a valid A-label (Punycode); IDNA-aware servers reject it"),
    (
        "test@[IPv6:1111:2222:3333:4444:5555:6666::8888]",
        "isemail's two sources disagree: the same shape (\"::\" eliding one group) is RFC5321 (valid) in six other cases; we follow those (a warning)",
    ),
];

const VALIDATOR_DELIBERATE: &[(&str, &str)] = &[
    ("email@[2001:dB8::1]", "RFC 5321 §4.1.3 requires the `IPv6:` tag in an address literal"),
    ("email@[2001:dB8:0:0:0:0:0:1]", "RFC 5321 §4.1.3 requires the `IPv6:` tag in an address literal"),
    ("email@[::fffF:127.0.0.1]", "RFC 5321 §4.1.3 requires the `IPv6:` tag in an address literal"),
    ("\"test@test\"@example.com", "RFC 5321 allows `@` inside a quoted local part (isemail agrees); a warning"),
    (
        "\"\\\\\\011\"@here.com",
        "in the Python source `\\011` is a TAB (we reject control characters); as transcribed it is a valid quoted-pair sequence",
    ),
    (
        "\"\\\\\\012\"@here.com",
        "in the Python source `\\012` is a LF (we reject control characters); as transcribed it is a valid quoted-pair sequence",
    ),
];

const EMAIL_ADDRESS_DELIBERATE: &[(&str, &str)] = &[
    (
        "  Simons Email    <simon@example.com> ",
        "`Name <address>` is an error whose fix is the extracted address (issue #3)",
    ),
    ("Simons Email <simon@example.com>", "`Name <address>` is an error whose fix is the extracted address (issue #3)"),
];

const HOSTNAME_DELIBERATE: &[(&str, &str)] =
    &[("example.", "a trailing dot (fully-qualified name) is accepted in server fields with an info finding")];
