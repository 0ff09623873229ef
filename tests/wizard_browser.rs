//! The wizard end to end: `mailprobe serve` + real Dovecot + real headless
//! Chromium (tests/browser/wizard.test.mjs), and the service's guards.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use support::*;

/// A running `mailprobe serve`, stopped on drop.
struct Serve {
    child: Child,
    url: String,
    settings_dir: tempfile::TempDir,
}

impl Serve {
    fn start(ca_file: &Path) -> Serve {
        let settings_dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_mailprobe"))
            .args(["serve", "--ca-file"])
            .arg(ca_file)
            .arg("--settings")
            .arg(settings_dir.path().join("settings.json"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start mailprobe serve");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let url = first.trim().to_string();
        assert!(
            url.starts_with("http://127.0.0.1:") && url.contains("/?token="),
            "first line must be the URL: {url:?}"
        );
        Serve { child, url, settings_dir }
    }

    fn settings_file(&self) -> String {
        std::fs::read_to_string(self.settings_dir.path().join("settings.json")).unwrap_or_default()
    }

    fn host(&self) -> &str {
        self.url.trim_start_matches("http://").split('/').next().unwrap()
    }

    fn token(&self) -> &str {
        self.url.split("token=").nth(1).unwrap()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends a raw HTTP/1.1 request; returns the status code.
fn http(host: &str, request: &str) -> u16 {
    let mut s = TcpStream::connect(host).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut resp = String::new();
    let _ = s.read_to_string(&mut resp);
    resp.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or_else(|| panic!("no status in {resp:?}"))
}

fn api_post(serve: &Serve, host_header: &str, origin: Option<&str>, token: Option<&str>, body: &str) -> u16 {
    let mut req = format!(
        "POST /api/test HTTP/1.1\r\nHost: {host_header}\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(o) = origin {
        req.push_str(&format!("Origin: {o}\r\n"));
    }
    if let Some(t) = token {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    http(serve.host(), &req)
}

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
    let out = Command::new("node")
        .args(["--test", "--test-reporter=spec"])
        .arg(root.join("tests/browser/wizard.test.mjs"))
        .env("WIZARD_URL", &serve.url)
        .env("SMTP_PORT_TLS", d.submissions.to_string())
        .env("SMTP_PASSWORD", PASSWORD)
        .env("ARTIFACTS", root.join("artifacts"))
        .current_dir(root)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "browser test failed:\n{stdout}\n{}", d.log());
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
    let origin = format!("http://{host}");
    let body = r#"{"profile": {"name": "x", "email": "a@b.de", "smtp": {"host": "localhost", "port": 1, "security": "tls", "username": ""}}, "password": "x"}"#;
    // The page itself is served (no token needed for public files).
    assert_eq!(http(&host, &format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")), 200);
    // (what, Host, Origin, token, expected status)
    type Case<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, u16);
    let cases: &[Case] = &[
        ("no token", &host, Some(&origin), None, 403),
        ("wrong token", &host, Some(&origin), Some("0123456789abcdef0123456789abcdef0123456789abcdef"), 403),
        ("no Origin", &host, None, Some(serve.token()), 403),
        ("foreign Origin", &host, Some("http://evil.example"), Some(serve.token()), 403),
        ("foreign Host (DNS rebinding)", "evil.example:80", Some(&origin), Some(serve.token()), 403),
    ];
    for (name, host_header, origin, token, want) in cases {
        assert_eq!(api_post(&serve, host_header, *origin, *token, body), *want, "{name}");
    }
    assert_eq!(http(&host, "GET / HTTP/1.1\r\nHost: localhost.evil.example\r\nConnection: close\r\n\r\n"), 403);
    // Settings: a same-origin GET needs the token; a cross-site one is refused.
    let get = |extra: &str, token: Option<&str>| {
        let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
        http(&host, &format!("GET /api/settings HTTP/1.1\r\nHost: {host}\r\n{auth}{extra}Connection: close\r\n\r\n"))
    };
    assert_eq!(get("", Some(serve.token())), 200);
    assert_eq!(get("", None), 403);
    assert_eq!(get("Sec-Fetch-Site: cross-site\r\n", Some(serve.token())), 403);
    assert_eq!(get("Origin: http://evil.example\r\n", Some(serve.token())), 403);
    // Saving keeps only the typed document: a password in the body is never stored.
    let doc = r#"{"profiles": [], "tenants": [], "password": "geheim"}"#;
    let put = format!(
        "PUT /api/settings HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{doc}",
        serve.token(),
        doc.len()
    );
    assert_eq!(http(&host, &put), 200);
    assert!(!serve.settings_file().contains("geheim"), "{}", serve.settings_file());
    // Oversized body.
    let big = format!(r#"{{"pad": "{}"}}"#, "x".repeat(100 * 1024));
    assert_eq!(api_post(&serve, &host, Some(&origin), Some(serve.token()), &big), 413);
    // A profile with errors is refused before any network traffic (422).
    let invalid = body.replace(r#""host": "localhost""#, r#""host": "smtp://x.de:587""#);
    assert_eq!(api_post(&serve, &host, Some(&origin), Some(serve.token()), &invalid), 422);
    // A burst of tests: the first few run, then 429.
    let statuses: Vec<u16> =
        (0..8).map(|_| api_post(&serve, &host, Some(&origin), Some(serve.token()), body)).collect();
    assert!(statuses[..5].iter().all(|s| *s == 200), "{statuses:?}");
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
}
