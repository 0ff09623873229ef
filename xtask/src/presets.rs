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
    name: String,
    short: String,
    domains: Vec<String>,
    smtp: Vec<Server>,
    pop3: Vec<Server>,
    enable: Option<(String, String, String)>,
    doc: Option<String>,
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
    let auths: Vec<String> =
        node.children().filter(|c| c.has_tag_name("authentication")).filter_map(|c| c.text()).map(|t| t.trim().to_string()).collect();
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
        let mut domains: Vec<String> =
            p.children().filter(|c| c.has_tag_name("domain")).filter_map(|c| c.text()).map(|t| t.trim().to_lowercase()).collect();
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
        let rank = |s: &Server| match s.security { "Tls" => 0, "Starttls" => 1, _ => 2 };
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
        let doc = p.children().find(|c| c.has_tag_name("documentation")).and_then(|d| d.attribute("url")).map(String::from);
        let name = text(p, "displayName").unwrap_or_else(|| id.clone());
        let short = text(p, "displayShortName").unwrap_or_else(|| name.clone());
        if smtp.is_empty() {
            continue;
        }
        out.push(Provider { id, name, short, domains, smtp, pop3, enable, doc });
    }
    Ok(out)
}

fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn servers(list: &[Server]) -> String {
    let items: Vec<String> = list
        .iter()
        .map(|s| {
            format!(
                "S {{ host: {}, port: {}, security: {}, username: {}, password: {}, oauth2: {} }}",
                lit(&s.host), s.port, s.security, lit(&s.username), s.password, s.oauth2
            )
        })
        .collect();
    format!("&[{}]", items.join(", "))
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
    let mut out = String::new();
    out.push_str("// @generated by `cargo xtask presets` from ../shared/ispdb. Do not edit.\n");
    out.push_str("//\n// Derived from the Thunderbird ISPDB (repository thunderbird/autoconfig, directory ispdb/),\n");
    out.push_str("// licensed under the Mozilla Public License 2.0 (https://mozilla.org/MPL/2.0/); see\n");
    out.push_str("// core/src/presets/LICENSE-MPL-2.0. This file is Covered Software under that licence.\n\n");
    out.push_str("use super::table::{P, S, Enable};\nuse crate::profile::Security::{None, Starttls, Tls};\n\n");
    let _ = writeln!(out, "/// {} providers, by id.", providers.len());
    out.push_str("pub(super) static PROVIDERS: &[P] = &[\n");
    for p in &providers {
        let enable = match &p.enable {
            Some((url, de, en)) => format!("Some(Enable {{ url: {}, de: {}, en: {} }})", lit(url), lit(de), lit(en)),
            None => "Option::None".into(),
        };
        let doc = p.doc.as_deref().map_or("Option::None".into(), |d| format!("Some({})", lit(d)));
        let _ = writeln!(
            out,
            "    P {{ id: {}, name: {}, short: {}, smtp: {}, pop3: {}, enable: {enable}, doc: {doc} }},",
            lit(&p.id), lit(&p.name), lit(&p.short), servers(&p.smtp), servers(&p.pop3)
        );
    }
    out.push_str("];\n\n");
    let _ = writeln!(out, "/// {} domains, sorted, with the index of their provider.", domains.len());
    out.push_str("pub(super) static DOMAINS: &[(&str, u16)] = &[\n");
    for (d, i) in &domains {
        let _ = writeln!(out, "    ({}, {i}),", lit(d));
    }
    out.push_str("];\n");
    Ok(out)
}

pub fn run(root: &Path, check: bool) -> Result<(), String> {
    let generated = generate(root)?;
    let path = root.join(OUT);
    if check {
        let committed = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if committed != generated {
            return Err(format!("{OUT} is not what `cargo xtask presets` generates from the ISPDB; run it and commit the result"));
        }
        eprintln!("xtask: {OUT} is reproducible from the ISPDB");
        return Ok(());
    }
    std::fs::write(&path, generated).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("xtask: wrote {OUT}");
    Ok(())
}
