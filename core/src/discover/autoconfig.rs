//! Autoconfig files (Thunderbird's config-v1.1, with the 1.2 additions:
//! `OAuth2` authentication and the `<oAuth2>` block, `<enable>`,
//! `<documentation>`), parsed without IO. Every byte is the server's, so the
//! file is bounded before it is parsed (size, nesting, node count), DTDs
//! are refused (roxmltree knows no external entities and refuses a DTD by
//! default), and every value that reaches the user is checked as if typed.

use crate::presets::ServerChoice;
use crate::profile::Security;

/// The largest file taken (the ISPDB's largest is under 8 KB).
pub const MAX_BYTES: usize = 64 * 1024;
/// The deepest nesting taken (the format needs 4).
const MAX_DEPTH: usize = 16;
/// The most nodes taken.
const MAX_NODES: u32 = 5_000;
/// The longest text value taken (a host name, a URL, an instruction).
const MAX_TEXT: usize = 2_000;

/// An OAuth 2.0 block (autoconfig 1.2).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct OAuth2 {
    /// The issuer's host name.
    pub issuer: String,
    /// Space-separated scopes.
    pub scope: String,
    /// The authorization endpoint.
    pub auth_url: String,
    /// The token endpoint.
    pub token_url: String,
}

/// An `<enable>` instruction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Enable {
    /// The page where to do it (https only), or empty.
    pub url: String,
    /// The instruction in German.
    pub de: String,
    /// The instruction in English.
    pub en: String,
}

/// What a file says for one address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Autoconfig {
    /// The provider's id attribute.
    pub id: String,
    /// Its display name (sanitized).
    pub name: String,
    /// The domains it claims (lower case).
    pub domains: Vec<String>,
    /// SMTP servers, best first (implicit TLS, then STARTTLS); never plaintext.
    pub smtp: Vec<ServerChoice>,
    /// POP3 servers, likewise.
    pub pop3: Vec<ServerChoice>,
    /// `password` and/or `oauth2`, as the SMTP servers take them.
    pub auth: Vec<String>,
    /// The OAuth 2.0 block, if any.
    pub oauth2: Option<OAuth2>,
    /// What the user must switch on first: where, and the instruction in
    /// German and English (each the other's when only one is given).
    pub enable: Option<Enable>,
    /// The provider's documentation page.
    pub documentation: Option<String>,
    /// Servers left out, and why (plaintext only, a bad host name…).
    pub skipped: Vec<String>,
}

/// Why a file was not taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// Larger than [`MAX_BYTES`].
    TooLarge(usize),
    /// Nested deeper than the format ever needs.
    TooDeep,
    /// Not well-formed XML, a DTD, or too many nodes.
    Xml(String),
    /// Well-formed, but not an autoconfig file.
    NotAutoconfig,
    /// No SMTP server that can be used (the reasons of each).
    NoUsableServer(Vec<String>),
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::TooLarge(n) => write!(f, "the file is too large ({n} bytes; at most {MAX_BYTES})"),
            ParseError::TooDeep => write!(f, "the file is nested deeper than {MAX_DEPTH} levels"),
            ParseError::Xml(e) => write!(f, "not well-formed XML: {e}"),
            ParseError::NotAutoconfig => f.write_str("not an autoconfig file (no clientConfig/emailProvider)"),
            ParseError::NoUsableServer(why) if why.is_empty() => f.write_str("no SMTP server in the file"),
            ParseError::NoUsableServer(why) => write!(f, "no usable SMTP server: {}", why.join("; ")),
        }
    }
}

impl std::error::Error for ParseError {}

/// The nesting depth, counted on the bytes before parsing (a parser must
/// not be the first to meet a file of a million `<a>`).
fn depth_ok(xml: &str) -> bool {
    let b = xml.as_bytes();
    let mut depth = 0usize;
    for i in 0..b.len() {
        if b[i] != b'<' {
            continue;
        }
        match b.get(i + 1) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(b'?' | b'!') => {}
            Some(_) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return false;
                }
            }
            None => {}
        }
        // A self-closing tag: find its end.
        if let Some(end) = b[i..].iter().position(|&c| c == b'>')
            && end > 0
            && b[i + end - 1] == b'/'
        {
            depth = depth.saturating_sub(1);
        }
    }
    true
}

/// A server's text: trimmed, bounded, and free of control and invisible
/// characters (it reaches the user's screen and settings).
fn clean(t: &str) -> Option<String> {
    let t = t.trim();
    if t.is_empty() || t.len() > MAX_TEXT || t.chars().any(crate::sanitize::is_unsafe) {
        return None;
    }
    Some(t.to_string())
}

/// A host name the user could have typed into the server field without an
/// error, in A-label form.
pub(crate) fn usable_host(host: &str) -> Option<String> {
    let check = crate::validate::check_host(host, "smtp.host", crate::validate::HostRole::Smtp);
    if crate::finding::has_error(&check.findings) { None } else { check.ascii }
}

fn child_text(node: roxmltree::Node, tag: &str) -> Option<String> {
    node.children().find(|c| c.has_tag_name(tag)).and_then(|c| c.text()).and_then(clean)
}

pub(crate) use crate::presets::resolve_placeholders;

fn server(node: roxmltree::Node, address: &str, skipped: &mut Vec<String>) -> Option<(ServerChoice, bool, bool)> {
    let Some(host) = child_text(node, "hostname") else {
        skipped.push("a server without a usable host name".into());
        return None;
    };
    let host_ascii = match usable_host(&host) {
        Some(h) => h,
        None => {
            skipped.push(format!("{}: not a usable host name", crate::sanitize::visible(&host)));
            return None;
        }
    };
    let Some(port) = child_text(node, "port").and_then(|p| p.parse::<u16>().ok()).filter(|p| *p > 0) else {
        skipped.push(format!("{host_ascii}: no valid port"));
        return None;
    };
    let security = match child_text(node, "socketType").as_deref() {
        Some("SSL" | "TLS") => Security::Tls,
        Some("STARTTLS") => Security::Starttls,
        Some("plain") => {
            skipped.push(format!("{host_ascii}:{port}: without encryption (never proposed)"));
            return None;
        }
        other => {
            skipped.push(format!("{host_ascii}:{port}: unknown socketType {:?}", other.unwrap_or("")));
            return None;
        }
    };
    let auths: Vec<String> =
        node.children().filter(|c| c.has_tag_name("authentication")).filter_map(|c| c.text()).map(|t| t.trim().to_string()).collect();
    let password = auths.is_empty() || auths.iter().any(|a| a.starts_with("password-"));
    let oauth2 = auths.iter().any(|a| a == "OAuth2");
    if !password && !oauth2 {
        skipped.push(format!("{host_ascii}:{port}: no password or OAuth 2.0 sign-in ({})", auths.join(", ")));
        return None;
    }
    let template = child_text(node, "username").unwrap_or_else(|| "%EMAILADDRESS%".into());
    let username = resolve_placeholders(&template, address);
    Some((ServerChoice { host: host_ascii, port, security, username }, password, oauth2))
}

/// Parses a file for `address` (its user-name placeholders are resolved).
pub fn parse(xml: &[u8], address: &str) -> Result<Autoconfig, ParseError> {
    if xml.len() > MAX_BYTES {
        return Err(ParseError::TooLarge(xml.len()));
    }
    let text = std::str::from_utf8(xml).map_err(|e| ParseError::Xml(format!("not UTF-8: {e}")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if !depth_ok(text) {
        return Err(ParseError::TooDeep);
    }
    let options = roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: MAX_NODES, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(text, options).map_err(|e| ParseError::Xml(e.to_string()))?;
    let root = doc.root_element();
    if !root.has_tag_name("clientConfig") {
        return Err(ParseError::NotAutoconfig);
    }
    let provider = root.children().find(|c| c.has_tag_name("emailProvider")).ok_or(ParseError::NotAutoconfig)?;
    let mut out = Autoconfig {
        id: provider.attribute("id").and_then(clean).unwrap_or_default(),
        ..Autoconfig::default()
    };
    out.name = child_text(provider, "displayName").or_else(|| child_text(provider, "displayShortName")).unwrap_or_else(|| out.id.clone());
    out.domains = provider
        .children()
        .filter(|c| c.has_tag_name("domain"))
        .filter_map(|c| c.text())
        .filter_map(|d| crate::domain::to_ascii(d.trim()).map(std::borrow::Cow::into_owned))
        .collect();
    let (mut password, mut oauth2) = (false, false);
    let mut skipped = Vec::new();
    for s in provider.children().filter(|c| c.has_tag_name("outgoingServer") && c.attribute("type") == Some("smtp")) {
        if let Some((choice, p, o)) = server(s, address, &mut skipped) {
            password |= p;
            oauth2 |= o;
            out.smtp.push(choice);
        }
    }
    for s in provider.children().filter(|c| c.has_tag_name("incomingServer") && c.attribute("type") == Some("pop3")) {
        if let Some((choice, _, _)) = server(s, address, &mut Vec::new()) {
            out.pop3.push(choice);
        }
    }
    if out.smtp.is_empty() {
        return Err(ParseError::NoUsableServer(skipped));
    }
    out.skipped = skipped;
    // Best first: implicit TLS before STARTTLS (RFC 8314), the file's order otherwise.
    out.smtp.sort_by_key(|s| s.security != Security::Tls);
    out.pop3.sort_by_key(|s| s.security != Security::Tls);
    if password {
        out.auth.push("password".into());
    }
    if oauth2 {
        out.auth.push("oauth2".into());
    }
    let https = |u: String| Some(u).filter(|u| u.starts_with("https://") && !u.contains(char::is_whitespace));
    // <oAuth2> and <enable> may sit inside emailProvider or beside it.
    let around = || provider.children().chain(root.children());
    if let Some(o) = around().find(|c| c.has_tag_name("oAuth2")) {
        out.oauth2 = Some(OAuth2 {
            issuer: child_text(o, "issuer").unwrap_or_default(),
            scope: child_text(o, "scope").unwrap_or_default(),
            auth_url: child_text(o, "authURL").and_then(https).unwrap_or_default(),
            token_url: child_text(o, "tokenURL").and_then(https).unwrap_or_default(),
        })
        .filter(|o| !o.auth_url.is_empty() && !o.token_url.is_empty());
    }
    if let Some(e) = around().find(|c| c.has_tag_name("enable")) {
        let url = e.attribute("visiturl").and_then(clean).and_then(https).unwrap_or_default();
        let instruction = |lang: &[Option<&str>]| {
            e.children()
                .filter(|c| c.has_tag_name("instruction") && lang.contains(&c.attribute("lang")))
                .find_map(|c| c.text().and_then(clean))
        };
        let en = instruction(&[None, Some("en")]);
        let de = instruction(&[Some("de")]).or_else(|| en.clone()).unwrap_or_default();
        let en = en.unwrap_or_else(|| de.clone());
        out.enable = Some(Enable { url, de, en }).filter(|e| !e.url.is_empty() || !e.de.is_empty());
    }
    out.documentation = around()
        .find(|c| c.has_tag_name("documentation"))
        .and_then(|d| d.attribute("url"))
        .and_then(clean)
        .and_then(https);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"<?xml version="1.0"?>
<clientConfig version="1.1"><emailProvider id="hoster.test">
  <domain>musterpraxis.test</domain><displayName>Hoster</displayName>
  <incomingServer type="pop3"><hostname>pop.hoster.test</hostname><port>995</port><socketType>SSL</socketType>
    <authentication>password-cleartext</authentication><username>%EMAILLOCALPART%</username></incomingServer>
  <outgoingServer type="smtp"><hostname>smtp.hoster.test</hostname><port>587</port><socketType>STARTTLS</socketType>
    <authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username></outgoingServer>
  <outgoingServer type="smtp"><hostname>smtp.hoster.test</hostname><port>465</port><socketType>SSL</socketType>
    <authentication>OAuth2</authentication><authentication>password-encrypted</authentication><username>%EMAILDOMAIN%\%EMAILLOCALPART%</username></outgoingServer>
  <outgoingServer type="smtp"><hostname>plain.hoster.test</hostname><port>25</port><socketType>plain</socketType></outgoingServer>
  <enable visiturl="https://hoster.test/enable"><instruction>Turn it on</instruction><instruction lang="de">Einschalten</instruction></enable>
  <documentation url="https://hoster.test/help"/>
</emailProvider>
<oAuth2><issuer>login.hoster.test</issuer><scope>smtp offline</scope><authURL>https://login.hoster.test/auth</authURL><tokenURL>https://login.hoster.test/token</tokenURL></oAuth2>
</clientConfig>"#;

    #[test]
    fn a_full_file_with_the_1_2_additions() {
        let a = parse(GOOD.as_bytes(), "info@musterpraxis.test").unwrap();
        let smtp: Vec<_> = a.smtp.iter().map(|s| (s.host.as_str(), s.port, s.security, s.username.as_str())).collect();
        assert_eq!(smtp, [
            ("smtp.hoster.test", 465, Security::Tls, "musterpraxis.test\\info"),
            ("smtp.hoster.test", 587, Security::Starttls, "info@musterpraxis.test"),
        ]);
        assert_eq!(a.pop3[0].username, "info");
        assert_eq!(a.auth, ["password", "oauth2"]);
        assert_eq!(a.oauth2.as_ref().unwrap().token_url, "https://login.hoster.test/token");
        let enable = a.enable.unwrap();
        assert_eq!((enable.url.as_str(), enable.de.as_str(), enable.en.as_str()), ("https://hoster.test/enable", "Einschalten", "Turn it on"));
        assert_eq!(a.documentation.as_deref(), Some("https://hoster.test/help"));
        assert_eq!(a.domains, ["musterpraxis.test"]);
        assert!(a.skipped[0].contains("plain.hoster.test:25: without encryption"), "{:?}", a.skipped);
    }

    /// Every file of the ISPDB parses, and gives the SMTP servers that the
    /// offline table (generated from the same files by xtask) gives.
    #[test]
    fn every_ispdb_file_agrees_with_the_offline_table() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/ispdb");
        let mut compared = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "xml") {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let Ok(a) = parse(&bytes, "someone@example.org") else { continue };
            let Some(domain) = a.domains.first() else { continue };
            let Some(p) = crate::presets::lookup(&format!("someone@{domain}"), crate::Lang::En) else { continue };
            let key = |s: &ServerChoice| format!("{}:{}:{}", s.host, s.port, s.security.as_str());
            let mut ours_sorted: Vec<_> = a.smtp.iter().map(key).collect();
            let mut table_sorted: Vec<_> = p.smtp.iter().filter(|s| s.security != Security::None).map(key).collect();
            ours_sorted.sort();
            table_sorted.sort();
            // A curated provider overrides some ISPDB rows.
            if !p.curated {
                assert_eq!(ours_sorted, table_sorted, "{}", path.display());
                compared += 1;
            }
        }
        assert!(compared > 100, "only {compared} files compared");
    }

    #[test]
    fn hostile_files_are_refused_with_a_reason() {
        let cases: &[(&[u8], &str)] = &[
            (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;'>]><clientConfig>&b;</clientConfig>", "not well-formed XML"),
            (b"<clientConfig><emailProvider", "not well-formed XML"),
            (b"\xff\xfe<clientConfig/>", "not UTF-8"),
            (b"<html><body>Not found</body></html>", "not an autoconfig file"),
            (b"<clientConfig><emailProvider id='x'/></clientConfig>", "no SMTP server"),
            (b"<clientConfig><emailProvider id='x'><outgoingServer type='smtp'><hostname>smtp.x.test</hostname><port>25</port><socketType>plain</socketType></outgoingServer></emailProvider></clientConfig>", "without encryption"),
            (b"<clientConfig><emailProvider id='x'><outgoingServer type='smtp'><hostname>smtp.x.test&#x202E;</hostname><port>465</port><socketType>SSL</socketType></outgoingServer></emailProvider></clientConfig>", "without a usable host name"),
            (b"<clientConfig><emailProvider id='x'><outgoingServer type='smtp'><hostname>smtp..x</hostname><port>465</port><socketType>SSL</socketType></outgoingServer></emailProvider></clientConfig>", "not a usable host name"),
            (b"<clientConfig><emailProvider id='x'><outgoingServer type='smtp'><hostname>smtp.x.test</hostname><port>70000</port><socketType>SSL</socketType></outgoingServer></emailProvider></clientConfig>", "no valid port"),
        ];
        for (xml, want) in cases {
            let err = parse(xml, "a@b.test").unwrap_err().to_string();
            assert!(err.contains(want), "{:?}: {err}", String::from_utf8_lossy(xml));
        }
        let deep = format!("<clientConfig>{}{}</clientConfig>", "<a>".repeat(5_000), "</a>".repeat(5_000));
        assert_eq!(parse(deep.as_bytes(), "a@b.test"), Err(ParseError::TooDeep));
        let big = format!("<clientConfig><!--{}--></clientConfig>", "x".repeat(MAX_BYTES));
        assert!(matches!(parse(big.as_bytes(), "a@b.test"), Err(ParseError::TooLarge(_))));
        let many = format!("<clientConfig>{}</clientConfig>", "<a/>".repeat(6_000));
        assert!(matches!(parse(many.as_bytes(), "a@b.test"), Err(ParseError::Xml(_))));
    }

    #[test]
    fn links_that_are_not_https_are_dropped() {
        let xml = GOOD.replace("https://hoster.test/help", "javascript:alert(1)").replace("https://hoster.test/enable", "http://hoster.test/enable");
        let a = parse(xml.as_bytes(), "info@musterpraxis.test").unwrap();
        assert_eq!(a.documentation, None);
        assert_eq!(a.enable.unwrap().url, "");
    }
}
