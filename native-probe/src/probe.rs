//! Drives the core's [`TestRun`] over real sockets: it resolves, connects,
//! does TLS, moves bytes and keeps the time. Every decision (the plan,
//! what a failure means, deadlines, the verdict) is the core's.

use std::net::SocketAddr;
use std::time::Duration;

use mailsetup_core::Lang;
use mailsetup_core::run::{Action, ConnectError, Event, ResolveError, RunConfig, TestRun, TlsFailure};
use mailsetup_core::verdict::Verdict;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::dns::Dns;
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
    /// The resolver to ask (else the system's resolver).
    pub dns: Option<Dns>,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            timeout: Duration::from_secs(30),
            stage_timeout: Duration::from_secs(10),
            tls: TlsOptions::default(),
            lang: Lang::De,
            dns: None,
        }
    }
}

/// Reports the run's events as they happen (progress in the wizard).
pub trait Progress: Send + Sync {
    /// A stage started or ended.
    fn event(&mut self, event: &Event);
}

impl<F: FnMut(&Event) + Send + Sync> Progress for F {
    fn event(&mut self, event: &Event) {
        self(event)
    }
}

enum Conn {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Conn {
    async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf).await,
            Conn::Tls(s) => s.read(buf).await,
        }
    }

    async fn write_all(&mut self, b: &[u8]) -> std::io::Result<()> {
        match self {
            Conn::Plain(s) => s.write_all(b).await,
            Conn::Tls(s) => {
                s.write_all(b).await?;
                s.flush().await
            }
        }
    }

    async fn shutdown(mut self) {
        // A server that does not answer the close must not hold the verdict.
        let _ = tokio::time::timeout(Duration::from_secs(1), async {
            match &mut self {
                Conn::Plain(s) => s.shutdown().await,
                Conn::Tls(s) => s.shutdown().await,
            }
        })
        .await;
    }
}

/// Tests `profile` (POP-before-SMTP first, if configured); with `message`
/// (a complete RFC 5322 message) also sends it to the profile's own address.
pub async fn run_test(
    profile: mailsetup_core::Profile,
    password: mailsetup_core::Password,
    message: Option<Vec<u8>>,
    access_token: Option<(mailsetup_core::secret::AccessToken, mailsetup_core::smtp::Mechanism)>,
    opts: &ProbeOptions,
    progress: &mut dyn Progress,
) -> Verdict {
    let (access_token, oauth_mechanism) = access_token.map_or((None, None), |(t, m)| (Some(t), Some(m)));
    let config = RunConfig {
        access_token,
        oauth_mechanism,
        profile,
        password,
        lang: opts.lang,
        message,
        timeout: opts.timeout,
        stage_timeout: opts.stage_timeout,
    };
    let run = TestRun::new(config, Instant::now().into_std());
    drive(run, &opts.tls, opts.dns.as_ref(), progress).await.verdict
}

/// Runs the test the run config describes and returns the verdict.
pub async fn run(config: RunConfig, tls: &TlsOptions, progress: &mut dyn Progress) -> Verdict {
    let run = TestRun::new(config, Instant::now().into_std());
    drive(run, tls, None, progress).await.verdict
}

/// What a driven run ended with.
#[derive(Debug)]
pub struct Driven {
    /// The verdict.
    pub verdict: Verdict,
    /// The address of the last connection.
    pub peer: Option<SocketAddr>,
    /// The DNS names of the last certificate a server showed.
    pub cert_names: Vec<String>,
}

/// Drives `run` to its end; names are resolved by `dns`, or by the
/// system's resolver.
pub async fn drive(mut run: TestRun, tls: &TlsOptions, dns: Option<&Dns>, progress: &mut dyn Progress) -> Driven {
    let now = || Instant::now().into_std();
    // Built on first use: a profile that is refused needs no trust store.
    let mut client: Option<Client> = None;
    let mut conn: Option<Conn> = None;
    let mut buf = vec![0u8; 4096];
    loop {
        while let Some(e) = run.poll_event() {
            progress.event(&e);
        }
        if run.is_done() {
            break;
        }
        let deadline = run.poll_timeout().map_or_else(|| Instant::now() + Duration::from_secs(1), Instant::from_std);
        let Some(action) = run.poll_action() else {
            // Nothing to do but wait for the server, until the deadline.
            match &mut conn {
                Some(c) => match tokio::time::timeout_at(deadline, c.read(&mut buf)).await {
                    Err(_) => run.handle_timeout(now()),
                    Ok(Ok(0)) => run.handle_eof(now()),
                    Ok(Ok(n)) => run.handle_input(now(), &buf[..n]),
                    Ok(Err(e)) => run.handle_io_error(now(), e.to_string()),
                },
                None => {
                    tokio::time::sleep_until(deadline).await;
                    run.handle_timeout(now());
                }
            }
            continue;
        };
        match action {
            Action::Resolve { host, port } => {
                let lookup = async {
                    match dns {
                        Some(dns) => dns.socket_addrs(&host, port).await,
                        None => resolve(host, port).await,
                    }
                };
                match tokio::time::timeout_at(deadline, lookup).await {
                    Err(_) => run.handle_timeout(now()),
                    Ok(result) => run.handle_resolved(now(), result),
                }
            }
            Action::Connect(addr) => match tokio::time::timeout_at(deadline, TcpStream::connect(addr)).await {
                Err(_) => run.handle_timeout(now()),
                Ok(Ok(stream)) => {
                    // A dialogue writes small lines and waits for each answer;
                    // after a TLS handshake two writes follow each other (the
                    // client's Finished, then EHLO), and Nagle would hold the
                    // second for a round trip.
                    let _ = stream.set_nodelay(true);
                    conn = Some(Conn::Plain(stream));
                    run.handle_connected(now(), Ok(()));
                }
                Ok(Err(e)) => run.handle_connected(now(), Err(connect_error(&e))),
            },
            Action::StartTls { server_name } => {
                let c = match client_for(&mut client, tls) {
                    Ok(c) => c,
                    Err(f) => {
                        run.handle_tls(now(), Err(f));
                        continue;
                    }
                };
                let Some(Conn::Plain(tcp)) = conn.take() else {
                    run.handle_io_error(now(), "TLS asked for on a connection that is not plain TCP".into());
                    continue;
                };
                match tokio::time::timeout_at(deadline, handshake(c, &server_name, tcp)).await {
                    Err(_) => run.handle_timeout(now()),
                    Ok(Ok(stream)) => {
                        conn = Some(Conn::Tls(Box::new(stream)));
                        run.handle_tls(now(), Ok(()));
                    }
                    Ok(Err(f)) => run.handle_tls(now(), Err(f)),
                }
            }
            Action::Send(bytes) => {
                let Some(c) = &mut conn else {
                    run.handle_io_error(now(), "no connection to write to".into());
                    continue;
                };
                match tokio::time::timeout_at(deadline, c.write_all(&bytes)).await {
                    Err(_) => run.handle_timeout(now()),
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => run.handle_io_error(now(), e.to_string()),
                }
            }
            Action::Close => {
                if let Some(c) = conn.take() {
                    c.shutdown().await;
                }
            }
            Action::ProbeImplicitTls { addr, server_name } => {
                let attempt = async {
                    let c = client_for(&mut client, tls).ok()?;
                    let tcp = TcpStream::connect(addr).await.ok()?;
                    Some(handshake(c, &server_name, tcp).await.map(drop))
                };
                match tokio::time::timeout_at(deadline, attempt).await {
                    Err(_) => run.handle_timeout(now()),
                    Ok(handshake) => run.handle_probe(now(), handshake),
                }
            }
            // A kind of action this driver does not know: the core is newer.
            _ => run.handle_io_error(now(), "an action this mailprobe cannot perform".into()),
        }
    }
    if let Some(c) = conn.take() {
        c.shutdown().await;
    }
    Driven {
        peer: run.peer(),
        cert_names: client.as_ref().map(Client::seen_dns_names).unwrap_or_default(),
        verdict: run.take_verdict().unwrap_or_else(|| Verdict::invalid_profile(Vec::new(), Lang::En)),
    }
}

/// Our trust set-up, built once; its failure is a local problem of its own.
fn client_for<'c>(client: &'c mut Option<Client>, opts: &TlsOptions) -> Result<&'c Client, TlsFailure> {
    if client.is_none() {
        let c = Client::new(opts).map_err(|detail| TlsFailure {
            kind: mailsetup_core::observe::FailureKind::TrustSetupFailed,
            detail: mailsetup_core::sanitize::server_text(detail.as_bytes(), 1000),
        })?;
        *client = Some(c);
    }
    Ok(client.as_ref().expect("set above"))
}

/// The system's resolver (hosts file, DNS, as the platform does it), with
/// its outcome typed: "does not exist" is never said when no name server
/// answered.
async fn resolve(host: String, port: u16) -> Result<Vec<SocketAddr>, ResolveError> {
    let lookup = tokio::task::spawn_blocking(move || {
        let hints = dns_lookup::AddrInfoHints { socktype: libc_sock_stream(), ..Default::default() };
        dns_lookup::getaddrinfo(Some(&host), Some(&port.to_string()), Some(hints))
            .map(|it| it.filter_map(Result::ok).map(|a| a.sockaddr).collect::<Vec<_>>())
    })
    .await
    .map_err(|e| ResolveError::Failed(e.to_string()))?;
    lookup.map_err(|e| match e.kind() {
        dns_lookup::LookupErrorKind::NoName => ResolveError::NotFound,
        dns_lookup::LookupErrorKind::NoData => ResolveError::NoAddress,
        dns_lookup::LookupErrorKind::Again => ResolveError::NoNameServer,
        _ => ResolveError::Failed(std::io::Error::from(e).to_string()),
    })
}

/// `SOCK_STREAM` as getaddrinfo wants it (1 on Linux and Windows alike).
fn libc_sock_stream() -> i32 {
    1
}

fn connect_error(e: &std::io::Error) -> ConnectError {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => ConnectError::Refused,
        std::io::ErrorKind::NetworkUnreachable | std::io::ErrorKind::HostUnreachable => ConnectError::Unreachable,
        _ => ConnectError::Other(e.to_string()),
    }
}

async fn handshake(tls: &Client, host: &str, tcp: TcpStream) -> Result<TlsStream<TcpStream>, TlsFailure> {
    let name = ServerName::try_from(host.to_string()).map_err(|e| TlsFailure {
        kind: mailsetup_core::observe::FailureKind::TlsHandshakeFailed,
        detail: e.to_string(),
    })?;
    TlsConnector::from(tls.config.clone()).connect(name, tcp).await.map_err(|e| {
        let (kind, detail) = tls.classify(&e);
        TlsFailure { kind, detail }
    })
}
