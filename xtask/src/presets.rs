//! `cargo xtask presets [--check]`: turns the ISPDB snapshot in
//! `../shared/ispdb` into the compact table `core/src/presets/ispdb.rs`.
//!
//! The output is deterministic (providers by id, domains sorted), so
//! `--check` (run by `cargo xtask test`) proves the committed table is
//! exactly what the data gives.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub const OUT: &str = "core/src/presets/ispdb.rs";

struct Server {
    host: String,
    port: u16,
    security: &'static str,
    username: String,
    password: bool,
    oauth2: bool,
}

struct Provider {
    id: String,
    short: String,
    domains: Vec<String>,
    smtp: Vec<Server>,
    pop3: Vec<Server>,
    enable: Option<(String, String, String)>,
}

pub fn ispdb_dir(root: &Path) -> PathBuf {
    std::env::var_os("MAILSETUP_ISPDB").map(PathBuf::from).unwrap_or_else(|| root.join("../shared/ispdb"))
}

fn text(node: roxmltree::Node, tag: &str) -> Option<String> {
    node.children().find(|c| c.has_tag_name(tag)).and_then(|c| c.text()).map(|t| t.trim().to_string())
}

fn server(node: roxmltree::Node, file: &str) -> Result<Option<Server>, String> {
    let host = text(node, "hostname").ok_or(format!("{file}: server without hostname"))?;
    let port = text(node, "port").and_then(|p| p.parse().ok()).ok_or(format!("{file}: {host}: bad port"))?;
    let security = match text(node, "socketType").as_deref() {
        Some("SSL") => "Tls",
        Some("STARTTLS") => "Starttls",
        Some("plain") => "None",
        other => return Err(format!("{file}: {host}: unknown socketType {other:?}")),
    };
    let auths: Vec<String> = node
        .children()
        .filter(|c| c.has_tag_name("authentication"))
        .filter_map(|c| c.text())
        .map(|t| t.trim().to_string())
        .collect();
    let password = auths.iter().any(|a| a.starts_with("password-"));
    let oauth2 = auths.iter().any(|a| a == "OAuth2");
    // Servers without a password or OAuth2 login are of no use for sending.
    if !password && !oauth2 {
        return Ok(None);
    }
    let username = text(node, "username").unwrap_or_else(|| "%EMAILADDRESS%".into());
    Ok(Some(Server { host, port, security, username, password, oauth2 }))
}

fn parse(path: &Path) -> Result<Vec<Provider>, String> {
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    let xml = std::fs::read_to_string(path).map_err(|e| format!("{file}: {e}"))?;
    let doc = roxmltree::Document::parse(&xml).map_err(|e| format!("{file}: {e}"))?;
    let root = doc.root_element();
    let mut out = Vec::new();
    for p in root.children().filter(|c| c.has_tag_name("emailProvider")) {
        let id = p.attribute("id").ok_or(format!("{file}: emailProvider without id"))?.to_string();
        let mut domains: Vec<String> = p
            .children()
            .filter(|c| c.has_tag_name("domain"))
            .filter_map(|c| c.text())
            .map(|t| t.trim().to_lowercase())
            .collect();
        domains.sort();
        domains.dedup();
        let mut smtp = Vec::new();
        let mut pop3 = Vec::new();
        for s in p.children().filter(|c| c.has_tag_name("outgoingServer") && c.attribute("type") == Some("smtp")) {
            smtp.extend(server(s, &file)?);
        }
        for s in p.children().filter(|c| c.has_tag_name("incomingServer") && c.attribute("type") == Some("pop3")) {
            pop3.extend(server(s, &file)?);
        }
        // Best first: implicit TLS, then STARTTLS, plaintext never first.
        let rank = |s: &Server| match s.security {
            "Tls" => 0,
            "Starttls" => 1,
            _ => 2,
        };
        smtp.sort_by_key(rank);
        pop3.sort_by_key(rank);
        // <enable> may sit inside emailProvider or beside it.
        let enable_node = p.children().chain(root.children()).find(|c| c.has_tag_name("enable"));
        let enable = enable_node.map(|e| {
            let url = e.attribute("visiturl").unwrap_or("").to_string();
            let instr = |lang: Option<&str>| {
                e.children()
                    .filter(|c| c.has_tag_name("instruction"))
                    .find(|c| c.attribute("lang") == lang)
                    .and_then(|c| c.text())
                    .map(|t| t.trim().to_string())
                    .unwrap_or_default()
            };
            let en = instr(None);
            let de = instr(Some("de"));
            (url, if de.is_empty() { en.clone() } else { de }, en)
        });
        let name = text(p, "displayName").unwrap_or_else(|| id.clone());
        let short = text(p, "displayShortName").unwrap_or(name);
        if smtp.is_empty() {
            continue;
        }
        out.push(Provider { id, short, domains, smtp, pop3, enable });
    }
    Ok(out)
}

fn lit(s: &str) -> String {
    format!("{s:?}")
}

/// A field of the text table: no separators inside.
fn field(s: &str) -> Result<&str, String> {
    if s.contains(['\t', '\n']) {
        return Err(format!("field {s:?} holds a separator"));
    }
    Ok(s)
}

fn servers(list: &[Server]) -> Result<String, String> {
    let mut items = Vec::new();
    for s in list {
        if s.host.contains([' ', ',', '\t']) || s.username.contains([' ', ',', '\t']) {
            return Err(format!("server {:?} / user {:?} holds a separator", s.host, s.username));
        }
        let sec = match s.security {
            "Tls" => "T",
            "Starttls" => "S",
            _ => "N",
        };
        let flags = format!("{}{}", if s.password { "p" } else { "" }, if s.oauth2 { "o" } else { "" });
        items.push(format!("{},{},{sec},{},{flags}", s.host, s.port, s.username));
    }
    Ok(items.join(" "))
}

/// The generated source.
pub fn generate(root: &Path) -> Result<String, String> {
    let dir = ispdb_dir(root);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e} (the ISPDB snapshot is expected in ../shared/ispdb)", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    let mut providers = Vec::new();
    for f in &files {
        providers.extend(parse(f)?);
    }
    providers.sort_by(|a, b| a.id.cmp(&b.id));
    let mut domains: BTreeMap<String, usize> = BTreeMap::new();
    for (i, p) in providers.iter().enumerate() {
        for d in &p.domains {
            domains.entry(d.clone()).or_insert(i);
        }
    }
    // Text blobs rather than structs of &str: strings compress well in the
    // gzipped wasm, pointer tables do not (this halved the table's cost).
    let mut rows = String::new();
    let mut row_start = Vec::new();
    for p in &providers {
        row_start.push(rows.len());
        let (url, de, en) = p.enable.clone().unwrap_or_default();
        let cols = [
            field(&p.id)?.to_string(),
            field(&p.short)?.to_string(),
            servers(&p.smtp)?,
            servers(&p.pop3)?,
            field(&url)?.to_string(),
            field(&de)?.to_string(),
            field(&en)?.to_string(),
            // Documentation URLs are left out: they cost 2 KB of the wasm
            // package's size budget and the wizard does not show them.
            String::new(),
        ];
        rows.push_str(&cols.join("\t"));
        rows.push('\n');
    }
    let mut domain_blob = String::new();
    let mut offsets = Vec::new();
    let mut owners = Vec::new();
    for (d, i) in &domains {
        offsets.push(domain_blob.len());
        domain_blob.push_str(d);
        domain_blob.push('\n');
        owners.push(*i);
    }
    if domain_blob.len() > usize::from(u16::MAX) || rows.len() > usize::from(u16::MAX) || providers.len() > 255 {
        return Err("the table outgrew its u16 offsets / u8 provider indices".into());
    }
    let mut out = String::new();
    out.push_str("// @generated by `cargo xtask presets` from ../shared/ispdb. Do not edit.\n");
    out.push_str("//\n// Derived from the Thunderbird ISPDB (repository thunderbird/autoconfig, directory ispdb/),\n");
    out.push_str("// licensed under the Mozilla Public License 2.0 (https://mozilla.org/MPL/2.0/); see\n");
    out.push_str("// core/src/presets/LICENSE-MPL-2.0. This file is Covered Software under that licence.\n//\n");
    out.push_str("// PROVIDERS: one line per provider, by id; tab-separated columns: id, short name, SMTP\n");
    out.push_str("// servers, POP3 servers, <enable> URL, German and English instruction, (empty:\n");
    out.push_str("// documentation URLs are left out for size). Servers: space-separated `host,port,T|S|N,username,flags` (T implicit TLS,\n");
    out.push_str("// S STARTTLS, N plaintext; flags p password, o OAuth2), best first.\n\n");
    let _ = writeln!(out, "/// {} providers.", providers.len());
    let _ = writeln!(out, "pub(super) static PROVIDERS: &str = {};\n", lit(&rows));
    out.push_str("/// Where each provider's line starts in PROVIDERS.\n");
    let _ = writeln!(out, "pub(super) static PROVIDER_START: &[u16] = &{:?};\n", row_start);
    let _ = writeln!(out, "/// {} domains, sorted, one per line.", domains.len());
    let _ = writeln!(out, "pub(super) static DOMAINS: &str = {};\n", lit(&domain_blob));
    out.push_str("/// Where each domain starts in DOMAINS.\n");
    let _ = writeln!(out, "pub(super) static DOMAIN_START: &[u16] = &{:?};\n", offsets);
    out.push_str("/// The provider (line of PROVIDERS) of each domain.\n");
    let _ = writeln!(out, "pub(super) static DOMAIN_PROVIDER: &[u8] = &{:?};", owners);
    Ok(out)
}

pub fn run(root: &Path, check: bool) -> Result<(), String> {
    let generated = generate(root)?;
    let path = root.join(OUT);
    if check {
        let committed = super::read(&path)?;
        if committed != generated {
            return Err(format!(
                "{OUT} is not what `cargo xtask presets` generates from the ISPDB; run it and commit the result"
            ));
        }
        eprintln!("xtask: {OUT} is reproducible from the ISPDB");
        return Ok(());
    }
    super::write(&path, &generated)?;
    eprintln!("xtask: wrote {OUT}");
    Ok(())
}
