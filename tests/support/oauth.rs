//! The OAuth 2.0 test parts: oidc-provider as the authorization server and
//! gnome-keyring's Secret Service in a D-Bus session of the test's own.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use super::TestCa;

fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// oidc-provider on https://127.0.0.1:<port>.
pub struct AuthServer {
    child: Child,
    pub port: u16,
    /// Kept open: node ends on a write to a closed pipe.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl AuthServer {
    pub fn start(ca: &TestCa, dir: &Path) -> AuthServer {
        AuthServer::start_with_ttl(ca, dir, 3600)
    }

    /// With access tokens that live `ttl` seconds.
    pub fn start_with_ttl(ca: &TestCa, dir: &Path, ttl: u64) -> AuthServer {
        let cert = ca.server_cert(&["127.0.0.1"], -1, 30);
        std::fs::write(dir.join("op-cert.pem"), &cert.cert_pem).unwrap();
        std::fs::write(dir.join("op-key.pem"), &cert.key_pem).unwrap();
        assert!(root().join("node_modules/oidc-provider").exists(), "oidc-provider is missing: run `cargo xtask setup`");
        let mut child = Command::new("node")
            .arg(root().join("tests/oauth/provider.mjs"))
            .env("CERT", dir.join("op-cert.pem"))
            .env("KEY", dir.join("op-key.pem"))
            .env("ACCESS_TTL", ttl.to_string())
            .env("TOKENS_LOG", dir.join("issued-secrets.txt"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        while out.read_line(&mut line).unwrap() > 0 && !line.starts_with("listening ") {
            line.clear();
        }
        let port = line.trim().strip_prefix("listening ").and_then(|p| p.parse().ok()).expect("the provider's port");
        AuthServer { child, port, _stdout: out }
    }

    /// Every secret the server issued or received so far (see provider.mjs).
    pub fn issued_secrets(dir: &Path) -> Vec<String> {
        std::fs::read_to_string(dir.join("issued-secrets.txt"))
            .unwrap_or_default()
            .lines()
            .filter(|l| l.len() >= 20)
            .map(String::from)
            .collect()
    }

    pub fn issuer(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }
}

impl Drop for AuthServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A D-Bus session with gnome-keyring's Secret Service, unlocked, in a
/// home directory of its own.
pub struct SecretService {
    bus: Child,
    daemon: Child,
    pub env: Vec<(String, String)>,
    _home: tempfile::TempDir,
}

impl SecretService {
    pub fn start() -> SecretService {
        for bin in ["/usr/bin/dbus-daemon", "/usr/bin/gnome-keyring-daemon"] {
            assert!(Path::new(bin).exists(), "{bin} is missing: run `cargo xtask setup` (packages dbus, gnome-keyring)");
        }
        let home = tempfile::tempdir().unwrap();
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .env("HOME", home.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon");
        let mut address = String::new();
        BufReader::new(bus.stdout.take().unwrap()).read_line(&mut address).unwrap();
        let env = vec![
            ("DBUS_SESSION_BUS_ADDRESS".to_string(), address.trim().to_string()),
            ("HOME".to_string(), home.path().display().to_string()),
            ("XDG_RUNTIME_DIR".to_string(), home.path().display().to_string()),
        ];
        // The login keyring needs a non-empty password to be created headless.
        // In the foreground, so that this test stops its own daemon only.
        let mut daemon = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon");
        use std::io::Write;
        daemon.stdin.take().unwrap().write_all(b"test-keyring-password").unwrap();
        // Ready when the Secret Service has its name on the bus.
        for _ in 0..100 {
            let owned = Command::new("dbus-send")
                .args(["--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus"])
                .args(["org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets"])
                .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .output()
                .unwrap();
            if String::from_utf8_lossy(&owned.stdout).contains("boolean true") {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        SecretService { bus, daemon, env, _home: home }
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}


impl AuthServer {
    /// A grant and its tokens for `account`, made without the browser pages
    /// (what a completed sign-in would have made): (access, refresh).
    pub fn mint(&self, account: &str, ca_file: &Path) -> (String, String) {
        let out = Command::new("python3")
            .args(["-c", "import ssl,sys,urllib.request as u; c=ssl.create_default_context(cafile=sys.argv[1]); print(u.urlopen(sys.argv[2], context=c).read().decode())"])
            .arg(ca_file)
            .arg(format!("{}/test/mint?account={account}", self.issuer()))
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the mint answer");
        (v["access_token"].as_str().unwrap().into(), v["refresh_token"].as_str().unwrap().into())
    }
}
