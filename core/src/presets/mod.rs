//! Provider presets ("Einstellungen suchen"): server settings for an address,
//! offline and instant, from the Thunderbird ISPDB (generated into
//! [`ispdb`](self) by `cargo xtask presets`) plus curated additions.

mod curated;
#[rustfmt::skip]
mod ispdb;
mod table;

use serde::{Deserialize, Serialize};

pub use curated::NoteKind;
use table::{Row, S};

use crate::lang::Lang;
use crate::profile::Security;

/// One way to reach a server, best first in a [`Preset`].
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerChoice {
    /// Host name.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Encryption.
    pub security: Security,
    /// The login name, resolved for the address.
    pub username: String,
}

/// Something the user must know or do, with where it comes from.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// What kind.
    pub kind: NoteKind,
    /// The text in the requested language.
    pub text: String,
    /// Where to do it, if there is a page.
    pub url: Option<String>,
    /// `ispdb` or `curated`.
    pub source: String,
}

/// Settings for an address.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preset {
    /// Stable provider id (the ISPDB's, or ours for curated ones).
    pub id: String,
    /// The provider's name as it writes it.
    pub provider: String,
    /// The domain that matched (A-label, lower case).
    pub domain: String,
    /// SMTP choices, best first (implicit TLS, then STARTTLS; never plaintext first).
    pub smtp: Vec<ServerChoice>,
    /// POP3 choices (for POP-before-SMTP), best first.
    pub pop3: Vec<ServerChoice>,
    /// The login name for the first SMTP choice.
    pub username: String,
    /// `password` and/or `oauth2`.
    pub auth: Vec<String>,
    /// Notes: steps to take first, app passwords, OAuth-only.
    pub notes: Vec<Note>,
    /// Whether the provider itself is a curated addition (not from the ISPDB).
    pub curated: bool,
    /// The provider's documentation page, if known.
    pub documentation: Option<String>,
}

/// Line `i` of a generated blob of newline-terminated lines starting at
/// `starts`: it ends where the next starts, less its newline (rows with
/// notes are long, and this runs on every keystroke: no search for the
/// newline).
fn entry(blob: &'static str, starts: &[u16], i: usize) -> Option<&'static str> {
    let start = usize::from(*starts.get(i)?);
    let end = starts.get(i + 1).map_or(blob.len(), |&n| usize::from(n));
    blob.get(start..end).map(|l| l.strip_suffix('\n').unwrap_or(l))
}

fn ispdb_line(index: usize) -> Option<&'static str> {
    entry(ispdb::PROVIDERS, ispdb::PROVIDER_START, index)
}

/// Where a domain's provider is: a line of the ISPDB table, or a curated id.
#[derive(Clone, Copy, Debug)]
enum Found {
    Ispdb(&'static str),
    Curated(&'static str),
}

impl Found {
    fn row(self) -> Option<Row> {
        match self {
            Found::Ispdb(line) => Row::parse(line),
            Found::Curated(id) => provider_by_id(id),
        }
    }

    /// The first SMTP server's user-name template, without parsing the
    /// whole row (asked on every validation of a profile with an empty
    /// user name).
    fn smtp_username(self) -> Option<&'static str> {
        match self {
            Found::Ispdb(line) => table::first_smtp_username(line),
            Found::Curated(_) => self.row()?.smtp.first().map(|s| s.username),
        }
    }
}

fn ispdb_domain(i: usize) -> &'static str {
    entry(ispdb::DOMAINS, ispdb::DOMAIN_START, i).unwrap_or("")
}

/// Every known domain: the ISPDB's in their order, then the curated ones.
/// Index `i` below the ISPDB's count is ISPDB domain `i`.
fn known_domains() -> impl Iterator<Item = &'static str> {
    (0..ispdb::DOMAIN_START.len()).map(ispdb_domain).chain(curated::DOMAINS.iter().map(|(d, _)| *d))
}

/// FNV-1a, 32 bits: short names, a few instructions a byte.
fn fnv1a(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// Slots of the domain table: a power of two, at least twice the number of
/// known domains (about a thousand), so probe chains stay short.
const DOMAIN_SLOTS: usize = 4096;
const EMPTY: u16 = u16::MAX;

/// Every known domain in an open-addressing hash table (linear probing):
/// slot values below the ISPDB's count are ISPDB domains, the rest curated
/// ones. ISPDB domains go in first, so on a name's probe chain the ISPDB
/// entry comes before a curated one of the same name (the ISPDB is asked
/// first). Built on first use. Why: a lookup runs for every usable address,
/// and the binary search over the sorted names compared text at every step
/// (6 % of validation); this compares text about once. (A sorted index
/// needed a sort, which cost 2.5 KB of the wasm size budget.)
fn domain_table() -> &'static [u16] {
    static TABLE: std::sync::OnceLock<Vec<u16>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = vec![EMPTY; DOMAIN_SLOTS];
        for (i, name) in known_domains().enumerate() {
            let i = u16::try_from(i).ok().filter(|i| *i != EMPTY && usize::from(*i) < DOMAIN_SLOTS / 2);
            let i = i.expect("the domain table has room for every known domain");
            let mut slot = fnv1a(name) as usize % DOMAIN_SLOTS;
            while table[slot] != EMPTY {
                slot = (slot + 1) % DOMAIN_SLOTS;
            }
            table[slot] = i;
        }
        table
    })
}

fn find_domain(domain: &str) -> Option<Found> {
    let table = domain_table();
    let n = ispdb::DOMAIN_START.len();
    let mut slot = fnv1a(domain) as usize % DOMAIN_SLOTS;
    loop {
        match usize::from(table[slot]) {
            i if i == usize::from(EMPTY) => return None,
            i if i < n && ispdb_domain(i) == domain => {
                return ispdb_line(usize::from(ispdb::DOMAIN_PROVIDER[i])).map(Found::Ispdb);
            }
            i if i >= n && curated::DOMAINS[i - n].0 == domain => {
                return Some(Found::Curated(curated::DOMAINS[i - n].1));
            }
            _ => slot = (slot + 1) % DOMAIN_SLOTS,
        }
    }
}

fn provider_by_id(id: &str) -> Option<Row> {
    if let Some(p) = curated::PROVIDERS.iter().find(|p| p.id == id) {
        return Some(Row::from(p));
    }
    crate::ascii::split(ispdb::PROVIDERS, b'\n').find(|l| crate::ascii::split(l, b'\t').next() == Some(id)).and_then(Row::parse)
}

/// One provider of the help list ("Eine Liste gängiger Postausgangsserver
/// erhalten Sie in der Hilfe"): what [`lookup`] gives for its first domain,
/// with every domain that leads to it.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed {
    /// The name to show and search, e.g. "Gmail / Google Workspace".
    pub label: String,
    /// Every domain whose lookup finds this provider, the first one in `preset.domain`.
    pub domains: Vec<String>,
    /// The settings, user names resolved for the address given to [`list`].
    pub preset: Preset,
}

/// The help list of common outgoing servers: every provider of the offline
/// table once, German ones first (curated order), then the rest by name.
/// Built from the same tables as [`lookup`], grouped by what a lookup of
/// each domain finds, so the two never disagree. `address` (may be empty)
/// resolves the user-name templates.
pub fn list(address: &str, lang: Lang) -> Vec<Listed> {
    let mut groups: Vec<(Row, Vec<String>)> = Vec::new();
    for domain in known_domains() {
        let Some(row) = find_domain(domain).and_then(Found::row) else { continue };
        // Ids are not unique in the ISPDB (Zoho's regions share one): a
        // provider is its id and first server.
        // A row whose servers are named after the domain is an entry per domain.
        let host = |r: &Row| r.smtp.first().map(|s| s.host);
        let same = |r: &Row| r.id == row.id && host(r) == host(&row) && !crate::ascii::contains(host(r).unwrap_or(""), b'%');
        match groups.iter_mut().find(|(r, _)| same(r)) {
            Some((_, domains)) => domains.push(domain.to_string()),
            None => groups.push((row, vec![domain.to_string()])),
        }
    }
    let address = address_part(address);
    // Placed by insertion, not sorted: a sort costs the wasm package
    // kilobytes, and a few hundred entries are placed in microseconds.
    // Each with its sort key: the curated rank, then the label in lower case.
    let mut listed: Vec<((usize, String), Listed)> = Vec::with_capacity(groups.len());
    for (row, domains) in groups {
        let preset = build(&row, &domains[0], address, lang);
        let first = curated::LIST_FIRST.iter().position(|(id, _)| *id == row.id);
        let label = first.and_then(|i| curated::LIST_FIRST[i].1).map_or_else(|| preset.provider.clone(), String::from);
        let key = (first.unwrap_or(usize::MAX), label.to_ascii_lowercase());
        let at = listed.iter().position(|(k, _)| *k > key).unwrap_or(listed.len());
        listed.insert(at, (key, Listed { label, domains, preset }));
    }
    listed.into_iter().map(|(_, l)| l).collect()
}

/// Whether the domain belongs to a known provider.
pub fn is_known_domain(domain_ascii: &str) -> bool {
    find_domain(domain_ascii).is_some()
}

/// Looks up settings for an address (or a bare domain), case-insensitively
/// and IDN-aware. `None` for unknown domains.
pub fn lookup(address_or_domain: &str, lang: Lang) -> Option<Preset> {
    let domain = crate::domain::of(address_or_domain)?;
    let p = find_domain(&domain)?.row()?;
    let address = address_part(address_or_domain);
    Some(build(&p, &domain, address, lang))
}

/// The user name to log in with when none is given: the provider's template
/// for the address when the provider is known (WEB.DE: the part before the
/// @), else the address itself.
pub fn default_username(address: &str) -> String {
    match crate::domain::of(address) {
        Some(d) => default_username_for(address, &d),
        None => address.trim().to_string(),
    }
}

/// [`default_username`] for a caller that has the address's domain in
/// lower-case A-label form already (validation does, on every keystroke:
/// it is not normalized twice).
pub(crate) fn default_username_for(address: &str, domain_ascii: &str) -> String {
    let address = address.trim();
    find_domain(domain_ascii)
        .and_then(Found::smtp_username)
        .map(|template| resolve_placeholders(template, address))
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| address.to_string())
}

/// The provider behind a custom domain, from its MX host names
/// (e.g. `mx00.ionos.de` → IONOS). Pure: the caller does the DNS query.
pub fn provider_for_mx(mx_hosts: &[&str], lang: Lang) -> Option<Preset> {
    mx_hosts.iter().find_map(|mx| {
        let mx = mx.trim().trim_end_matches('.').to_ascii_lowercase();
        let id = curated::MX.iter().find(|(suffix, _)| mx.ends_with(suffix))?.1;
        let p = provider_by_id(id)?;
        Some(build(&p, p.id, "", lang))
    })
}

/// The provider whose SMTP server this is, if any (for provider-aware hints).
pub fn provider_for_smtp_host(host: &str, lang: Lang) -> Option<Preset> {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    curated::PROVIDERS
        .iter()
        .map(Row::from)
        .chain(crate::ascii::split(ispdb::PROVIDERS, b'\n').filter_map(Row::parse))
        .find(|p| p.smtp.iter().any(|s| s.host == host))
        .map(|p| build(&p, p.id, "", lang))
}

/// `typed` trimmed when it is an address, else empty: a bare domain leaves
/// the user-name templates unresolved.
fn address_part(typed: &str) -> &str {
    Some(typed.trim()).filter(|a| crate::ascii::contains(a, b'@')).unwrap_or("")
}

/// `%EMAILADDRESS%`, `%EMAILLOCALPART%` and `%EMAILDOMAIN%` of a template
/// for `address`; the template itself when there is no address.
pub(crate) fn resolve_placeholders(template: &str, address: &str) -> String {
    if address.is_empty() {
        return template.to_string();
    }
    let (local, domain) = crate::ascii::rsplit_once(address, b'@').unwrap_or((address, ""));
    // The two templates nearly every provider uses, without searching.
    match template {
        "%EMAILADDRESS%" => address.to_string(),
        "%EMAILLOCALPART%" => local.to_string(),
        _ => fill(template, &[("%EMAILADDRESS%", address), ("%EMAILLOCALPART%", local), ("%EMAILDOMAIN%", domain)]),
    }
}

/// `template` with each placeholder of `values` replaced, in one pass: a
/// value is never searched for placeholders itself. By hand because
/// `str::replace` with a `&str` pattern brings core's substring searcher,
/// 1.3 KB of the wasm package, for templates of a few bytes.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = crate::ascii::find(rest, b'%') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let (name, value) = values.iter().find(|(name, _)| rest.starts_with(name)).copied().unwrap_or(("%", "%"));
        out.push_str(value);
        rest = &rest[name.len()..];
    }
    out.push_str(rest);
    out
}

/// Servers of a row: host names written with `%EMAILDOMAIN%` (one ISPDB
/// file for several domains, `mail.%EMAILDOMAIN%`) take the domain that
/// matched, user names the address.
fn choices(list: &[S], domain: &str, address: &str) -> Vec<ServerChoice> {
    list.iter()
        .map(|s| ServerChoice {
            host: fill(s.host, &[("%EMAILDOMAIN%", domain)]),
            port: s.port,
            security: s.security,
            username: resolve_placeholders(s.username, address),
        })
        .collect()
}

fn build(p: &Row, domain: &str, address: &str, lang: Lang) -> Preset {
    let provider = curated::NAMES.iter().find(|(id, _)| *id == p.id).map_or(p.short, |(_, n)| n);
    let provider = fill(provider, &[("%EMAILDOMAIN%", domain)]);
    let mut notes = Vec::new();
    if let Some(e) = &p.enable {
        let kind = if p.id == "t-online.de" { NoteKind::EmailPassword } else { NoteKind::EnableAccess };
        let text = match lang {
            Lang::De => e.de,
            Lang::En => e.en,
        };
        notes.push(Note {
            kind,
            text: text.to_string(),
            url: Some(e.url.to_string()).filter(|u| !u.is_empty()),
            source: "ispdb".into(),
        });
    }
    for (id, kind, de, en, url) in curated::NOTES {
        if *id == p.id {
            let text = match lang {
                Lang::De => de,
                Lang::En => en,
            };
            notes.push(Note {
                kind: *kind,
                text: text.to_string(),
                url: Some(url.to_string()).filter(|u| !u.is_empty()),
                source: "curated".into(),
            });
        }
    }
    let password = p.smtp.iter().any(|s| s.password);
    let oauth2 = p.smtp.iter().any(|s| s.oauth2);
    let mut auth = Vec::new();
    if password {
        auth.push("password".to_string());
    }
    if oauth2 {
        auth.push("oauth2".to_string());
    }
    if !password && oauth2 && !notes.iter().any(|n| n.kind == NoteKind::Oauth2Only) {
        let (de, en) = (
            "Dieser Anbieter erlaubt die Anmeldung nur über OAuth 2.0.",
            "This provider allows sign-in only through OAuth 2.0.",
        );
        notes.push(Note {
            kind: NoteKind::Oauth2Only,
            text: match lang {
                Lang::De => de,
                Lang::En => en,
            }
            .into(),
            url: None,
            source: "ispdb".into(),
        });
    }
    let smtp = choices(&p.smtp, domain, address);
    Preset {
        id: p.id.to_string(),
        provider,
        domain: domain.to_string(),
        username: smtp.first().map(|s| s.username.clone()).unwrap_or_default(),
        smtp,
        pop3: choices(&p.pop3, domain, address),
        auth,
        notes,
        curated: p.curated,
        documentation: p.doc.map(String::from),
    }
}

impl Preset {
    /// A sentence to add to "wrong password" verdicts at this provider
    /// (switch on POP3/IMAP access at WEB.DE/GMX, app password at Gmail,
    /// the separate e-mail password at T-Online), or empty.
    pub fn login_hint(&self, lang: Lang) -> String {
        let note = self
            .notes
            .iter()
            .find(|n| matches!(n.kind, NoteKind::EnableAccess | NoteKind::AppPassword | NoteKind::EmailPassword));
        match (note, lang) {
            (Some(n), Lang::De) if n.kind == NoteKind::EnableAccess => format!(
                "Bei {} muss außerdem der Zugriff über POP3/IMAP in den E-Mail-Einstellungen eingeschaltet sein{}.",
                self.provider,
                n.url.as_ref().map_or(String::new(), |u| format!(" ({u})"))
            ),
            (Some(n), Lang::En) if n.kind == NoteKind::EnableAccess => format!(
                "At {} access through POP3/IMAP must also be switched on in the e-mail settings{}.",
                self.provider,
                n.url.as_ref().map_or(String::new(), |u| format!(" ({u})"))
            ),
            (Some(n), _) => n.text.clone(),
            (None, _) => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ISPDB's placeholders, filled once: what an address brings in is
    /// not filled again, and a `%` that starts none stays.
    #[test]
    fn placeholders_are_filled_in_one_pass() {
        for (template, address, filled) in [
            ("%EMAILADDRESS%", "info@praxis.de", "info@praxis.de"),
            ("%EMAILLOCALPART%", "info@praxis.de", "info"),
            ("mail.%EMAILDOMAIN%", "info@praxis.de", "mail.praxis.de"),
            ("%EMAILLOCALPART%+%EMAILDOMAIN%", "a@b.de", "a+b.de"),
            ("%EMAILLOCALPART%.x", "%EMAILDOMAIN%@b.de", "%EMAILDOMAIN%.x"),
            ("100%", "a@b.de", "100%"),
            ("%%EMAILDOMAIN%%", "a@b.de", "%b.de%"),
            ("%EMAIL", "a@b.de", "%EMAIL"),
            ("%EMAILDOMAIN%", "", "%EMAILDOMAIN%"),
        ] {
            assert_eq!(resolve_placeholders(template, address), filled, "{template} with {address}");
        }
    }

    /// The hashed index finds what a plain search of the tables finds: every
    /// ISPDB domain its own row (the ISPDB before the curated list), every
    /// curated-only domain its id, and names next to known ones nothing.
    #[test]
    fn the_index_finds_what_a_plain_search_finds() {
        let plain = |domain: &str| -> Option<String> {
            let ispdb = (0..ispdb::DOMAIN_START.len()).find(|&i| ispdb_domain(i) == domain);
            match ispdb {
                Some(i) => ispdb_line(usize::from(ispdb::DOMAIN_PROVIDER[i])).map(|l| format!("ispdb {l}")),
                None => curated::DOMAINS.iter().find(|(d, _)| *d == domain).map(|(_, id)| format!("curated {id}")),
            }
        };
        let found = |domain: &str| -> Option<String> {
            find_domain(domain).map(|f| match f {
                Found::Ispdb(l) => format!("ispdb {l}"),
                Found::Curated(id) => format!("curated {id}"),
            })
        };
        for d in known_domains() {
            assert!(found(d).is_some(), "{d}");
            assert_eq!(found(d), plain(d), "{d}");
            for near in [format!("{d}x"), format!("x{d}"), d[1..].to_string(), d.to_uppercase()] {
                assert_eq!(found(&near), plain(&near), "{near}");
            }
        }
        assert_eq!(found(""), None);
    }

    #[test]
    fn lookup_table() {
        // (input, provider, first smtp host, port, security, username)
        let cases: &[(&str, &str, &str, u16, Security, &str)] = &[
            ("info@gmx.de", "GMX", "mail.gmx.net", 465, Security::Tls, "info@gmx.de"),
            ("Info@GMX.AT", "GMX", "mail.gmx.net", 465, Security::Tls, "Info@GMX.AT"),
            ("praxis@web.de", "WEB.DE", "smtp.web.de", 465, Security::Tls, "praxis"),
            ("x@googlemail.com", "Gmail", "smtp.gmail.com", 465, Security::Tls, "x@googlemail.com"),
            ("x@gmail.com", "Gmail", "smtp.gmail.com", 465, Security::Tls, "x@gmail.com"),
            ("a@t-online.de", "T-Online (Telekom)", "securesmtp.t-online.de", 465, Security::Tls, "a@t-online.de"),
            ("a@ionos.de", "IONOS", "smtp.ionos.de", 465, Security::Tls, "a@ionos.de"),
            ("a@1und1.de", "1&1", "smtp.1und1.de", 465, Security::Tls, "a@1und1.de"),
            ("a@mailbox.org", "mailbox.org", "smtp.mailbox.org", 465, Security::Tls, "a@mailbox.org"),
            ("a@freenet.de", "freenet", "mx.freenet.de", 465, Security::Tls, "a@freenet.de"),
            ("a@vodafone.de", "Vodafone", "smtp.vodafone.de", 465, Security::Tls, "a@vodafone.de"),
            ("gmx.net", "GMX", "mail.gmx.net", 465, Security::Tls, "%EMAILADDRESS%"),
            ("a@web.de.", "WEB.DE", "smtp.web.de", 465, Security::Tls, "a"),
            // One ISPDB file for several domains, its servers named after each.
            ("a@inbox.lv", "inbox.lv", "mail.inbox.lv", 465, Security::Tls, "a@inbox.lv"),
            ("mail.ee", "mail.ee", "mail.ee", 465, Security::Tls, "%EMAILADDRESS%"),
        ];
        for (input, provider, host, port, sec, user) in cases {
            let p = lookup(input, Lang::De).unwrap_or_else(|| panic!("no preset for {input}"));
            assert_eq!(
                (p.provider.as_str(), p.smtp[0].host.as_str(), p.smtp[0].port, p.smtp[0].security, p.username.as_str()),
                (*provider, *host, *port, *sec, *user),
                "{input}"
            );
        }
        assert!(lookup("info@praxis-mueller.de", Lang::De).is_none());
        assert!(lookup("", Lang::De).is_none());
    }

    #[test]
    fn notes_and_auth() {
        let gmx = lookup("a@gmx.de", Lang::De).unwrap();
        assert_eq!(gmx.notes[0].kind, NoteKind::EnableAccess);
        assert!(gmx.notes[0].text.contains("POP3"));
        assert!(gmx.login_hint(Lang::De).starts_with("Bei GMX muss außerdem der Zugriff über POP3/IMAP"));
        let hotmail = lookup("a@hotmail.com", Lang::En).unwrap();
        assert_eq!(hotmail.auth, vec!["oauth2"]);
        assert!(hotmail.notes.iter().any(|n| n.kind == NoteKind::Oauth2Only));
        let gmail = lookup("a@gmail.com", Lang::De).unwrap();
        assert!(gmail.notes.iter().any(|n| n.kind == NoteKind::AppPassword && n.source == "curated"));
        let tonline = lookup("a@t-online.de", Lang::De).unwrap();
        assert!(tonline.login_hint(Lang::De).contains("E-Mail-Passwort"));
        assert!(lookup("a@ionos.de", Lang::De).unwrap().curated);
    }

    #[test]
    fn row_index_matches_lines() {
        for (i, line) in ispdb::PROVIDERS.lines().enumerate() {
            assert_eq!(ispdb_line(i).unwrap(), line);
        }
    }

    #[test]
    fn every_domain_of_the_table_is_found() {
        for d in ispdb::DOMAINS.lines() {
            assert!(find_domain(d).is_some(), "{d}");
        }
    }

    #[test]
    fn the_quick_user_name_template_is_the_parsed_one() {
        for line in ispdb::PROVIDERS.lines() {
            let parsed = Row::parse(line).unwrap().smtp.first().map(|s| s.username);
            assert_eq!(table::first_smtp_username(line), parsed, "{line}");
        }
    }

    #[test]
    fn every_row_parses() {
        let rows: Vec<Row> = ispdb::PROVIDERS.lines().map(|l| Row::parse(l).unwrap_or_else(|| panic!("{l}"))).collect();
        // As many rows as the generated index names (`cargo xtask presets
        // --check` holds the table to the snapshot itself).
        assert_eq!(rows.len(), ispdb::PROVIDER_START.len());
        assert!(rows.iter().all(|r| !r.smtp.is_empty()));
        assert_eq!(ispdb::DOMAIN_START.len(), ispdb::DOMAIN_PROVIDER.len());
    }

    #[test]
    fn smtp_choices_never_start_with_plaintext() {
        for p in ispdb::PROVIDERS.lines().filter_map(Row::parse).chain(curated::PROVIDERS.iter().map(Row::from)) {
            let first = &p.smtp[0];
            let only_plain = p.smtp.iter().all(|s| s.security == Security::None);
            assert!(first.security != Security::None || only_plain, "{}", p.id);
        }
    }

    /// Each domain once (a second row would name a second provider), in
    /// the order the generator writes them (so that regenerating from the
    /// same snapshot changes nothing).
    #[test]
    fn generated_domains_are_unique_and_in_order() {
        let d: Vec<&str> = ispdb::DOMAINS.lines().collect();
        assert!(d.windows(2).all(|w| w[0] < w[1]));
    }

    /// The help list: each provider once, the German ones first in their
    /// order, and every entry what a lookup of each of its domains gives.
    #[test]
    fn the_list_agrees_with_lookup() {
        let list = list("info@musterpraxis.de", Lang::De);
        let ids: Vec<&str> = list.iter().map(|l| l.preset.id.as_str()).collect();
        let first: Vec<&str> = curated::LIST_FIRST.iter().map(|(id, _)| *id).collect();
        assert_eq!(&ids[..first.len()], first.as_slice());
        let mut seen = std::collections::HashSet::new();
        assert!(list.iter().all(|l| seen.insert((&l.preset.id, &l.preset.smtp[0].host))), "a provider twice");
        let rest: Vec<String> = list[first.len()..].iter().map(|l| l.label.to_ascii_lowercase()).collect();
        assert!(rest.windows(2).all(|w| w[0] <= w[1]), "the rest by name");
        let mut domains = 0;
        for l in &list {
            assert_eq!(l.preset.domain, l.domains[0]);
            for d in &l.domains {
                let found = lookup(&format!("info@{d}"), Lang::De).unwrap_or_else(|| panic!("{d}"));
                assert_eq!(found.id, l.preset.id, "{d}");
                assert_eq!(found.smtp[0].host, l.preset.smtp[0].host, "{d}");
                domains += 1;
            }
        }
        assert_eq!(domains, known_domains().count(), "every known domain in the list");
        // The address resolves the templates (WEB.DE: the part before the @).
        let web = list.iter().find(|l| l.preset.id == "web.de").unwrap();
        assert_eq!(web.preset.username, "info");
        assert_eq!(list.iter().find(|l| l.preset.id == "googlemail.com").unwrap().label, "Gmail / Google Workspace");
    }

    #[test]
    fn mx_mapping() {
        let cases: &[(&[&str], Option<&str>)] = &[
            (&["mx00.ionos.de", "mx01.ionos.de"], Some("IONOS")),
            (&["smtpin.rzone.de."], Some("STRATO")),
            (&["aspmx.l.google.com"], Some("Gmail")),
            (&["praxis-mueller-de.mail.protection.outlook.com"], Some("Microsoft 365")),
            (&["mx.praxis-mueller.de"], None),
        ];
        for (mx, want) in cases {
            assert_eq!(provider_for_mx(mx, Lang::De).map(|p| p.provider).as_deref(), *want, "{mx:?}");
        }
    }

    #[test]
    fn smtp_host_mapping() {
        assert_eq!(provider_for_smtp_host("MAIL.GMX.NET", Lang::De).unwrap().provider, "GMX");
        assert!(provider_for_smtp_host("localhost", Lang::De).is_none());
    }
}
