//! Domains: the one normalization every part of the core uses (presets,
//! typo suggestions, the tenant rule), so that "the same domain" means the
//! same thing everywhere. A leaf: it depends on nothing else in the crate.
//!
//! Validation (`validate::host`) checks far more before it accepts a name;
//! this only brings a name to the form it is compared in.

use std::borrow::Cow;

/// `address` split at its last `@` into (local part, domain), both as typed
/// (the address trimmed of spaces first); `None` without an `@`.
pub fn split_address(address: &str) -> Option<(&str, &str)> {
    crate::ascii::rsplit_once(address.trim(), b'@')
}

/// The domain part of an address, or a bare domain, in the form it is
/// compared in: lower-case A-labels (IDNA, UTS 46), without a trailing dot.
/// `None` when nothing is left, or IDNA refuses the name.
pub fn of(address_or_domain: &str) -> Option<String> {
    let s = address_or_domain.trim();
    let domain = split_address(s).map_or(s, |(_, d)| d);
    to_ascii(domain).map(Cow::into_owned)
}

/// `domain` in lower-case A-label form without a trailing dot; borrowed when
/// it already is (the common case: a plain name typed in lower case).
pub fn to_ascii(domain: &str) -> Option<Cow<'_, str>> {
    let d = domain.trim();
    let d = d.strip_suffix('.').unwrap_or(d);
    if d.is_empty() {
        return None;
    }
    // Plain ASCII needs only lower-casing, which is all UTS 46 would do.
    if is_plain_ascii(d) {
        return Some(if d.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(d.to_ascii_lowercase())
        } else {
            Cow::Borrowed(d)
        });
    }
    idna::domain_to_ascii(d).ok().filter(|a| !a.is_empty()).map(Cow::Owned)
}

/// Whether `name` is ASCII letters, digits, hyphens and dots only, with no
/// label that has `--` in 3rd and 4th position (an A-label, say, which
/// needs IDNA's checks): then lower-casing is all UTS 46 would do.
pub fn is_plain_ascii(name: &str) -> bool {
    name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && crate::ascii::split(name, b'.').all(|l| l.get(2..4) != Some("--"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_form_for_the_same_domain() {
        let cases: &[(&str, Option<&str>)] = &[
            ("info@GMX.de", Some("gmx.de")),
            ("  info@gmx.de.  ", Some("gmx.de")),
            ("Praxis-Müller.de", Some("xn--praxis-mller-klb.de")),
            ("info@xn--praxis-mller-klb.de", Some("xn--praxis-mller-klb.de")),
            ("info@", None),
            (".", None),
            ("a@b@web.de", Some("web.de")),
        ];
        for (input, want) in cases {
            assert_eq!(of(input).as_deref(), *want, "{input}");
        }
        assert!(matches!(to_ascii("gmx.de"), Some(Cow::Borrowed("gmx.de"))));
        assert!(!is_plain_ascii("xn--mller-kva.de") && is_plain_ascii("mx00.ionos.de"));
    }
}
