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
