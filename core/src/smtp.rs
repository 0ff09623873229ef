//! The SMTP submission dialogue of a test, as a pure state machine.
//!
//! The driver (the native probe) owns the socket: it feeds server bytes in
//! with [`SmtpDialogue::handle_input`], performs what [`SmtpDialogue::poll_action`]
//! asks (send bytes, upgrade to TLS, close), and reports a finished TLS
//! handshake with [`SmtpDialogue::handle_tls_established`]. The dialogue
//! decides everything else, which is what makes the safety rules testable
//! without a network:
//!
//! - credentials are only ever sent after TLS is up;
//! - only the EHLO answer after TLS counts; nothing learned before is trusted;
//! - bytes that arrive after `220` to STARTTLS and before the handshake are an
//!   injection attempt, and end the test;
//! - exactly one AUTH attempt (repeated failures can lock an account);
//! - every reply is bounded in size and count.

use std::collections::VecDeque;

use crate::observe::{Direction, Failure, FailureKind, Stage, Transcript};
use crate::profile::Security;
use crate::reply::{Reply, ReplyParser};
use crate::secret::{Password, Redactor, base64_line, plain_message};
use zeroize::Zeroizing;

/// What the dialogue needs to know.
#[derive(Debug)]
pub struct SmtpConfig {
    /// The encryption. With [`Security::Tls`] the driver has already wrapped
    /// the connection in TLS before the greeting.
    pub security: Security,
    /// The name to send with EHLO (an address literal like `[192.0.2.1]` is fine).
    pub ehlo_name: String,
    /// Login name; `None` skips AUTH (after POP-before-SMTP, say).
    pub username: Option<String>,
    /// The password.
    pub password: Password,
    /// Address for the sender check (MAIL FROM and RCPT TO); `None` skips it.
    pub sender: Option<String>,
    /// After POP-before-SMTP: a server that offers no AUTH is not a failure;
    /// the sender check then shows whether it relays for us.
    pub auth_optional: bool,
    /// A complete message (CRLF line endings) to send after the sender
    /// check instead of RSET; `None` sends nothing (the normal test).
    pub message: Option<Vec<u8>>,
    /// Sign in with an OAuth 2.0 access token (XOAUTH2 or OAUTHBEARER)
    /// instead of the password.
    pub oauth: Option<OauthLogin>,
}

/// An OAuth 2.0 sign-in.
#[derive(Debug)]
pub struct OauthLogin {
    /// The access token.
    pub token: crate::secret::AccessToken,
    /// The mechanism the provider's servers take; `None`: XOAUTH2 when
    /// offered (Microsoft and Google both take it), else OAUTHBEARER.
    pub mechanism: Option<Mechanism>,
    /// The server's name and port, for OAUTHBEARER's message.
    pub host: String,
    /// The port.
    pub port: u16,
}

/// The longest AUTH line sent with its initial response (CRLF included):
/// Dovecot's submission refuses longer ones (`500 5.5.2 Line too long`),
/// and Microsoft's tokens are JWTs of about 2 KB. Longer responses go after
/// the server's `334` (RFC 4954 allows both).
const MAX_INITIAL_RESPONSE_LINE: usize = 1000;

pub use crate::dialogue::Action;
use crate::dialogue::Dialogue;

/// The SASL mechanism used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mechanism {
    /// RFC 4616.
    Plain,
    /// The widespread, unstandardized LOGIN.
    Login,
    /// Google's and Microsoft's XOAUTH2 (an OAuth 2.0 bearer token).
    Xoauth2,
    /// RFC 7628 OAUTHBEARER.
    Oauthbearer,
}

impl Mechanism {
    /// The SASL name.
    pub fn as_str(self) -> &'static str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::Login => "LOGIN",
            Mechanism::Xoauth2 => "XOAUTH2",
            Mechanism::Oauthbearer => "OAUTHBEARER",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Greeting,
    Ehlo,
    Starttls,
    AwaitTls,
    AuthPlain,
    AuthLoginUser,
    AuthLoginPass,
    AuthLoginDone,
    /// `AUTH <mech>` sent alone (a long response): waiting for `334`.
    AuthOauthAsk,
    /// The token sent: waiting for `235`, or an error challenge.
    AuthOauth,
    /// The error challenge answered: waiting for the final refusal.
    AuthOauthError,
    MailFrom,
    RcptTo,
    Data,
    DataEnd,
    Rset,
    Quit,
    Done,
}

/// What a successful dialogue learned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Learned {
    /// Capabilities from the EHLO after TLS (keywords upper-case, with parameters).
    pub capabilities: Vec<String>,
    /// The mechanism that logged in.
    pub mechanism: Option<Mechanism>,
    /// Whether the server accepted the sender check without any AUTH
    /// (POP-before-SMTP relaying).
    pub relay_without_auth: bool,
}

/// The dialogue.
#[derive(Debug)]
pub struct SmtpDialogue {
    config: SmtpConfig,
    state: State,
    tls_active: bool,
    parser: ReplyParser,
    actions: VecDeque<Action>,
    transcript: Transcript,
    learned: Learned,
    failure: Option<Failure>,
    redactor: Redactor,
    /// The OAuth 2.0 message (XOAUTH2 or OAUTHBEARER), built once the
    /// mechanism is known; wiped when dropped.
    oauth_message: Option<Zeroizing<Vec<u8>>>,
    /// What an OAuth error challenge said (RFC 7628 3.2.2), sanitized.
    oauth_error: Option<String>,
}

impl SmtpDialogue {
    /// Starts a dialogue. With implicit TLS, the connection is already encrypted.
    pub fn new(config: SmtpConfig) -> Self {
        let tls_active = config.security == Security::Tls;
        let user = config.username.as_deref().unwrap_or_default();
        let redactor = match &config.oauth {
            Some(o) => {
                let x = crate::secret::xoauth2_message(user, &o.token);
                let b = crate::secret::oauthbearer_message(user, &o.host, o.port, &o.token);
                Redactor::for_token(&o.token, &[&x, &b])
            }
            None => Redactor::for_login(user, &config.password),
        };
        SmtpDialogue {
            redactor,
            config,
            state: State::Greeting,
            tls_active,
            parser: ReplyParser::default(),
            actions: VecDeque::new(),
            transcript: Transcript::default(),
            learned: Learned::default(),
            failure: None,
            oauth_message: None,
            oauth_error: None,
        }
    }

    /// The stage the dialogue is in (for deadlines and timing): derived
    /// from the state, so the two cannot disagree.
    pub fn stage(&self) -> Stage {
        match self.state {
            State::Greeting => Stage::Greeting,
            State::Ehlo => Stage::Ehlo,
            State::Starttls => Stage::Starttls,
            State::AwaitTls => Stage::Tls,
            State::AuthPlain
            | State::AuthLoginUser
            | State::AuthLoginPass
            | State::AuthLoginDone
            | State::AuthOauthAsk
            | State::AuthOauth
            | State::AuthOauthError => Stage::Auth,
            State::MailFrom | State::RcptTo | State::Rset => Stage::Sender,
            State::Data | State::DataEnd => Stage::Data,
            State::Quit | State::Done => Stage::Quit,
        }
    }

    /// Whether the dialogue is over (successfully or not).
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// The failure, if the dialogue failed.
    pub fn failure(&self) -> Option<&Failure> {
        self.failure.as_ref()
    }

    /// What the dialogue learned.
    pub fn learned(&self) -> &Learned {
        &self.learned
    }

    /// The transcript so far (credentials redacted, server text sanitized).
    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// Takes the transcript out.
    pub fn take_transcript(&mut self) -> Transcript {
        std::mem::take(&mut self.transcript)
    }

    /// The next thing the driver must do.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// Feeds bytes received from the server.
    pub fn handle_input(&mut self, data: &[u8]) {
        if self.state == State::Done {
            return;
        }
        if self.state == State::AwaitTls {
            // The driver must not read while upgrading; if it does, it is injection.
            self.fail(
                Failure::new(Stage::Starttls, FailureKind::StarttlsInjection)
                    .detail("data received between STARTTLS and the TLS handshake"),
            );
            return;
        }
        self.parser.push(data);
        while self.state != State::Done && self.state != State::AwaitTls {
            let mut reply = match self.parser.next_reply() {
                None => break,
                Some(Ok(r)) => r,
                Some(Err(e)) => {
                    self.keep_raw_lines();
                    let detail = self.redactor.redact(e.describe());
                    self.fail(Failure::new(self.stage(), FailureKind::ProtocolError).detail(detail));
                    return;
                }
            };
            for line in &mut reply.lines {
                *line = self.redactor.redact(std::mem::take(line));
            }
            self.keep_raw_lines();
            // Data after 220 to STARTTLS and before the handshake would be
            // read as if it came through TLS: an injection (CVE-2011-0411).
            // Elsewhere extra replies are legal (an unsolicited 421, say) and
            // are taken in order; nothing before TLS is trusted anyway.
            if self.parser.pending() > 0 && self.state == State::Starttls && reply.code == 220 {
                self.fail(
                    Failure::new(Stage::Starttls, FailureKind::StarttlsInjection)
                        .detail("data received after 220 to STARTTLS, before the TLS handshake")
                        .reply(reply),
                );
                return;
            }
            self.on_reply(reply);
        }
    }

    /// The server closed the connection.
    pub fn handle_eof(&mut self) {
        match self.state {
            State::Done => {}
            State::Quit => self.finish(),
            _ => self.fail(
                Failure::new(self.stage(), FailureKind::ConnectionClosed).detail("the server closed the connection"),
            ),
        }
    }

    /// The TLS handshake after STARTTLS succeeded.
    pub fn handle_tls_established(&mut self) {
        if self.state != State::AwaitTls {
            return;
        }
        self.tls_active = true;
        // Forget everything learned in plaintext (RFC 3207 §4.2).
        self.parser.clear();
        self.learned.capabilities.clear();
        self.transcript.push(Direction::Info, "TLS established");
        self.ehlo();
    }

    fn on_reply(&mut self, r: Reply) {
        match self.state {
            State::Greeting => {
                if r.code == 220 {
                    self.ehlo();
                } else {
                    self.fail_reply(Stage::Greeting, FailureKind::GreetingRejected, r);
                }
            }
            State::Ehlo => self.on_ehlo(r),
            State::Starttls => {
                if r.code == 220 {
                    self.state = State::AwaitTls;
                    self.actions.push_back(Action::StartTls);
                } else {
                    self.fail_reply(Stage::Starttls, FailureKind::StarttlsRefused, r);
                }
            }
            State::AwaitTls | State::Done => {}
            State::AuthPlain | State::AuthLoginDone => self.on_auth_result(r),
            State::AuthLoginUser | State::AuthLoginPass if r.code == 334 => {
                if self.state == State::AuthLoginUser {
                    self.state = State::AuthLoginPass;
                    let user = self.config.username.as_deref().unwrap_or_default();
                    self.send_secret(base64_line("", user.as_bytes()), "<redacted user name>");
                } else {
                    self.state = State::AuthLoginDone;
                    self.send_secret(base64_line("", self.config.password.expose().as_bytes()), "<redacted>");
                }
            }
            State::AuthLoginUser | State::AuthLoginPass => self.on_auth_result(r),
            State::AuthOauthAsk if r.code == 334 => self.send_oauth_message(),
            State::AuthOauthAsk => self.on_auth_result(r),
            State::AuthOauth if r.code == 334 => self.on_oauth_challenge(r),
            State::AuthOauth => self.on_auth_result(r),
            State::AuthOauthError => {
                let error = self.oauth_error.take().unwrap_or_default();
                let kind = if error.contains("insufficient_scope") || error.contains("\"403\"") {
                    FailureKind::OauthScopeMissing
                } else {
                    FailureKind::OauthTokenRejected
                };
                self.fail(Failure::new(Stage::Auth, kind).detail(format!("error challenge: {error}")).reply(r));
            }
            State::MailFrom => {
                if r.is_positive() {
                    let addr = self.config.sender.clone().unwrap_or_default();
                    self.state = State::RcptTo;
                    self.send(format!("RCPT TO:<{addr}>"));
                } else {
                    self.fail_reply(Stage::Sender, FailureKind::SenderRejected, r);
                }
            }
            State::RcptTo => {
                if r.is_positive() {
                    if self.learned.mechanism.is_none() {
                        self.learned.relay_without_auth = true;
                    }
                    if self.config.message.is_some() {
                        self.state = State::Data;
                        self.send("DATA".into());
                    } else {
                        self.state = State::Rset;
                        self.send("RSET".into());
                    }
                } else {
                    self.fail_reply(Stage::Sender, FailureKind::RecipientRejected, r);
                }
            }
            State::Data if r.code == 354 => {
                let body = dot_stuff(self.config.message.as_deref().unwrap_or_default());
                self.transcript.push(Direction::Client, format!("<message, {} bytes>", body.len()));
                self.transcript.push(Direction::Client, ".");
                self.state = State::DataEnd;
                self.actions.push_back(Action::Send(Zeroizing::new(body)));
            }
            State::Data | State::DataEnd if !r.is_positive() => {
                self.fail_reply(Stage::Data, FailureKind::MessageRejected, r)
            }
            State::Data | State::DataEnd => self.quit(),
            State::Rset => self.quit(),
            State::Quit => self.finish(),
        }
    }

    fn on_ehlo(&mut self, r: Reply) {
        if !r.is_positive() {
            let kind = if self.tls_active { FailureKind::ProtocolError } else { FailureKind::StarttlsNotOffered };
            self.fail(Failure::new(Stage::Ehlo, kind).detail("EHLO rejected (not an ESMTP server?)").reply(r));
            return;
        }
        let caps: Vec<String> = r.lines.iter().skip(1).map(|l| l.trim().to_ascii_uppercase()).collect();
        if !self.tls_active {
            let offers_starttls = caps.iter().any(|c| c == "STARTTLS");
            match self.config.security {
                Security::None => {
                    let d = if offers_starttls { "server offers STARTTLS" } else { "server offers no STARTTLS" };
                    self.fail(Failure::new(Stage::Ehlo, FailureKind::PlaintextRefused).detail(d).reply(r));
                }
                _ if offers_starttls => {
                    self.state = State::Starttls;
                    self.send("STARTTLS".into());
                }
                _ => self.fail(Failure::new(Stage::Starttls, FailureKind::StarttlsNotOffered).reply(r)),
            }
            return;
        }
        self.learned.capabilities = caps;
        let offers_auth =
            self.learned.capabilities.iter().any(|c| c == "AUTH" || c.starts_with("AUTH ") || c.starts_with("AUTH="));
        if self.config.username.is_none() || (self.config.auth_optional && !offers_auth) {
            self.sender_or_quit();
            return;
        }
        let mechs: Vec<&str> = self
            .learned
            .capabilities
            .iter()
            .filter_map(|c| c.strip_prefix("AUTH ").or_else(|| c.strip_prefix("AUTH=")))
            .flat_map(|m| m.split_ascii_whitespace())
            .collect();
        let oauth_choice = self.config.oauth.as_ref().map(|o| match o.mechanism {
            Some(m) if mechs.contains(&m.as_str()) => Some(m),
            Some(_) => None,
            None if mechs.contains(&"XOAUTH2") => Some(Mechanism::Xoauth2),
            None if mechs.contains(&"OAUTHBEARER") => Some(Mechanism::Oauthbearer),
            None => None,
        });
        let mechanism = if let Some(choice) = oauth_choice {
            match choice {
                Some(m) => m,
                None if offers_auth => {
                    let list = mechs.join(" ");
                    self.fail(
                        Failure::new(Stage::Auth, FailureKind::AuthMechanismUnsupported)
                            .detail(format!("no OAuth 2.0 mechanism (XOAUTH2, OAUTHBEARER); server offers: {list}"))
                            .reply(r),
                    );
                    return;
                }
                None => {
                    self.fail(Failure::new(Stage::Auth, FailureKind::AuthNotOffered).reply(r));
                    return;
                }
            }
        } else if mechs.contains(&"PLAIN") {
            Mechanism::Plain
        } else if mechs.contains(&"LOGIN") {
            Mechanism::Login
        } else if offers_auth {
            let list = mechs.join(" ");
            self.fail(
                Failure::new(Stage::Auth, FailureKind::AuthMechanismUnsupported)
                    .detail(format!("server offers: {list}"))
                    .reply(r),
            );
            return;
        } else {
            self.fail(Failure::new(Stage::Auth, FailureKind::AuthNotOffered).reply(r));
            return;
        };
        self.learned.mechanism = Some(mechanism);
        match mechanism {
            Mechanism::Plain => {
                self.state = State::AuthPlain;
                let user = self.config.username.as_deref().unwrap_or_default();
                let line = base64_line("AUTH PLAIN ", &plain_message(user, &self.config.password));
                self.send_secret(line, "AUTH PLAIN <redacted>");
            }
            Mechanism::Login => {
                self.state = State::AuthLoginUser;
                self.send("AUTH LOGIN".into());
            }
            Mechanism::Xoauth2 | Mechanism::Oauthbearer => {
                let Some(o) = &self.config.oauth else { return };
                let user = self.config.username.as_deref().unwrap_or_default();
                let message = if mechanism == Mechanism::Xoauth2 {
                    crate::secret::xoauth2_message(user, &o.token)
                } else {
                    crate::secret::oauthbearer_message(user, &o.host, o.port, &o.token)
                };
                let prefix = format!("AUTH {} ", mechanism.as_str());
                let line = base64_line(&prefix, &message);
                self.oauth_message = Some(message);
                if line.len() <= MAX_INITIAL_RESPONSE_LINE {
                    self.state = State::AuthOauth;
                    self.send_secret(line, &format!("{prefix}<redacted>"));
                } else {
                    self.state = State::AuthOauthAsk;
                    self.send(format!("AUTH {}", mechanism.as_str()));
                }
            }
        }
    }

    /// The server's `334` to a bare `AUTH <mech>`: the response now.
    fn send_oauth_message(&mut self) {
        let Some(message) = self.oauth_message.take() else { return };
        self.state = State::AuthOauth;
        self.send_secret(base64_line("", &message), "<redacted>");
    }

    /// `334 <base64 JSON>` after the token: the server refuses it and says
    /// why. RFC 7628 3.2.3: answer with a dummy response (`^A` for
    /// OAUTHBEARER; an empty line for XOAUTH2, as Google documents), then
    /// the server sends the final refusal.
    fn on_oauth_challenge(&mut self, r: Reply) {
        use base64::Engine as _;
        let encoded = r.lines.first().map(|l| l.trim()).unwrap_or_default();
        let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).unwrap_or_default();
        let text = crate::sanitize::server_text(&decoded, 500);
        self.transcript.push(Direction::Info, format!("error challenge: {text}"));
        self.oauth_error = Some(self.redactor.redact(text));
        self.state = State::AuthOauthError;
        let dummy: &[u8] = if self.learned.mechanism == Some(Mechanism::Oauthbearer) { b"AQ==\r\n" } else { b"\r\n" };
        self.transcript.push(Direction::Client, String::from_utf8_lossy(dummy).trim_end().to_string());
        self.actions.push_back(Action::Send(Zeroizing::new(dummy.to_vec())));
    }

    fn on_auth_result(&mut self, r: Reply) {
        let oauth = matches!(self.learned.mechanism, Some(Mechanism::Xoauth2 | Mechanism::Oauthbearer));
        if r.code == 235 {
            self.sender_or_quit();
        } else if oauth && r.code / 100 == 5 {
            // A refusal of a token is no wrong password (Microsoft answers
            // XOAUTH2 with a bare 535 5.7.3, no error challenge).
            self.fail_reply(Stage::Auth, FailureKind::OauthTokenRejected, r);
        } else if r.code == 334 && matches!(self.state, State::AuthPlain) {
            // We sent the initial response; a 334 here asks for it again,
            // which would be a second attempt. One attempt only.
            self.fail(
                Failure::new(Stage::Auth, FailureKind::ProtocolError)
                    .detail("334 after AUTH PLAIN with initial response")
                    .reply(r),
            );
        } else {
            self.fail_reply(Stage::Auth, FailureKind::AuthRejected, r);
        }
    }

    fn sender_or_quit(&mut self) {
        match self.config.sender.clone() {
            Some(addr) => {
                self.state = State::MailFrom;
                let utf8 = !addr.is_ascii() && self.learned.capabilities.iter().any(|c| c == "SMTPUTF8");
                self.send(format!("MAIL FROM:<{addr}>{}", if utf8 { " SMTPUTF8" } else { "" }));
            }
            None => self.quit(),
        }
    }

    fn ehlo(&mut self) {
        self.state = State::Ehlo;
        self.send(format!("EHLO {}", self.config.ehlo_name));
    }

    fn quit(&mut self) {
        self.state = State::Quit;
        self.send("QUIT".into());
    }

    fn finish(&mut self) {
        self.state = State::Done;
        self.actions.push_back(Action::Close);
    }

    /// The server's lines as received (sanitized), with echoed credentials redacted.
    fn keep_raw_lines(&mut self) {
        for l in self.parser.take_raw() {
            let l = self.redactor.redact(l);
            self.transcript.push(Direction::Server, l);
        }
    }

    fn send(&mut self, line: String) {
        // User data (the sender address, the EHLO name) must not end a line
        // and start another command, whatever validation let through.
        if line.contains(['\r', '\n']) {
            self.fail(
                Failure::new(self.stage(), FailureKind::UnsafeInput)
                    .detail("a line with a line break from the profile was not sent"),
            );
            return;
        }
        self.transcript.push(Direction::Client, line.clone());
        let mut bytes = line.into_bytes();
        bytes.extend_from_slice(b"\r\n");
        self.actions.push_back(Action::Send(Zeroizing::new(bytes)));
    }

    /// Sends a line (CRLF included) holding a credential; the transcript
    /// gets `shown` instead.
    fn send_secret(&mut self, line: Zeroizing<Vec<u8>>, shown: &str) {
        debug_assert!(self.tls_active, "credentials only inside TLS");
        if !self.tls_active {
            self.fail(Failure::new(self.stage(), FailureKind::PlaintextRefused));
            return;
        }
        self.transcript.push(Direction::Client, shown);
        self.actions.push_back(Action::Send(line));
    }

    fn fail_reply(&mut self, stage: Stage, kind: FailureKind, r: Reply) {
        self.fail(Failure::new(stage, kind).reply(r));
    }

    fn fail(&mut self, f: Failure) {
        if let Some(d) = &f.detail {
            self.transcript.push(Direction::Info, d.clone());
        }
        self.failure = Some(f);
        self.state = State::Done;
        self.actions.push_back(Action::Close);
    }
}

/// The message as DATA wants it: CRLF line endings, a leading dot doubled,
/// and the terminating `.` line (RFC 5321 §4.5.2).
fn dot_stuff(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 16);
    let mut at_line_start = true;
    let mut prev = 0u8;
    for &b in message {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        if at_line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        at_line_start = b == b'\n';
        prev = b;
    }
    if !at_line_start {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

impl Dialogue for SmtpDialogue {
    fn poll_action(&mut self) -> Option<Action> {
        SmtpDialogue::poll_action(self)
    }
    fn handle_input(&mut self, data: &[u8]) {
        SmtpDialogue::handle_input(self, data)
    }
    fn handle_eof(&mut self) {
        SmtpDialogue::handle_eof(self)
    }
    fn handle_tls_established(&mut self) {
        SmtpDialogue::handle_tls_established(self)
    }
    fn is_done(&self) -> bool {
        SmtpDialogue::is_done(self)
    }
    fn failure(&self) -> Option<&Failure> {
        SmtpDialogue::failure(self)
    }
    fn stage(&self) -> Stage {
        SmtpDialogue::stage(self)
    }
    fn take_transcript(&mut self) -> Transcript {
        SmtpDialogue::take_transcript(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::dialogue::script::Script;

    fn config(security: Security) -> SmtpConfig {
        SmtpConfig {
            security,
            ehlo_name: "[127.0.0.1]".into(),
            username: Some("info@praxis.de".into()),
            password: Password::new("geheim".into()),
            sender: None,
            auth_optional: false,
            message: None,
            oauth: None,
        }
    }

    fn run(d: SmtpDialogue, script: Script) -> SmtpDialogue {
        crate::dialogue::script::play(d, script)
    }

    const PLAIN_PAYLOAD: &str = ">AUTH PLAIN AGluZm9AcHJheGlzLmRlAGdlaGVpbQ==";

    fn oauth(token: &str, mechanism: Option<Mechanism>) -> SmtpConfig {
        SmtpConfig {
            password: Password::new(String::new()),
            oauth: Some(OauthLogin {
                token: crate::secret::AccessToken::new(token.into()),
                mechanism,
                host: "smtp.office365.com".into(),
                port: 587,
            }),
            ..config(Security::Tls)
        }
    }

    fn b64(s: &str) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    const GREETING: (&str, &[&str]) = ("220 mx ESMTP\r\n", &[">EHLO [127.0.0.1]"]);

    #[test]
    fn xoauth2_with_the_initial_response() {
        let sent = format!(">AUTH XOAUTH2 {}", b64("user=info@praxis.de\x01auth=Bearer ya29.tok\x01\x01"));
        let d = run(SmtpDialogue::new(oauth("ya29.tok", None)), &[
            GREETING,
            ("250-mx\r\n250 AUTH LOGIN PLAIN XOAUTH2 OAUTHBEARER\r\n", &[&sent]),
            ("235 2.7.0 ok\r\n", &[">QUIT"]),
            ("221 bye\r\n", &["CLOSE"]),
        ]);
        assert!(d.failure().is_none(), "{:?}", d.failure());
        assert_eq!(d.learned().mechanism, Some(Mechanism::Xoauth2));
        let t = format!("{:?}", d.transcript());
        assert!(!t.contains("ya29.tok") && t.contains("AUTH XOAUTH2 <redacted>"), "{t}");
    }

    /// A long token (Microsoft's JWTs are about 2 KB) goes after the 334:
    /// an AUTH line of more than 1,000 bytes is refused by some servers.
    #[test]
    fn a_long_token_goes_after_the_servers_334() {
        let token = "eyJ".to_string() + &"x".repeat(2000);
        let blob = b64(&format!("user=info@praxis.de\x01auth=Bearer {token}\x01\x01"));
        let d = run(SmtpDialogue::new(oauth(&token, None)), &[
            GREETING,
            ("250-mx\r\n250 AUTH LOGIN XOAUTH2\r\n", &[">AUTH XOAUTH2"]),
            ("334 \r\n", &[&format!(">{blob}")]),
            ("235 2.7.0 ok\r\n", &[">QUIT"]),
            ("221 bye\r\n", &["CLOSE"]),
        ]);
        assert!(d.failure().is_none(), "{:?}", d.failure());
    }

    /// OAUTHBEARER (RFC 7628) with its GS2 header; an error challenge is
    /// answered with ^A and read: a missing scope is said as such.
    #[test]
    fn oauthbearer_and_error_challenges() {
        let sent = format!(
            ">AUTH OAUTHBEARER {}",
            b64("n,a=info@praxis.de,\x01host=smtp.office365.com\x01port=587\x01auth=Bearer t0k\x01\x01")
        );
        let challenge = b64(r#"{"status":"insufficient_scope","scope":"smtp.send"}"#);
        let d = run(SmtpDialogue::new(oauth("t0k", Some(Mechanism::Oauthbearer))), &[
            GREETING,
            ("250-mx\r\n250 AUTH XOAUTH2 OAUTHBEARER\r\n", &[&sent]),
            (&format!("334 {challenge}\r\n"), &[">AQ=="]),
            ("535 5.7.8 Authentication failed\r\n", &["CLOSE"]),
        ]);
        let f = d.failure().unwrap();
        assert_eq!(f.kind, FailureKind::OauthScopeMissing);
        assert!(f.detail.as_deref().unwrap().contains("insufficient_scope"), "{f:?}");

        // Gmail's challenge for a bad token, to XOAUTH2: an empty answer.
        let challenge = b64(r#"{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}"#);
        let d = run(SmtpDialogue::new(oauth("t0k", None)), &[
            GREETING,
            ("250-mx\r\n250 AUTH XOAUTH2 OAUTHBEARER\r\n", &[&format!(">AUTH XOAUTH2 {}", b64("user=info@praxis.de\x01auth=Bearer t0k\x01\x01"))]),
            (&format!("334 {challenge}\r\n"), &[">"]),
            ("535-5.7.8 Username and Password not accepted.\r\n535 5.7.8 https://support.google.com/mail/?p=BadCredentials\r\n", &["CLOSE"]),
        ]);
        let f = d.failure().unwrap();
        assert_eq!(f.kind, FailureKind::OauthTokenRejected);
        assert!(f.detail.as_deref().unwrap().contains(r#""status":"400""#), "{f:?}");
    }

    /// Microsoft refuses a bad token with a bare 535, no challenge.
    #[test]
    fn a_bare_refusal_of_a_token_is_no_wrong_password() {
        let d = run(SmtpDialogue::new(oauth("t0k", None)), &[
            GREETING,
            ("250-mx\r\n250 AUTH LOGIN XOAUTH2\r\n", &[&format!(">AUTH XOAUTH2 {}", b64("user=info@praxis.de\x01auth=Bearer t0k\x01\x01"))]),
            ("535 5.7.3 Authentication unsuccessful [AM0PR10CA0001]\r\n", &["CLOSE"]),
        ]);
        assert_eq!(d.failure().unwrap().kind, FailureKind::OauthTokenRejected);
    }

    #[test]
    fn oauth_needs_a_mechanism_for_it_and_tls() {
        let d = run(SmtpDialogue::new(oauth("t0k", None)), &[
            GREETING,
            ("250-mx\r\n250 AUTH LOGIN PLAIN\r\n", &["CLOSE"]),
        ]);
        assert_eq!(d.failure().unwrap().kind, FailureKind::AuthMechanismUnsupported);
        // STARTTLS: the token only after TLS, whatever was offered before.
        let d = run(SmtpDialogue::new(SmtpConfig { security: Security::Starttls, ..oauth("t0k", None) }), &[
            GREETING,
            ("250-mx\r\n250-AUTH XOAUTH2\r\n250 STARTTLS\r\n", &[">STARTTLS"]),
            ("220 go\r\n", &["TLS"]),
            ("<tls>", &[">EHLO [127.0.0.1]"]),
        ]);
        assert!(d.failure().is_none());
    }

    /// A server that echoes the token gets it redacted in every form.
    #[test]
    fn an_echoed_token_is_redacted() {
        let blob = b64("user=info@praxis.de\x01auth=Bearer t0k-secret\x01\x01");
        let d = run(SmtpDialogue::new(oauth("t0k-secret", None)), &[
            GREETING,
            ("250-mx\r\n250 AUTH XOAUTH2\r\n", &[&format!(">AUTH XOAUTH2 {blob}")]),
            (&format!("535 5.7.8 you sent {blob} with t0k-secret\r\n"), &["CLOSE"]),
        ]);
        let t = format!("{:?}{:?}", d.transcript(), d.failure());
        assert!(!t.contains("t0k-secret") && !t.contains(&blob), "{t}");
    }

    #[test]
    fn starttls_then_auth_plain() {
        let d = run(
            SmtpDialogue::new(config(Security::Starttls)),
            &[
                ("220 mx ESMTP\r\n", &[">EHLO [127.0.0.1]"]),
                ("250-mx\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n", &[">STARTTLS"]),
                ("220 go ahead\r\n", &["TLS"]),
                ("<tls>", &[">EHLO [127.0.0.1]"]),
                ("250-mx\r\n250-PIPELINING\r\n250 AUTH LOGIN PLAIN\r\n", &[PLAIN_PAYLOAD]),
                ("235 2.7.0 ok\r\n", &[">QUIT"]),
                ("221 bye\r\n", &["CLOSE"]),
            ],
        );
        assert!(d.failure().is_none());
        assert_eq!(d.learned().mechanism, Some(Mechanism::Plain));
        let t: Vec<_> = d.transcript().lines().iter().map(|l| l.text.clone()).collect();
        assert!(t.contains(&"AUTH PLAIN <redacted>".to_string()));
        assert!(!t.iter().any(|l| l.contains("AGluZm9") || l.contains("geheim")));
    }

    #[test]
    fn implicit_tls_with_auth_login() {
        let d = run(
            SmtpDialogue::new(config(Security::Tls)),
            &[
                ("220 mx\r\n", &[">EHLO [127.0.0.1]"]),
                ("250-mx\r\n250 AUTH=LOGIN\r\n", &[">AUTH LOGIN"]),
                ("334 VXNlcm5hbWU6\r\n", &[">aW5mb0BwcmF4aXMuZGU="]),
                ("334 UGFzc3dvcmQ6\r\n", &[">Z2VoZWlt"]),
                ("235 ok\r\n", &[">QUIT"]),
                ("<eof>", &["CLOSE"]),
            ],
        );
        assert!(d.failure().is_none());
        let t: Vec<_> = d.transcript().lines().iter().map(|l| l.text.clone()).collect();
        assert!(!t.iter().any(|l| l.contains("Z2VoZWlt")), "{t:?}");
    }

    fn failure_of(security: Security, script: Script) -> Failure {
        run(SmtpDialogue::new(config(security)), script).failure().cloned().expect("a failure")
    }

    #[test]
    fn failures_table() {
        use FailureKind::*;
        let cases: &[(&str, Security, Script, FailureKind, Stage)] = &[
            (
                "single-line EHLO: no AUTH",
                Security::Tls,
                &[("220 mx\r\n", &[">EHLO [127.0.0.1]"]), ("250 AUTH PLAIN\r\n", &["CLOSE"])],
                AuthNotOffered,
                Stage::Auth,
            ),
            (
                "auth rejected",
                Security::Tls,
                &[
                    ("220 mx\r\n", &[">EHLO [127.0.0.1]"]),
                    ("250-mx\r\n250 AUTH PLAIN\r\n", &[PLAIN_PAYLOAD]),
                    ("535 5.7.8 Authentication failed\r\n", &["CLOSE"]),
                ],
                AuthRejected,
                Stage::Auth,
            ),
            ("greeting 554", Security::Tls, &[("554 go away\r\n", &["CLOSE"])], GreetingRejected, Stage::Greeting),
            (
                "NO STARTTLS O_1: not offered",
                Security::Starttls,
                &[("220 mx\r\n", &[">EHLO [127.0.0.1]"]), ("250-mx\r\n250 AUTH PLAIN LOGIN\r\n", &["CLOSE"])],
                StarttlsNotOffered,
                Stage::Starttls,
            ),
            (
                "NO STARTTLS O_2: refused 454",
                Security::Starttls,
                &[
                    ("220 mx\r\n", &[">EHLO [127.0.0.1]"]),
                    ("250-mx\r\n250 STARTTLS\r\n", &[">STARTTLS"]),
                    ("454 4.7.0 TLS not available\r\n", &["CLOSE"]),
                ],
                StarttlsRefused,
                Stage::Starttls,
            ),
            (
                "NO STARTTLS O_3: refused 502",
                Security::Starttls,
                &[
                    ("220 mx\r\n", &[">EHLO [127.0.0.1]"]),
                    ("250-mx\r\n250 STARTTLS\r\n", &[">STARTTLS"]),
                    ("502 5.5.1 no\r\n", &["CLOSE"]),
                ],
                StarttlsRefused,
                Stage::Starttls,
            ),
            (
                "NO STARTTLS D_1: non-ESMTP greeting",
                Security::Starttls,
                &[("220 mx\r\n", &[">EHLO [127.0.0.1]"]), ("500 unknown command\r\n", &["CLOSE"])],
                StarttlsNotOffered,
                Stage::Ehlo,
            ),
            (
                "NO STARTTLS B_1: injection after 220",
                Security::Starttls,
                &[
                    ("220 mx\r\n", &[">EHLO [127.0.0.1]"]),
                    ("250-mx\r\n250 STARTTLS\r\n", &[">STARTTLS"]),
                    ("220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n", &["CLOSE"]),
                ],
                StarttlsInjection,
                Stage::Starttls,
            ),
            (
                "plaintext profile",
                Security::None,
                &[("220 mx\r\n", &[">EHLO [127.0.0.1]"]), ("250-mx\r\n250 AUTH PLAIN\r\n", &["CLOSE"])],
                PlaintextRefused,
                Stage::Ehlo,
            ),
            ("garbage", Security::Tls, &[("\x00\x01binary\r\n", &["CLOSE"])], ProtocolError, Stage::Greeting),
            (
                "a 421 right after the greeting",
                Security::Tls,
                &[("220 a\r\n421 4.3.2 shutting down\r\n", &[">EHLO [127.0.0.1]", "CLOSE"])],
                ProtocolError,
                Stage::Ehlo,
            ),
            ("early close", Security::Tls, &[("<eof>", &["CLOSE"])], ConnectionClosed, Stage::Greeting),
            (
                "unsupported mechanisms",
                Security::Tls,
                &[("220 mx\r\n", &[">EHLO [127.0.0.1]"]), ("250-mx\r\n250 AUTH CRAM-MD5 XOAUTH2\r\n", &["CLOSE"])],
                AuthMechanismUnsupported,
                Stage::Auth,
            ),
        ];
        for (name, sec, script, kind, stage) in cases {
            let f = failure_of(*sec, script);
            assert_eq!((&f.kind, f.stage), (kind, *stage), "{name}");
        }
    }

    #[test]
    fn capabilities_before_tls_are_forgotten() {
        // Before TLS the server claims AUTH PLAIN; after TLS it offers none.
        let f = failure_of(
            Security::Starttls,
            &[
                ("220 mx\r\n", &[">EHLO [127.0.0.1]"]),
                ("250-mx\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n", &[">STARTTLS"]),
                ("220 go\r\n", &["TLS"]),
                ("<tls>", &[">EHLO [127.0.0.1]"]),
                ("250 mx\r\n", &["CLOSE"]),
            ],
        );
        assert_eq!(f.kind, FailureKind::AuthNotOffered);
    }

    #[test]
    fn sender_check_and_relay_observation() {
        let with_sender = || SmtpConfig { sender: Some("info@praxis.de".into()), ..config(Security::Tls) };
        let d = run(
            SmtpDialogue::new(with_sender()),
            &[
                ("220 mx\r\n", &[">EHLO [127.0.0.1]"]),
                ("250-mx\r\n250 AUTH PLAIN\r\n", &[PLAIN_PAYLOAD]),
                ("235 ok\r\n", &[">MAIL FROM:<info@praxis.de>"]),
                ("250 ok\r\n", &[">RCPT TO:<info@praxis.de>"]),
                ("250 ok\r\n", &[">RSET"]),
                ("250 ok\r\n", &[">QUIT"]),
                ("221 bye\r\n", &["CLOSE"]),
            ],
        );
        assert!(d.failure().is_none());
        assert!(!d.learned().relay_without_auth);
        let d = run(
            SmtpDialogue::new(SmtpConfig { username: None, ..with_sender() }),
            &[
                ("220 mx\r\n", &[">EHLO [127.0.0.1]"]),
                ("250 mx\r\n", &[">MAIL FROM:<info@praxis.de>"]),
                ("250 ok\r\n", &[">RCPT TO:<info@praxis.de>"]),
                ("553 5.7.1 Sender address rejected: not owned by user\r\n", &["CLOSE"]),
            ],
        );
        assert_eq!(d.failure().unwrap().kind, FailureKind::RecipientRejected);
    }

    #[test]
    fn after_pop_before_smtp_a_server_without_auth_may_relay() {
        let mut c = config(Security::Tls);
        c.sender = Some("info@praxis.de".into());
        c.auth_optional = true;
        let d = run(
            SmtpDialogue::new(c),
            &[
                ("220 mx\r\n", &[">EHLO [127.0.0.1]"]),
                ("250-mx\r\n250 8BITMIME\r\n", &[">MAIL FROM:<info@praxis.de>"]),
                ("250 ok\r\n", &[">RCPT TO:<info@praxis.de>"]),
                ("250 ok\r\n", &[">RSET"]),
                ("250 ok\r\n", &[">QUIT"]),
                ("221 bye\r\n", &["CLOSE"]),
            ],
        );
        assert!(d.failure().is_none());
        assert!(d.learned().relay_without_auth);
        let obs = crate::verdict::Observations {
            relay_without_auth: true,
            host: "mx".into(),
            port: 465,
            ..Default::default()
        };
        let v = crate::verdict::diagnose(obs, "info@praxis.de", "", crate::Lang::De);
        assert!(v.ok && v.hint.contains("POP-before-SMTP"), "{}", v.hint);
    }

    #[test]
    fn data_with_dot_stuffing() {
        let mut c = config(Security::Tls);
        c.sender = Some("info@praxis.de".into());
        c.message = Some(b"Subject: x\r\n\r\n.hidden\nend".to_vec());
        let d = run(
            SmtpDialogue::new(c),
            &[
                ("220 mx\r\n", &[">EHLO [127.0.0.1]"]),
                ("250-mx\r\n250 AUTH PLAIN\r\n", &[PLAIN_PAYLOAD]),
                ("235 ok\r\n", &[">MAIL FROM:<info@praxis.de>"]),
                ("250 ok\r\n", &[">RCPT TO:<info@praxis.de>"]),
                ("250 ok\r\n", &[">DATA"]),
                ("354 go\r\n", &[">Subject: x\r\n\r\n..hidden\r\nend\r\n."]),
                ("250 2.0.0 queued\r\n", &[">QUIT"]),
                ("221 bye\r\n", &["CLOSE"]),
            ],
        );
        assert!(d.failure().is_none());
    }

    /// Issue #13: a sender with CR LF (a profile that skipped validation)
    /// never reaches the server as two commands.
    #[test]
    fn a_line_break_in_user_data_is_never_sent() {
        let mut c = config(Security::Tls);
        c.sender = Some("info@praxis.de>\r\nRCPT TO:<victim@example.org".into());
        let d = run(
            SmtpDialogue::new(c),
            &[
                ("220 mx\r\n", &[">EHLO [127.0.0.1]"]),
                ("250-mx\r\n250 AUTH PLAIN\r\n", &[PLAIN_PAYLOAD]),
                ("235 ok\r\n", &["CLOSE"]),
            ],
        );
        assert_eq!(d.failure().unwrap().kind, FailureKind::UnsafeInput);
    }

    /// Issue #13: a server that echoes the password or the AUTH blob.
    #[test]
    fn echoed_credentials_are_redacted_everywhere() {
        let d = run(
            SmtpDialogue::new(config(Security::Tls)),
            &[
                ("220 mx\r\n", &[">EHLO [127.0.0.1]"]),
                ("250-mx\r\n250 AUTH PLAIN\r\n", &[PLAIN_PAYLOAD]),
                ("535-5.7.8 pass=geheim\r\n535 5.7.8 got AGluZm9AcHJheGlzLmRlAGdlaGVpbQ==\r\n", &["CLOSE"]),
            ],
        );
        let f = d.failure().unwrap();
        assert_eq!(f.reply.as_ref().unwrap().lines, ["5.7.8 pass=<redacted>", "5.7.8 got <redacted>"]);
        let all = format!("{:?}{:?}", d.transcript(), f);
        assert!(!all.contains("geheim") && !all.contains("AGluZm9AcHJheGlz"), "{all}");
    }

    #[test]
    fn replies_split_across_reads_are_reassembled() {
        let mut d = SmtpDialogue::new(config(Security::Tls));
        for b in b"220 mx ready\r\n" {
            d.handle_input(&[*b]);
        }
        assert_eq!(d.poll_action(), Some(Action::Send(Zeroizing::new(b"EHLO [127.0.0.1]\r\n".to_vec()))));
    }
}
