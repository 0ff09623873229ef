//! The POP3 login of POP-before-SMTP, as a pure state machine (RFC 1939,
//! RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 SASL).
//!
//! Same safety rules as the SMTP dialogue: credentials only inside TLS; the
//! capabilities after TLS are the only ones trusted; bytes after `+OK` to
//! STLS and before the handshake are an injection; APOP is never used (it
//! protects nothing that TLS does not, and would tempt a plaintext login);
//! exactly one login attempt; replies bounded.

use std::collections::VecDeque;

use crate::dialogue::{Action, Dialogue};
use crate::lines::LineBuffer;
use crate::observe::{Direction, Failure, FailureKind, Stage, Transcript};
use crate::profile::Security;
use crate::sanitize::server_text;
use crate::secret::{Password, Redactor, base64_line, plain_message};
use zeroize::Zeroizing;

const MAX_LINE: usize = 2000;
const MAX_CAPA_LINES: usize = 100;

/// What the POP3 dialogue needs.
#[derive(Debug)]
pub struct Pop3Config {
    /// Encryption; with [`Security::Tls`] the connection is already encrypted.
    pub security: Security,
    /// Login name.
    pub username: String,
    /// Password.
    pub password: Password,
    /// Sign in with an OAuth 2.0 access token (SASL XOAUTH2, as Microsoft's
    /// and Google's POP3 servers take it) instead of the password.
    pub oauth: Option<crate::secret::AccessToken>,
}

/// The longest command line with its initial response (RFC 2449: 255
/// octets); a longer XOAUTH2 response goes after the server's `+`.
const MAX_COMMAND_LINE: usize = 255;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Greeting,
    Capa,
    Stls,
    AwaitTls,
    AuthPlain,
    /// `AUTH XOAUTH2` sent alone: waiting for `+`.
    AuthOauthAsk,
    /// The token sent: `+OK`, or an error challenge (`+ <base64>`).
    AuthOauth,
    /// The error challenge answered: waiting for `-ERR`.
    AuthOauthError,
    User,
    Pass,
    Quit,
    Done,
}

/// The dialogue.
#[derive(Debug)]
pub struct Pop3Dialogue {
    config: Pop3Config,
    state: State,
    tls_active: bool,
    lines: LineBuffer,
    capa: Option<Vec<String>>,
    actions: VecDeque<Action>,
    transcript: Transcript,
    failure: Option<Failure>,
    redactor: Redactor,
    /// The XOAUTH2 message while it waits for the server's `+`.
    oauth_message: Option<Zeroizing<Vec<u8>>>,
}

impl Pop3Dialogue {
    /// Starts the dialogue.
    pub fn new(config: Pop3Config) -> Self {
        let tls_active = config.security == Security::Tls;
        let redactor = match &config.oauth {
            Some(token) => {
                Redactor::for_token(token, &[&crate::secret::xoauth2_message(&config.username, token)])
            }
            None => Redactor::for_login(&config.username, &config.password),
        };
        Pop3Dialogue {
            redactor,
            oauth_message: None,
            config,
            state: State::Greeting,
            tls_active,
            lines: LineBuffer::new(MAX_LINE),
            capa: None,
            actions: VecDeque::new(),
            transcript: Transcript::default(),
            failure: None,
        }
    }

    fn send(&mut self, line: &str, shown: Option<&str>) {
        // `USER <name>` with a line break in the name would be a second
        // command (`DELE 1`), whatever validation let through.
        if line.contains(['\r', '\n']) {
            self.unsafe_input();
            return;
        }
        self.transcript.push(Direction::Client, shown.unwrap_or(line));
        let mut b = line.as_bytes().to_vec();
        b.extend_from_slice(b"\r\n");
        self.actions.push_back(Action::Send(Zeroizing::new(b)));
    }

    /// Sends a line (CRLF included) holding a credential; the transcript
    /// gets `shown`. A password with a line break would be a second
    /// command: refused like any other.
    fn send_secret(&mut self, line: Zeroizing<Vec<u8>>, shown: &str) {
        if line[..line.len() - 2].iter().any(|&b| b == b'\r' || b == b'\n') {
            self.unsafe_input();
            return;
        }
        self.transcript.push(Direction::Client, shown);
        self.actions.push_back(Action::Send(line));
    }

    fn unsafe_input(&mut self) {
        self.fail(FailureKind::UnsafeInput, "a line with a line break from the profile was not sent");
    }

    fn fail(&mut self, kind: FailureKind, detail: impl Into<String>) {
        let d = detail.into();
        self.transcript.push(Direction::Info, d.clone());
        self.failure = Some(Failure::new(Stage::Pop3, kind).detail(d));
        self.state = State::Done;
        self.actions.push_back(Action::Close);
    }

    fn capa(&mut self) {
        self.state = State::Capa;
        self.capa = None;
        self.send("CAPA", None);
    }

    fn after_capa(&mut self) {
        let caps = self.capa.clone().unwrap_or_default();
        if !self.tls_active {
            if self.config.security == Security::None {
                self.fail(FailureKind::PlaintextRefused, "the POP3 profile asks for no encryption");
            } else if caps.iter().any(|c| c == "STLS") {
                self.state = State::Stls;
                self.send("STLS", None);
            } else {
                self.fail(FailureKind::StarttlsNotOffered, "the POP3 server offers no STLS");
            }
            return;
        }
        let sasl = |mech: &str| caps.iter().any(|c| c.starts_with("SASL ") && c.split_whitespace().any(|m| m == mech));
        let sasl_plain = sasl("PLAIN");
        let user = self.config.username.clone();
        if let Some(token) = &self.config.oauth {
            if !sasl("XOAUTH2") {
                let offered = caps.iter().find(|c| c.starts_with("SASL ")).cloned().unwrap_or_default();
                self.fail(FailureKind::AuthMechanismUnsupported, format!("the POP3 server offers no XOAUTH2 ({offered})"));
                return;
            }
            let message = crate::secret::xoauth2_message(&user, token);
            let line = base64_line("AUTH XOAUTH2 ", &message);
            if line.len() <= MAX_COMMAND_LINE {
                self.state = State::AuthOauth;
                self.send_secret(line, "AUTH XOAUTH2 <redacted>");
            } else {
                self.state = State::AuthOauthAsk;
                self.oauth_message = Some(message);
                self.send("AUTH XOAUTH2", None);
            }
        } else if sasl_plain {
            self.state = State::AuthPlain;
            let line = base64_line("AUTH PLAIN ", &plain_message(&user, &self.config.password));
            self.send_secret(line, "AUTH PLAIN <redacted>");
        } else {
            self.state = State::User;
            self.send(&format!("USER {user}"), None);
        }
    }

    fn on_line(&mut self, line: &[u8]) {
        let text = self.redactor.redact(server_text(line, MAX_LINE));
        self.transcript.push(Direction::Server, text.clone());
        if self.state == State::Capa && self.capa.is_some() {
            // Inside the multi-line CAPA answer.
            if line == b"." {
                self.after_capa();
            } else {
                let caps = self.capa.get_or_insert_with(Vec::new);
                if caps.len() >= MAX_CAPA_LINES {
                    self.fail(FailureKind::ProtocolError, "CAPA answer with too many lines");
                    return;
                }
                caps.push(text.trim().to_ascii_uppercase());
            }
            return;
        }
        let ok = line.starts_with(b"+OK");
        let err = line.starts_with(b"-ERR");
        // A SASL continuation (RFC 5034): `+ ` and base64.
        if !ok && !err && (line == b"+" || line.starts_with(b"+ ")) {
            match self.state {
                State::AuthOauthAsk => {
                    let Some(message) = self.oauth_message.take() else { return };
                    self.state = State::AuthOauth;
                    self.send_secret(base64_line("", &message), "<redacted>");
                }
                State::AuthOauth => {
                    // An error challenge: answered with an empty response (as
                    // Google documents for XOAUTH2), then the server says -ERR.
                    use base64::Engine as _;
                    let encoded = line.get(2..).unwrap_or_default();
                    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).unwrap_or_default();
                    let challenge = self.redactor.redact(server_text(&decoded, 500));
                    self.transcript.push(Direction::Info, format!("error challenge: {challenge}"));
                    self.state = State::AuthOauthError;
                    self.transcript.push(Direction::Client, "");
                    self.actions.push_back(Action::Send(Zeroizing::new(b"\r\n".to_vec())));
                }
                _ => self.fail(FailureKind::ProtocolError, "a SASL continuation where none was asked for"),
            }
            return;
        }
        if !ok && !err {
            let shown = self.redactor.redact(server_text(line, 80));
            self.fail(FailureKind::ProtocolError, format!("not a POP3 reply: {shown}"));
            return;
        }
        match self.state {
            State::Greeting if ok => self.capa(),
            State::Greeting => self.fail(FailureKind::GreetingRejected, text),
            State::Capa if ok => self.capa = Some(Vec::new()),
            // A server without CAPA offers no STLS we could trust either.
            State::Capa => {
                self.capa = Some(Vec::new());
                self.after_capa();
            }
            State::Stls if ok => {
                if self.lines.pending() > 0 {
                    self.fail(
                        FailureKind::StarttlsInjection,
                        "data received after +OK to STLS, before the TLS handshake",
                    );
                } else {
                    self.state = State::AwaitTls;
                    self.actions.push_back(Action::StartTls);
                }
            }
            State::Stls => self.fail(FailureKind::StarttlsRefused, text),
            State::User | State::Pass | State::AuthPlain if err => self.fail(FailureKind::Pop3AuthRejected, text),
            State::AuthOauthAsk | State::AuthOauth | State::AuthOauthError if err => {
                self.fail(FailureKind::OauthTokenRejected, format!("POP3: {text}"))
            }
            State::AuthOauthAsk | State::AuthOauthError => {
                self.fail(FailureKind::ProtocolError, format!("POP3: +OK where a refusal or a continuation was due: {text}"))
            }
            State::User => {
                self.state = State::Pass;
                let pw = self.config.password.expose().as_bytes();
                let mut line = Zeroizing::new(Vec::with_capacity(pw.len() + 7));
                line.extend_from_slice(b"PASS ");
                line.extend_from_slice(pw);
                line.extend_from_slice(b"\r\n");
                self.send_secret(line, "PASS <redacted>");
            }
            State::Pass | State::AuthPlain | State::AuthOauth => {
                self.state = State::Quit;
                self.send("QUIT", None);
            }
            State::Quit => {
                self.state = State::Done;
                self.actions.push_back(Action::Close);
            }
            State::AwaitTls | State::Done => {}
        }
    }
}

impl Pop3Dialogue {
    /// Ends the dialogue: its transcript, its failure, and the password
    /// back (the SMTP step uses it next; it is never copied).
    pub fn into_parts(self) -> (Transcript, Option<Failure>, Password) {
        (self.transcript, self.failure, self.config.password)
    }
}

impl Dialogue for Pop3Dialogue {
    fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    fn handle_input(&mut self, data: &[u8]) {
        if self.state == State::Done {
            return;
        }
        if self.state == State::AwaitTls {
            self.fail(FailureKind::StarttlsInjection, "data received between STLS and the TLS handshake");
            return;
        }
        self.lines.push(data);
        while !matches!(self.state, State::Done | State::AwaitTls) {
            match self.lines.next_line() {
                Ok(Some(l)) => self.on_line(&l),
                Ok(None) => break,
                Err(_) => {
                    self.fail(FailureKind::ProtocolError, format!("reply line longer than {MAX_LINE} bytes"));
                    return;
                }
            }
        }
    }

    fn handle_eof(&mut self) {
        match self.state {
            State::Done => {}
            State::Quit => {
                self.state = State::Done;
                self.actions.push_back(Action::Close);
            }
            _ => self.fail(FailureKind::ConnectionClosed, "the server closed the connection"),
        }
    }

    fn handle_tls_established(&mut self) {
        if self.state == State::AwaitTls {
            self.tls_active = true;
            self.lines.clear();
            self.transcript.push(Direction::Info, "TLS established");
            self.capa();
        }
    }

    fn is_done(&self) -> bool {
        self.state == State::Done
    }

    fn failure(&self) -> Option<&Failure> {
        self.failure.as_ref()
    }

    fn stage(&self) -> Stage {
        Stage::Pop3
    }

    fn take_transcript(&mut self) -> Transcript {
        std::mem::take(&mut self.transcript)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(security: Security, script: crate::dialogue::script::Script) -> Pop3Dialogue {
        let d = Pop3Dialogue::new(Pop3Config {
            security,
            username: "info@praxis.de".into(),
            password: Password::new("geheim".into()),
            oauth: None,
        });
        crate::dialogue::script::play(d, script)
    }

    fn oauth_run(token: &str, script: crate::dialogue::script::Script) -> Pop3Dialogue {
        let d = Pop3Dialogue::new(Pop3Config {
            security: Security::Tls,
            username: "info@praxis.de".into(),
            password: Password::new(String::new()),
            oauth: Some(crate::secret::AccessToken::new(token.into())),
        });
        crate::dialogue::script::play(d, script)
    }

    fn b64(s: &str) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn xoauth2_short_and_long_and_refused() {
        let blob = b64("user=info@praxis.de\x01auth=Bearer tok\x01\x01");
        let d = oauth_run("tok", &[
            ("+OK hi\r\n", &[">CAPA"]),
            ("+OK\r\nSASL PLAIN XOAUTH2\r\n.\r\n", &[&format!(">AUTH XOAUTH2 {blob}")]),
            ("+OK Logged in.\r\n", &[">QUIT"]),
            ("+OK bye\r\n", &["CLOSE"]),
        ]);
        assert!(d.failure().is_none(), "{:?}", d.failure());
        let long = "t".repeat(400);
        let blob = b64(&format!("user=info@praxis.de\x01auth=Bearer {long}\x01\x01"));
        let d = oauth_run(&long, &[
            ("+OK hi\r\n", &[">CAPA"]),
            ("+OK\r\nSASL XOAUTH2\r\n.\r\n", &[">AUTH XOAUTH2"]),
            ("+ \r\n", &[&format!(">{blob}")]),
            (&format!("+ {}\r\n", b64(r#"{"status":"401","schemes":"bearer"}"#)), &[">"]),
            ("-ERR [AUTH] Authentication failed.\r\n", &["CLOSE"]),
        ]);
        assert_eq!(d.failure().unwrap().kind, FailureKind::OauthTokenRejected);
        let (transcript, _, _) = d.into_parts();
        assert!(!format!("{transcript:?}").contains(&long));
        let d = oauth_run("tok", &[("+OK hi\r\n", &[">CAPA"]), ("+OK\r\nSASL PLAIN\r\n.\r\n", &["CLOSE"])]);
        let d: &Pop3Dialogue = &d;
        assert_eq!(d.failure().unwrap().kind, FailureKind::AuthMechanismUnsupported);
    }

    #[test]
    fn stls_then_sasl_plain() {
        let d = run(
            Security::Starttls,
            &[
                ("+OK Dovecot ready.\r\n", &[">CAPA"]),
                ("+OK\r\nCAPA\r\nTOP\r\nSTLS\r\nSASL PLAIN\r\n.\r\n", &[">STLS"]),
                ("+OK Begin TLS negotiation now.\r\n", &["TLS"]),
                ("<tls>", &[">CAPA"]),
                ("+OK\r\nCAPA\r\nUSER\r\nSASL PLAIN LOGIN\r\n.\r\n", &[">AUTH PLAIN AGluZm9AcHJheGlzLmRlAGdlaGVpbQ=="]),
                ("+OK Logged in.\r\n", &[">QUIT"]),
                ("+OK Logging out.\r\n", &["CLOSE"]),
            ],
        );
        assert!(d.failure().is_none());
        assert!(d.transcript.lines().iter().all(|l| !l.text.contains("geheim") && !l.text.contains("AGluZm9")));
    }

    #[test]
    fn implicit_tls_user_pass() {
        let d = run(
            Security::Tls,
            &[
                ("+OK ready\r\n", &[">CAPA"]),
                ("+OK\r\nUSER\r\n.\r\n", &[">USER info@praxis.de"]),
                ("+OK\r\n", &[">PASS geheim"]),
                ("-ERR [AUTH] Authentication failed.\r\n", &["CLOSE"]),
            ],
        );
        assert_eq!(d.failure().unwrap().kind, FailureKind::Pop3AuthRejected);
        assert!(d.transcript.lines().iter().any(|l| l.text == "PASS <redacted>"));
    }

    #[test]
    fn failures_table() {
        use FailureKind::*;
        let cases: &[(&str, Security, crate::dialogue::script::Script, FailureKind)] = &[
            (
                "POP3 O_1: no STLS",
                Security::Starttls,
                &[("+OK\r\n", &[">CAPA"]), ("+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n", &["CLOSE"])],
                StarttlsNotOffered,
            ),
            (
                "POP3 O_2: STLS refused",
                Security::Starttls,
                &[("+OK\r\n", &[">CAPA"]), ("+OK\r\nSTLS\r\n.\r\n", &[">STLS"]), ("-ERR no\r\n", &["CLOSE"])],
                StarttlsRefused,
            ),
            (
                "POP3 O_3: no CAPA at all",
                Security::Starttls,
                &[("+OK\r\n", &[">CAPA"]), ("-ERR unknown command\r\n", &["CLOSE"])],
                StarttlsNotOffered,
            ),
            (
                "POP3 B_1: injection",
                Security::Starttls,
                &[
                    ("+OK\r\n", &[">CAPA"]),
                    ("+OK\r\nSTLS\r\n.\r\n", &[">STLS"]),
                    ("+OK go\r\n+OK injected\r\n", &["CLOSE"]),
                ],
                StarttlsInjection,
            ),
            (
                "APOP greeting is not used",
                Security::Starttls,
                &[("+OK <1.2@host>\r\n", &[">CAPA"]), ("+OK\r\n.\r\n", &["CLOSE"])],
                StarttlsNotOffered,
            ),
            ("garbage", Security::Tls, &[("HTTP/1.1 400\r\n", &["CLOSE"])], ProtocolError),
            (
                "plaintext profile",
                Security::None,
                &[("+OK\r\n", &[">CAPA"]), ("+OK\r\nUSER\r\n.\r\n", &["CLOSE"])],
                PlaintextRefused,
            ),
        ];
        for (name, sec, script, kind) in cases {
            let d = run(*sec, script);
            assert_eq!(&d.failure().expect(name).kind, kind, "{name}");
        }
    }
}
