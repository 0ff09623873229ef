//! A whole test run ("Einstellungen testen") as a sans-IO state machine, in
//! the manner of quinn-proto: the driver performs what
//! [`TestRun::poll_action`] asks (resolve, connect, TLS, send, close, and
//! a probe for implicit TLS), feeds the results and server bytes back, and
//! reports the time with every call; the run decides everything else:
//!
//! - the plan: refuse what cannot be tested (a profile with errors, OAuth
//!   2.0), log in to POP3 first when the profile asks for POP-before-SMTP
//!   (its failures are reported at the `pop3` stage, each with its precise
//!   kind), then the SMTP session with the sender check;
//! - which address to try next, and what a refused, unreachable or silent
//!   server means;
//! - stages, their timing and their deadlines ([`TestRun::poll_timeout`],
//!   [`TestRun::handle_timeout`]); after a silent greeting in STARTTLS mode,
//!   whether the port speaks TLS from the first byte;
//! - the verdict, with the provider's own advice.
//!
//! New kinds of step (probing a candidate server during discovery, getting
//! an OAuth 2.0 token before AUTH) are new [`Step`]s of the plan, not
//! driver code.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::dialogue::{Action as DialogueAction, Dialogue};
use crate::finding::has_error;
use crate::lang::Lang;
use crate::observe::{Direction, Failure, FailureKind, Stage, StageTiming, Transcript};
use crate::pop3::{Pop3Config, Pop3Dialogue};
use crate::profile::{AuthKind, Profile, Security, Server};
use crate::secret::Password;
use crate::smtp::{OauthLogin, SmtpConfig, SmtpDialogue};
use crate::validate::{HostRole, check_host, validate_profile};
use crate::verdict::{Category, Observations, Verdict, diagnose};

/// How a run goes.
#[derive(Debug)]
pub struct RunConfig {
    /// The profile to test.
    pub profile: Profile,
    /// Its password (never stored; wiped when the run ends).
    pub password: Password,
    /// The verdict's language.
    pub lang: Lang,
    /// For `send-test`: a complete message to send to the profile's own
    /// address instead of RSET.
    pub message: Option<Vec<u8>>,
    /// For an `oauth2` profile: the access token to sign in with (the
    /// password is then unused). Without one, the run says it cannot test.
    pub access_token: Option<crate::secret::AccessToken>,
    /// The SASL mechanism the provider's servers take (XOAUTH2 for Microsoft
    /// and Google, OAUTHBEARER for a standard OpenID Connect provider);
    /// `None`: XOAUTH2 when offered, else OAUTHBEARER.
    pub oauth_mechanism: Option<crate::smtp::Mechanism>,
    /// The deadline for the whole run.
    pub timeout: Duration,
    /// The deadline for each stage.
    pub stage_timeout: Duration,
}

/// What the driver must do next.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// Look up `host`'s addresses; answer with [`TestRun::handle_resolved`].
    Resolve {
        /// The name (A-label form) or an address literal.
        host: String,
        /// The port the addresses are for.
        port: u16,
    },
    /// Open a TCP connection; answer with [`TestRun::handle_connected`].
    Connect(SocketAddr),
    /// Do a TLS handshake on the open connection, for `server_name`;
    /// answer with [`TestRun::handle_tls`].
    StartTls {
        /// The name the certificate must be valid for.
        server_name: String,
    },
    /// Write these bytes on the open connection.
    Send(zeroize::Zeroizing<Vec<u8>>),
    /// Close the open connection.
    Close,
    /// On a second connection to `addr`: does the port answer a TLS
    /// handshake (for `server_name`) right away? Answer with
    /// [`TestRun::handle_probe`]. Asked after a silent greeting in STARTTLS
    /// mode.
    ProbeImplicitTls {
        /// Where.
        addr: SocketAddr,
        /// The name to send.
        server_name: String,
    },
}

/// What the run reports as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A stage started.
    StageStarted(Stage),
    /// A stage ended, with its timing.
    StageEnded(StageTiming),
}

/// Why a name could not be resolved: typed, so that "this name does not
/// exist" is never said when no name server could be asked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResolveError {
    /// The name does not exist (NXDOMAIN).
    NotFound,
    /// The name exists but has no address records.
    NoAddress,
    /// No name server answered, or there is no network (EAI_AGAIN).
    NoNameServer,
    /// A name server failed for good (SERVFAIL, EAI_FAIL), or anything else.
    Failed(String),
}

/// Why a connection could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectError {
    /// Nothing listens there.
    Refused,
    /// The network or host is unreachable.
    Unreachable,
    /// Anything else, with the system's words.
    Other(String),
}

/// A failed TLS handshake, as the driver's TLS library classified it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFailure {
    /// One of the TLS and certificate kinds (`Cert*`, `TlsHandshakeFailed`,
    /// `TlsOnPlaintextPort`), or `TrustSetupFailed` for a local problem.
    pub kind: FailureKind,
    /// A technical detail in English (sanitized by the driver).
    pub detail: String,
}

/// A step of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// POP-before-SMTP: the POP3 login, reported as one stage.
    Pop3Login,
    /// The SMTP session: login, sender check, and for `send-test` the message.
    SmtpSession,
}

/// Where a leg (one server connection) is.
#[derive(Debug)]
enum Leg {
    Resolving,
    Connecting {
        addrs: Vec<SocketAddr>,
        next: usize,
        refused: usize,
        unreachable: usize,
        last: String,
    },
    /// The implicit-TLS handshake before the greeting.
    Handshaking,
    Talking,
    /// The dialogue asked for STARTTLS/STLS; the handshake is under way.
    Upgrading,
    ProbingImplicitTls,
}

#[derive(Debug)]
// One per run, never moved in a loop: the size difference costs nothing.
#[allow(clippy::large_enum_variant)]
enum Talk {
    Pop3(Pop3Dialogue),
    Smtp(SmtpDialogue),
}

impl Talk {
    fn dialogue(&mut self) -> &mut dyn Dialogue {
        match self {
            Talk::Pop3(d) => d,
            Talk::Smtp(d) => d,
        }
    }
}

/// The test run.
#[derive(Debug)]
pub struct TestRun {
    lang: Lang,
    email: String,
    plan: VecDeque<Step>,
    /// The step under way, its server and encryption.
    step: Option<Step>,
    host: String,
    port: u16,
    security: Security,
    leg: Leg,
    /// Whether the driver has a connection open (to be closed).
    open: bool,
    peer: Option<SocketAddr>,
    talk: Option<Talk>,
    /// Until the POP3 step has used it (and handed it back), then the SMTP step's.
    password: Option<Password>,
    pop3_username: String,
    smtp_username: String,
    message: Option<Vec<u8>>,
    access_token: Option<crate::secret::AccessToken>,
    oauth_mechanism: Option<crate::smtp::Mechanism>,
    deadline: Instant,
    stage_timeout: Duration,
    /// The stage running and since when; `None` before the first and after the last.
    stage: Option<(Stage, Instant)>,
    /// Set once a probe for implicit TLS was asked for: the greeting's
    /// deadline is then the probe's.
    probe_deadline: Option<Instant>,
    stages: Vec<StageTiming>,
    transcript: Transcript,
    relay_without_auth: bool,
    actions: VecDeque<Action>,
    events: VecDeque<Event>,
    verdict: Option<Verdict>,
    /// The SMTP server (the profile's), for the verdict's messages.
    smtp_host: String,
    smtp_port: u16,
    /// The profile's POP3 server (POP-before-SMTP) and SMTP server.
    pop_server: Option<Server>,
    smtp_server: Server,
    /// Discovery's probe of a candidate server: TLS and EHLO, never AUTH
    /// nor a sender check ([`TestRun::probe`]).
    probe_only: bool,
}

/// How long the probe for implicit TLS may take at most.
const PROBE_BUDGET: Duration = Duration::from_secs(5);

impl TestRun {
    /// Plans the run for `config`. A profile with errors, or one that
    /// cannot be tested, is done at once (see [`TestRun::verdict`]).
    pub fn new(config: RunConfig, now: Instant) -> Self {
        let profile = config.profile.clone();
        let lang = config.lang;
        let mut run = TestRun::unstarted(config, now);
        if let Some(v) = precheck(&profile, lang) {
            run.verdict = Some(v);
            return run;
        }
        if profile.auth == AuthKind::Oauth2 && run.access_token.is_none() {
            run.enter(Stage::Auth, now);
            run.fail(Failure::new(Stage::Auth, FailureKind::Unsupported).detail("OAuth 2.0 without an access token"), now);
            return run;
        }
        run.next_step(now);
        run
    }

    /// The run with its plan, before its first step.
    fn unstarted(config: RunConfig, now: Instant) -> Self {
        let RunConfig { profile, password, lang, message, access_token, oauth_mechanism, timeout, stage_timeout } = config;
        let (smtp_host, smtp_port) = (ascii_host(&profile.smtp.host), port(&profile.smtp));
        let smtp_username = login_name(&profile.smtp, &profile.email);
        let pop3_username = match &profile.pop_before_smtp {
            Some(pop) if !pop.username.trim().is_empty() => pop.username.trim().to_string(),
            // An empty POP3 user name means the SMTP one.
            _ => smtp_username.clone(),
        };
        let mut plan = VecDeque::new();
        if profile.pop_before_smtp.is_some() {
            plan.push_back(Step::Pop3Login);
        }
        plan.push_back(Step::SmtpSession);
        TestRun {
            lang,
            email: profile.email.trim().to_string(),
            plan,
            step: None,
            host: String::new(),
            port: 0,
            security: Security::Tls,
            leg: Leg::Resolving,
            open: false,
            peer: None,
            talk: None,
            password: Some(password),
            pop3_username,
            smtp_username,
            message,
            access_token,
            oauth_mechanism,
            deadline: now + timeout,
            stage_timeout,
            stage: None,
            probe_deadline: None,
            stages: Vec::new(),
            transcript: Transcript::default(),
            relay_without_auth: false,
            actions: VecDeque::new(),
            events: VecDeque::new(),
            verdict: None,
            smtp_host,
            smtp_port,
            pop_server: profile.pop_before_smtp.clone(),
            smtp_server: profile.smtp.clone(),
            probe_only: false,
        }
    }

    /// Discovery's probe of a candidate SMTP server (issue #14): resolve,
    /// connect, TLS (implicit, or after STARTTLS), EHLO, QUIT. It never
    /// sends AUTH or a sender, and it fails where a test would: a server
    /// without STARTTLS, a certificate not valid for `server.host`.
    pub fn probe(server: Server, lang: Lang, timeout: Duration, stage_timeout: Duration, now: Instant) -> Self {
        let profile = Profile {
            name: String::new(),
            email: String::new(),
            auth: AuthKind::Password,
            smtp: server,
            pop_before_smtp: None,
            oauth_provider: String::new(),
        };
        let config = RunConfig {
            profile,
            password: Password::new(String::new()),
            lang,
            message: None,
            access_token: None,
            oauth_mechanism: None,
            timeout,
            stage_timeout,
        };
        // Not through `new`: a probe has no profile to validate.
        let mut run = TestRun::unstarted(config, now);
        run.probe_only = true;
        run.next_step(now);
        run
    }

    /// The address of the last connection opened (a probe's answer names it).
    pub fn peer(&self) -> Option<SocketAddr> {
        self.peer
    }

    /// The next thing the driver must do.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// The next event to report.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`TestRun::handle_timeout`] must be called, if nothing else happens first.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.verdict.is_some() {
            return None;
        }
        let (_, since) = self.stage?;
        let stage_end = self.probe_deadline.unwrap_or(since + self.stage_timeout);
        Some(stage_end.min(self.deadline))
    }

    /// Whether the run is over.
    pub fn is_done(&self) -> bool {
        self.verdict.is_some()
    }

    /// The verdict, once the run is over.
    pub fn verdict(&self) -> Option<&Verdict> {
        self.verdict.as_ref()
    }

    /// Takes the verdict out.
    pub fn take_verdict(&mut self) -> Option<Verdict> {
        self.verdict.take()
    }

    /// The time has come (see [`TestRun::poll_timeout`]).
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.poll_timeout().is_none_or(|t| now < t) {
            return;
        }
        let Some((stage, _)) = self.stage else { return };
        // A silent greeting in STARTTLS mode: perhaps the port speaks TLS
        // from the first byte. A second connection finds out.
        if matches!(self.leg, Leg::Talking)
            && stage == Stage::Greeting
            && self.security == Security::Starttls
            && self.step == Some(Step::SmtpSession)
            && self.probe_deadline.is_none()
            && now < self.deadline
            && let Some(addr) = self.peer
        {
            self.leg = Leg::ProbingImplicitTls;
            self.probe_deadline = Some((now + PROBE_BUDGET).min(self.deadline));
            self.actions.push_back(Action::ProbeImplicitTls { addr, server_name: self.host.clone() });
            return;
        }
        if let Leg::ProbingImplicitTls = self.leg {
            return self.fail(Failure::new(Stage::Greeting, FailureKind::Timeout), now);
        }
        if let Leg::Connecting { addrs, next, .. } = &self.leg {
            let addr = addrs.get(next.saturating_sub(1)).copied();
            self.transcript
                .push(Direction::Info, format!("{}: timed out", addr.map_or_else(String::new, |a| a.to_string())));
            let detail = addr.map_or_else(|| "no answer".to_string(), |a| format!("{a}: no answer"));
            return self.fail(Failure::new(Stage::Connect, FailureKind::Timeout).detail(detail), now);
        }
        self.fail(Failure::new(stage, FailureKind::Timeout), now);
    }

    /// The answer to [`Action::Resolve`].
    pub fn handle_resolved(&mut self, now: Instant, result: Result<Vec<SocketAddr>, ResolveError>) {
        if !matches!(self.leg, Leg::Resolving) || self.is_done() {
            return;
        }
        let failure = |kind, detail: &str| Failure::new(Stage::Resolve, kind).detail(detail);
        match result {
            Ok(addrs) if addrs.is_empty() => self.fail(failure(FailureKind::DnsNotFound, "no A or AAAA records"), now),
            Ok(addrs) => {
                self.enter(Stage::Connect, now);
                self.leg = Leg::Connecting { addrs, next: 0, refused: 0, unreachable: 0, last: String::new() };
                self.connect_next(now);
            }
            Err(ResolveError::NotFound) => self.fail(failure(FailureKind::DnsNotFound, "the name does not exist"), now),
            Err(ResolveError::NoAddress) => self.fail(failure(FailureKind::DnsNotFound, "no A or AAAA records"), now),
            Err(ResolveError::NoNameServer) => {
                self.fail(failure(FailureKind::DnsUnavailable, "no name server answered"), now)
            }
            Err(ResolveError::Failed(d)) => self.fail(failure(FailureKind::DnsUnavailable, &d), now),
        }
    }

    /// The answer to [`Action::Connect`].
    pub fn handle_connected(&mut self, now: Instant, result: Result<(), ConnectError>) {
        let Leg::Connecting { addrs, next, refused, unreachable, last } = &mut self.leg else { return };
        let addr = addrs[*next - 1];
        match result {
            Ok(()) => {
                self.transcript.push(Direction::Info, format!("connected to {addr}"));
                self.peer = Some(addr);
                self.open = true;
                if self.security == Security::Tls {
                    self.enter(Stage::Tls, now);
                    self.leg = Leg::Handshaking;
                    self.actions.push_back(Action::StartTls { server_name: self.host.clone() });
                } else {
                    self.start_talking(now);
                }
            }
            Err(e) => {
                let text = match &e {
                    ConnectError::Refused => {
                        *refused += 1;
                        "connection refused".to_string()
                    }
                    ConnectError::Unreachable => {
                        *unreachable += 1;
                        "network unreachable".to_string()
                    }
                    ConnectError::Other(d) => d.clone(),
                };
                self.transcript.push(Direction::Info, format!("{addr}: {text}"));
                *last = text;
                self.connect_next(now);
            }
        }
    }

    /// The answer to [`Action::StartTls`].
    pub fn handle_tls(&mut self, now: Instant, result: Result<(), TlsFailure>) {
        match (&self.leg, result) {
            (Leg::Handshaking, Ok(())) => self.start_talking(now),
            (Leg::Upgrading, Ok(())) => {
                self.leg = Leg::Talking;
                if let Some(t) = &mut self.talk {
                    t.dialogue().handle_tls_established();
                }
                self.after_dialogue_step(now);
            }
            // Plaintext where the handshake after STARTTLS should be: the
            // server (or someone on the path) goes on in the clear.
            (Leg::Upgrading, Err(f)) if f.kind == FailureKind::TlsOnPlaintextPort => {
                self.fail(Failure::new(Stage::Starttls, FailureKind::StarttlsInjection).detail(f.detail), now)
            }
            (Leg::Handshaking | Leg::Upgrading, Err(f)) => {
                self.fail(Failure::new(Stage::Tls, f.kind).detail(f.detail), now)
            }
            _ => {}
        }
    }

    /// Bytes from the server.
    pub fn handle_input(&mut self, now: Instant, data: &[u8]) {
        if !matches!(self.leg, Leg::Talking | Leg::Upgrading) {
            return;
        }
        if let Some(t) = &mut self.talk {
            t.dialogue().handle_input(data);
        }
        self.after_dialogue_step(now);
    }

    /// The server closed the connection.
    pub fn handle_eof(&mut self, now: Instant) {
        if let Some(t) = &mut self.talk {
            t.dialogue().handle_eof();
        }
        self.after_dialogue_step(now);
    }

    /// Reading or writing the connection failed.
    pub fn handle_io_error(&mut self, now: Instant, detail: String) {
        if self.is_done() {
            return;
        }
        let stage = self.current_stage();
        self.fail(Failure::new(stage, FailureKind::ConnectionClosed).detail(detail), now);
    }

    /// The answer to [`Action::ProbeImplicitTls`]: how the handshake on the
    /// second connection went (`None`: no connection). A certificate
    /// complaint still proves the port speaks TLS from the first byte.
    pub fn handle_probe(&mut self, now: Instant, handshake: Option<Result<(), TlsFailure>>) {
        if !matches!(self.leg, Leg::ProbingImplicitTls) {
            return;
        }
        use FailureKind as K;
        let speaks_tls = match handshake {
            Some(Ok(())) => true,
            Some(Err(f)) => {
                matches!(f.kind, K::CertExpired | K::CertNameMismatch | K::CertSelfSigned | K::CertUntrusted)
            }
            None => false,
        };
        let f = if speaks_tls {
            Failure::new(Stage::Greeting, FailureKind::PlaintextOnTlsPort)
                .detail("no greeting; the port answers a TLS handshake")
        } else {
            Failure::new(Stage::Greeting, FailureKind::Timeout)
        };
        self.fail(f, now);
    }

    fn close(&mut self) {
        if std::mem::take(&mut self.open) {
            self.actions.push_back(Action::Close);
        }
    }

    fn current_stage(&self) -> Stage {
        self.stage.map_or(Stage::Resolve, |(s, _)| s)
    }

    /// Starts the next step of the plan, or ends the run.
    fn next_step(&mut self, now: Instant) {
        let Some(step) = self.plan.pop_front() else {
            return self.finish_ok(now);
        };
        let server = match step {
            Step::Pop3Login => match &self.pop_server {
                Some(p) => p.clone(),
                None => return self.next_step(now),
            },
            Step::SmtpSession => self.smtp_server.clone(),
        };
        self.step = Some(step);
        self.host = ascii_host(&server.host);
        self.port = port(&server);
        self.security = server.security;
        self.peer = None;
        self.probe_deadline = None;
        if step == Step::Pop3Login {
            self.transcript.push(Direction::Info, format!("POP-before-SMTP: {}:{}", self.host, self.port));
            self.enter(Stage::Pop3, now);
        }
        self.enter(Stage::Resolve, now);
        self.leg = Leg::Resolving;
        self.actions.push_back(Action::Resolve { host: self.host.clone(), port: self.port });
    }

    fn connect_next(&mut self, now: Instant) {
        let Leg::Connecting { addrs, next, refused, unreachable, last } = &mut self.leg else { return };
        if let Some(addr) = addrs.get(*next) {
            *next += 1;
            self.actions.push_back(Action::Connect(*addr));
            return;
        }
        let kind = if *refused > 0 {
            FailureKind::ConnectionRefused
        } else if *unreachable > 0 {
            FailureKind::Unreachable
        } else {
            FailureKind::ConnectionClosed
        };
        let detail = std::mem::take(last);
        self.fail(Failure::new(Stage::Connect, kind).detail(detail), now);
    }

    fn start_talking(&mut self, now: Instant) {
        self.leg = Leg::Talking;
        self.enter(Stage::Greeting, now);
        let Some(password) = self.password.take() else { return };
        self.talk = Some(match self.step {
            Some(Step::Pop3Login) => Talk::Pop3(Pop3Dialogue::new(Pop3Config {
                security: self.security,
                username: self.pop3_username.clone(),
                password,
                // A copy: the SMTP step signs in with the same token.
                oauth: self.access_token.as_ref().map(|t| crate::secret::AccessToken::new(t.expose().to_string())),
            })),
            _ => {
                let ehlo_name = match self.peer {
                    Some(SocketAddr::V4(a)) => format!("[{}]", a.ip()),
                    Some(SocketAddr::V6(a)) => format!("[IPv6:{}]", a.ip()),
                    None => "[127.0.0.1]".into(),
                };
                Talk::Smtp(SmtpDialogue::new(SmtpConfig {
                    security: self.security,
                    ehlo_name,
                    username: Some(self.smtp_username.clone()).filter(|_| !self.probe_only),
                    password,
                    // MAIL FROM / RCPT TO with the profile's own address,
                    // then RSET: nothing is sent, but a server that will not
                    // let this account send as this address says so now.
                    sender: Some(self.email.clone()).filter(|_| !self.probe_only),
                    auth_optional: self.pop_server.is_some() || self.probe_only,
                    message: self.message.take(),
                    oauth: self.access_token.take().map(|token| OauthLogin {
                        token,
                        mechanism: self.oauth_mechanism,
                        host: self.host.clone(),
                        port: self.port,
                    }),
                }))
            }
        });
    }

    /// After the dialogue took input or an event: move its actions out,
    /// follow its stage, and end the step when it is done.
    fn after_dialogue_step(&mut self, now: Instant) {
        let Some(talk) = &mut self.talk else { return };
        let d = talk.dialogue();
        let mut upgrade = false;
        while let Some(a) = d.poll_action() {
            match a {
                DialogueAction::Send(bytes) => self.actions.push_back(Action::Send(bytes)),
                DialogueAction::StartTls => upgrade = true,
                DialogueAction::Close => {}
            }
        }
        let done = d.is_done();
        let stage = d.stage();
        if upgrade && !done {
            self.leg = Leg::Upgrading;
            if self.step == Some(Step::SmtpSession) {
                self.enter(Stage::Tls, now);
            }
            self.actions.push_back(Action::StartTls { server_name: self.host.clone() });
            return;
        }
        // The POP3 login is one stage (its own resolve, connect and TLS
        // steps included); the SMTP session's stages follow its dialogue.
        if self.step == Some(Step::SmtpSession) && !done {
            self.enter(stage, now);
        }
        if !done {
            return;
        }
        self.close();
        let talk = self.talk.take();
        match talk {
            Some(Talk::Pop3(d)) => {
                let (transcript, failure, password) = d.into_parts();
                self.transcript.extend(transcript);
                self.password = Some(password);
                match failure {
                    Some(mut f) => {
                        f.stage = Stage::Pop3;
                        self.fail(f, now);
                    }
                    None => self.next_step(now),
                }
            }
            Some(Talk::Smtp(mut d)) => {
                self.relay_without_auth = d.learned().relay_without_auth;
                self.transcript.extend(d.take_transcript());
                match d.failure().cloned() {
                    Some(f) => self.fail(f, now),
                    None => self.next_step(now),
                }
            }
            None => {}
        }
    }

    /// Ends the running stage (ok) and starts `stage`; a POP3 step stays in
    /// its one stage.
    fn enter(&mut self, stage: Stage, now: Instant) {
        if let Some((current, _)) = self.stage {
            if current == stage || (current == Stage::Pop3 && self.step == Some(Step::Pop3Login)) {
                return;
            }
            self.end_stage(true, now);
        }
        self.stage = Some((stage, now));
        self.events.push_back(Event::StageStarted(stage));
    }

    fn end_stage(&mut self, ok: bool, now: Instant) {
        if let Some((stage, since)) = self.stage.take() {
            let ms = u64::try_from(now.saturating_duration_since(since).as_millis()).unwrap_or(u64::MAX);
            let t = StageTiming { stage, ok, ms };
            self.events.push_back(Event::StageEnded(t.clone()));
            self.stages.push(t);
        }
    }

    fn fail(&mut self, f: Failure, now: Instant) {
        if self.is_done() {
            return;
        }
        self.close();
        // A failure inside the POP3 step is reported at its one stage.
        let mut f = f;
        if self.step == Some(Step::Pop3Login) {
            f.stage = Stage::Pop3;
        }
        if let Some(mut talk) = self.talk.take() {
            self.transcript.extend(talk.dialogue().take_transcript());
        }
        // The failure's stage is the one that ends, not ok.
        self.enter(f.stage, now);
        self.end_stage(false, now);
        self.conclude(Some(f));
    }

    fn finish_ok(&mut self, now: Instant) {
        self.end_stage(true, now);
        self.conclude(None);
    }

    fn conclude(&mut self, failure: Option<Failure>) {
        self.password = None;
        // Provider-aware advice for login failures (GMX/WEB.DE: switch on
        // POP3/IMAP access; Gmail: app password; T-Online: the separate
        // e-mail password).
        let provider = crate::presets::provider_for_smtp_host(&self.smtp_host, self.lang)
            .or_else(|| crate::presets::lookup(&self.email, self.lang));
        let hint = provider.map(|p| p.login_hint(self.lang)).unwrap_or_default();
        let obs = Observations {
            stages: std::mem::take(&mut self.stages),
            failure,
            transcript: std::mem::take(&mut self.transcript),
            host: self.smtp_host.clone(),
            port: self.smtp_port,
            relay_without_auth: self.relay_without_auth,
        };
        self.verdict = Some(diagnose(obs, &self.email, &hint, self.lang));
    }
}

/// The verdict of a sign-in that failed before the run could start (no
/// client ID, no stored sign-in, a refused refresh): the `auth` stage
/// failed with `kind`, nothing was sent to the mail server.
pub fn signin_failed(profile: Profile, kind: FailureKind, detail: String, lang: Lang, now: Instant) -> Verdict {
    let config = RunConfig {
        profile,
        password: Password::new(String::new()),
        lang,
        message: None,
        access_token: None,
        oauth_mechanism: None,
        timeout: Duration::from_secs(1),
        stage_timeout: Duration::from_secs(1),
    };
    let mut run = TestRun::unstarted(config, now);
    run.enter(Stage::Auth, now);
    run.fail(Failure::new(Stage::Auth, kind).detail(detail), now);
    run.take_verdict().unwrap_or_else(|| Verdict::invalid_profile(Vec::new(), lang))
}

/// The gate before any traffic, for the CLI and the service alike: a
/// profile with errors is not tested (verdict `invalid_profile`, with its
/// errors). A caller can ask before it asks for a password.
pub fn precheck(profile: &Profile, lang: Lang) -> Option<Verdict> {
    let findings = validate_profile(profile, lang);
    has_error(&findings).then(|| Verdict::invalid_profile(findings, lang))
}

/// The login name to use: the one typed, else the provider's default for
/// the address (see [`crate::presets::default_username`]).
fn login_name(server: &Server, email: &str) -> String {
    let u = server.username.trim();
    if u.is_empty() { crate::presets::default_username(email) } else { u.to_string() }
}

/// The host as the probe uses it: its A-label form when it is usable.
fn ascii_host(typed: &str) -> String {
    check_host(typed, "smtp.host", HostRole::Smtp).ascii.unwrap_or_else(|| typed.trim().to_string())
}

fn port(s: &Server) -> u16 {
    u16::try_from(s.port).unwrap_or(0)
}

impl Verdict {
    /// The verdict for a profile with errors: not tested, nothing sent.
    pub fn invalid_profile(findings: Vec<crate::Finding>, lang: Lang) -> Verdict {
        let (message, hint) = Category::InvalidProfile.templates(lang);
        Verdict {
            ok: false,
            category: Category::InvalidProfile,
            stage: None,
            message: message.to_string(),
            hint: hint.to_string(),
            stages: Vec::new(),
            server_reply: None,
            detail: None,
            transcript: Transcript::default(),
            findings: findings.into_iter().filter(|f| f.severity == crate::Severity::Error).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::FailureKind as K;

    /// What the driver hands the run in a scripted transcript.
    enum In {
        Resolved(Result<&'static [&'static str], ResolveError>),
        Connected(Result<(), ConnectError>),
        Tls(Result<(), K>),
        Server(&'static str),
        Eof,
        /// Seconds since the start: the driver's timer fired.
        Timeout(u64),
        Probe(bool),
    }

    fn profile(security: &str, port: u32, pop: Option<(&str, u32)>) -> Profile {
        let server = |host: &str, port: u32, security: &str| serde_json::json!({"host": host, "port": port, "security": security, "username": ""});
        serde_json::from_value(serde_json::json!({
            "name": "Praxis", "email": "info@praxis-mueller.de", "auth": "password",
            "smtp": server("smtp.praxis-mueller.de", port, security),
            "pop_before_smtp": pop.map(|(sec, port)| server("pop.praxis-mueller.de", port, sec)),
        }))
        .unwrap()
    }

    fn start(p: Profile) -> (TestRun, Instant) {
        let t0 = Instant::now();
        let config = RunConfig {
            profile: p,
            password: Password::new("geheim".into()),
            lang: Lang::En,
            message: None,
            access_token: None,
            oauth_mechanism: None,
            timeout: Duration::from_secs(30),
            stage_timeout: Duration::from_secs(10),
        };
        (TestRun::new(config, t0), t0)
    }

    fn actions(run: &mut TestRun) -> Vec<String> {
        std::iter::from_fn(|| run.poll_action())
            .map(|a| match a {
                Action::Resolve { host, port } => format!("resolve {host}:{port}"),
                Action::Connect(a) => format!("connect {a}"),
                Action::StartTls { server_name } => format!("tls {server_name}"),
                Action::Send(b) => format!(">{}", String::from_utf8_lossy(&b).trim_end()),
                Action::Close => "close".into(),
                Action::ProbeImplicitTls { addr, .. } => format!("probe {addr}"),
            })
            .collect()
    }

    /// Plays `script` (each input with the actions it must cause) and
    /// returns the verdict's (category, stage) and the stages' names.
    fn play(p: Profile, first: &[&str], script: &[(In, &[&str])]) -> (TestRun, Instant) {
        let (run, t0) = start(p);
        play_run(run, t0, first, script)
    }

    fn play_run(mut run: TestRun, t0: Instant, first: &[&str], script: &[(In, &[&str])]) -> (TestRun, Instant) {
        assert_eq!(actions(&mut run), first, "at the start");
        let mut now = t0;
        for (n, (input, want)) in script.iter().enumerate() {
            now += Duration::from_millis(1);
            match input {
                In::Resolved(r) => {
                    run.handle_resolved(now, r.clone().map(|a| a.iter().map(|s| s.parse().unwrap()).collect()))
                }
                In::Connected(r) => run.handle_connected(now, r.clone()),
                In::Tls(r) => run.handle_tls(now, r.clone().map_err(|kind| TlsFailure { kind, detail: "d".into() })),
                In::Server(s) => run.handle_input(now, s.as_bytes()),
                In::Eof => run.handle_eof(now),
                In::Timeout(secs) => {
                    now = t0 + Duration::from_secs(*secs);
                    run.handle_timeout(now)
                }
                In::Probe(yes) => run.handle_probe(
                    now,
                    Some(if *yes {
                        Err(TlsFailure { kind: K::CertUntrusted, detail: "d".into() })
                    } else {
                        Err(TlsFailure { kind: K::TlsOnPlaintextPort, detail: "d".into() })
                    }),
                ),
            }
            assert_eq!(actions(&mut run), *want, "after step {n}");
        }
        (run, t0)
    }

    fn probe(security: Security, port: u32) -> (TestRun, Instant) {
        let t0 = Instant::now();
        let server = Server { host: "mail.praxis.test".into(), port, security, username: String::new() };
        (TestRun::probe(server, Lang::En, Duration::from_secs(30), Duration::from_secs(10), t0), t0)
    }

    /// An `oauth2` profile with an access token signs in with XOAUTH2, and
    /// a refused token is its own verdict; without a token, no test.
    #[test]
    fn an_oauth2_profile_signs_in_with_its_token() {
        let oauth_run = |token: Option<&str>| {
            let mut p = profile("tls", 465, None);
            p.auth = AuthKind::Oauth2;
            let t0 = Instant::now();
            let config = RunConfig {
                profile: p,
                password: Password::new(String::new()),
                lang: Lang::En,
                message: None,
                access_token: token.map(|t| crate::secret::AccessToken::new(t.into())),
                oauth_mechanism: None,
                timeout: Duration::from_secs(30),
                stage_timeout: Duration::from_secs(10),
            };
            (TestRun::new(config, t0), t0)
        };
        use base64::Engine as _;
        let blob = base64::engine::general_purpose::STANDARD.encode("user=info@praxis-mueller.de\x01auth=Bearer tok\x01\x01");
        let auth = format!(">AUTH XOAUTH2 {blob}");
        let (run, t0) = oauth_run(Some("tok"));
        let script: &[(In, &[&str])] = &[
            (In::Resolved(Ok(&["127.0.0.9:465"])), &["connect 127.0.0.9:465"]),
            (In::Connected(Ok(())), &["tls smtp.praxis-mueller.de"]),
            (In::Tls(Ok(())), &[]),
            (In::Server("220 hi\r\n"), &[">EHLO [127.0.0.9]"]),
            (In::Server("250-hi\r\n250 AUTH PLAIN XOAUTH2\r\n"), &[&auth]),
            (In::Server("334 eyJzdGF0dXMiOiI0MDEifQ==\r\n"), &[">"]),
            (In::Server("535 5.7.3 Authentication unsuccessful\r\n"), &["close"]),
        ];
        let (run, _) = play_run(run, t0, &["resolve smtp.praxis-mueller.de:465"], script);
        assert_eq!(outcome(&run), ("oauth_token_rejected", Some("auth")));

        let (run, _) = oauth_run(None);
        assert_eq!(outcome(&run), ("unsupported", Some("auth")));
    }

    /// Discovery's probe: TLS and EHLO, then QUIT; no AUTH, no sender.
    #[test]
    fn a_probe_says_ehlo_and_never_logs_in() {
        let (run, t0) = probe(Security::Starttls, 587);
        let (run, _) = play_run(run, t0, &["resolve mail.praxis.test:587"], &[
            (In::Resolved(Ok(&["127.0.0.9:587"])), &["connect 127.0.0.9:587"]),
            (In::Connected(Ok(())), &[]),
            (In::Server("220 hi\r\n"), &[">EHLO [127.0.0.9]"]),
            (In::Server("250-hi\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n"), &[">STARTTLS"]),
            (In::Server("220 go\r\n"), &["tls mail.praxis.test"]),
            (In::Tls(Ok(())), &[">EHLO [127.0.0.9]"]),
            (In::Server("250-hi\r\n250 AUTH PLAIN LOGIN\r\n"), &[">QUIT"]),
            (In::Server("221 bye\r\n"), &["close"]),
        ]);
        assert_eq!(outcome(&run).0, "ok");

        // A server without STARTTLS is no candidate: plaintext is never proposed.
        let (run, t0) = probe(Security::Starttls, 587);
        let (run, _) = play_run(run, t0, &["resolve mail.praxis.test:587"], &[
            (In::Resolved(Ok(&["127.0.0.9:587"])), &["connect 127.0.0.9:587"]),
            (In::Connected(Ok(())), &[]),
            (In::Server("220 hi\r\n"), &[">EHLO [127.0.0.9]"]),
            (In::Server("250-hi\r\n250 AUTH PLAIN\r\n"), &["close"]),
        ]);
        assert_eq!(outcome(&run).0, "starttls_not_offered");

        // Implicit TLS with a certificate for another name.
        let (run, t0) = probe(Security::Tls, 465);
        let (run, _) = play_run(run, t0, &["resolve mail.praxis.test:465"], &[
            (In::Resolved(Ok(&["127.0.0.9:465"])), &["connect 127.0.0.9:465"]),
            (In::Connected(Ok(())), &["tls mail.praxis.test"]),
            (In::Tls(Err(K::CertNameMismatch)), &["close"]),
        ]);
        assert_eq!(outcome(&run).0, "cert_name_mismatch");
    }

    fn outcome(run: &TestRun) -> (&'static str, Option<&'static str>) {
        let v = run.verdict().expect("the run is over");
        (v.category.as_str(), v.stage.map(Stage::as_str))
    }

    fn stages(run: &TestRun) -> Vec<String> {
        run.verdict()
            .unwrap()
            .stages
            .iter()
            .map(|s| format!("{}{}", s.stage.as_str(), if s.ok { "" } else { "!" }))
            .collect()
    }

    const RESOLVE: &[&str] = &["resolve smtp.praxis-mueller.de:465"];
    const A: &[&str] = &["192.0.2.1:465"];
    const PLAIN: &str = ">AUTH PLAIN AGluZm9AcHJheGlzLW11ZWxsZXIuZGUAZ2VoZWlt";

    #[test]
    fn implicit_tls_login_and_sender_check() {
        let (run, _) = play(
            profile("tls", 465, None),
            RESOLVE,
            &[
                (In::Resolved(Ok(A)), &["connect 192.0.2.1:465"]),
                (In::Connected(Ok(())), &["tls smtp.praxis-mueller.de"]),
                (In::Tls(Ok(())), &[]),
                (In::Server("220 mx\r\n"), &[">EHLO [192.0.2.1]"]),
                (In::Server("250-mx\r\n250 AUTH PLAIN\r\n"), &[PLAIN]),
                (In::Server("235 ok\r\n"), &[">MAIL FROM:<info@praxis-mueller.de>"]),
                (In::Server("250 ok\r\n"), &[">RCPT TO:<info@praxis-mueller.de>"]),
                (In::Server("250 ok\r\n"), &[">RSET"]),
                (In::Server("250 ok\r\n"), &[">QUIT"]),
                (In::Server("221 bye\r\n"), &["close"]),
            ],
        );
        assert_eq!(outcome(&run), ("ok", None));
        assert_eq!(stages(&run), ["resolve", "connect", "tls", "greeting", "ehlo", "auth", "sender", "quit"]);
        // Timed by the clock the driver gives: one millisecond a step here.
        let ms: Vec<u64> = run.verdict().unwrap().stages.iter().map(|s| s.ms).collect();
        assert_eq!(ms, [1, 1, 1, 1, 1, 1, 3, 1]);
    }

    #[test]
    fn starttls_upgrade_and_plaintext_after_220_is_injection() {
        let p = profile("starttls", 587, None);
        let first = &["resolve smtp.praxis-mueller.de:587"];
        let a587: &[&str] = &["192.0.2.1:587"];
        let head = |last: (In, &'static [&'static str])| {
            vec![
                (In::Resolved(Ok(a587)), &["connect 192.0.2.1:587"][..]),
                (In::Connected(Ok(())), &[]),
                (In::Server("220 mx\r\n"), &[">EHLO [192.0.2.1]"]),
                (In::Server("250-mx\r\n250 STARTTLS\r\n"), &[">STARTTLS"]),
                (In::Server("220 go\r\n"), &["tls smtp.praxis-mueller.de"]),
                last,
            ]
        };
        let (run, _) = play(p.clone(), first, &head((In::Tls(Err(K::TlsOnPlaintextPort)), &["close"])));
        assert_eq!(outcome(&run), ("starttls_injection", Some("starttls")));
        let (run, _) = play(p.clone(), first, &head((In::Tls(Err(K::CertExpired)), &["close"])));
        assert_eq!(outcome(&run), ("cert_expired", Some("tls")));
        let (run, _) = play(p, first, &head((In::Tls(Ok(())), &[">EHLO [192.0.2.1]"])));
        assert!(!run.is_done());
    }

    #[test]
    fn resolver_outcomes_are_typed() {
        let cases: &[(ResolveError, &str)] = &[
            (ResolveError::NotFound, "dns_not_found"),
            (ResolveError::NoAddress, "dns_not_found"),
            (ResolveError::NoNameServer, "dns_unavailable"),
            (ResolveError::Failed("SERVFAIL".into()), "dns_unavailable"),
        ];
        for (e, want) in cases {
            let (run, _) = play(profile("tls", 465, None), RESOLVE, &[(In::Resolved(Err(e.clone())), &[])]);
            assert_eq!(outcome(&run), (*want, Some("resolve")), "{e:?}");
        }
        let (run, _) = play(profile("tls", 465, None), RESOLVE, &[(In::Resolved(Ok(&[])), &[])]);
        assert_eq!(outcome(&run), ("dns_not_found", Some("resolve")));
    }

    #[test]
    fn every_address_is_tried_in_turn() {
        let two: &[&str] = &["[2001:db8::1]:465", "192.0.2.1:465"];
        let (run, _) = play(
            profile("tls", 465, None),
            RESOLVE,
            &[
                (In::Resolved(Ok(two)), &["connect [2001:db8::1]:465"]),
                (In::Connected(Err(ConnectError::Unreachable)), &["connect 192.0.2.1:465"]),
                (In::Connected(Err(ConnectError::Refused)), &[]),
            ],
        );
        assert_eq!(outcome(&run), ("connection_refused", Some("connect")));
        let t = &run.verdict().unwrap().transcript;
        assert_eq!(t.lines()[0].text, "[2001:db8::1]:465: network unreachable");
        let (run, _) = play(
            profile("tls", 465, None),
            RESOLVE,
            &[(In::Resolved(Ok(A)), &["connect 192.0.2.1:465"]), (In::Connected(Err(ConnectError::Unreachable)), &[])],
        );
        assert_eq!(outcome(&run), ("unreachable", Some("connect")));
        let (run, _) = play(
            profile("tls", 465, None),
            RESOLVE,
            &[(In::Resolved(Ok(A)), &["connect 192.0.2.1:465"]), (In::Timeout(11), &[])],
        );
        assert_eq!(outcome(&run), ("timeout", Some("connect")));
        assert_eq!(run.verdict().unwrap().detail.as_deref(), Some("192.0.2.1:465: no answer"));
    }

    #[test]
    fn a_silent_starttls_greeting_asks_whether_the_port_speaks_tls() {
        let p = profile("starttls", 465, None);
        let script = |answer: In| {
            vec![
                (In::Resolved(Ok(A)), &["connect 192.0.2.1:465"][..]),
                (In::Connected(Ok(())), &[]),
                (In::Timeout(11), &["probe 192.0.2.1:465"]),
                (answer, &["close"]),
            ]
        };
        let (run, _) = play(p.clone(), RESOLVE, &script(In::Probe(true)));
        assert_eq!(outcome(&run), ("plaintext_on_tls_port", Some("greeting")));
        let (run, _) = play(p.clone(), RESOLVE, &script(In::Probe(false)));
        assert_eq!(outcome(&run), ("timeout", Some("greeting")));
        // The probe has its own bounded time.
        let (mut run, t0) = play(p, RESOLVE, &script(In::Server("")).into_iter().take(3).collect::<Vec<_>>());
        assert_eq!(run.poll_timeout(), Some(t0 + Duration::from_secs(16)));
        run.handle_timeout(t0 + Duration::from_secs(16));
        assert_eq!(outcome(&run), ("timeout", Some("greeting")));
    }

    #[test]
    fn the_whole_run_has_a_deadline() {
        let (mut run, t0) = play(
            profile("tls", 465, None),
            RESOLVE,
            &[
                (In::Resolved(Ok(A)), &["connect 192.0.2.1:465"]),
                (In::Connected(Ok(())), &["tls smtp.praxis-mueller.de"]),
            ],
        );
        assert_eq!(run.poll_timeout(), Some(t0 + Duration::from_millis(2) + Duration::from_secs(10)));
        run.handle_timeout(t0 + Duration::from_secs(5));
        assert!(!run.is_done(), "a timer that fires early changes nothing");
        run.handle_timeout(t0 + Duration::from_secs(12));
        assert_eq!(outcome(&run), ("timeout", Some("tls")));
    }

    #[test]
    fn pop_before_smtp_first_and_its_failures_at_the_pop3_stage() {
        let p = profile("tls", 465, Some(("tls", 995)));
        let first = &["resolve pop.praxis-mueller.de:995"];
        let a995: &[&str] = &["192.0.2.2:995"];
        let (run, _) = play(
            p.clone(),
            first,
            &[
                (In::Resolved(Ok(a995)), &["connect 192.0.2.2:995"]),
                (In::Connected(Ok(())), &["tls pop.praxis-mueller.de"]),
                (In::Tls(Ok(())), &[]),
                (In::Server("+OK ready\r\n"), &[">CAPA"]),
                (In::Server("+OK\r\nUSER\r\n.\r\n"), &[">USER info@praxis-mueller.de"]),
                (In::Server("+OK\r\n"), &[">PASS geheim"]),
                (In::Server("+OK logged in\r\n"), &[">QUIT"]),
                (In::Server("+OK bye\r\n"), &["close", "resolve smtp.praxis-mueller.de:465"]),
                (In::Resolved(Ok(A)), &["connect 192.0.2.1:465"]),
                (In::Connected(Ok(())), &["tls smtp.praxis-mueller.de"]),
                (In::Tls(Ok(())), &[]),
                (In::Server("220 mx\r\n"), &[">EHLO [192.0.2.1]"]),
                // After POP-before-SMTP a server without AUTH may relay.
                (In::Server("250 mx\r\n"), &[">MAIL FROM:<info@praxis-mueller.de>"]),
                (In::Server("250 ok\r\n"), &[">RCPT TO:<info@praxis-mueller.de>"]),
                (In::Server("250 ok\r\n"), &[">RSET"]),
                (In::Server("250 ok\r\n"), &[">QUIT"]),
                (In::Eof, &["close"]),
            ],
        );
        assert_eq!(outcome(&run), ("ok", None));
        assert_eq!(stages(&run)[..3], ["pop3", "resolve", "connect"]);
        assert!(run.verdict().unwrap().hint.contains("POP-before-SMTP"));
        // Its own failures keep their precise kind, at the pop3 stage.
        let (run, _) = play(
            p.clone(),
            first,
            &[(In::Resolved(Ok(a995)), &["connect 192.0.2.2:995"]), (In::Connected(Err(ConnectError::Refused)), &[])],
        );
        assert_eq!(outcome(&run), ("connection_refused", Some("pop3")));
        assert_eq!(stages(&run), ["pop3!"]);
        let (run, _) = play(
            p,
            first,
            &[
                (In::Resolved(Ok(a995)), &["connect 192.0.2.2:995"]),
                (In::Connected(Ok(())), &["tls pop.praxis-mueller.de"]),
                (In::Tls(Ok(())), &[]),
                (In::Server("+OK ready\r\n"), &[">CAPA"]),
                (In::Server("+OK\r\nSASL PLAIN\r\n.\r\n"), &[">AUTH PLAIN AGluZm9AcHJheGlzLW11ZWxsZXIuZGUAZ2VoZWlt"]),
                (In::Server("-ERR [AUTH] pass=geheim wrong\r\n"), &["close"]),
            ],
        );
        assert_eq!(outcome(&run), ("pop3_auth_failed", Some("pop3")));
        let all = serde_json::to_string(run.verdict().unwrap()).unwrap();
        assert!(!all.contains("geheim") && !all.contains("AGluZm9"), "{all}");
    }

    #[test]
    fn refused_before_any_traffic() {
        let mut p = profile("tls", 465, None);
        p.smtp.host = "smtp://x.de".into();
        let (mut run, _) = start(p);
        assert_eq!(actions(&mut run), Vec::<String>::new());
        let v = run.verdict().unwrap();
        assert_eq!(v.category, Category::InvalidProfile);
        assert_eq!(v.findings[0].code.as_str(), "host_is_url");
        assert!(precheck(&profile("tls", 465, None), Lang::De).is_none());
        let mut p = profile("tls", 465, None);
        p.auth = AuthKind::Oauth2;
        let (mut run, _) = start(p);
        assert_eq!(actions(&mut run), Vec::<String>::new());
        assert_eq!(outcome(&run), ("unsupported", Some("auth")));
    }

    #[test]
    fn a_local_trust_problem_is_not_the_servers() {
        let (run, _) = play(
            profile("tls", 465, None),
            RESOLVE,
            &[
                (In::Resolved(Ok(A)), &["connect 192.0.2.1:465"]),
                (In::Connected(Ok(())), &["tls smtp.praxis-mueller.de"]),
                (In::Tls(Err(K::TrustSetupFailed)), &["close"]),
            ],
        );
        assert_eq!(outcome(&run), ("trust_setup_failed", Some("tls")));
        assert!(run.verdict().unwrap().hint.contains("not the server's fault"));
    }

    #[test]
    fn events_follow_the_stages() {
        let (mut run, _) =
            play(profile("tls", 465, None), RESOLVE, &[(In::Resolved(Err(ResolveError::NotFound)), &[])]);
        let events: Vec<Event> = std::iter::from_fn(|| run.poll_event()).collect();
        assert_eq!(
            events,
            [
                Event::StageStarted(Stage::Resolve),
                Event::StageEnded(StageTiming { stage: Stage::Resolve, ok: false, ms: 1 })
            ]
        );
    }
}
