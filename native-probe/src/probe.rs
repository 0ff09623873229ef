//! Drives the core's SMTP dialogue over a real connection.
//!
//! Stages each have a deadline, and the whole test has one; every read is
//! bounded in size by the dialogue's parser limits and in time by the
//! nearer deadline.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mailsetup_core::dialogue::{Action, Dialogue};
use mailsetup_core::observe::{Failure, FailureKind, Stage, StageTiming, Transcript};
use mailsetup_core::pop3::{Pop3Config, Pop3Dialogue};
use mailsetup_core::presets;
use mailsetup_core::smtp::{SmtpConfig, SmtpDialogue};
use mailsetup_core::validate::{HostRole, check_host};
use mailsetup_core::verdict::{Observations, Verdict, diagnose};
use mailsetup_core::{Lang, Password, Profile, Security};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::tls::{Client, TlsOptions};

/// How a test runs.
#[derive(Clone, Debug)]
pub struct ProbeOptions {
    /// Deadline for the whole test.
    pub timeout: Duration,
    /// Deadline for each stage.
    pub stage_timeout: Duration,
    /// Certificate options.
    pub tls: TlsOptions,
    /// Language of the verdict.
    pub lang: Lang,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            timeout: Duration::from_secs(30),
            stage_timeout: Duration::from_secs(10),
            tls: TlsOptions::default(),
            lang: Lang::De,
        }
    }
}

/// Reports stages as they complete (for progress in the wizard).
pub trait Progress: Send + Sync {
    /// A stage finished.
    fn stage(&mut self, timing: &StageTiming);
}

impl<F: FnMut(&StageTiming) + Send + Sync> Progress for F {
    fn stage(&mut self, timing: &StageTiming) {
        self(timing)
    }
}

enum Conn {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    /// Between taking the plain stream for STARTTLS and getting the TLS one.
    Closed,
}

fn closed() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::NotConnected, "connection closed")
}

impl Conn {
    async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf).await,
            Conn::Tls(s) => s.read(buf).await,
            Conn::Closed => Err(closed()),
        }
    }
    async fn write_all(&mut self, b: &[u8]) -> std::io::Result<()> {
        match self {
            Conn::Plain(s) => s.write_all(b).await,
            Conn::Tls(s) => {
                s.write_all(b).await?;
                s.flush().await
            }
            Conn::Closed => Err(closed()),
        }
    }
    async fn shutdown(&mut self) {
        let _ = match self {
            Conn::Plain(s) => s.shutdown().await,
            Conn::Tls(s) => s.shutdown().await,
            Conn::Closed => Ok(()),
        };
    }
}

struct Clock<'p> {
    deadline: Instant,
    stage_timeout: Duration,
    stage: Stage,
    since: Instant,
    stages: Vec<StageTiming>,
    progress: &'p mut dyn Progress,
    /// While set (the POP3 part), every step counts as the current stage.
    fixed: bool,
}

impl Clock<'_> {
    fn enter(&mut self, stage: Stage) {
        if !self.fixed && stage != self.stage {
            self.done(true);
            self.stage = stage;
            self.since = Instant::now();
        }
    }
    fn done(&mut self, ok: bool) {
        let t = StageTiming { stage: self.stage, ok, ms: self.since.elapsed().as_millis() as u64 };
        self.progress.stage(&t);
        self.stages.push(t);
    }
    /// The nearer of the stage's and the test's deadline.
    fn remaining(&self) -> Duration {
        let stage_end = self.since + self.stage_timeout;
        stage_end.min(self.deadline).saturating_duration_since(Instant::now())
    }
}

/// Runs the test for `profile` (POP-before-SMTP first, if configured) and
/// returns the verdict.
pub async fn run_test(
    profile: &Profile,
    password: Password,
    opts: &ProbeOptions,
    progress: &mut dyn Progress,
) -> Verdict {
    run(profile, password, opts, progress, None).await
}

/// Like [`run_test`], and then sends `message` (a complete RFC 5322 message)
/// to the profile's own address instead of RSET.
pub async fn run_send_test(
    profile: &Profile,
    password: Password,
    opts: &ProbeOptions,
    progress: &mut dyn Progress,
    message: Vec<u8>,
) -> Verdict {
    run(profile, password, opts, progress, Some(message)).await
}

async fn run(
    profile: &Profile,
    password: Password,
    opts: &ProbeOptions,
    progress: &mut dyn Progress,
    message: Option<Vec<u8>>,
) -> Verdict {
    let start = Instant::now();
    let mut clock = Clock {
        deadline: start + opts.timeout,
        stage_timeout: opts.stage_timeout,
        stage: Stage::Resolve,
        since: start,
        stages: Vec::new(),
        progress,
        fixed: false,
    };
    let host = ascii_host(&profile.smtp.host);
    let port = u16::try_from(profile.smtp.port).unwrap_or(0);
    let mut transcript = Transcript::default();
    let mut relay_without_auth = false;
    let failure =
        match test(profile, password, opts, &host, port, &mut clock, &mut transcript, &mut relay_without_auth, message)
            .await
        {
            Ok(()) => {
                clock.done(true);
                None
            }
            Err(f) => {
                clock.enter(f.stage);
                clock.done(false);
                Some(f)
            }
        };
    // Provider-aware advice for login failures (GMX/WEB.DE: switch on POP3/IMAP
    // access; Gmail: app password; T-Online: the separate e-mail password).
    let provider =
        presets::provider_for_smtp_host(&host, opts.lang).or_else(|| presets::lookup(&profile.email, opts.lang));
    let hint = provider.map(|p| p.login_hint(opts.lang)).unwrap_or_default();
    let obs = Observations { stages: clock.stages, failure, transcript, host, port, relay_without_auth };
    diagnose(obs, profile.email.trim(), &hint, opts.lang)
}

fn ascii_host(typed: &str) -> String {
    check_host(typed, "smtp.host", HostRole::Smtp).ascii.unwrap_or_else(|| typed.trim().to_string())
}

#[allow(clippy::too_many_arguments)]
async fn test(
    profile: &Profile,
    password: Password,
    opts: &ProbeOptions,
    host: &str,
    port: u16,
    clock: &mut Clock<'_>,
    transcript: &mut Transcript,
    relay_without_auth: &mut bool,
    message: Option<Vec<u8>>,
) -> Result<(), Failure> {
    if profile.auth == mailsetup_core::AuthKind::Oauth2 {
        return Err(Failure::new(Stage::Auth, FailureKind::Unsupported).detail("OAuth 2.0"));
    }
    let tls =
        Client::new(&opts.tls).map_err(|e| Failure::new(Stage::Tls, FailureKind::TlsHandshakeFailed).detail(e))?;
    let username = profile.smtp.effective_username(&profile.email);

    if let Some(pop) = &profile.pop_before_smtp {
        // The whole POP3 login is one stage: its own resolve, connect and TLS
        // failures keep their precise category but are reported at "pop3".
        clock.stage = Stage::Pop3;
        clock.fixed = true;
        let pop_host = ascii_host(&pop.host);
        let pop_port = u16::try_from(pop.port).unwrap_or(0);
        transcript.push('i', format!("POP-before-SMTP: {pop_host}:{pop_port}"));
        let mut dialogue = Pop3Dialogue::new(Pop3Config {
            security: pop.security,
            // An empty POP3 user name means the SMTP one.
            username: if pop.username.trim().is_empty() { username.clone() } else { pop.username.trim().to_string() },
            password: password.clone(),
        });
        let result = async {
            let (conn, _, addrs) = open(&tls, &pop_host, pop_port, pop.security, clock, transcript).await?;
            drive(&mut dialogue, conn, &tls, &pop_host, &addrs, pop.security, clock).await
        }
        .await;
        transcript.0.extend(dialogue.take_transcript().0);
        clock.fixed = false;
        result.map_err(|mut f| {
            f.stage = Stage::Pop3;
            f
        })?;
        // open() below enters "resolve", which closes the "pop3" stage.
    }

    let security = profile.smtp.security;
    let (conn, peer, addrs) = open(&tls, host, port, security, clock, transcript).await?;
    let ehlo_name = match peer {
        SocketAddr::V4(a) => format!("[{}]", a.ip()),
        SocketAddr::V6(a) => format!("[IPv6:{}]", a.ip()),
    };
    let mut dialogue = SmtpDialogue::new(SmtpConfig {
        security,
        ehlo_name,
        username: Some(username),
        password,
        // MAIL FROM / RCPT TO with the profile's own address, then RSET:
        // nothing is sent, but a server that will not let this account send
        // as this address says so now.
        sender: Some(profile.email.trim().to_string()),
        auth_optional: profile.pop_before_smtp.is_some(),
        message,
    });
    let result = drive(&mut dialogue, conn, &tls, host, &addrs, security, clock).await;
    *relay_without_auth = dialogue.learned().relay_without_auth;
    transcript.0.extend(dialogue.take_transcript().0);
    result
}

/// Resolves, connects and, for implicit TLS, does the handshake.
async fn open(
    tls: &Client,
    host: &str,
    port: u16,
    security: Security,
    clock: &mut Clock<'_>,
    transcript: &mut Transcript,
) -> Result<(Conn, SocketAddr, Vec<SocketAddr>), Failure> {
    clock.enter(Stage::Resolve);
    let addrs = resolve(host, port, clock).await?;
    clock.enter(Stage::Connect);
    let (tcp, peer) = connect(&addrs, clock, transcript).await?;
    let conn = if security == Security::Tls {
        clock.enter(Stage::Tls);
        Conn::Tls(Box::new(handshake(tls, host, tcp, clock).await?))
    } else {
        Conn::Plain(tcp)
    };
    clock.enter(Stage::Greeting);
    Ok((conn, peer, addrs))
}

/// Moves bytes for a dialogue until it is done.
async fn drive<D: Dialogue>(
    dialogue: &mut D,
    mut conn: Conn,
    tls: &Client,
    host: &str,
    addrs: &[SocketAddr],
    security: Security,
    clock: &mut Clock<'_>,
) -> Result<(), Failure> {
    let mut buf = vec![0u8; 4096];
    let result: Option<Failure> = 'outer: loop {
        while let Some(action) = dialogue.poll_action() {
            match action {
                Action::Send(bytes) => {
                    if let Err(f) = io(clock, conn.write_all(&bytes)).await {
                        break 'outer Some(f);
                    }
                }
                Action::StartTls => {
                    let Conn::Plain(tcp) = std::mem::replace(&mut conn, Conn::Closed) else {
                        break 'outer Some(
                            Failure::new(Stage::Starttls, FailureKind::ProtocolError).detail("STARTTLS inside TLS"),
                        );
                    };
                    clock.enter(Stage::Tls);
                    match handshake(tls, host, tcp, clock).await {
                        Ok(s) => conn = Conn::Tls(Box::new(s)),
                        // Plaintext where the TLS handshake should be: the server (or
                        // someone on the path) keeps talking in the clear after 220.
                        Err(f) if f.kind == FailureKind::TlsOnPlaintextPort => {
                            break 'outer Some(
                                Failure::new(Stage::Starttls, FailureKind::StarttlsInjection)
                                    .detail(f.detail.unwrap_or_default()),
                            );
                        }
                        Err(f) => break 'outer Some(f),
                    }
                    dialogue.handle_tls_established();
                    clock.enter(dialogue.stage());
                }
                Action::Close => {}
            }
        }
        if dialogue.is_done() {
            break dialogue.failure().cloned();
        }
        match io(clock, conn.read(&mut buf)).await {
            Ok(0) => dialogue.handle_eof(),
            Ok(n) => dialogue.handle_input(&buf[..n]),
            Err(f) => {
                let f = if f.kind == FailureKind::Timeout
                    && clock.stage == Stage::Greeting
                    && security == Security::Starttls
                {
                    plaintext_on_tls_port(tls, host, addrs, clock).await.unwrap_or(f)
                } else {
                    f
                };
                break Some(f);
            }
        }
        clock.enter(dialogue.stage());
    };
    conn.shutdown().await;
    match result {
        None => Ok(()),
        Some(f) => Err(f),
    }
}

/// Runs an IO step under the current deadline; a timeout or error becomes a failure.
async fn io<T>(clock: &Clock<'_>, fut: impl std::future::Future<Output = std::io::Result<T>>) -> Result<T, Failure> {
    match tokio::time::timeout(clock.remaining(), fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(Failure::new(clock.stage, FailureKind::ConnectionClosed).detail(e.to_string())),
        Err(_) => Err(Failure::new(clock.stage, FailureKind::Timeout)),
    }
}

async fn resolve(host: &str, port: u16, clock: &Clock<'_>) -> Result<Vec<SocketAddr>, Failure> {
    match tokio::time::timeout(clock.remaining(), tokio::net::lookup_host((host, port))).await {
        Err(_) => Err(Failure::new(Stage::Resolve, FailureKind::Timeout)),
        // getaddrinfo says "Temporary failure" (EAI_AGAIN) when no name
        // server answered: that is no proof the name does not exist.
        Ok(Err(e)) if e.to_string().contains("Temporary failure") => {
            Err(Failure::new(Stage::Resolve, FailureKind::Unreachable).detail(format!("DNS: {e}")))
        }
        Ok(Err(e)) => Err(Failure::new(Stage::Resolve, FailureKind::DnsNotFound).detail(e.to_string())),
        Ok(Ok(addrs)) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if addrs.is_empty() {
                Err(Failure::new(Stage::Resolve, FailureKind::DnsNotFound).detail("no A or AAAA records"))
            } else {
                Ok(addrs)
            }
        }
    }
}

/// Tries each address in turn, within the connect stage's deadline.
async fn connect(
    addrs: &[SocketAddr],
    clock: &Clock<'_>,
    transcript: &mut Transcript,
) -> Result<(TcpStream, SocketAddr), Failure> {
    let mut refused = 0;
    let mut unreachable = 0;
    let mut last = String::new();
    for addr in addrs {
        match tokio::time::timeout(clock.remaining(), TcpStream::connect(addr)).await {
            Ok(Ok(s)) => {
                // A dialogue writes small lines and waits for each answer;
                // after a TLS handshake two writes follow each other (the
                // client's Finished, then EHLO), and Nagle would hold the
                // second for a round trip.
                let _ = s.set_nodelay(true);
                transcript.push('i', format!("connected to {addr}"));
                return Ok((s, *addr));
            }
            Ok(Err(e)) => {
                transcript.push('i', format!("{addr}: {e}"));
                match e.kind() {
                    std::io::ErrorKind::ConnectionRefused => refused += 1,
                    std::io::ErrorKind::NetworkUnreachable | std::io::ErrorKind::HostUnreachable => unreachable += 1,
                    _ => {}
                }
                last = e.to_string();
            }
            Err(_) => {
                transcript.push('i', format!("{addr}: timed out"));
                return Err(Failure::new(Stage::Connect, FailureKind::Timeout).detail(format!("{addr}: no answer")));
            }
        }
    }
    let kind = if refused > 0 {
        FailureKind::ConnectionRefused
    } else if unreachable > 0 {
        FailureKind::Unreachable
    } else {
        FailureKind::ConnectionClosed
    };
    Err(Failure::new(Stage::Connect, kind).detail(last))
}

async fn handshake(
    tls: &Client,
    host: &str,
    tcp: TcpStream,
    clock: &Clock<'_>,
) -> Result<TlsStream<TcpStream>, Failure> {
    let name = ServerName::try_from(host.to_string())
        .map_err(|e| Failure::new(Stage::Tls, FailureKind::TlsHandshakeFailed).detail(e.to_string()))?;
    let connector = TlsConnector::from(tls.config.clone());
    match tokio::time::timeout(clock.remaining(), connector.connect(name, tcp)).await {
        Err(_) => Err(Failure::new(Stage::Tls, FailureKind::Timeout)),
        Ok(Ok(s)) => Ok(s),
        Ok(Err(e)) => {
            let (kind, detail) = tls.classify(&e);
            Err(Failure::new(Stage::Tls, kind).detail(detail))
        }
    }
}

/// After a silent greeting in STARTTLS mode: does the port speak TLS from
/// the first byte? A second connection tries a handshake to find out.
async fn plaintext_on_tls_port(tls: &Client, host: &str, addrs: &[SocketAddr], clock: &Clock<'_>) -> Option<Failure> {
    let budget = clock.deadline.saturating_duration_since(Instant::now()).min(Duration::from_secs(5));
    let tcp = tokio::time::timeout(budget, TcpStream::connect(addrs.first()?)).await.ok()?.ok()?;
    let name = ServerName::try_from(host.to_string()).ok()?;
    let res = tokio::time::timeout(budget, TlsConnector::from(tls.config.clone()).connect(name, tcp)).await.ok()?;
    let speaks_tls = match res {
        Ok(_) => true,
        // A certificate complaint still proves the server answered in TLS.
        Err(e) => matches!(
            tls.classify(&e).0,
            FailureKind::CertExpired
                | FailureKind::CertNameMismatch
                | FailureKind::CertSelfSigned
                | FailureKind::CertUntrusted
        ),
    };
    speaks_tls.then(|| {
        Failure::new(Stage::Greeting, FailureKind::PlaintextOnTlsPort)
            .detail("no greeting; the port answers a TLS handshake")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(progress: &mut dyn Progress) -> Clock<'_> {
        let now = Instant::now();
        Clock {
            deadline: now + Duration::from_secs(5),
            stage_timeout: Duration::from_secs(5),
            stage: Stage::Connect,
            since: now,
            stages: Vec::new(),
            progress,
            fixed: false,
        }
    }

    /// Every address is tried in turn: an IPv6 address that refuses (or is
    /// not there at all) does not end the test while an IPv4 one listens.
    #[tokio::test]
    async fn addresses_are_tried_in_turn() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let refused = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let addrs: Vec<SocketAddr> =
            vec![format!("[::1]:{refused}").parse().unwrap(), format!("127.0.0.1:{port}").parse().unwrap()];
        let mut nothing = |_: &StageTiming| {};
        let c = clock(&mut nothing);
        let mut transcript = Transcript::default();
        let (_, peer) = connect(&addrs, &c, &mut transcript).await.expect("the IPv4 address listens");
        assert_eq!(peer, addrs[1]);
        assert!(transcript.0[0].text.starts_with(&format!("[::1]:{refused}: ")), "{:?}", transcript.0);

        // All refuse: connection_refused, with each address in the transcript.
        let addrs: Vec<SocketAddr> = vec![format!("127.0.0.1:{refused}").parse().unwrap()];
        let mut transcript = Transcript::default();
        let f = connect(&addrs, &c, &mut transcript).await.unwrap_err();
        assert_eq!((f.stage, f.kind), (Stage::Connect, FailureKind::ConnectionRefused));
    }
}
