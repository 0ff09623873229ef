//! OAuth 2.0 end to end through the CLI, with real parts on loopback only:
//! the authorization server is npm oidc-provider over HTTPS with the test
//! CA (PKCE required, refresh tokens, introspection, revocation); the mail
//! server is a real Dovecot whose `passdb oauth2` checks tokens by
//! introspection; the browser is headless Chromium signing in on the
//! provider's pages; the refresh token lives in gnome-keyring's Secret
//! Service in a D-Bus session the test starts.

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};

use support::oauth::{AuthServer, SecretService};
use support::*;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn mailprobe(args: &[&str], env: &[(String, String)]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_mailprobe"))
        .args(args)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `mailprobe login ARGS` started, and its stderr read up to the line
/// that `until` accepts (the address to open, or the device code).
fn start_login(args: &[&str], env: &[(String, String)], until: fn(&str) -> bool) -> (Child, BufReader<ChildStderr>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailprobe"))
        .arg("login")
        .args(args)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while err.read_line(&mut line).unwrap() > 0 && !until(&line) {
        line.clear();
    }
    (child, err, line)
}

/// The loopback port and the state in a printed sign-in address.
fn port_and_state(url: &str) -> (String, String) {
    let port = url.split("127.0.0.1%3A").nth(1).and_then(|r| r.split('%').next()).expect("the redirect port");
    let state = url.split("state=").nth(1).and_then(|r| r.split('&').next()).expect("the state");
    (port.to_string(), state.to_string())
}

/// `mailprobe login` with the browser driven by tests/browser/oauth-login.mjs.
fn login(args: &[&str], env: &[(String, String)], account: &str, mode: &str) -> (Out, String) {
    let (child, mut err, line) = start_login(args, env, |l| l.starts_with("https://"));
    let url = line.trim().to_string();
    assert!(url.starts_with("https://127.0.0.1:"), "no sign-in address on stderr");
    let browser = Command::new("node")
        .arg(root().join("tests/browser/oauth-login.mjs"))
        .args([&url, account, mode])
        .current_dir(root())
        .output()
        .unwrap();
    let browser_out = format!("{}{}", String::from_utf8_lossy(&browser.stdout), String::from_utf8_lossy(&browser.stderr));
    let out = child.wait_with_output().unwrap();
    let mut stderr = String::new();
    let _ = std::io::Read::read_to_string(&mut err, &mut stderr);
    (
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: format!("{line}{stderr}"),
        },
        format!("{url}\n{browser_out}"),
    )
}

/// The parts of one test: provider, Dovecot, keyring, the files.
struct Rig {
    dir: tempfile::TempDir,
    ca: TestCa,
    ca_file: PathBuf,
    auth: AuthServer,
    dovecot: Dovecot,
    keyring: SecretService,
    clients: PathBuf,
    profile: PathBuf,
}

impl Rig {
    fn start(scopes: &[&str]) -> Rig {
        Rig::start_with_ttl(scopes, 3600)
    }

    fn start_with_ttl(scopes: &[&str], ttl: u64) -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let ca = TestCa::new("mailsetup OAuth test CA");
        let ca_file = ca.write(dir.path());
        let auth = AuthServer::start_with_ttl(&ca, dir.path(), ttl);
        let cert = ca.server_cert(&["localhost"], -1, 30);
        let dovecot = Dovecot::start_oauth(&ca, &cert, &format!("{}/token/introspection", auth.issuer()));
        let keyring = SecretService::start();
        let clients = dir.path().join("oauth2-clients.json");
        std::fs::write(&clients, serde_json::json!({auth.issuer(): {"client_id": "mailsetup-test", "scopes": scopes}}).to_string())
            .unwrap();
        let mut p = profile("localhost", dovecot.submissions, "tls");
        p["auth"] = "oauth2".into();
        p["oauth_provider"] = auth.issuer().into();
        let profile_file = dir.path().join("profile.json");
        std::fs::write(&profile_file, p.to_string()).unwrap();
        Rig { dir, ca, ca_file, auth, dovecot, keyring, clients, profile: profile_file }
    }

    /// `[PROFILE, extra…, --ca-file, --oauth-clients, --lang en]`.
    fn args<'a>(&'a self, extra: &[&'a str]) -> Vec<&'a str> {
        let mut v = vec![self.profile.to_str().unwrap()];
        v.extend(extra.iter().copied());
        v.extend(["--ca-file", self.ca_file.to_str().unwrap(), "--oauth-clients", self.clients.to_str().unwrap(), "--lang", "en"]);
        v
    }

    fn run(&self, command: &str, extra: &[&str]) -> Out {
        mailprobe(&[&[command][..], &self.args(extra)].concat(), &self.keyring.env)
    }
}

#[test]
fn sign_in_test_refresh_revoke_and_sign_out() {
    let rig = Rig::start(&["openid", "offline_access", "smtp.send"]);
    let (auth, dovecot, keyring, clients) = (&rig.auth, &rig.dovecot, &rig.keyring, &rig.clients);
    let pf = rig.profile.to_str().unwrap();
    let caf = rig.ca_file.to_str().unwrap();
    let env = &keyring.env;
    let args = |extra: &[&'static str]| rig.args(extra);
    let mut outputs = String::new();
    // Not signed in yet.
    let out = mailprobe(&[&["test"][..], &args(&["--json"])].concat(), env);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains(r#""category":"oauth_not_signed_in""#), "{}", out.stdout);

    // Sign in through the browser: the refresh token goes to the keyring.
    let (out, trace) = login(&args(&["--json"]), env, USER, "");
    assert_eq!(out.code, 0, "{}\n{}\n{trace}", out.stdout, out.stderr);
    assert!(out.stdout.contains(r#""signed_in":true"#), "{}", out.stdout);
    outputs += &out.stdout;
    outputs += &out.stderr;

    // A test refreshes the access token and signs in with XOAUTH2.
    let out = mailprobe(&[&["test"][..], &args(&["--json"])].concat(), env);
    assert_eq!(out.code, 0, "{}{}\n{}", out.stdout, out.stderr, dovecot.log());
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["category"], "ok");
    // An OpenID Connect issuer: the standard mechanism (Microsoft and Google take XOAUTH2).
    assert!(v["transcript"].to_string().contains("AUTH OAUTHBEARER <redacted>"), "{v}");
    outputs += &out.stdout;

    // POP-before-SMTP with the same sign-in: POP3 AUTH XOAUTH2 first.
    let plain_profile = std::fs::read_to_string(&rig.profile).unwrap();
    let mut p: serde_json::Value = serde_json::from_str(&plain_profile).unwrap();
    p["pop_before_smtp"] = serde_json::json!({"host": "localhost", "port": dovecot.pop3s, "security": "tls", "username": ""});
    std::fs::write(&rig.profile, p.to_string()).unwrap();
    let out = mailprobe(&[&["test"][..], &args(&["--json"])].concat(), env);
    assert_eq!(out.code, 0, "{}{}\n{}", out.stdout, out.stderr, dovecot.log());
    outputs += &out.stdout;
    outputs += &out.stderr;
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["stages"][0]["stage"], "pop3", "{v}");
    std::fs::write(&rig.profile, plain_profile).unwrap();

    // The host program's token.
    let out = mailprobe(&[&["token"][..], &args(&["--json"])].concat(), env);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let t: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let access = t["access_token"].as_str().unwrap().to_string();
    assert_eq!(t["mechanism"], "OAUTHBEARER");
    assert!(t["expires_at"].as_str().is_some_and(|s| s.ends_with('Z')), "{t}");

    // No secret in any other output: every access and refresh token, code
    // and PKCE verifier the provider issued or received is looked for.
    assert!(!outputs.contains(&access), "the access token leaked");
    let secrets = AuthServer::issued_secrets(rig.dir.path());
    assert!(secrets.len() >= 4, "the provider logged what it issued: {secrets:?}");
    for secret in &secrets {
        assert!(!outputs.contains(secret.as_str()), "a secret in the output: {secret}");
    }

    // Revoked (per grant: the refresh token with it): the test says so.
    let revoke = Command::new("python3")
        .args(["-c", "import ssl,sys,urllib.request as u; c=ssl.create_default_context(cafile=sys.argv[1]); u.urlopen(u.Request(sys.argv[2], data=('token='+sys.argv[3]+'&client_id=mailsetup-test').encode()), context=c).read()"])
        .args([caf, &format!("{}/token/revocation", auth.issuer()), &access])
        .status()
        .unwrap();
    assert!(revoke.success());
    let out = mailprobe(&[&["test"][..], &args(&["--json"])].concat(), env);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains(r#""category":"oauth_token_revoked""#), "{}", out.stdout);

    // Signed out: nothing stored.
    let out = mailprobe(&["logout", pf], env);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = mailprobe(&[&["test"][..], &args(&["--json"])].concat(), env);
    assert!(out.stdout.contains(r#""category":"oauth_not_signed_in""#), "{}", out.stdout);

    // No client registration: its own verdict, and a finding of `validate`.
    std::fs::write(clients, "{}").unwrap();
    let out = mailprobe(&[&["test"][..], &args(&["--json"])].concat(), env);
    assert!(out.stdout.contains(r#""category":"oauth_client_missing""#), "{}", out.stdout);
    let out = mailprobe(&["validate", pf, "--json", "--lang", "en", "--oauth-clients", rig.clients.to_str().unwrap()], env);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains(r#""code":"oauth_client_missing""#) && out.stdout.contains("No client ID for https://127.0.0.1:"), "{}", out.stdout);
    let _ = &rig.dir;
}

/// Consent denied, a forged callback, a token without the mail scope, a
/// provider that is not https.
#[test]
fn sign_in_failures_have_their_verdicts() {
    let rig = Rig::start(&["openid", "offline_access"]);
    let env = &rig.keyring.env;

    let (out, trace) = login(&rig.args(&["--json"]), env, USER, "deny");
    assert_eq!(out.code, 1, "{}{}\n{trace}", out.stdout, out.stderr);
    assert!(out.stdout.contains(r#""category":"oauth_consent_denied""#), "{}", out.stdout);

    // A forged answer (another state) on the loopback port ends the sign-in; its code is never used.
    let (child, _err, line) = start_login(&rig.args(&["--json"]), env, |l| l.starts_with("https://"));
    let (port, _) = port_and_state(&line);
    let mut s = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    use std::io::{Read, Write};
    s.write_all(b"GET /callback?code=stolen&state=forged HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut page = String::new();
    let _ = s.read_to_string(&mut page);
    assert!(page.contains("fehlgeschlagen"), "{page}");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("does not belong to this sign-in"), "{:?}", out);

    // Signed in without the mail scope: the mail server refuses the token.
    let (out, trace) = login(&rig.args(&[]), env, USER, "");
    assert_eq!(out.code, 0, "{}{}\n{trace}", out.stdout, out.stderr);
    let out = rig.run("test", &["--json"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    // Dovecot checks the scope itself and says only `invalid_token`; a
    // provider that names the mail scope has it checked at the token
    // endpoint already (oauth_scope_missing, core tests).
    assert_eq!(v["category"], "oauth_token_rejected", "{v}\n{}", rig.dovecot.log());
    assert!(v["detail"].as_str().unwrap().contains(r#"{"status":"invalid_token"}"#), "{v}");
    assert!(v["detail"].as_str().unwrap().contains("error challenge"), "{v}");

    // Google's error challenge from a scripted server: decoded and said.
    let gmail = ScriptedTls::start_at("127.0.0.1:0".parse().unwrap(), &rig.ca, &["localhost"], |c| {
        c.send(b"220 smtp.gmail.test ESMTP\r\n");
        c.line();
        c.send(b"250-smtp.gmail.test\r\n250 AUTH LOGIN PLAIN XOAUTH2 OAUTHBEARER\r\n");
        c.line();
        c.send(b"334 eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==\r\n");
        c.line();
        c.send(b"535-5.7.8 Username and Password not accepted. For more information, go to\r\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials\r\n");
        c.line();
    });
    let saved = std::fs::read_to_string(&rig.profile).unwrap();
    let mut p: serde_json::Value = serde_json::from_str(&saved).unwrap();
    p["smtp"]["port"] = gmail.port.into();
    std::fs::write(&rig.profile, p.to_string()).unwrap();
    let out = rig.run("test", &["--json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["category"], "oauth_token_rejected", "{v}");
    assert!(v["detail"].as_str().unwrap().contains(r#""scope":"https://mail.google.com/""#), "{v}");
    std::fs::write(&rig.profile, saved).unwrap();

    // A provider that is not https is no provider.
    let mut p: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&rig.profile).unwrap()).unwrap();
    p["oauth_provider"] = rig.auth.issuer().replace("https://", "http://").into();
    std::fs::write(&rig.profile, p.to_string()).unwrap();
    let out = rig.run("test", &["--json"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("https://"), "{}", out.stderr);
}

/// The wizard's sign-in, in Chromium (tests/browser/oauth.test.mjs).
#[test]
fn the_wizard_signs_in_and_tests() {
    // Access tokens of 61 s: the service keeps one until a minute before it
    // expires, so the test after the reload refreshes with the stored sign-in.
    let rig = Rig::start_with_ttl(&["openid", "offline_access", "smtp.send"], 61);
    let settings = rig.dir.path().join("settings.json");
    let env: Vec<(&str, &str)> = rig.keyring.env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let serve = support::serve::Serve::start_with(
        &settings,
        &["--ca-file", rig.ca_file.to_str().unwrap(), "--oauth-clients", rig.clients.to_str().unwrap()],
        &env,
    );
    // Microsoft's refusal of a password, from a scripted server with the rig's certificate.
    let basic_off = ScriptedTls::start_at("127.0.0.1:0".parse().unwrap(), &rig.ca, &["localhost"], |c| {
        c.send(b"220 outlook.test ESMTP\r\n");
        c.line();
        c.send(b"250-outlook.test\r\n250 AUTH LOGIN PLAIN XOAUTH2\r\n");
        c.line();
        c.send(b"535 5.7.139 Authentication unsuccessful, basic authentication is disabled.\r\n");
        c.line();
    });
    let (ok, stdout) = browser_test(
        "oauth.test.mjs",
        &[
            ("BASIC_OFF_PORT", basic_off.port.to_string()),
            ("WIZARD_URL", serve.url.clone()),
            ("ISSUER", rig.auth.issuer()),
            ("SMTP_PORT_TLS", rig.dovecot.submissions.to_string()),
            ("ACCOUNT", USER.to_string()),
        ],
    );
    assert!(ok, "browser test failed:
{stdout}
{}", rig.dovecot.log());
    // The settings file has the provider, and no secret of any kind.
    let saved = std::fs::read_to_string(&settings).unwrap();
    assert!(saved.contains(&rig.auth.issuer()) && !saved.to_lowercase().contains("token"), "{saved}");
    let secrets = AuthServer::issued_secrets(rig.dir.path());
    assert!(!secrets.is_empty());
    for secret in &secrets {
        assert!(!saved.contains(secret.as_str()) && !stdout.contains(secret.as_str()), "a secret saved or printed: {secret}");
    }
}

/// The device flow: the code typed in another browser; the CLI polls.
#[test]
fn sign_in_with_a_device_code() {
    let rig = Rig::start(&["openid", "offline_access", "smtp.send"]);
    let env = &rig.keyring.env;
    let (child, _err, line) = start_login(&rig.args(&["--device", "--json"]), env, |l| l.contains("enter the code"));
    // "mailprobe: open <uri> on any device and enter the code <code>"
    let uri = line.split_whitespace().nth(2).expect("the address").to_string();
    let code = line.split_whitespace().last().expect("the code").to_string();
    assert!(uri.starts_with(&rig.auth.issuer()), "{line}");
    let browser = Command::new("node")
        .arg(root().join("tests/browser/oauth-device.mjs"))
        .args([&uri, &code, USER])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(browser.status.success(), "{}", String::from_utf8_lossy(&browser.stderr));
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let out = rig.run("test", &["--json"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
}

/// A provider whose token endpoint is slow, answers garbage, or is plain
/// http: each a verdict, nothing hangs, nothing is sent without TLS. The
/// test plays the browser itself, answering the callback with the state
/// that `mailprobe login` printed.
#[test]
fn token_endpoints_that_misbehave() {
    use std::time::Duration;
    use support::https::{Reply, https};
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("mailsetup OAuth test CA");
    let ca_file = ca.write(dir.path());
    let keyring = SecretService::start();
    let config = |ip: &str, token: &str| {
        format!(r#"{{"issuer":"https://{ip}","authorization_endpoint":"https://{ip}/auth","token_endpoint":"{token}"}}"#)
    };
    // One issuer each: the slow one, the garbage one, the one with a plain-http token endpoint.
    let slow = config("127.0.43.1", "https://127.0.43.1/token");
    let garbage = config("127.0.43.2", "https://127.0.43.2/token");
    let plain = config("127.0.43.3", "http://127.0.43.3/token");
    let admin = config("127.0.43.4", "https://127.0.43.4/token");
    type Issuer = (&'static str, String, fn(&str) -> Reply);
    let configs: [Issuer; 4] = [
        ("127.0.43.1", slow, |line| if line.contains("openid-configuration") { Reply::Body(SLOW.get().unwrap().clone()) } else { Reply::Slow(Duration::from_secs(30), "{}".into()) }),
        ("127.0.43.2", garbage, |line| if line.contains("openid-configuration") { Reply::Body(GARBAGE.get().unwrap().clone()) } else { Reply::Body("<html>502 Bad Gateway</html>".into()) }),
        ("127.0.43.3", plain, |_| Reply::Body(PLAIN.get().unwrap().clone())),
        // Microsoft's answer when the organisation's administrator must consent first.
        ("127.0.43.4", admin, |line| if line.contains("openid-configuration") { Reply::Body(ADMIN.get().unwrap().clone()) } else { Reply::Body(r#"{"error":"invalid_grant","error_description":"AADSTS65001: The user or administrator has not consented to use the application."}"#.into()) }),
    ];
    static SLOW: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static GARBAGE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static PLAIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static ADMIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let clients = dir.path().join("oauth2-clients.json");
    let mut all = serde_json::Map::new();
    for (i, (ip, body, reply)) in configs.into_iter().enumerate() {
        [&SLOW, &GARBAGE, &PLAIN, &ADMIN][i].set(body).unwrap();
        https(ip, &ca, &[ip], reply);
        all.insert(format!("https://{ip}"), serde_json::json!({"client_id": "c", "scopes": ["smtp.send"]}));
    }
    std::fs::write(&clients, serde_json::Value::Object(all).to_string()).unwrap();
    let env = &keyring.env;
    for (ip, want) in [
        ("127.0.43.1", "timed out"),
        ("127.0.43.2", "not a token response"),
        ("127.0.43.3", "without https"),
        ("127.0.43.4", r#""category":"oauth_admin_consent_required""#),
    ] {
        let mut p = profile("localhost", 465, "tls");
        p["auth"] = "oauth2".into();
        p["oauth_provider"] = format!("https://{ip}").into();
        let profile_file = dir.path().join("p.json");
        std::fs::write(&profile_file, p.to_string()).unwrap();
        let args = [
            profile_file.to_str().unwrap(),
            "--json",
            "--timeout",
            "2",
            "--lang",
            "en",
            "--ca-file",
            ca_file.to_str().unwrap(),
            "--oauth-clients",
            clients.to_str().unwrap(),
        ];
        let (child, _err, line) = start_login(&args, env, |l| l.starts_with("https://"));
        if !line.is_empty() {
            // The browser's part: back to the loopback port with the state.
            let (port, state) = port_and_state(&line);
            let mut s = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
            use std::io::Write;
            write!(s, "GET /callback?code=c0de&state={state} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        }
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{ip}: {stdout}");
        assert!(stdout.contains(want), "{ip}: {want}: {stdout}");
    }
}
