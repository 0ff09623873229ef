//! Names derived from other names: an MX host's candidate domains.

/// The registrable domain of `host` by the Public Suffix List
/// (`mx00.kundenserver.de` → `kundenserver.de`), lower case.
pub fn registrable(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let d = psl::domain(host.as_bytes())?;
    std::str::from_utf8(d.as_bytes()).ok().map(str::to_string)
}

/// The domains an MX host suggests, best first and without repeats: its
/// registrable domain, then the host minus its first label
/// (`mx01.mail.hoster.de` → `hoster.de`, `mail.hoster.de`).
pub fn mx_candidates(mx: &str) -> Vec<String> {
    let mx = mx.trim_end_matches('.').to_ascii_lowercase();
    let mut out = Vec::new();
    if let Some(r) = registrable(&mx) {
        out.push(r);
    }
    if let Some((_, rest)) = mx.split_once('.')
        && rest.contains('.')
        && !out.iter().any(|o| o == rest)
    {
        out.push(rest.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_of_mx_hosts() {
        for (mx, want) in [
            ("mx00.ionos.de", &["ionos.de"][..]),
            ("mx01.kundenserver.de.", &["kundenserver.de"]),
            ("smtpin.rzone.de", &["rzone.de"]),
            ("praxis-de.mail.protection.outlook.com", &["outlook.com", "mail.protection.outlook.com"]),
            ("aspmx.l.google.com", &["google.com", "l.google.com"]),
            ("mx.hoster.co.uk", &["hoster.co.uk"]),
            ("mx1.mail.hoster.test", &["hoster.test", "mail.hoster.test"]),
        ] {
            assert_eq!(mx_candidates(mx), want, "{mx}");
        }
    }
}
