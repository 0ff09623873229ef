//! Host and domain names: the SMTP/POP3 server fields and the domain of an
//! address share these rules.

use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::ascii;
use crate::finding::{Code, Finding, Severity, Text, has_error};

/// Which field a host name is checked for; it decides wording and defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostRole {
    /// The outgoing server.
    Smtp,
    /// The incoming server for POP-before-SMTP.
    Pop3,
    /// The domain of an e-mail address.
    EmailDomain,
}

/// The result of checking a host name.
#[derive(Clone, Debug, Default)]
pub struct HostCheck {
    /// All findings.
    pub findings: Vec<Finding>,
    /// The name in A-label (ASCII) form, when it is usable.
    pub ascii: Option<String>,
}

/// Checks a host name as typed into a server field (or an address's domain);
/// findings name `field`.
pub fn check_host(input: &str, field: impl Into<Text>, role: HostRole) -> HostCheck {
    check(input, field.into(), role, true)
}

/// [`check_host`]'s findings alone, without making the A-label copy that
/// validation of a server field does not need.
pub(crate) fn host_findings(input: &str, field: &'static str, role: HostRole) -> Vec<Finding> {
    check(input, field.into(), role, false).findings
}

fn check(input: &str, field: Text, role: HostRole, want_ascii: bool) -> HostCheck {
    let mut findings = Vec::new();
    let ascii = check_into(input, &field, role, want_ascii, &mut findings).map(Cow::into_owned);
    HostCheck { findings, ascii }
}

/// [`check`] with the findings appended to `out` (validation collects a
/// profile's findings in one list rather than one list per check); returns
/// the A-label form when it is usable and `want_ascii` (an IP literal's
/// always).
pub(crate) fn check_into<'a>(
    input: &'a str,
    field: &Text,
    role: HostRole,
    want_ascii: bool,
    out: &mut Vec<Finding>,
) -> Option<Cow<'a, str>> {
    let start = out.len();
    // Only spaces and tabs are trimmed; a line break is never "whitespace"
    // here but a control character, and an error.
    let trimmed = ascii::trim_blanks(input);
    if trimmed.is_empty() {
        out.push(Finding::new(Code::Empty, field.clone()));
        return None;
    }
    // A slice of the input: shorter exactly when something was trimmed.
    if trimmed.len() != input.len() && role != HostRole::EmailDomain {
        out.push(Finding::new(Code::Trimmed, field.clone()));
    }
    if role != HostRole::EmailDomain
        && let Some(f) = super::invisible(trimmed, field)
    {
        out.push(f);
        return None;
    }

    // A URL, `host:port` and an IPv6 literal all have a colon; an IPv4
    // literal starts with a digit. A name has neither (the common case, and
    // one pass over the bytes to know it: the checks below were measurable
    // on every keystroke).
    let colon = ascii::find(trimmed, b':');
    if role != HostRole::EmailDomain && (colon.is_some() || trimmed.as_bytes()[0].is_ascii_digit()) {
        let url = colon.filter(|&i| trimmed[i + 1..].starts_with("//"));
        if let Some((scheme, rest)) = url.map(|i| (&trimmed[..i], &trimmed[i + 3..])) {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
            let authority = crate::ascii::rsplit_once(authority, b'@').map_or(authority, |(_, h)| h);
            let (host, port) = split_port(authority);
            let mut f = Finding::new(Code::HostIsUrl, field.clone())
                .with("scheme", scheme.to_string())
                .with("suggestion", host.to_string())
                .fix(field.clone(), host.to_string());
            if let Some(p) = port {
                f = f.fix(super::sibling(field, "port"), p.to_string());
            }
            out.push(f);
            return None;
        }
        let bare = trimmed.trim_start_matches('[').trim_end_matches(']');
        if colon.is_some() && bare.parse::<Ipv6Addr>().is_ok() {
            out.push(Finding::new(Code::HostIpLiteral, field.clone()));
            return Some(lower(bare));
        }
        if let (host, Some(port)) = split_port(trimmed) {
            out.push(
                Finding::new(Code::HostHasPort, field.clone())
                    .with("port", port.to_string())
                    .with("suggestion", host.to_string())
                    .fix(field.clone(), host.to_string())
                    .fix(super::sibling(field, "port"), port.to_string()),
            );
            return None;
        }
        if trimmed.parse::<Ipv4Addr>().is_ok() {
            out.push(Finding::new(Code::HostIpLiteral, field.clone()));
            return Some(Cow::Borrowed(trimmed));
        }
    }

    let mut name = trimmed;
    if let Some(stripped) = name.strip_suffix('.')
        && !stripped.is_empty() && !stripped.ends_with('.') {
            let f = Finding::new(Code::HostTrailingDot, field.clone());
            // In an address a trailing dot is not allowed at all (the caller offers the fix).
            out.push(if role == HostRole::EmailDomain { f.severity(Severity::Error) } else { f });
            name = stripped;
        }

    let scan = Scan::of(name);
    if let Some(c) = scan.invalid {
        out.push(Finding::new(Code::DomainInvalidChar, field.clone()).with("char", display_char(c)));
        return None;
    }
    if scan.empty_label {
        out.push(Finding::new(Code::DomainEmptyLabel, field.clone()));
        return None;
    }
    if scan.hyphen_edge {
        out.push(Finding::new(Code::DomainHyphen, field.clone()));
        return None;
    }

    // Plain ASCII letters, digits and hyphens (no A-labels) need no IDNA
    // processing: lower-casing is all UTS 46 would do. This is the common
    // case and the fast path (IDNA costs more than all the rest).
    // The checks below ignore case, so a plain name is checked as typed
    // and lower-cased only for a caller that wants the A-label form.
    let (ascii, longest_label, labels) = if scan.plain {
        (Cow::Borrowed(name), scan.longest_label, scan.labels)
    } else {
        match idna_checked(name, field) {
            Ok(a) => {
                let (longest, labels) = crate::ascii::split(&a, b'.').fold((0, 0), |(m, n), l| (m.max(l.len()), n + 1));
                (Cow::Owned(a), longest, labels)
            }
            Err(f) => {
                out.push(f);
                return None;
            }
        }
    };
    // Digits and dots only, but no IPv4 address (those went above): a
    // resolver may still read it as one (`inet_aton` takes `192.168.0`).
    let last = ascii::rsplit_once(&ascii, b'.').map_or(&*ascii, |(_, l)| l);
    // (An address's domain may be an IPv4 address; the address check
    // decides about that.)
    let ipv4 = role == HostRole::EmailDomain && ascii.parse::<Ipv4Addr>().is_ok();
    if !ipv4 && ascii.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        out.push(Finding::new(Code::HostInvalidIp, field.clone()));
        return None;
    }
    if !ipv4 && labels >= 2 && !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        out.push(Finding::new(Code::DomainNumericTld, field.clone()).with("tld", last.to_string()));
        return None;
    }
    if longest_label > 63 {
        out.push(Finding::new(Code::DomainLabelTooLong, field.clone()));
    }
    if ascii.len() > 253 {
        out.push(Finding::new(Code::DomainTooLong, field.clone()));
    }
    if ascii.eq_ignore_ascii_case("localhost") {
        out.push(Finding::new(Code::HostLocalhost, field.clone()));
    } else if labels < 2 {
        out.push(Finding::new(Code::DomainDotless, field.clone()));
    }
    (!has_error(&out[start..]) && want_ascii).then(|| if scan.plain { lower(name) } else { ascii })
}

/// `s` in lower case, copied only when it has an upper-case letter (most
/// names are typed in lower case; this runs for every address).
fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) { Cow::Owned(s.to_ascii_lowercase()) } else { Cow::Borrowed(s) }
}

/// What one pass over a name's bytes finds (the name is checked on every
/// keystroke; one pass replaced five).
#[derive(Debug, Default)]
struct Scan {
    /// The first ASCII character that is not a letter, digit, hyphen or dot.
    invalid: Option<char>,
    /// Two dots in a row, or a dot first.
    empty_label: bool,
    /// A label starting or ending with a hyphen.
    hyphen_edge: bool,
    /// No byte beyond ASCII and no label with "--" in 3rd and 4th
    /// position; with no `invalid` character, the name is plain
    /// ([`crate::domain::is_plain_ascii`]).
    plain: bool,
    /// The longest label, in bytes.
    longest_label: usize,
    /// How many labels (dots + 1).
    labels: usize,
}

/// Which bytes are ASCII letters, digits or the hyphen.
const LDH: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || b == b'-';
        c += 1;
    }
    t
};

impl Scan {
    fn of(name: &str) -> Scan {
        let b = name.as_bytes();
        let mut scan = Scan { plain: true, ..Scan::default() };
        let mut start = 0;
        // Labels are split at ASCII dots, as UTF-8 never uses that byte inside
        // a character; the end of the name closes the last label (empty when
        // the name ends with a dot, as `split('.')` would have it).
        for i in 0..=b.len() {
            let c = b.get(i).copied().unwrap_or(b'.');
            // Letters, digits and hyphens, the most of any name, by one
            // look-up instead of four range tests.
            if LDH[usize::from(c)] {
                continue;
            }
            match c {
                b'.' => {
                    let label = &b[start..i];
                    match label {
                        [] => scan.empty_label = true,
                        [first, .., last] | [first @ last] => {
                            scan.hyphen_edge |= *first == b'-' || *last == b'-';
                        }
                    }
                    scan.plain &= !(label.len() >= 4 && label[2] == b'-' && label[3] == b'-');
                    scan.longest_label = scan.longest_label.max(label.len());
                    scan.labels += 1;
                    start = i + 1;
                }
                0x80.. => scan.plain = false,
                // Any other ASCII byte (letters, digits and hyphens went on above).
                _ => {
                    if scan.invalid.is_none() {
                        scan.invalid = Some(char::from(c));
                    }
                }
            }
        }
        scan
    }
}

/// The A-label form of a name that is not plain ASCII LDH, with every IDNA
/// rule checked; the first problem as a finding.
// A finding keeps its few parameters inline, so it is large; it is
// returned once per call, not passed along.
#[allow(clippy::result_large_err)]
fn idna_checked(name: &str, field: &Text) -> Result<String, Finding> {
    if let Some(ascii) = latin1_a_label(name) {
        return Ok(ascii);
    }
    // UTS 46 with CheckHyphens (no "--" in 3rd and 4th position but for
    // A-labels) and STD3 rules; lengths are checked below with our own codes.
    let uts46 = idna::uts46::Uts46::new();
    let ascii = match uts46.to_ascii(
        name.as_bytes(),
        idna::AsciiDenyList::STD3,
        idna::uts46::Hyphens::Check,
        idna::uts46::DnsLength::Ignore,
    ) {
        Ok(a) => a.into_owned(),
        Err(_) => return Err(Finding::new(Code::DomainIdnaInvalid, field.clone()).with("detail", "IDNA/UTS 46")),
    };
    let (unicode, _) = idna::domain_to_unicode(&ascii);
    for (typed, u_label) in crate::ascii::split(name, b'.').zip(crate::ascii::split(&unicode, b'.')) {
        // A character that UTS 46 silently maps to something else (full-width
        // letters or dot, the Kelvin sign…) means the name is not what it
        // looks like: an error, with the clean form as the fix. Upper case
        // mapping to one non-ASCII letter (Ü → ü) is harmless.
        if !typed.is_ascii() && typed.chars().any(|c| !c.is_ascii() && !maps_harmlessly(c)) {
            return Err(Finding::new(Code::DomainNotNormalized, field.clone())
                .with("suggestion", unicode.clone())
                .fix(field.clone(), unicode.clone()));
        }
        if let Err(c) = super::idna2008::check_label(u_label) {
            return Err(Finding::new(Code::DomainIdnaInvalid, field.clone())
                .with("detail", format!("IDNA2008: U+{:04X}", c as u32)));
        }
    }
    Ok(ascii)
}

/// The A-label form of a name whose characters beyond ASCII are all
/// lower-case Latin-1 letters (ä, ö, ü, ß, é, …: what German names have);
/// `None` for any other name, and for a label with `--` in 3rd and 4th
/// position (an A-label, say, which needs checking). UTS 46 maps each of
/// these letters to itself, IDNA2008 allows each, none is right-to-left or
/// joins, and none combines (so NFC leaves the name alone): the full
/// processing would only lower-case ASCII and encode with Punycode, which
/// is done here directly: that processing, twice (to A-labels and back,
/// plus once per letter to see how it maps), would be most of the time a
/// profile at `müller-physio.de` takes. The scan before has ruled out empty
/// labels, hyphens at a label's edge and any other ASCII character.
fn latin1_a_label(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len() + 16);
    let mut label = String::new();
    for (i, typed) in crate::ascii::split(name, b'.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        let mut chars = typed.chars();
        if chars.nth(2) == Some('-') && chars.next() == Some('-') {
            return None;
        }
        if typed.is_ascii() {
            out.extend(typed.chars().map(|c| c.to_ascii_lowercase()));
            continue;
        }
        label.clear();
        for c in typed.chars() {
            match c {
                'a'..='z' | '0'..='9' | '-' | '\u{DF}'..='\u{F6}' | '\u{F8}'..='\u{FF}' => label.push(c),
                'A'..='Z' => label.push(c.to_ascii_lowercase()),
                _ => return None,
            }
        }
        out.push_str("xn--");
        out.push_str(&idna::punycode::encode_str(&label)?);
    }
    Some(out)
}

/// Whether UTS 46 leaves `c` alone, or only lower-cases it to a single
/// non-ASCII character.
fn maps_harmlessly(c: char) -> bool {
    let mut buf = [0u8; 4];
    let (mapped, result) = idna::domain_to_unicode(c.encode_utf8(&mut buf));
    if result.is_err() {
        return true; // disallowed characters are reported by the IDNA check
    }
    let mut chars = mapped.chars();
    match (chars.next(), chars.next()) {
        (Some(m), None) => m == c || (c.is_uppercase() && !m.is_ascii()),
        _ => false,
    }
}

/// Splits `host:port` when the part after the last colon is all digits.
fn split_port(s: &str) -> (&str, Option<&str>) {
    if let Some(rest) = s.strip_prefix('[')
        && let Some((h, after)) = crate::ascii::split_once(rest, b']') {
            return (h, after.strip_prefix(':').filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())));
        }
    match crate::ascii::rsplit_once(s, b':') {
        Some((h, p)) if !crate::ascii::contains(h, b':') && !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (h, Some(p)),
        _ => (s, None),
    }
}

pub(crate) fn display_char(c: char) -> Text {
    match c {
        ' ' => Text::Borrowed("Leerzeichen / space"),
        c if crate::sanitize::is_unsafe(c) => Text::Owned(format!("U+{:04X}", c as u32)),
        c => Text::Owned(c.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Latin-1 shortcut gives what full UTS 46 processing gives, for
    /// every letter it takes, in every position, with upper-case ASCII
    /// around; and leaves alone what it must not take.
    #[test]
    fn latin1_shortcut_agrees_with_uts46() {
        let uts46 = |name: &str| {
            idna::uts46::Uts46::new()
                .to_ascii(
                    name.as_bytes(),
                    idna::AsciiDenyList::STD3,
                    idna::uts46::Hyphens::Check,
                    idna::uts46::DnsLength::Ignore,
                )
                .map(Cow::into_owned)
                .ok()
        };
        let letters = ('\u{DF}'..='\u{FF}').filter(|c| *c != '\u{F7}');
        let mut checked = 0;
        for c in letters {
            for name in [
                format!("{c}.de"),
                format!("m{c}ller-physio.de"),
                format!("Praxis-M{c}LLER.De"),
                format!("smtp.{c}{c}9.example"),
                format!("a.b-{c}.xn--mller-kva.de"),
            ] {
                let fast = latin1_a_label(&name);
                if name.contains("xn--") {
                    assert_eq!(fast, None, "{name}");
                } else {
                    assert_eq!(fast, uts46(&name), "{name}");
                    assert!(fast.is_some(), "{name}");
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 32 * 4);
        for name in ["ÄRZTE.de", "straße.de", "café.fr", "ab--ü.de", "a·l.de", "münchen.中国", "xn--mnchen-3ya.de"]
        {
            let fast = latin1_a_label(name);
            assert!(fast.is_none() || fast == uts46(name), "{name}: {fast:?}");
        }
        assert_eq!(latin1_a_label("ÄRZTE.de"), None);
        assert_eq!(latin1_a_label("straße.de").as_deref(), Some("xn--strae-oqa.de"));
        assert_eq!(latin1_a_label("ab--ü.de"), None);
    }

    fn run(input: &str) -> (Vec<&'static str>, Option<String>) {
        let c = check_host(input, "smtp.host", HostRole::Smtp);
        (c.findings.iter().map(|f| f.code.as_str()).collect(), c.ascii)
    }

    #[test]
    fn table() {
        let cases: &[(&str, &[&str], Option<&str>)] = &[
            ("smtp.gmx.net", &[], Some("smtp.gmx.net")),
            ("SMTP.GMX.NET", &[], Some("smtp.gmx.net")),
            ("mail.müller-physio.de", &[], Some("mail.xn--mller-physio-dlb.de")),
            ("smtp.gmx.net.", &["host_trailing_dot"], Some("smtp.gmx.net")),
            (" smtp.gmx.net", &["trimmed"], Some("smtp.gmx.net")),
            ("", &["empty"], None),
            ("smtp://mail.gmx.net:587", &["host_is_url"], None),
            ("mail.gmx.net:587", &["host_has_port"], None),
            ("192.0.2.1", &["host_ip_literal"], Some("192.0.2.1")),
            ("::1", &["host_ip_literal"], Some("::1")),
            ("localhost", &["host_localhost"], Some("localhost")),
            ("smtp..gmx.net", &["domain_empty_label"], None),
            ("smtp gmx.net", &["domain_invalid_char"], None),
            ("smtp_gmx.net", &["domain_invalid_char"], None),
            ("-smtp.gmx.net", &["domain_hyphen"], None),
            ("mailserver", &["domain_dotless"], Some("mailserver")),
            ("smtp.gmx.net\n", &["domain_invalid_char"], None),
            ("ｇｍａｉｌ.com", &["domain_not_normalized"], None),
            ("gmail．com", &["domain_not_normalized"], None),
            ("\u{212A}elvin.example.com", &["domain_not_normalized"], None),
            ("MÜLLER-physio.de", &[], Some("xn--mller-physio-dlb.de")),
            ("xn--l-fda.de", &["domain_idna_invalid"], None),
            ("ab--cd.de", &["domain_idna_invalid"], None),
            ("xn--mller-physio-dlb.de", &[], Some("xn--mller-physio-dlb.de")),
        ];
        for (input, codes, ascii) in cases {
            let (got, got_ascii) = run(input);
            assert_eq!(&got, codes, "findings for {input:?}");
            assert_eq!(got_ascii.as_deref(), *ascii, "ascii for {input:?}");
        }
    }

    #[test]
    fn url_fix_sets_host_and_port() {
        let c = check_host("smtp://mail.gmx.net:587", "smtp.host", HostRole::Smtp);
        let fix = c.findings[0].fix.as_ref().unwrap();
        assert_eq!(&fix.set["smtp.host"], "mail.gmx.net");
        assert_eq!(&fix.set["smtp.port"], "587");
        assert!(c.findings[0].clone().rendered(crate::Lang::De).message.contains("smtp://"));
    }
}

#[cfg(test)]
mod issue_12 {
    use super::*;

    /// Names no server can have: digits and dots that are no IPv4 address,
    /// an all-digit ending, and symbols IDNA2008 disallows (UTS 46 alone
    /// lets them through).
    #[test]
    fn names_no_server_can_have() {
        let cases: &[(&str, Option<&str>)] = &[
            ("256.0.0.0", Some("host_invalid_ip")),
            ("192.168.0", Some("host_invalid_ip")),
            ("192.168.0.9999", Some("host_invalid_ip")),
            ("2130706433", Some("host_invalid_ip")),
            ("example.0", Some("domain_numeric_tld")),
            ("0x7f.1", Some("domain_numeric_tld")),
            ("domain.com©", Some("domain_idna_invalid")),
            ("mail.😀.de", Some("domain_idna_invalid")),
            ("192.168.0.1", Some("host_ip_literal")),
            ("123.de", None),
            ("straße.de", None),
            ("मेल.भारत", None),
        ];
        for (name, want) in cases {
            let got = check_host(name, "smtp.host", HostRole::Smtp);
            let codes: Vec<&str> = got.findings.iter().map(|f| f.code.as_str()).collect();
            assert_eq!(codes.first().copied(), *want, "{name}: {codes:?}");
        }
        // An address may have an IPv4 address as its domain (the address
        // check asks for brackets): never "looks like an IP address".
        let f = check_host("192.168.0.1", "email", HostRole::EmailDomain).findings;
        assert!(f.iter().all(|f| f.code != Code::HostInvalidIp), "{f:?}");
    }
}
