//! E-mail addresses: what a mail server will accept, said precisely.
//!
//! The rule, in short: a dot-atom local part of ASCII `atext` or any
//! non-ASCII character (SMTPUTF8), at most 64 bytes; a domain that passes
//! UTS 46 (IDNA) with STD3 rules, or an address literal; at most 254 bytes in
//! all. Quoted local parts and address literals are legal but unusual and get
//! a warning; control characters are always an error. `Name <a@b>` and
//! `mailto:` are errors that carry the extracted address as the fix.

use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::host::{self, HostRole, display_char};
use crate::ascii;
use crate::finding::{Code, Finding, Text, has_error};

/// The result of checking an address.
#[derive(Clone, Debug, Default)]
pub struct EmailCheck {
    /// All findings.
    pub findings: Vec<Finding>,
    /// The domain in A-label form, when the address is usable.
    pub domain_ascii: Option<String>,
}

impl EmailCheck {
    /// Whether there is no finding of severity error.
    pub fn is_valid(&self) -> bool {
        !has_error(&self.findings)
    }
}

/// Which ASCII characters `is_atext` takes, and the dot (a dot-atom's
/// dots are checked apart).
const ATEXT_OR_DOT: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = b == b'.' as usize || is_atext_ascii(b as u8);
        b += 1;
    }
    t
};

const fn is_atext_ascii(b: u8) -> bool {
    matches!(b,
        b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9'
        | b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'/' | b'=' | b'?' | b'^' | b'_' | b'`'
        | b'{' | b'|' | b'}' | b'~')
}

fn is_atext(c: char) -> bool {
    match u8::try_from(c) {
        Ok(b) if b.is_ascii() => is_atext_ascii(b),
        _ => !c.is_control() && !c.is_whitespace(),
    }
}

/// Checks an address as typed; findings name `field`.
pub fn check_email(input: &str, field: impl Into<Text>) -> EmailCheck {
    check(input, field.into())
}

fn check(input: &str, field: Text) -> EmailCheck {
    let mut findings = Vec::new();
    let domain_ascii = check_into(input, &field, &mut findings).map(Cow::into_owned);
    EmailCheck { findings, domain_ascii }
}

/// [`check_email`] with the findings appended to `out` (see
/// `host::check_into`); returns the domain in A-label form when the address
/// is usable.
pub(crate) fn check_into<'a>(input: &'a str, field: &Text, out: &mut Vec<Finding>) -> Option<Cow<'a, str>> {
    let start = out.len();
    // Spaces and tabs around a typed address are trimmed (with a finding);
    // CR, LF and other control characters are never trimmed but rejected.
    let addr = ascii::trim_blanks(input);
    if addr.is_empty() {
        out.push(Finding::new(Code::Empty, field.clone()));
        return None;
    }
    // A trimmed text is a slice of the input: it differs exactly when it is
    // shorter (comparing bytes is a call to a byte loop in wasm).
    if addr.len() != input.len() {
        out.push(Finding::new(Code::Trimmed, field.clone()));
    }
    if ascii::has_control(addr) {
        out.push(Finding::new(Code::EmailControlChar, field.clone()));
        return None;
    }
    if let Some(f) = super::invisible(addr, field) {
        out.push(f);
        return None;
    }
    if addr.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("mailto:")) {
        let rest = crate::ascii::split(&addr[7..], b'?').next().unwrap_or("").trim();
        out.push(
            Finding::new(Code::EmailMailto, field.clone())
                .with("suggestion", rest.to_string())
                .fix(field.clone(), rest.to_string()),
        );
        return None;
    }
    if let Some(open) = addr.ends_with('>').then(|| ascii::rfind(addr, b'<')).flatten() {
        let inner = addr[open + 1..addr.len() - 1].trim();
        out.push(
            Finding::new(Code::EmailDisplayName, field.clone())
                .with("suggestion", inner.to_string())
                .fix(field.clone(), inner.to_string()),
        );
        return None;
    }
    let Some((local, domain)) = ascii::rsplit_once(addr, b'@') else {
        out.push(Finding::new(Code::EmailMissingAt, field.clone()));
        return None;
    };

    let mut local_ok = true;
    // An empty quoted local part (`""@…`) is as empty as none.
    if local.is_empty() || local == "\"\"" {
        out.push(Finding::new(Code::EmailLocalEmpty, field.clone()));
        local_ok = false;
    } else if local.len() >= 2 && local.starts_with('"') && local.ends_with('"') {
        if !quoted_ok(&local[1..local.len() - 1]) {
            out.push(Finding::new(Code::EmailLocalInvalidChar, field.clone()).with("char", "\""));
            local_ok = false;
        } else {
            out.push(Finding::new(Code::EmailQuoted, field.clone()));
        }
    } else if let Some(c) = ascii::find_not(local, &ATEXT_OR_DOT, |c| c == '.' || is_atext(c)) {
        out.push(Finding::new(Code::EmailLocalInvalidChar, field.clone()).with("char", display_char(c)));
        local_ok = false;
    } else if local.starts_with('.')
        || local.ends_with('.')
        || local.as_bytes().windows(2).any(|w| w[0] == b'.' && w[1] == b'.')
    {
        out.push(Finding::new(Code::EmailLocalDots, field.clone()));
        local_ok = false;
    }
    if local.len() > 64 {
        out.push(Finding::new(Code::EmailLocalTooLong, field.clone()).with("octets", local.len().to_string()));
        local_ok = false;
    }

    let domain_ascii = if domain.is_empty() {
        out.push(Finding::new(Code::Empty, field.clone()).with("part", "domain"));
        None
    } else if let Some(lit) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        let ok = lit.parse::<Ipv4Addr>().is_ok()
            || lit.strip_prefix("IPv6:").is_some_and(|v6| v6.parse::<Ipv6Addr>().is_ok());
        if ok {
            out.push(Finding::new(Code::EmailAddressLiteral, field.clone()));
            Some(Cow::Borrowed(domain))
        } else {
            out.push(Finding::new(Code::DomainIdnaInvalid, field.clone()).with("detail", "[…]"));
            None
        }
    } else {
        let from = out.len();
        let ascii = host::check_into(domain, field, HostRole::EmailDomain, true, out);
        for f in &mut out[from..] {
            // A trailing dot in an address is an error with an obvious fix.
            if f.code == Code::HostTrailingDot {
                let fixed = format!("{local}@{}", domain.trim_end_matches('.'));
                f.fix.get_or_insert_with(Default::default).set.insert(field.clone(), fixed);
            }
        }
        ascii
    };

    if let Some(d) = &domain_ascii {
        let total = local.len() + 1 + d.len();
        if total > 254 {
            out.push(Finding::new(Code::EmailTooLong, field.clone()).with("octets", total.to_string()));
            local_ok = false;
        }
    }
    let valid = !has_error(&out[start..]);
    domain_ascii.filter(|_| local_ok && valid)
}

/// A quoted local part's content: printable ASCII or UTF-8, `\` escapes a
/// printable character, a bare `"` ends the string early. Control
/// characters were rejected before.
fn quoted_ok(content: &str) -> bool {
    let mut chars = content.chars();
    while let Some(c) = chars.next() {
        match c {
            // A quoted-pair escapes a printable ASCII character or a space.
            '\\' if !chars.next().is_some_and(|c| c == ' ' || c == '\t' || c.is_ascii_graphic()) => {
                return false;
            }
            '"' => return false,
            _ => {}
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(input: &str) -> Vec<&'static str> {
        check_email(input, "email").findings.iter().map(|f| f.code.as_str()).collect()
    }

    #[test]
    fn table() {
        let cases: &[(&str, &[&str])] = &[
            ("info@praxis-mueller.de", &[]),
            ("müller@müller-physio.de", &[]),
            ("Info.Team+x@Praxis.DE", &[]),
            (" info@praxis.de ", &["trimmed"]),
            ("", &["empty"]),
            ("info.praxis.de", &["email_missing_at"]),
            ("@praxis.de", &["email_local_empty"]),
            ("info@", &["empty"]),
            ("in fo@praxis.de", &["email_local_invalid_char"]),
            ("a@b@praxis.de", &["email_local_invalid_char"]),
            (".info@praxis.de", &["email_local_dots"]),
            ("in..fo@praxis.de", &["email_local_dots"]),
            ("\"in fo\"@praxis.de", &["email_quoted"]),
            ("\"a\r\nb\"@praxis.de", &["email_control_char"]),
            ("info@[192.0.2.1]", &["email_address_literal"]),
            ("info@[IPv6:2001:db8::1]", &["email_address_literal"]),
            ("info@[300.1.1.1]", &["domain_idna_invalid"]),
            ("Praxis Müller <info@praxis.de>", &["email_display_name"]),
            ("mailto:info@praxis.de", &["email_mailto"]),
            ("info@web.de.", &["host_trailing_dot"]),
            ("info@praxis", &["domain_dotless"]),
            ("info@praxis..de", &["domain_empty_label"]),
            ("info@praxis.de\n", &["email_control_char"]),
            ("\r\n info@praxis.de", &["email_control_char"]),
            ("\"\"@praxis.de", &["email_local_empty"]),
            ("\"a\\©\"@praxis.de", &["email_local_invalid_char"]),
            ("a@[IPv6:::ffff:127.0.0.1]", &["email_address_literal"]),
            ("info@ｇｍａｉｌ.com", &["domain_not_normalized"]),
        ];
        for (input, want) in cases {
            assert_eq!(&codes(input), want, "{input:?}");
        }
    }

    #[test]
    fn lengths_are_counted_in_octets() {
        let local = "ü".repeat(33); // 66 bytes, 33 characters
        assert_eq!(codes(&format!("{local}@praxis.de")), vec!["email_local_too_long"]);
        let long = format!("{}@{}.de", "a".repeat(64), ["b".repeat(62), "c".repeat(62), "d".repeat(62)].join("."));
        assert_eq!(codes(&long), vec!["email_too_long"]);
    }

    #[test]
    fn fixes_carry_the_extracted_address() {
        for input in ["Praxis <info@praxis.de>", "mailto:info@praxis.de?subject=x", "info@praxis.de."] {
            let c = check_email(input, "email");
            assert_eq!(&c.findings[0].fix.as_ref().unwrap().set["email"], "info@praxis.de", "{input}");
        }
    }
}
