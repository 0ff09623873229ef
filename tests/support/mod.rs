//! Test support: a test CA, a real Dovecot on loopback, and running `mailprobe`.
//!
//! Each test starts its own Dovecot in its own temporary directory on free
//! high ports, and stops it when the guard is dropped, so tests are
//! independent and `cargo test` needs nothing started beforehand. A missing
//! Dovecot is a test failure with a clear message, never a skip.
#![allow(dead_code)]

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};

/// Runs a browser test (`tests/browser/NAME`, node's test runner, one test
/// at a time) with `env`; prints its report and returns whether it passed,
/// with the report.
pub fn browser_test(name: &str, env: &[(&str, String)]) -> (bool, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    assert!(Path::new("/usr/bin/chromium").exists(), "Chromium is not installed: run `cargo xtask setup`");
    let out = Command::new("node")
        .args(["--test", "--test-reporter=spec", "--test-concurrency=1"])
        .arg(root.join("tests/browser").join(name))
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .current_dir(root)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    println!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    (out.status.success(), stdout)
}

pub mod dnsmasq;
pub mod https;
pub mod oauth;
pub mod serve;
pub mod wine;

pub const USER: &str = "info@praxis-mueller.de";
pub const PASSWORD: &str = "Richtig-Geheim 42";

/// A CA generated at test time.
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    pub cert_pem: String,
}

/// A certificate and its key, PEM, and the certificate's DER.
pub struct CertPair {
    pub cert_pem: String,
    pub key_pem: String,
    pub der: Vec<u8>,
}

impl CertPair {
    /// `SHA256:<hex>`, as `--trust-cert` takes it.
    pub fn fingerprint(&self) -> String {
        let d = ring::digest::digest(&ring::digest::SHA256, &self.der);
        format!("SHA256:{}", d.as_ref().iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":"))
    }
}

impl TestCa {
    pub fn new(name: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        TestCa { cert_pem: cert.pem(), issuer: Issuer::new(params, key) }
    }

    /// A server certificate for `names`, valid from `from` to `until` days relative to now.
    pub fn server_cert(&self, names: &[&str], from_days: i64, until_days: i64) -> CertPair {
        let mut params = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        params.distinguished_name.push(DnType::CommonName, names[0]);
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now + time::Duration::days(from_days);
        params.not_after = now + time::Duration::days(until_days);
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        CertPair { cert_pem: cert.pem(), key_pem: key.serialize_pem(), der: cert.der().to_vec() }
    }

    pub fn write(&self, dir: &Path) -> PathBuf {
        let p = dir.join("ca.pem");
        std::fs::write(&p, &self.cert_pem).unwrap();
        p
    }
}

/// A self-signed server certificate.
pub fn self_signed(names: &[&str]) -> CertPair {
    let mut params = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    params.distinguished_name.push(DnType::CommonName, names[0]);
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    CertPair { cert_pem: cert.pem(), key_pem: key.serialize_pem(), der: cert.der().to_vec() }
}

/// A port free a moment ago, for a server that cannot bind port 0 and say
/// which it got (Dovecot, Postfix): their starts retry on a taken port.
pub fn free_port() -> u16 {
    let [port] = free_ports();
    port
}

/// `N` different ports free a moment ago: all held at once while they are
/// picked, since a port given back can be the next one handed out (Dovecot
/// refused a configuration with one port for two listeners).
pub fn free_ports<const N: usize>() -> [u16; N] {
    let held: [TcpListener; N] = std::array::from_fn(|_| TcpListener::bind("127.0.0.1:0").unwrap());
    held.map(|l| l.local_addr().unwrap().port())
}

/// A port on 127.0.0.1 where connections are refused, for as long as the
/// socket lives: it is bound (so no other test can take the port) but
/// never listens.
pub struct RefusedPort {
    _socket: socket2::Socket,
    pub port: u16,
}

impl RefusedPort {
    pub fn new() -> RefusedPort {
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        socket.bind(&std::net::SocketAddr::from(([127, 0, 0, 1], 0)).into()).unwrap();
        let port = socket.local_addr().unwrap().as_socket().unwrap().port();
        RefusedPort { _socket: socket, port }
    }
}

/// A server on 127.0.0.1 that takes connections and never speaks (a test
/// waits in its TLS handshake until it is cancelled); returns its port.
pub fn silent_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    port
}

/// Runs the example host program (examples/host.py) on `profile` with
/// `password` on its stdin, driving `mailprobe` (the command and its
/// environment); returns its exit code, its RESULT and all it printed.
pub fn example_host(
    mailprobe: &[&std::ffi::OsStr],
    env: &[(&str, &std::ffi::OsStr)],
    profile: &serde_json::Value,
    password: &str,
    extra: &[&str],
) -> (Option<i32>, serde_json::Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profile.json");
    std::fs::write(&path, profile.to_string()).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut child = Command::new("python3")
        .arg(root.join("examples/host.py"))
        .args(["--profile", path.to_str().unwrap()])
        .args(extra)
        .arg("--")
        .args(mailprobe)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let result = text.lines().find_map(|l| l.strip_prefix("RESULT ")).unwrap_or_else(|| panic!("{text}"));
    (out.status.code(), serde_json::from_str(result).unwrap(), text)
}

/// Waits until `child` listens on every port. `Err` with its logs when it
/// exited first: "Address already in use" there means another test took a
/// port between our choosing it and the server binding it, and the caller
/// starts again on other ports.
fn listening(child: &mut Child, ports: &[u16], logs: &[PathBuf]) -> Result<(), String> {
    listening_at("127.0.0.1", child, ports, logs)
}

/// [`listening`] on another loopback address.
pub fn listening_at(ip: &str, child: &mut Child, ports: &[u16], logs: &[PathBuf]) -> Result<(), String> {
    let start = Instant::now();
    let exited = |child: &mut Child| -> Option<String> {
        let status = child.try_wait().ok().flatten()?;
        let text: String = logs.iter().map(|l| std::fs::read_to_string(l).unwrap_or_default()).collect();
        Some(format!("exited ({status}): {text}"))
    };
    for &port in ports {
        while TcpStream::connect((ip, port)).is_err() {
            if let Some(why) = exited(child) {
                return Err(why);
            }
            if start.elapsed() > Duration::from_secs(15) {
                let text: String = logs.iter().map(|l| std::fs::read_to_string(l).unwrap_or_default()).collect();
                return Err(format!("did not listen on port {port} within 15 s: {text}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    // A port that answers may be another test's server: ours must still run.
    std::thread::sleep(Duration::from_millis(100));
    exited(child).map_or(Ok(()), Err)
}

/// How often a server is started again on other ports when one was taken.
const START_ATTEMPTS: usize = 5;

fn require(binary: &str, package: &str) -> PathBuf {
    for dir in ["/usr/sbin", "/usr/bin", "/sbin", "/bin"] {
        let p = Path::new(dir).join(binary);
        if p.exists() {
            return p;
        }
    }
    panic!("{binary} is not installed: run `cargo xtask setup` (it installs the Debian package {package})");
}

/// A running Dovecot: submission (STARTTLS), submissions (implicit TLS),
/// POP3 (STLS) and POP3S, with one passwd-file user.
pub struct Dovecot {
    child: Child,
    /// Dovecot's submission service relays here (after MAIL FROM).
    _sink: Option<SmtpSink>,
    pub dir: tempfile::TempDir,
    pub submission: u16,
    pub submissions: u16,
    pub pop3: u16,
    pub pop3s: u16,
    pub ca_file: PathBuf,
}

impl Dovecot {
    /// Starts Dovecot with a certificate for `localhost` from a fresh test CA.
    pub fn start() -> Dovecot {
        let ca = TestCa::new("mailsetup test CA");
        let cert = ca.server_cert(&["localhost"], -1, 30);
        Dovecot::start_with(&ca, &cert, 0)
    }

    /// Starts Dovecot with the given certificate; `relay_port` is where its
    /// submission service relays (0: nowhere, enough for login tests).
    pub fn start_with(ca: &TestCa, cert: &CertPair, relay_port: u16) -> Dovecot {
        Dovecot::start_inner(ca, cert, relay_port, "127.0.0.1", None, None)
    }

    /// Starts Dovecot that also takes OAuth 2.0 bearer tokens (XOAUTH2,
    /// OAUTHBEARER), checked by introspection at `introspection_url` (the
    /// test authorization server, client `dovecot`, scope `smtp.send`).
    pub fn start_oauth(ca: &TestCa, cert: &CertPair, introspection_url: &str) -> Dovecot {
        Dovecot::start_inner(ca, cert, 0, "127.0.0.1", None, Some(introspection_url))
    }

    /// Starts Dovecot listening on `ip` (another loopback address), its
    /// submission services on the given ports (587 and 465, as discovery
    /// expects them: root may bind them).
    pub fn start_on(ca: &TestCa, cert: &CertPair, ip: &str, submission: u16, submissions: u16) -> Dovecot {
        Dovecot::start_inner(ca, cert, 0, ip, Some((submission, submissions)), None)
    }

    fn start_inner(
        ca: &TestCa,
        cert: &CertPair,
        relay_port: u16,
        listen: &str,
        fixed: Option<(u16, u16)>,
        introspection_url: Option<&str>,
    ) -> Dovecot {
        let dovecot = require("dovecot", "dovecot-core");
        let dir = tempfile::Builder::new().prefix("mailsetup-dovecot-").tempdir().unwrap();
        let d = dir.path();
        // Dovecot's mail processes run as nobody and must reach the home dirs.
        set_mode(d, 0o755);
        std::fs::create_dir_all(d.join("home")).unwrap();
        set_mode(&d.join("home"), 0o777);
        std::fs::write(d.join("server.pem"), &cert.cert_pem).unwrap();
        std::fs::write(d.join("server.key"), &cert.key_pem).unwrap();
        std::fs::write(d.join("passwd"), format!("{USER}:{{PLAIN}}{PASSWORD}::::::\n")).unwrap();
        set_mode(&d.join("passwd"), 0o644);
        let ca_file = ca.write(d);
        // OAuth 2.0: tokens checked by introspection; failures answered at
        // once (no failure delay, no auth penalty for the next attempt).
        let (mechanisms, oauth_passdb) = match introspection_url {
            None => ("plain login", String::new()),
            Some(url) => {
                std::fs::write(
                    d.join("oauth2.conf"),
                    format!(
                        "introspection_mode = post\nintrospection_url = {url}\nclient_id = dovecot\nclient_secret = dovecot-secret\n\
                         username_attribute = sub\nactive_attribute = active\nactive_value = true\nscope = smtp.send\n\
                         tls_ca_cert_file = {}\n",
                        ca_file.display()
                    ),
                )
                .unwrap();
                let _ = std::fs::remove_file(d.join("run/anvil-auth-penalty"));
                (
                    "plain login xoauth2 oauthbearer",
                    format!(
                        "passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {}/oauth2.conf\n}}\n\
                         service anvil {{\n  unix_listener anvil-auth-penalty {{\n    path = anvil-auth-penalty-off\n  }}\n}}\n",
                        d.display()
                    ),
                )
            }
        };
        let sink = (relay_port == 0).then(SmtpSink::start);
        let mut sink = sink;
        for attempt in 1..=START_ATTEMPTS {
            let [mut submission, mut submissions, pop3, pop3s] = free_ports();
            if let Some(ports) = fixed {
                (submission, submissions) = ports;
            }
            let relay = sink.as_ref().map_or(relay_port, |s| s.port);
            let dp = d.display();
            let conf = format!(
                r#"protocols = submission pop3
listen = {listen}
base_dir = {dp}/run
state_dir = {dp}/state
log_path = {dp}/dovecot.log
info_log_path = {dp}/dovecot.log
ssl = required
ssl_cert = <{dp}/server.pem
ssl_key = <{dp}/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = {mechanisms}
auth_failure_delay = 0
login_trusted_networks = 127.0.0.0/8
hostname = mail.test
default_login_user = dovenull
default_internal_user = dovecot
mail_location = maildir:{dp}/home/%u/Maildir
submission_relay_host = 127.0.0.1
submission_relay_port = {relay}
submission_relay_trusted = yes
{oauth_passdb}passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {dp}/passwd
}}
userdb {{
  driver = static
  args = uid=65534 gid=65534 home={dp}/home/%u
}}
service submission-login {{
  inet_listener submission {{
    port = {submission}
  }}
  inet_listener submissions {{
    port = {submissions}
    ssl = yes
  }}
}}
service auth {{
  unix_listener auth-postfix {{
    mode = 0666
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = {pop3s}
    ssl = yes
  }}
}}
"#
            );
            std::fs::write(d.join("dovecot.conf"), conf).unwrap();
            let child = Command::new(&dovecot)
                .arg("-F")
                .arg("-c")
                .arg(d.join("dovecot.conf"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(d.join("stderr.log")).unwrap())
                .spawn()
                .expect("start dovecot");
            let mut child = child;
            let logs = [d.join("stderr.log"), d.join("dovecot.log")];
            match listening_at(listen, &mut child, &[submission, submissions, pop3, pop3s], &logs) {
                Ok(()) => {
                    return Dovecot { child, _sink: sink.take(), dir, submission, submissions, pop3, pop3s, ca_file };
                }
                Err(why) if why.contains("Address already in use") && attempt < START_ATTEMPTS => {
                    let _ = child.kill();
                    let _ = child.wait();
                }
                Err(why) => panic!("dovecot {why}"),
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }

    /// The SASL socket Postfix authenticates through.
    pub fn auth_socket(&self) -> PathBuf {
        self.dir.path().join("run/auth-postfix")
    }
}

/// A minimal SMTP server that accepts everything: the relay behind Dovecot's
/// submission service in tests that do not need Postfix.
pub struct SmtpSink {
    pub port: u16,
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        use std::io::BufRead;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    let mut w = stream.try_clone().unwrap();
                    let mut r = std::io::BufReader::new(stream);
                    let _ = w.write_all(b"220 sink.test ESMTP\r\n");
                    let mut line = String::new();
                    let mut in_data = false;
                    while r.read_line(&mut line).unwrap_or(0) > 0 {
                        let cmd = line.trim_end().to_ascii_uppercase();
                        let reply: &[u8] = if in_data {
                            if cmd == "." {
                                in_data = false;
                                b"250 2.0.0 queued\r\n"
                            } else {
                                b""
                            }
                        } else if cmd.starts_with("EHLO") {
                            b"250-sink.test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 ENHANCEDSTATUSCODES\r\n"
                        } else if cmd == "DATA" {
                            in_data = true;
                            b"354 go ahead\r\n"
                        } else if cmd == "QUIT" {
                            let _ = w.write_all(b"221 2.0.0 bye\r\n");
                            break;
                        } else {
                            b"250 2.0.0 ok\r\n"
                        };
                        if w.write_all(reply).is_err() {
                            break;
                        }
                        line.clear();
                    }
                });
            }
        });
        SmtpSink { port }
    }
}

/// A running Postfix: submission (STARTTLS, TLS required) and submissions
/// (implicit TLS), SASL through Dovecot's auth socket, and
/// `smtpd_sender_login_maps` so that the user may send only as itself.
/// Mail for the test user is delivered into `dir/mail/info/` (Maildir).
pub struct Postfix {
    child: Child,
    pub dir: tempfile::TempDir,
    pub submission: u16,
    pub submissions: u16,
}

impl Postfix {
    pub fn start(cert: &CertPair, dovecot: &Dovecot) -> Postfix {
        require("postfix", "postfix");
        let dir = tempfile::Builder::new().prefix("mailsetup-postfix-").tempdir().unwrap();
        let d = dir.path();
        set_mode(d, 0o755);
        for sub in ["queue", "data", "mail"] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }
        // Postfix insists on these owners (it runs as root, delivers as nobody).
        let chown = |user: &str, p: &Path| {
            let ok = Command::new("chown").arg(user).arg(p).status().map(|s| s.success()).unwrap_or(false);
            assert!(ok, "chown {user} {}", p.display());
        };
        chown("postfix", &d.join("data"));
        chown("65534:65534", &d.join("mail"));
        std::fs::write(d.join("server.pem"), &cert.cert_pem).unwrap();
        std::fs::write(d.join("server.key"), &cert.key_pem).unwrap();
        for attempt in 1..=START_ATTEMPTS {
            let [submission, submissions] = free_ports();
            let dp = d.display();
            let auth = dovecot.auth_socket();
            let main_cf = format!(
                "compatibility_level = 3.6
queue_directory = {dp}/queue
data_directory = {dp}/data
mail_owner = postfix
setgid_group = postdrop
inet_protocols = ipv4
inet_interfaces = 127.0.0.1
myhostname = mail.test
mydestination =
mynetworks = 127.0.0.2/32
maillog_file = {dp}/postfix.log
maillog_file_prefixes = {dp}
smtpd_tls_cert_file = {dp}/server.pem
smtpd_tls_key_file = {dp}/server.key
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = {auth}
smtpd_sasl_auth_enable = yes
smtpd_tls_auth_only = yes
smtpd_sender_login_maps = inline:{{ {USER}={USER} }}
smtpd_sender_restrictions = reject_sender_login_mismatch
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
virtual_mailbox_domains = praxis-mueller.de
virtual_mailbox_base = {dp}/mail
virtual_mailbox_maps = inline:{{ {USER}=info/ }}
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
",
                auth = auth.display()
            );
            std::fs::write(d.join("main.cf"), main_cf).unwrap();
            // Debian's master.cf without chroot, and our listeners instead of port 25.
            let mut master = String::new();
            for line in std::fs::read_to_string("/etc/postfix/master.cf").unwrap().lines() {
                let cols: Vec<&str> = line.split_whitespace().collect();
                if line.starts_with(|c: char| c.is_ascii_lowercase()) && cols.len() >= 8 {
                    if cols[0] == "smtp" && cols[1] == "inet" {
                        continue;
                    }
                    let mut cols: Vec<String> = cols.iter().map(|s| s.to_string()).collect();
                    cols[4] = "n".into();
                    master.push_str(&cols.join(" "));
                } else {
                    master.push_str(line);
                }
                master.push('\n');
            }
            master.push_str(&format!(
                "127.0.0.1:{submission} inet n - n - - smtpd -o smtpd_tls_security_level=encrypt\n"
            ));
            master.push_str(&format!("127.0.0.1:{submissions} inet n - n - - smtpd -o smtpd_tls_wrappermode=yes\n"));
            std::fs::write(d.join("master.cf"), master).unwrap();
            let child = Command::new("postfix")
                .arg("-c")
                .arg(d)
                .arg("start-fg")
                .stdin(Stdio::null())
                .stdout(std::fs::File::create(d.join("stdout.log")).unwrap())
                .stderr(std::fs::File::create(d.join("stderr.log")).unwrap())
                .spawn()
                .expect("start postfix");
            let mut child = child;
            let logs = [d.join("stderr.log"), d.join("postfix.log")];
            match listening(&mut child, &[submission, submissions], &logs) {
                Ok(()) => return Postfix { child, dir, submission, submissions },
                Err(why) if why.contains("Address already in use") && attempt < START_ATTEMPTS => {
                    let _ = child.kill();
                    let _ = child.wait();
                }
                Err(why) => panic!("postfix {why}"),
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("postfix.log")).unwrap_or_default()
    }

    /// The messages delivered to the test user, as raw text.
    pub fn delivered(&self) -> Vec<String> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(rd) = std::fs::read_dir(self.dir.path().join("mail/info").join(sub)) {
                for e in rd.flatten() {
                    out.push(std::fs::read_to_string(e.path()).unwrap_or_default());
                }
            }
        }
        out
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        let _ = Command::new("postfix")
            .arg("-c")
            .arg(self.dir.path())
            .arg("stop")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        await_exit(&mut self.child);
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        // SIGTERM lets the master stop its children too.
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        await_exit(&mut self.child);
    }
}

/// Waits up to 5 s for a server asked to stop, then kills it.
fn await_exit(child: &mut Child) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A profile JSON for `host:port` with `security`.
pub fn profile(host: &str, port: u16, security: &str) -> serde_json::Value {
    serde_json::json!({
        "name": "Praxis Müller", "email": USER, "auth": "password",
        "smtp": {"host": host, "port": port, "security": security, "username": USER},
        "pop_before_smtp": null
    })
}

/// What one `mailprobe` run produced.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }
}

/// Runs `mailprobe test` with the password on stdin.
pub fn mailprobe_test(profile: &serde_json::Value, password: &str, extra: &[&str]) -> Run {
    mailprobe_cmd("test", profile, password, extra)
}

/// Runs `mailprobe send-test` with the password on stdin.
pub fn mailprobe_send(profile: &serde_json::Value, password: &str, extra: &[&str]) -> Run {
    mailprobe_cmd("send-test", profile, password, extra)
}

fn mailprobe_cmd(command: &str, profile: &serde_json::Value, password: &str, extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profile.json");
    std::fs::write(&path, profile.to_string()).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailprobe"))
        .arg(command)
        .arg(&path)
        .arg("--password-stdin")
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mailprobe");
    // A profile that is refused ends mailprobe before it reads the
    // password: then the pipe is closed, which is no failure here.
    let _ = writeln!(child.stdin.take().unwrap(), "{password}");
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// What a scripted server's client sent, on all its connections.
pub type Received = std::sync::Arc<std::sync::Mutex<Vec<u8>>>;

/// Listens on a free port of 127.0.0.1 and hands every connection, in a
/// thread of its own, to `handle`; returns the port and what clients sent.
fn accept_each(handle: impl Fn(TcpStream, Received) + Send + Sync + 'static) -> (u16, Received) {
    accept_each_at("127.0.0.1:0".parse().unwrap(), handle)
}

/// [`accept_each`] on a given address.
pub fn accept_each_at(
    addr: std::net::SocketAddr,
    handle: impl Fn(TcpStream, Received) + Send + Sync + 'static,
) -> (u16, Received) {
    let listener = TcpListener::bind(addr).unwrap_or_else(|e| panic!("bind {addr}: {e}"));
    let port = listener.local_addr().unwrap().port();
    let received = Received::default();
    let rec = received.clone();
    let handle = std::sync::Arc::new(handle);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (rec, handle) = (rec.clone(), handle.clone());
            std::thread::spawn(move || handle(stream, rec));
        }
    });
    (port, received)
}

/// One line from a scripted server's client, recorded in `received`.
fn recorded_line(reader: &mut impl std::io::BufRead, received: &std::sync::Mutex<Vec<u8>>) -> Option<String> {
    let mut buf = Vec::new();
    match reader.read_until(b'\n', &mut buf) {
        Ok(0) | Err(_) => None,
        Ok(_) => {
            received.lock().unwrap().extend_from_slice(&buf);
            Some(String::from_utf8_lossy(&buf).trim_end().to_string())
        }
    }
}

/// A scripted SMTP server on loopback for hostile behaviour. Every
/// connection runs `script`; everything the client sent is recorded.
pub struct Scripted {
    pub port: u16,
    received: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

/// One connection of a [`Scripted`] server.
pub struct Conn {
    stream: TcpStream,
    reader: std::io::BufReader<TcpStream>,
    received: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

impl Conn {
    pub fn send(&mut self, bytes: &[u8]) -> bool {
        self.stream.write_all(bytes).is_ok()
    }

    /// Reads one line from the client (recorded); `None` at EOF or error.
    pub fn line(&mut self) -> Option<String> {
        recorded_line(&mut self.reader, &self.received)
    }

    /// Records whatever else the client sends until it closes (or 5 s pass).
    pub fn drain(&mut self) {
        use std::io::Read;
        let _ = self.reader.get_ref().set_read_timeout(Some(Duration::from_secs(5)));
        let mut buf = [0u8; 4096];
        while let Ok(n) = self.reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            self.received.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    }
}

impl Scripted {
    pub fn start(script: fn(&mut Conn)) -> Scripted {
        Scripted::start_at("127.0.0.1:0".parse().unwrap(), script)
    }

    /// A scripted server on a given address.
    pub fn start_at(addr: std::net::SocketAddr, script: fn(&mut Conn)) -> Scripted {
        let (port, received) = accept_each_at(addr, move |stream, received| {
            let reader = std::io::BufReader::new(stream.try_clone().unwrap());
            script(&mut Conn { stream, reader, received });
        });
        Scripted { port, received }
    }

    /// Everything the client sent on all connections.
    pub fn received(&self) -> String {
        String::from_utf8_lossy(&self.received.lock().unwrap()).into_owned()
    }
}

/// A scripted SMTP server with implicit TLS (certificate from a test CA):
/// hostile behaviour after the handshake, where credentials are sent.
pub struct ScriptedTls {
    pub port: u16,
    pub ca_file: PathBuf,
    _dir: tempfile::TempDir,
    received: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

/// One connection of a [`ScriptedTls`] server.
pub struct TlsConn {
    stream: std::io::BufReader<rustls::StreamOwned<rustls::ServerConnection, TcpStream>>,
    received: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

impl TlsConn {
    pub fn send(&mut self, bytes: &[u8]) -> bool {
        let s = self.stream.get_mut();
        s.write_all(bytes).and_then(|_| s.flush()).is_ok()
    }

    /// Reads one line from the client (recorded); `None` at EOF or error.
    pub fn line(&mut self) -> Option<String> {
        recorded_line(&mut self.stream, &self.received)
    }
}

impl ScriptedTls {
    /// Serves `script` on every connection, with a certificate for `names`.
    pub fn start(names: &[&str], script: fn(&mut TlsConn)) -> ScriptedTls {
        let ca = TestCa::new("mailsetup scripted CA");
        ScriptedTls::start_at("127.0.0.1:0".parse().unwrap(), &ca, names, script)
    }

    /// A scripted TLS server on a given address, with a certificate for
    /// `names` from `ca`.
    pub fn start_at(addr: std::net::SocketAddr, ca: &TestCa, names: &[&str], script: fn(&mut TlsConn)) -> ScriptedTls {
        use rustls::pki_types::pem::PemObject;
        let _ = rustls::crypto::ring::default_provider().install_default();
        let dir = tempfile::tempdir().unwrap();
        let cert = ca.server_cert(names, -1, 30);
        let ca_file = ca.write(dir.path());
        let chain = vec![rustls::pki_types::CertificateDer::from(cert.der.clone())];
        let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(cert.key_pem.as_bytes()).unwrap();
        let config = std::sync::Arc::new(
            rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(chain, key).unwrap(),
        );
        let (port, received) = accept_each_at(addr, move |stream, received| {
            let tls = rustls::ServerConnection::new(config.clone()).unwrap();
            let stream = std::io::BufReader::new(rustls::StreamOwned::new(tls, stream));
            script(&mut TlsConn { stream, received });
        });
        ScriptedTls { port, ca_file, _dir: dir, received }
    }

    /// Everything the client sent on all connections (after TLS).
    pub fn received(&self) -> String {
        String::from_utf8_lossy(&self.received.lock().unwrap()).into_owned()
    }
}
