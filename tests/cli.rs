//! The CLI's JSON contract for the offline commands (`validate`, `preset`).

use std::io::Write;
use std::process::{Command, Stdio};

fn mailprobe(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailprobe"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn validate_field_json_lines() {
    let input = "\"info@gmx.dee\"\n\"info@praxis.de\"\n\"smtp.gmx.net\"\n";
    let (code, out, _) = mailprobe(&["validate", "--field", "email"], input);
    assert_eq!(code, 1, "one value has an error");
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["value"], "info@gmx.dee");
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[0]["findings"][0]["code"], "domain_typo");
    assert_eq!(lines[1]["findings"], serde_json::json!([]));
    assert_eq!(lines[2]["valid"], false);
    assert_eq!(lines[2]["findings"][0]["code"], "email_missing_at");
}

#[test]
fn validate_field_bad_input() {
    let (code, out, _) = mailprobe(&["validate", "--field", "email"], "not json\n");
    assert_eq!(code, 2);
    assert!(out.contains("not a JSON string"), "{out}");
    let (code, _, err) = mailprobe(&["validate", "--field", "smtp.hostname"], "");
    assert_eq!(code, 2);
    assert!(err.contains("unknown field"), "{err}");
}

#[test]
fn validate_documents() {
    let profile = r#"{"name": "P", "email": "info@praxis.de", "smtp": {"host": "smtp://mail.gmx.net:587", "port": 587, "security": "starttls", "username": ""}}"#;
    let (code, out, _) = mailprobe(&["validate", "-", "--json", "--lang", "en"], profile);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["valid"], false);
    let codes: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["host_is_url", "username_default"]);
    let settings = format!(
        r#"{{"profiles": [{}], "tenants": [{{"id": "1", "email": "x@y.de", "profile": "P"}}]}}"#,
        profile.replace("smtp://mail.gmx.net:587", "mail.gmx.net")
    );
    let (code, out, _) = mailprobe(&["validate", "-", "--json"], &settings);
    assert_eq!(code, 1);
    assert!(out.contains("tenant_address_mismatch"), "{out}");
    let (code, _, err) = mailprobe(&["validate", "-"], "{");
    assert_eq!(code, 2);
    assert!(err.contains("not JSON"), "{err}");
}

#[test]
fn preset_lookup() {
    let (code, out, _) = mailprobe(&["preset", "Info@GMX.at", "--json"], "");
    assert_eq!(code, 0);
    let p: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(p["provider"], "GMX");
    assert_eq!(p["smtp"][0]["host"], "mail.gmx.net");
    assert_eq!(p["smtp"][0]["security"], "tls");
    let (code, out, _) = mailprobe(&["preset", "praxis-mueller.de", "--json"], "");
    assert_eq!((code, out.trim()), (1, "null"));
}

/// Issue #18: the help list of common outgoing servers. German providers
/// first, then Microsoft and Google, each with host, port and encryption,
/// and every entry what `preset DOMAIN` says for its domains.
#[test]
fn preset_list() {
    let (code, out, err) = mailprobe(&["preset", "--list", "--json", "--lang", "en"], "");
    assert_eq!(code, 0, "{err}");
    let list: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let labels: Vec<&str> = list.iter().map(|l| l["label"].as_str().unwrap()).collect();
    let head = [
        "T-Online (Telekom)", "GMX", "WEB.DE", "IONOS", "1&1", "STRATO", "Posteo", "mailbox.org", "freenet",
        "Outlook.com (Hotmail, Live)", "Microsoft 365 (Exchange Online)", "Gmail / Google Workspace",
    ];
    assert_eq!(&labels[..head.len()], head);
    assert!(list.len() > 100, "{}", list.len());
    for entry in &list {
        let smtp = &entry["preset"]["smtp"][0];
        assert!(smtp["host"].as_str().is_some_and(|h| !h.is_empty() && !h.contains('%')), "{entry}");
        assert!(smtp["port"].as_u64().is_some_and(|p| p > 0), "{entry}");
        assert!(["tls", "starttls", "none"].contains(&smtp["security"].as_str().unwrap()), "{entry}");
        for domain in entry["domains"].as_array().unwrap() {
            let domain = domain.as_str().unwrap();
            let (code, one, _) = mailprobe(&["preset", domain, "--json", "--lang", "en"], "");
            assert_eq!(code, 0, "{domain}");
            let one: serde_json::Value = serde_json::from_str(&one).unwrap();
            assert_eq!(one["smtp"], entry["preset"]["smtp"], "{domain}");
            assert_eq!(one["notes"], entry["preset"]["notes"], "{domain}");
        }
    }
    // The notes come along (T-Online's separate e-mail password), and an
    // address resolves the user names (WEB.DE: the part before the @).
    assert_eq!(list[0]["preset"]["notes"][0]["kind"], "email_password");
    let (_, out, _) = mailprobe(&["preset", "--list", "--json", "info@web.de"], "");
    let list: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(list[2]["preset"]["username"], "info");
    // The text form: a line a provider, German by default.
    let (code, out, _) = mailprobe(&["preset", "--list"], "");
    assert_eq!(code, 0);
    assert!(out.lines().next().unwrap().starts_with("T-Online (Telekom)"), "{out}");
    assert!(out.contains("smtp.gmail.com:465") && out.contains("E-Mail-Passwort"), "{out}");
    let (code, _, err) = mailprobe(&["preset"], "");
    assert_eq!(code, 2);
    assert!(err.contains("ADDRESS"), "{err}");
}

/// Issue #13 item 8: a POP3 user name that carries more commands is an
/// error, not a valid profile.
#[test]
fn line_breaks_in_fields_are_errors() {
    let profile = r#"{"name": "P", "email": "info@praxis-mueller.de", "smtp": {"host": "smtp.praxis-mueller.de", "port": 465, "security": "tls", "username": ""},
        "pop_before_smtp": {"host": "pop.praxis-mueller.de", "port": 995, "security": "tls", "username": "info@praxis-mueller.de\r\nDELE 1\r\nQUIT"}}"#;
    let (code, out, _) = mailprobe(&["validate", "-", "--json"], profile);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = v["findings"].as_array().unwrap().iter().find(|f| f["code"] == "control_char").expect("control_char");
    assert_eq!(f["field"], "pop_before_smtp.username");
    assert_eq!(f["fix"]["set"]["pop_before_smtp.username"], "info@praxis-mueller.deDELE 1QUIT");
}

/// Issue #13 item 9: names with terminal escapes are shown, not run.
#[test]
fn escape_sequences_never_reach_the_terminal_raw() {
    let doc = "{\"profiles\": [{\"name\": \"P\\u001b]0;pwned\\u0007\\u001b[2J\", \"email\": \"a@b.de\", \"smtp\": {\"host\": \"smtp.b.de\", \"port\": 465, \"security\": \"tls\", \"username\": \"u\"}}],
        \"tenants\": [{\"id\": \"1\", \"name\": \"T\\u202e\\u001b[31m\", \"email\": \"x@b.de\", \"profile\": \"P\\u001b]0;pwned\\u0007\\u001b[2J\"}]}";
    let (code, out, err) = mailprobe(&["validate", "-"], doc);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\u{202e}'), "{out:?}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(out.contains("<U+001B>") && out.contains("<U+202E>"), "{out}");
}

/// Issue #13 item 10: invisible and bidi characters in an address are
/// found, with a fix.
#[test]
fn invisible_characters_in_an_address_are_found() {
    let (code, out, _) = mailprobe(
        &["validate", "--field", "email", "--lang", "en"],
        "\"\\u202eofni@praxis-mueller.de\"\n\"info\\u00ad@praxis-mueller.de\"\n",
    );
    assert_eq!(code, 1, "{out}");
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    for (line, fixed) in lines.iter().zip(["ofni@praxis-mueller.de", "info@praxis-mueller.de"]) {
        assert_eq!(line["findings"][0]["code"], "invisible_char", "{line}");
        assert_eq!(line["findings"][0]["fix"]["set"]["email"], fixed);
    }
    assert!(lines[0]["findings"][0]["message"].as_str().unwrap().contains("U+202E"));
}

/// Issue #13 item 12: a closed pipe ends quietly; a full disk is one line
/// on stderr and exit code 2; neither panics.
#[test]
fn output_errors_do_not_panic() {
    let many: Vec<String> = (0..20000).map(|i| format!("\"info{i}@gmx.dee\"")).collect();
    let input = many.join("\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailprobe"))
        .args(["validate", "--field", "email"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    // Read ten bytes, then close the pipe (`| head -c 10`).
    let mut stdout = child.stdout.take().unwrap();
    let mut ten = [0u8; 10];
    std::io::Read::read_exact(&mut stdout, &mut ten).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let _ = writer.join();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.is_empty(), "a closed pipe ends quietly: {err}");

    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mailprobe"))
        .args(["preset", "gmx.de"])
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cannot write the output") && !err.contains("panicked"), "{err}");
}
