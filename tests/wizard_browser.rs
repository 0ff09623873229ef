//! The wizard end to end: `mailprobe serve` + real Dovecot + real headless
//! Chromium (tests/browser/wizard.test.mjs), and the service's guards.

mod support;

use std::path::Path;

use support::serve::*;
use support::*;

#[test]
fn wizard_in_chromium_validates_and_logs_in() {
    let d = Dovecot::start();
    let serve = Serve::start(&d.ca_file);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    assert!(
        root.join("node_modules/playwright-core").exists(),
        "playwright-core is not installed: run `cargo xtask setup` (npm install in the repository root)"
    );
    assert!(Path::new("/usr/bin/chromium").exists(), "Chromium is not installed: run `cargo xtask setup`");
    let (ok, stdout) = browser_test(
        "wizard.test.mjs",
        &[
            ("WIZARD_URL", serve.url.clone()),
            ("SMTP_PORT_TLS", d.submissions.to_string()),
            ("SMTP_PASSWORD", PASSWORD.to_string()),
            ("ARTIFACTS", root.join("artifacts").display().to_string()),
        ],
    );
    assert!(ok, "browser test failed:
{stdout}
{}", d.log());
    // Issue #13 item 7: after the page's tests, the service's memory holds
    // no copy of the password, nor of the AUTH line that carried it.
    let blob = "AGluZm9AcHJheGlzLW11ZWxsZXIuZGUAUmljaHRpZy1HZWhlaW0gNDI";
    for secret in [PASSWORD, blob, "UmljaHRpZy1HZWhlaW0gNDI"] {
        let hits = memory_contains(serve.child.id(), secret.as_bytes());
        assert!(hits.is_empty(), "{secret:?} still in the service's memory:\n{}", hits.join("\n"));
    }
    assert!(!memory_contains(serve.child.id(), b"mailsetup_session_").is_empty(), "the scan finds what is there");
    // What the page saved: the profile and tenant, never the password.
    let saved = serve.settings_file();
    assert!(saved.contains("Praxis Müller") && saved.contains("tenants"), "{saved}");
    assert!(!saved.contains(PASSWORD) && !saved.contains("\"password\":"), "{saved}");
}

#[test]
fn service_accepts_only_its_own_page() {
    let d = Dovecot::start();
    let serve = Serve::start(&d.ca_file);
    let host = serve.host().to_string();
    let origin = serve.origin();
    let body = r#"{"profile": {"name": "x", "email": "a@b.de", "smtp": {"host": "localhost", "port": 1, "security": "tls", "username": ""}}, "password": "x"}"#;
    // The page itself is served (no session needed for public files).
    assert_eq!(serve.request("GET", "/", &[], "").status, 200);
    let cookie = serve.session();
    let wrong = cookie.split('=').next().unwrap().to_string() + "=0123456789abcdef0123456789abcdef0123456789abcdef";
    // (what, Host, Origin, Cookie, expected status)
    type Case<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, u16);
    let cases: &[Case] = &[
        ("no session", &host, Some(&origin), None, 403),
        ("wrong session", &host, Some(&origin), Some(&wrong), 403),
        ("no Origin", &host, None, Some(&cookie), 403),
        ("foreign Origin", &host, Some("http://evil.example"), Some(&cookie), 403),
        ("foreign Host (DNS rebinding)", "evil.example:80", Some(&origin), Some(&cookie), 403),
    ];
    for (name, host_header, origin, cookie, want) in cases {
        let mut headers = vec![("Host", *host_header), ("Content-Type", "application/json")];
        headers.extend(origin.map(|o| ("Origin", o)));
        headers.extend(cookie.map(|c| ("Cookie", c)));
        assert_eq!(http(&host, "POST", "/api/test", &headers, body).status, *want, "{name}");
    }
    assert_eq!(http(&host, "GET", "/", &[("Host", "localhost.evil.example")], "").status, 403);
    // Settings: a same-origin GET needs the session; a cross-site one is refused.
    let get = |extra: &[(&str, &str)]| serve.request("GET", "/api/settings", extra, "").status;
    assert_eq!(get(&[("Cookie", &cookie)]), 200);
    assert_eq!(get(&[]), 403);
    assert_eq!(get(&[("Cookie", &cookie), ("Sec-Fetch-Site", "cross-site")]), 403);
    assert_eq!(get(&[("Cookie", &cookie), ("Origin", "http://evil.example")]), 403);
    // A password in a settings document is never stored: the save is refused.
    let doc = r#"{"profiles": [], "tenants": [], "password": "geheim"}"#;
    let r = serve.api(&cookie, "PUT", "/api/settings", &[("If-Match", "\"absent\"")], doc);
    assert_eq!((r.status, r.json()["error"].as_str()), (422, Some("invalid")), "{r:?}");
    assert!(!serve.settings_file().contains("geheim"), "{}", serve.settings_file());
    // Oversized body.
    let big = format!(r#"{{"pad": "{}"}}"#, "x".repeat(100 * 1024));
    assert_eq!(serve.api(&cookie, "POST", "/api/test", &[], &big).status, 413);
    // A profile with errors is refused before any network traffic (422).
    let invalid = body.replace(r#""host": "localhost""#, r#""host": "smtp://x.de:587""#);
    let r = serve.api(&cookie, "POST", "/api/test", &[], &invalid);
    assert_eq!((r.status, r.json()["category"].as_str()), (422, Some("invalid_profile")), "{r:?}");
    // A burst of tests: the first few run, then 429.
    let statuses: Vec<u16> = (0..8).map(|_| serve.api(&cookie, "POST", "/api/test", &[], body).status).collect();
    assert!(statuses[..5].iter().all(|s| *s == 200), "{statuses:?}");
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
}

/// Issue #13 item 7: two seconds after a successful test over a kept-alive
/// connection (as a browser makes it), the service's memory holds neither
/// the password nor the AUTH line that carried it.
#[test]
fn no_password_copy_stays_in_the_service_memory() {
    let d = Dovecot::start();
    let serve = Serve::start(&d.ca_file);
    let cookie = serve.session();
    let body = serde_json::json!({
        "profile": profile("localhost", d.submissions, "tls"),
        "password": PASSWORD,
        "lang": "en",
    })
    .to_string();
    let mut conn = std::net::TcpStream::connect(serve.host()).unwrap();
    let req = format!(
        "POST /api/test HTTP/1.1\r\nHost: {}\r\nOrigin: {}\r\nCookie: {cookie}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        serve.host(),
        serve.origin(),
        body.len()
    );
    std::io::Write::write_all(&mut conn, req.as_bytes()).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&answer).contains("\r\n0\r\n\r\n") {
        match std::io::Read::read(&mut conn, &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.contains(r#""event":"verdict""#) && answer.contains(r#""ok":true"#), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("connection: close"), "the test's connection ends with it");
    std::thread::sleep(std::time::Duration::from_secs(2));
    let pid = serve.child.id();
    let blob = "AGluZm9AcHJheGlzLW11ZWxsZXIuZGUAUmljaHRpZy1HZWhlaW0gNDI";
    for secret in [PASSWORD, blob, "UmljaHRpZy1HZWhlaW0gNDI"] {
        let hits = memory_contains(pid, secret.as_bytes());
        assert!(hits.is_empty(), "{secret:?} still in the service's memory:\n{}", hits.join("\n"));
    }
    assert!(!memory_contains(pid, b"mailsetup_session_").is_empty(), "the scan finds what is there");
    drop(conn);
}

/// The page's side of the settings file (issues #12 and #13) in Chromium:
/// a damaged file, two tabs, a round trip that changes nothing, odd ports.
#[test]
fn settings_in_chromium_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.json");
    std::fs::write(&settings, r#"{"profiles": [], "tenants": [],}"#).unwrap();
    let serve = Serve::start_with(&settings, &[], &[]);
    let (ok, report) = browser_test(
        "settings.test.mjs",
        &[("WIZARD_URL", serve.url.clone()), ("SETTINGS_PATH", settings.display().to_string())],
    );
    assert!(ok, "browser test failed:
{report}");
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("settings.json.damaged-"))
        .collect();
    assert_eq!(kept.len(), 1, "the damaged file is kept beside");
}
