//! What a probe observes: stages with timings and, when something went
//! wrong, the failure as data. The native probe fills these in from the
//! network and the dialogues; [`crate::verdict::diagnose`] turns them into a
//! verdict a user can act on.

use serde::{Deserialize, Serialize};

use crate::reply::Reply;

/// A step of a test, in the order they happen.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Stage {
    /// Looking up the server's addresses.
    Resolve,
    /// Opening the TCP connection.
    Connect,
    /// The TLS handshake (implicit, or after STARTTLS/STLS).
    Tls,
    /// Waiting for the server's greeting.
    Greeting,
    /// EHLO (before or after TLS).
    Ehlo,
    /// The STARTTLS command.
    Starttls,
    /// Logging in.
    Auth,
    /// MAIL FROM / RCPT TO with the profile's address.
    Sender,
    /// DATA: sending the test message (`send-test` only).
    Data,
    /// Saying goodbye.
    Quit,
    /// POP-before-SMTP: the whole POP3 login.
    Pop3,
}

impl Stage {
    /// The stage's name in the JSON contract.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Resolve => "resolve",
            Stage::Connect => "connect",
            Stage::Tls => "tls",
            Stage::Greeting => "greeting",
            Stage::Ehlo => "ehlo",
            Stage::Starttls => "starttls",
            Stage::Auth => "auth",
            Stage::Sender => "sender",
            Stage::Data => "data",
            Stage::Quit => "quit",
            Stage::Pop3 => "pop3",
        }
    }

    /// The stage's name for people, as the verdict and the wizard show it.
    pub fn label(self, lang: crate::lang::Lang) -> &'static str {
        use crate::lang::Lang;
        match (self, lang) {
            (Stage::Resolve, Lang::De) => "Namensauflösung",
            (Stage::Resolve, Lang::En) => "name lookup",
            (Stage::Connect, Lang::De) => "Verbindungsaufbau",
            (Stage::Connect, Lang::En) => "connecting",
            (Stage::Tls, _) => "SSL/TLS",
            (Stage::Greeting, Lang::De) => "Begrüßung",
            (Stage::Greeting, Lang::En) => "greeting",
            (Stage::Ehlo, _) => "EHLO",
            (Stage::Starttls, _) => "STARTTLS",
            (Stage::Auth, Lang::De) => "Anmeldung",
            (Stage::Auth, Lang::En) => "sign-in",
            (Stage::Sender, Lang::De) => "Absenderprüfung",
            (Stage::Sender, Lang::En) => "sender check",
            (Stage::Data, Lang::De) => "Testnachricht",
            (Stage::Data, Lang::En) => "test message",
            (Stage::Quit, Lang::De) => "Abmeldung",
            (Stage::Quit, Lang::En) => "sign-off",
            (Stage::Pop3, _) => "POP3",
        }
    }
}

/// How long a stage took and whether it succeeded.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageTiming {
    /// The stage.
    pub stage: Stage,
    /// Whether it succeeded.
    pub ok: bool,
    /// Milliseconds it took.
    pub ms: u64,
}

/// What went wrong, as observed; not yet interpreted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FailureKind {
    /// The name does not exist in DNS.
    DnsNotFound,
    /// Every address refused the connection.
    ConnectionRefused,
    /// The network or host is unreachable.
    Unreachable,
    /// A deadline passed.
    Timeout,
    /// Implicit TLS was tried, but the server speaks plaintext.
    TlsOnPlaintextPort,
    /// STARTTLS mode, but the server expects TLS from the first byte.
    PlaintextOnTlsPort,
    /// The TLS handshake failed for a reason other than the certificate.
    TlsHandshakeFailed,
    /// The certificate is issued by an unknown authority.
    CertUntrusted,
    /// The certificate is self-signed.
    CertSelfSigned,
    /// The certificate has expired (or is not yet valid).
    CertExpired,
    /// The certificate is for another name.
    CertNameMismatch,
    /// The server's greeting was not 220.
    GreetingRejected,
    /// The server (before TLS) did not offer STARTTLS.
    StarttlsNotOffered,
    /// The server answered STARTTLS with an error.
    StarttlsRefused,
    /// The server sent bytes after accepting STARTTLS and before the handshake.
    StarttlsInjection,
    /// No AUTH after TLS.
    AuthNotOffered,
    /// AUTH without PLAIN or LOGIN.
    AuthMechanismUnsupported,
    /// The login was rejected.
    AuthRejected,
    /// The server refused the OAuth 2.0 access token (an XOAUTH2 or
    /// OAUTHBEARER error challenge, then a final refusal).
    OauthTokenRejected,
    /// The server refused the access token for lacking the mail scope.
    OauthScopeMissing,
    /// No client ID is configured for the provider.
    OauthClientMissing,
    /// The user cancelled the sign-in or denied consent.
    OauthConsentDenied,
    /// The organisation's administrator must consent first.
    OauthAdminConsentRequired,
    /// The refresh token was revoked or has expired (`invalid_grant`).
    OauthTokenRevoked,
    /// No sign-in is stored for the profile.
    OauthNotSignedIn,
    /// The operating system's credential store could not be used.
    CredentialStoreUnavailable,
    /// MAIL FROM was rejected.
    SenderRejected,
    /// RCPT TO was rejected.
    RecipientRejected,
    /// The server refused the test message (DATA).
    MessageRejected,
    /// The profile asks for no encryption; the probe will not send credentials.
    PlaintextRefused,
    /// The POP3 login was rejected.
    Pop3AuthRejected,
    /// Malformed, oversized or unexpected data from the server.
    ProtocolError,
    /// The server closed the connection unexpectedly.
    ConnectionClosed,
    /// The profile cannot be tested (e.g. OAuth 2.0 only).
    Unsupported,
    /// No name server answered, or there is no network: whether the name
    /// exists is unknown.
    DnsUnavailable,
    /// Our own trust set-up failed (the CA file, the platform's store):
    /// a local problem, not the server's.
    TrustSetupFailed,
    /// User data that would have broken a protocol line (a line break);
    /// nothing of it was sent.
    UnsafeInput,
}

/// A failure with where it happened and the server's reply, if any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// Where.
    pub stage: Stage,
    /// What.
    pub kind: FailureKind,
    /// The server's reply that shows it, kept whole.
    pub reply: Option<Reply>,
    /// A technical detail in English (already sanitized), for "Technische Details".
    pub detail: Option<String>,
}

impl Failure {
    /// A failure without reply or detail.
    pub fn new(stage: Stage, kind: FailureKind) -> Self {
        Failure { stage, kind, reply: None, detail: None }
    }

    /// With a technical detail.
    pub fn detail(mut self, d: impl Into<String>) -> Self {
        self.detail = Some(d.into());
        self
    }

    /// With the server reply.
    pub fn reply(mut self, r: Reply) -> Self {
        self.reply = Some(r);
        self
    }
}

/// Who said a line of the transcript.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Direction {
    /// The probe (`c` in the JSON contract).
    #[serde(rename = "c")]
    Client,
    /// The server (`s`).
    #[serde(rename = "s")]
    Server,
    /// A note of the probe (`i`).
    #[serde(rename = "i")]
    Info,
}

/// One line of the conversation, for "Technische Details".
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptLine {
    /// Who said it.
    pub dir: Direction,
    /// The line, sanitized; credentials replaced by `<redacted>`.
    pub text: String,
}

/// A transcript bounded to [`Transcript::MAX`] lines: a hostile server must
/// not grow it without bound, so lines go in only through [`Transcript::push`].
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Transcript(Vec<TranscriptLine>);

impl Transcript {
    /// Most lines kept.
    pub const MAX: usize = 300;

    /// Adds a line.
    pub fn push(&mut self, dir: Direction, text: impl Into<String>) {
        if self.0.len() < Self::MAX {
            self.0.push(TranscriptLine { dir, text: text.into() });
        } else if self.0.len() == Self::MAX {
            self.0.push(TranscriptLine { dir: Direction::Info, text: "… (transcript truncated)".into() });
        }
    }

    /// Appends another transcript's lines, within the bound.
    pub fn extend(&mut self, other: Transcript) {
        for line in other.0 {
            if self.0.len() > Self::MAX {
                break;
            }
            if self.0.len() == Self::MAX {
                self.0.push(TranscriptLine { dir: Direction::Info, text: "… (transcript truncated)".into() });
                break;
            }
            self.0.push(line);
        }
    }

    /// The lines.
    pub fn lines(&self) -> &[TranscriptLine] {
        &self.0
    }
}
