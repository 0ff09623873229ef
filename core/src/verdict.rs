//! Diagnosis: from what the probe observed to a verdict a user can act on.
//!
//! [`diagnose`] is a pure function. The category is decided from the failure
//! kind and, for server replies, from the reply code and enhanced status code
//! (RFC 3463) and a few well-known provider texts; the message says what
//! happened and the hint what to do, in German or English.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::finding::fill;
use crate::lang::Lang;
use crate::observe::{Failure, FailureKind, Stage, StageTiming, Transcript};
use crate::reply::Reply;

/// Everything a probe run observed.
#[derive(Clone, Debug, Default)]
pub struct Observations {
    /// Stages in order, with timing.
    pub stages: Vec<StageTiming>,
    /// The failure, if any.
    pub failure: Option<Failure>,
    /// The conversation (redacted, sanitized).
    pub transcript: Transcript,
    /// The server that was tested.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// With POP-before-SMTP: the server accepted our sender without AUTH.
    pub relay_without_auth: bool,
}

/// The outcome of a test, as the JSON contract has it.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// Whether everything worked.
    pub ok: bool,
    /// What happened, as a stable name.
    pub category: Category,
    /// Where it failed (`null` when ok).
    pub stage: Option<Stage>,
    /// What happened, for the user.
    pub message: String,
    /// What to do.
    pub hint: String,
    /// Stages with timing.
    pub stages: Vec<StageTiming>,
    /// The server's reply that decided the verdict, kept whole.
    pub server_reply: Option<Reply>,
    /// Technical detail (English), if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub detail: Option<String>,
    /// The redacted conversation.
    pub transcript: Transcript,
    /// For `invalid_profile`: the errors that kept the profile from being tested.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub findings: Vec<crate::Finding>,
}

macro_rules! categories {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal,
        de: $de:literal, $de_hint:literal,
        en: $en:literal, $en_hint:literal; )*) => {
        /// The verdict's category. Its snake_case name is the JSON contract.
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[non_exhaustive]
        pub enum Category {
            $( $(#[doc = $doc])* #[serde(rename = $name)] $variant, )*
        }

        impl Category {
            /// Every category.
            pub const ALL: &'static [Category] = &[$(Category::$variant),*];

            /// The stable name.
            pub fn as_str(self) -> &'static str {
                match self { $(Category::$variant => $name,)* }
            }

            /// (message, hint) templates in `lang`.
            pub fn templates(self, lang: Lang) -> (&'static str, &'static str) {
                match (self, lang) {
                    $( (Category::$variant, Lang::De) => ($de, $de_hint),
                       (Category::$variant, Lang::En) => ($en, $en_hint), )*
                }
            }
        }
    };
}

categories! {
    /// Everything worked.
    Ok = "ok",
        de: "Die Einstellungen sind korrekt: Die Anmeldung am Server {host} war erfolgreich.", "Speichern Sie das Profil mit „OK“.",
        en: "The settings are correct: signing in to {host} worked.", "Save the profile with “OK”.";
    /// The server name does not exist.
    DnsNotFound = "dns_not_found",
        de: "Den Server „{host}“ gibt es nicht.", "Prüfen Sie die Schreibweise des Servernamens oder nutzen Sie „Einstellungen suchen“.",
        en: "The server “{host}” does not exist.", "Check the spelling of the server name, or use “Find settings”.";
    /// No name server answered: whether the name exists is unknown.
    DnsUnavailable = "dns_unavailable",
        de: "Der Name „{host}“ konnte nicht nachgeschlagen werden: Kein Namensserver hat geantwortet.", "Prüfen Sie die Internetverbindung dieses Computers und testen Sie erneut.",
        en: "The name “{host}” could not be looked up: no name server answered.", "Check this computer's internet connection and test again.";
    /// The computer's own trust set-up failed (the CA file, the system's store).
    TrustSetupFailed = "trust_setup_failed",
        de: "Die Prüfung von Zertifikaten konnte auf diesem Computer nicht eingerichtet werden.", "Das liegt nicht am Server. Prüfen Sie die angegebene Zertifikatsdatei, oder wenden Sie sich an Ihren IT-Betreuer.",
        en: "Certificate checking could not be set up on this computer.", "This is not the server's fault. Check the certificate file given, or contact your IT support.";
    /// Nothing listens on the port.
    ConnectionRefused = "connection_refused",
        de: "Der Server {host} nimmt auf Port {port} keine Verbindungen an.", "Prüfen Sie den Port (üblich sind 465 oder 587).",
        en: "The server {host} does not accept connections on port {port}.", "Check the port (465 or 587 are usual).";
    /// The network cannot reach the server.
    Unreachable = "unreachable",
        de: "Der Server {host} ist von diesem Computer aus nicht erreichbar.", "Prüfen Sie die Internetverbindung dieses Computers.",
        en: "The server {host} cannot be reached from this computer.", "Check this computer's internet connection.";
    /// A deadline passed.
    Timeout = "timeout",
        de: "Der Server {host} hat nicht rechtzeitig geantwortet ({stage_label}).", "{timeout_hint}",
        en: "The server {host} did not answer in time ({stage_label}).", "{timeout_hint}";
    /// Implicit TLS against a plaintext port.
    TlsOnPlaintextPort = "tls_on_plaintext_port",
        de: "Auf Port {port} erwartet der Server keine sofortige SSL/TLS-Verschlüsselung.", "Wählen Sie STARTTLS (üblich mit Port 587) oder Port 465 mit SSL/TLS.",
        en: "On port {port} the server does not expect SSL/TLS from the start.", "Choose STARTTLS (usual with port 587), or port 465 with SSL/TLS.";
    /// STARTTLS against an implicit-TLS port.
    PlaintextOnTlsPort = "plaintext_on_tls_port",
        de: "Auf Port {port} erwartet der Server sofortige SSL/TLS-Verschlüsselung.", "Wählen Sie für Port {port} die Verschlüsselung SSL/TLS statt STARTTLS.",
        en: "On port {port} the server expects SSL/TLS from the start.", "Choose SSL/TLS instead of STARTTLS for port {port}.";
    /// The TLS handshake failed.
    TlsHandshakeFailed = "tls_handshake_failed",
        de: "Die verschlüsselte Verbindung zu {host} kam nicht zustande.", "Der Server verwendet möglicherweise veraltete Verschlüsselung. Wenden Sie sich an Ihren Anbieter.",
        en: "The encrypted connection to {host} could not be set up.", "The server may use outdated encryption. Contact your provider.";
    /// Unknown certificate authority.
    CertUntrusted = "cert_untrusted",
        de: "Das Zertifikat des Servers {host} stammt von einer unbekannten Stelle.", "Prüfen Sie den Servernamen. Bei einem eigenen Server muss dessen Zertifizierungsstelle diesem Computer bekannt sein.",
        en: "The certificate of {host} comes from an unknown authority.", "Check the server name. For your own server, this computer must know its certificate authority.";
    /// Self-signed certificate.
    CertSelfSigned = "cert_self_signed",
        de: "Der Server {host} verwendet ein selbst ausgestelltes Zertifikat.", "Die Verbindung ist nicht vertrauenswürdig. Fragen Sie Ihren Anbieter oder IT-Betreuer nach einem gültigen Zertifikat.",
        en: "The server {host} uses a self-signed certificate.", "The connection cannot be trusted. Ask your provider or IT support for a valid certificate.";
    /// Expired certificate.
    CertExpired = "cert_expired",
        de: "Das Zertifikat des Servers {host} ist abgelaufen oder noch nicht gültig.", "Prüfen Sie Datum und Uhrzeit dieses Computers; stimmen sie, muss Ihr Anbieter das Zertifikat erneuern.",
        en: "The certificate of {host} has expired or is not yet valid.", "Check this computer's date and time; if they are right, your provider must renew the certificate.";
    /// Certificate for another name.
    CertNameMismatch = "cert_name_mismatch",
        de: "Das Zertifikat des Servers gilt nicht für den Namen „{host}“.", "Tragen Sie den Servernamen genau so ein, wie Ihr Anbieter ihn angibt.",
        en: "The server's certificate is not valid for the name “{host}”.", "Enter the server name exactly as your provider gives it.";
    /// No STARTTLS.
    StarttlsNotOffered = "starttls_not_offered",
        de: "Der Server {host} bietet auf Port {port} keine Verschlüsselung (STARTTLS) an. Das Kennwort wurde nicht gesendet.", "Versuchen Sie Port 465 mit SSL/TLS. Ohne Verschlüsselung wird nicht getestet.",
        en: "The server {host} offers no encryption (STARTTLS) on port {port}. The password was not sent.", "Try port 465 with SSL/TLS. Without encryption there is no test.";
    /// STARTTLS refused.
    StarttlsRefused = "starttls_refused",
        de: "Der Server {host} hat die Verschlüsselung (STARTTLS) abgelehnt. Das Kennwort wurde nicht gesendet.", "Versuchen Sie es später erneut oder verwenden Sie Port 465 mit SSL/TLS.",
        en: "The server {host} refused encryption (STARTTLS). The password was not sent.", "Try again later, or use port 465 with SSL/TLS.";
    /// Injection attempt.
    StarttlsInjection = "starttls_injection",
        de: "Beim Einschalten der Verschlüsselung kamen unerwartete Daten an – möglicherweise ein Angriff auf die Verbindung. Das Kennwort wurde nicht gesendet.", "Verwenden Sie eine andere Internetverbindung oder Port 465 mit SSL/TLS und informieren Sie Ihren IT-Betreuer.",
        en: "Unexpected data arrived while switching on encryption – possibly an attack on the connection. The password was not sent.", "Use another internet connection or port 465 with SSL/TLS, and tell your IT support.";
    /// Greeting not 220.
    GreetingRejected = "greeting_rejected",
        de: "Der Server {host} hat die Verbindung abgewiesen.", "Versuchen Sie es später erneut. Bleibt es dabei, wenden Sie sich an Ihren Anbieter.",
        en: "The server {host} turned the connection away.", "Try again later. If it persists, contact your provider.";
    /// No AUTH: an MX, not a submission server.
    AuthNotOffered = "auth_not_offered",
        de: "Der Server {host} bietet auf Port {port} keine Anmeldung an – er ist wohl kein Postausgangsserver für Ihr Konto.", "Prüfen Sie Server und Port; nutzen Sie „Einstellungen suchen“.",
        en: "The server {host} offers no sign-in on port {port} – it is probably not an outgoing server for your account.", "Check server and port; use “Find settings”.";
    /// No usable mechanism.
    AuthMechanismUnsupported = "auth_mechanism_unsupported",
        de: "Der Server {host} bietet kein Anmeldeverfahren an, das dieser Test beherrscht (Benutzername + Kennwort).", "Möglicherweise verlangt der Anbieter OAuth 2.0.",
        en: "The server {host} offers no sign-in method this test supports (user name + password).", "The provider may require OAuth 2.0.";
    /// Wrong credentials.
    AuthFailed = "auth_failed",
        de: "Anmeldung abgelehnt: Benutzername oder Kennwort stimmen nicht.", "Prüfen Sie beides.{provider_hint}",
        en: "Sign-in rejected: the user name or password is wrong.", "Check both.{provider_hint}";
    /// An app password is needed.
    AuthAppPasswordRequired = "auth_app_password_required",
        de: "Anmeldung abgelehnt: Der Anbieter verlangt ein App-Passwort statt des normalen Kennworts.", "Erstellen Sie in den Sicherheitseinstellungen Ihres Kontos ein App-Passwort und tragen Sie es als Kennwort ein.",
        en: "Sign-in rejected: the provider requires an app password instead of the normal password.", "Create an app password in your account's security settings and enter it as the password.";
    /// A web login must happen first.
    AuthWebLoginRequired = "auth_web_login_required",
        de: "Anmeldung abgelehnt: Der Anbieter verlangt zuerst eine Anmeldung im Webbrowser.", "Melden Sie sich einmal auf der Webseite Ihres Anbieters an, bestätigen Sie dort ggf. den Hinweis und testen Sie erneut.",
        en: "Sign-in rejected: the provider first wants a sign-in in the web browser.", "Sign in once on your provider's website, confirm any notice there and test again.";
    /// Only OAuth 2.0.
    AuthOauthRequired = "auth_oauth_required",
        de: "Der Anbieter erlaubt die Anmeldung mit Benutzername und Kennwort nicht mehr, nur noch über OAuth 2.0.", "Stellen Sie die Authentifizierung auf OAuth 2.0 um und melden Sie sich beim Anbieter an (mailprobe login).",
        en: "The provider no longer allows sign-in with user name and password, only through OAuth 2.0.", "Switch the authentication to OAuth 2.0 and sign in with the provider (mailprobe login).";
    /// The server refused the OAuth 2.0 access token.
    OauthTokenRejected = "oauth_token_rejected",
        de: "Der Server {host} hat die Anmeldung über OAuth 2.0 abgelehnt.", "Melden Sie sich erneut beim Anbieter an („Anmelden bei …“). Bleibt es dabei, prüfen Sie, ob das Konto zur E-Mail-Adresse {email} gehört.",
        en: "The server {host} refused the sign-in through OAuth 2.0.", "Sign in with the provider again (“Sign in with …”). If it persists, check that the account belongs to the address {email}.";
    /// The access token lacks the mail scope.
    OauthScopeMissing = "oauth_scope_missing",
        de: "Die Anmeldung über OAuth 2.0 erlaubt das Senden von E-Mails nicht (fehlende Berechtigung).", "Melden Sie sich erneut an und erlauben Sie dabei das Senden von E-Mails. In Firmenkonten muss der Administrator diese Berechtigung ggf. freigeben.",
        en: "The OAuth 2.0 sign-in does not allow sending e-mail (a permission is missing).", "Sign in again and allow sending e-mail. In business accounts the administrator may have to grant that permission.";
    /// No client ID is configured for the provider.
    OauthClientMissing = "oauth_client_missing",
        de: "Für die Anmeldung bei diesem Anbieter ist keine Anwendung eingerichtet (Client-ID fehlt).", "Der Hersteller Ihrer Praxissoftware muss seine Client-ID in der Datei oauth2-clients.json hinterlegen. Wenden Sie sich an seinen Support.",
        en: "No application is set up for signing in with this provider (the client ID is missing).", "The maker of your practice software must put its client ID into oauth2-clients.json. Contact its support.";
    /// Consent denied or the sign-in cancelled.
    OauthConsentDenied = "oauth_consent_denied",
        de: "Die Anmeldung beim Anbieter wurde abgebrochen oder die Zustimmung verweigert.", "Melden Sie sich erneut an und stimmen Sie dem Senden von E-Mails zu.",
        en: "The sign-in with the provider was cancelled or consent was denied.", "Sign in again and agree to sending e-mail.";
    /// The administrator's consent is required.
    OauthAdminConsentRequired = "oauth_admin_consent_required",
        de: "Ihr Unternehmenskonto verlangt die Zustimmung eines Administrators für diese Anwendung.", "Bitten Sie den Administrator Ihres Microsoft-365- oder Google-Workspace-Kontos, der Anwendung zuzustimmen, und melden Sie sich dann erneut an.",
        en: "Your organisation's account requires an administrator's consent for this application.", "Ask the administrator of your Microsoft 365 or Google Workspace account to consent to the application, then sign in again.";
    /// The stored sign-in is no longer valid.
    OauthTokenRevoked = "oauth_token_revoked",
        de: "Die gespeicherte Anmeldung beim Anbieter ist nicht mehr gültig (widerrufen oder abgelaufen).", "Melden Sie sich erneut beim Anbieter an.",
        en: "The stored sign-in with the provider is no longer valid (revoked or expired).", "Sign in with the provider again.";
    /// No sign-in stored yet.
    OauthNotSignedIn = "oauth_not_signed_in",
        de: "Für {email} ist noch keine Anmeldung beim Anbieter gespeichert.", "Melden Sie sich zuerst beim Anbieter an („Anmelden bei …“, oder mailprobe login).",
        en: "No sign-in with the provider is stored for {email} yet.", "Sign in with the provider first (“Sign in with …”, or mailprobe login).";
    /// The OS credential store could not be used.
    CredentialStoreUnavailable = "credential_store_unavailable",
        de: "Der Anmeldeschlüssel konnte im Kennwortspeicher dieses Computers nicht gespeichert oder gelesen werden.", "Das ist kein Problem des Anbieters. Unter Windows ist das die Anmeldeinformationsverwaltung; wenden Sie sich an Ihren IT-Betreuer.",
        en: "The sign-in could not be stored in or read from this computer's credential store.", "This is not the provider's fault. On Windows it is the Credential Manager; contact your IT support.";
    /// Microsoft 365 has SMTP AUTH switched off for the tenant or the
    /// mailbox: not a password problem, and OAuth 2.0 does not help.
    SmtpAuthDisabledForTenant = "smtp_auth_disabled_for_tenant",
        de: "Für dieses Microsoft-365-Postfach ist die Anmeldung am Postausgangsserver (SMTP AUTH) abgeschaltet.", "Das ist kein Kennwortproblem, und OAuth 2.0 hilft hier nicht: Der Administrator Ihres Microsoft-365-Kontos muss „Authentifiziertes SMTP“ für dieses Postfach einschalten (Microsoft 365 Admin Center › Benutzer › Aktive Benutzer › E-Mail › E-Mail-Apps verwalten).",
        en: "Signing in to the outgoing server (SMTP AUTH) is switched off for this Microsoft 365 mailbox.", "This is not a password problem, and OAuth 2.0 does not help: the administrator of your Microsoft 365 account must enable “Authenticated SMTP” for this mailbox (Microsoft 365 admin center › Users › Active users › Mail › Manage email apps).";
    /// Encryption required by the server.
    EncryptionRequired = "encryption_required",
        de: "Der Server verlangt eine stärkere Verschlüsselung für die Anmeldung.", "Wählen Sie Port 465 mit SSL/TLS oder 587 mit STARTTLS.",
        en: "The server requires stronger encryption for signing in.", "Choose port 465 with SSL/TLS or 587 with STARTTLS.";
    /// Too many attempts.
    RateLimited = "rate_limited",
        de: "Der Server {host} lässt vorübergehend keine weiteren Anmeldungen zu (zu viele Versuche).", "Warten Sie einige Minuten und testen Sie dann erneut.",
        en: "The server {host} temporarily allows no more sign-ins (too many attempts).", "Wait a few minutes, then test again.";
    /// Temporary server problem.
    TemporaryFailure = "temporary_failure",
        de: "Der Server {host} hat vorübergehend einen Fehler gemeldet.", "Versuchen Sie es in einigen Minuten erneut.",
        en: "The server {host} reported a temporary error.", "Try again in a few minutes.";
    /// The password must be changed.
    PasswordChangeRequired = "password_change_required",
        de: "Der Anbieter verlangt, dass Sie Ihr Kennwort ändern.", "Ändern Sie das Kennwort auf der Webseite Ihres Anbieters und tragen Sie das neue hier ein.",
        en: "The provider requires you to change your password.", "Change the password on your provider's website and enter the new one here.";
    /// The account may not send as this address.
    SenderNotPermitted = "sender_not_permitted",
        de: "Die Anmeldung hat geklappt, aber dieses Konto darf nicht mit der Adresse {email} versenden.", "Die E-Mail-Adresse muss zum Konto passen, mit dem Sie sich anmelden. Prüfen Sie Adresse und Benutzername.",
        en: "Signing in worked, but this account may not send as {email}.", "The e-mail address must belong to the account you sign in with. Check address and user name.";
    /// The server will not relay.
    RelayDenied = "relay_denied",
        de: "Der Server {host} nimmt keine E-Mails für die Adresse {email} an.", "Prüfen Sie, ob der Server und die Anmeldung zu Ihrer Adresse passen.",
        en: "The server {host} does not accept mail for {email}.", "Check that the server and the sign-in belong to your address.";
    /// The test message was refused.
    MessageRejected = "message_rejected",
        de: "Die Anmeldung hat geklappt, aber der Server {host} hat die Testnachricht abgelehnt.", "Die Antwort des Servers steht unter „Technische Details“. Wenden Sie sich damit an Ihren Anbieter.",
        en: "Signing in worked, but the server {host} refused the test message.", "The server's answer is under “Technical details”. Contact your provider with it.";
    /// POP3 login failed.
    Pop3AuthFailed = "pop3_auth_failed",
        de: "Anmeldung am Posteingangsserver (POP3) abgelehnt: Benutzername oder Kennwort stimmen nicht.", "Prüfen Sie beides.{provider_hint}",
        en: "Sign-in to the incoming server (POP3) rejected: the user name or password is wrong.", "Check both.{provider_hint}";
    /// The profile wants no encryption.
    PlaintextRefused = "plaintext_refused",
        de: "Ohne Verschlüsselung sendet der Test Ihr Kennwort nicht.", "Wählen Sie SSL/TLS (Port 465) oder STARTTLS (Port 587).",
        en: "Without encryption the test does not send your password.", "Choose SSL/TLS (port 465) or STARTTLS (port 587).";
    /// Garbage from the server.
    ProtocolError = "protocol_error",
        de: "Der Server {host} hat auf Port {port} unverständlich geantwortet – vermutlich ist es kein E-Mail-Server für den Versand.", "Prüfen Sie Server und Port.",
        en: "The server {host} answered on port {port} with something unintelligible – probably not a mail server for sending.", "Check server and port.";
    /// The server hung up.
    ConnectionClosed = "connection_closed",
        de: "Der Server {host} hat die Verbindung unerwartet beendet.", "Prüfen Sie Port und Verschlüsselung, und versuchen Sie es erneut.",
        en: "The server {host} closed the connection unexpectedly.", "Check port and encryption, and try again.";
    /// The profile has errors: it was not tested, and nothing was sent.
    InvalidProfile = "invalid_profile",
        de: "Das Profil enthält Fehler und wurde nicht getestet.", "Beheben Sie die markierten Fehler und testen Sie dann erneut.",
        en: "The profile has errors and was not tested.", "Fix the marked errors, then test again.";
    /// Cannot be tested.
    Unsupported = "unsupported",
        de: "Dieses Profil kann der Assistent nicht testen.", "{detail}",
        en: "This wizard cannot test this profile.", "{detail}";
}

/// Turns observations into a verdict in `lang`. `email` is the profile's
/// address (for messages) and `provider_hint` a provider-specific sentence
/// to add to login failures (empty for none).
pub fn diagnose(obs: Observations, email: &str, provider_hint: &str, lang: Lang) -> Verdict {
    let (category, stage, reply, detail) = match &obs.failure {
        None => (Category::Ok, None, None, None),
        Some(f) => (categorize(f), Some(f.stage), f.reply.clone(), f.detail.clone()),
    };
    let mut params = BTreeMap::new();
    params.insert("host".to_string(), obs.host.clone());
    params.insert("port".to_string(), obs.port.to_string());
    params.insert("email".to_string(), email.to_string());
    params.insert("detail".to_string(), detail.clone().unwrap_or_default());
    params.insert(
        "provider_hint".to_string(),
        if provider_hint.is_empty() { String::new() } else { format!(" {provider_hint}") },
    );
    if let Some(s) = stage {
        params.insert("stage_label".to_string(), s.label(lang).to_string());
        params.insert("timeout_hint".to_string(), timeout_hint(s, lang).to_string());
    }
    let (m, h) = category.templates(lang);
    let mut hint = fill(h, &params);
    if category == Category::Ok && obs.relay_without_auth {
        hint.push_str(match lang {
            Lang::De => {
                " Hinweis: Nach der POP3-Anmeldung nimmt der Server E-Mails ohne SMTP-Anmeldung an (POP-before-SMTP)."
            }
            Lang::En => " Note: after the POP3 sign-in the server accepts mail without SMTP sign-in (POP-before-SMTP).",
        });
    }
    Verdict {
        ok: category == Category::Ok,
        category,
        stage,
        message: fill(m, &params),
        hint,
        stages: obs.stages,
        server_reply: reply,
        detail,
        transcript: obs.transcript,
        findings: Vec::new(),
    }
}

/// Decides the category of a failure.
pub fn categorize(f: &Failure) -> Category {
    use FailureKind as K;
    let reply = f.reply.as_ref();
    let enhanced = |c: u8, s: u16, d: u16| reply.and_then(|r| r.enhanced).is_some_and(|e| e.is(c, s, d));
    let code = reply.map_or(0, |r| r.code);
    let text = reply.map(Reply::text_lower).unwrap_or_default();
    let too_many = text.contains("too many") || text.contains("rate limit") || text.contains("try again later");
    match f.kind {
        K::DnsNotFound => Category::DnsNotFound,
        K::ConnectionRefused => Category::ConnectionRefused,
        K::Unreachable => Category::Unreachable,
        K::Timeout => Category::Timeout,
        K::TlsOnPlaintextPort => Category::TlsOnPlaintextPort,
        K::PlaintextOnTlsPort => Category::PlaintextOnTlsPort,
        K::TlsHandshakeFailed => Category::TlsHandshakeFailed,
        K::CertUntrusted => Category::CertUntrusted,
        K::CertSelfSigned => Category::CertSelfSigned,
        K::CertExpired => Category::CertExpired,
        K::CertNameMismatch => Category::CertNameMismatch,
        K::GreetingRejected if code == 421 && too_many => Category::RateLimited,
        K::GreetingRejected => Category::GreetingRejected,
        K::StarttlsNotOffered => Category::StarttlsNotOffered,
        K::StarttlsRefused => Category::StarttlsRefused,
        K::StarttlsInjection => Category::StarttlsInjection,
        K::AuthNotOffered => Category::AuthNotOffered,
        K::AuthMechanismUnsupported => Category::AuthMechanismUnsupported,
        K::AuthRejected => auth_category(code, &enhanced, &text, too_many),
        // A tenant without SMTP AUTH refuses a token too; that fix is the administrator's.
        K::OauthTokenRejected | K::OauthScopeMissing if text.contains("smtpclientauthentication is disabled") => {
            Category::SmtpAuthDisabledForTenant
        }
        K::OauthTokenRejected => Category::OauthTokenRejected,
        K::OauthClientMissing => Category::OauthClientMissing,
        K::OauthConsentDenied => Category::OauthConsentDenied,
        K::OauthAdminConsentRequired => Category::OauthAdminConsentRequired,
        K::OauthTokenRevoked => Category::OauthTokenRevoked,
        K::OauthNotSignedIn => Category::OauthNotSignedIn,
        K::CredentialStoreUnavailable => Category::CredentialStoreUnavailable,
        K::OauthScopeMissing => Category::OauthScopeMissing,
        K::SenderRejected | K::RecipientRejected => {
            // A refusal that names the sender is about the sender, at MAIL
            // FROM or at RCPT TO alike (Postfix checks the sender late).
            if f.kind == K::SenderRejected && (code == 550 || code == 553) && enhanced(5, 7, 1)
                || enhanced(5, 7, 1) && text.contains("sender")
                || enhanced(5, 7, 60)
                || text.contains("sendasdenied")
                || text.contains("sender address rejected")
                || text.contains("not owned by user")
                || text.contains("not allowed for user")
                || text.contains("sender not allowed")
            {
                Category::SenderNotPermitted
            } else if (400..500).contains(&code) {
                Category::TemporaryFailure
            } else if f.kind == K::SenderRejected {
                Category::SenderNotPermitted
            } else {
                Category::RelayDenied
            }
        }
        K::MessageRejected if (400..500).contains(&code) => Category::TemporaryFailure,
        K::MessageRejected => Category::MessageRejected,
        K::PlaintextRefused => Category::PlaintextRefused,
        K::Pop3AuthRejected => Category::Pop3AuthFailed,
        K::ProtocolError => Category::ProtocolError,
        K::ConnectionClosed => Category::ConnectionClosed,
        K::Unsupported => Category::Unsupported,
        K::UnsafeInput => Category::InvalidProfile,
        K::DnsUnavailable => Category::DnsUnavailable,
        K::TrustSetupFailed => Category::TrustSetupFailed,
    }
}

fn auth_category(code: u16, enhanced: &dyn Fn(u8, u16, u16) -> bool, text: &str, too_many: bool) -> Category {
    if enhanced(5, 7, 9) || (code == 534 && text.contains("application-specific password")) {
        Category::AuthAppPasswordRequired
    } else if enhanced(5, 7, 14) {
        Category::AuthWebLoginRequired
    } else if text.contains("smtpclientauthentication is disabled") {
        // Microsoft's 5.7.139 for a tenant or mailbox without SMTP AUTH:
        // the switch is the administrator's, whatever the sign-in method.
        Category::SmtpAuthDisabledForTenant
    } else if enhanced(5, 7, 139) || enhanced(5, 7, 30) || text.contains("basic authentication is disabled") {
        Category::AuthOauthRequired
    } else if code == 432 || enhanced(4, 7, 12) {
        Category::PasswordChangeRequired
    } else if (code == 530 && enhanced(5, 7, 0)) || code == 538 || enhanced(5, 7, 11) {
        Category::EncryptionRequired
    } else if code == 421 || (code == 454 && too_many) || (code / 100 == 4 && too_many) {
        Category::RateLimited
    } else if code / 100 == 4 {
        Category::TemporaryFailure
    } else {
        Category::AuthFailed
    }
}

fn timeout_hint(s: Stage, lang: Lang) -> &'static str {
    match (s, lang) {
        (Stage::Connect, Lang::De) => {
            "Der Port ist vermutlich gesperrt (z. B. durch eine Firewall) oder falsch. Prüfen Sie den Port; üblich sind 465 oder 587."
        }
        (Stage::Connect, Lang::En) => {
            "The port is probably blocked (by a firewall, say) or wrong. Check the port; 465 or 587 are usual."
        }
        (Stage::Greeting, Lang::De) => {
            "Prüfen Sie Port und Verschlüsselung: Port 465 verwendet SSL/TLS, Port 587 STARTTLS."
        }
        (Stage::Greeting, Lang::En) => "Check port and encryption: port 465 uses SSL/TLS, port 587 STARTTLS.",
        (_, Lang::De) => "Versuchen Sie es später erneut.",
        (_, Lang::En) => "Try again later.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::ReplyParser;

    fn reply(raw: &str) -> Reply {
        let mut p = ReplyParser::default();
        p.push(raw.as_bytes());
        p.next_reply().unwrap().unwrap()
    }

    #[test]
    fn auth_replies_table() {
        let cases: &[(&str, &str)] = &[
            ("535 5.7.8 Authentication credentials invalid\r\n", "auth_failed"),
            ("535 Authentication failed\r\n", "auth_failed"),
            (
                "534-5.7.9 Application-specific password required.\r\n534 5.7.9 Learn more\r\n",
                "auth_app_password_required",
            ),
            (
                "534-5.7.14 <https://accounts.google.com/signin/continue>\r\n534 5.7.14 Please log in\r\n",
                "auth_web_login_required",
            ),
            ("535 5.7.139 Authentication unsuccessful, basic authentication is disabled.\r\n", "auth_oauth_required"),
            ("550 5.7.30 Basic authentication is not supported for Client Submission.\r\n", "auth_oauth_required"),
            (
                "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.\r\n",
                "smtp_auth_disabled_for_tenant",
            ),
            (
                "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information.\r\n",
                "smtp_auth_disabled_for_tenant",
            ),
            ("530 5.7.0 Must issue a STARTTLS command first\r\n", "encryption_required"),
            ("538 5.7.11 Encryption required for requested authentication mechanism\r\n", "encryption_required"),
            ("454 4.7.0 Too many login attempts, please try again later\r\n", "rate_limited"),
            ("421 4.7.0 Too many connections\r\n", "rate_limited"),
            ("454 4.7.0 Temporary authentication failure\r\n", "temporary_failure"),
            ("432 4.7.12 A password transition is needed\r\n", "password_change_required"),
        ];
        for (raw, want) in cases {
            let f = Failure::new(Stage::Auth, FailureKind::AuthRejected).reply(reply(raw));
            assert_eq!(categorize(&f).as_str(), *want, "{raw}");
        }
    }

    #[test]
    fn sender_replies_table() {
        let cases: &[(FailureKind, &str, &str)] = &[
            (
                FailureKind::SenderRejected,
                "553 5.7.1 <x@y.de>: Sender address rejected: not owned by user info@praxis.de\r\n",
                "sender_not_permitted",
            ),
            (FailureKind::SenderRejected, "550 5.7.1 Sender not allowed\r\n", "sender_not_permitted"),
            (
                FailureKind::RecipientRejected,
                "553 5.7.1 <x@y.de>: Sender address rejected: not owned by user\r\n",
                "sender_not_permitted",
            ),
            (FailureKind::RecipientRejected, "554 5.7.1 <x@y.de>: Relay access denied\r\n", "relay_denied"),
            // Issue #12: a refusal naming the sender is the sender's, at RCPT too.
            (
                FailureKind::RecipientRejected,
                "550 5.7.1 Sender address <x@y.de> not allowed for user info@praxis.de\r\n",
                "sender_not_permitted",
            ),
            (
                FailureKind::RecipientRejected,
                "550 5.7.60 SMTP; Client does not have permissions to send as this sender\r\n",
                "sender_not_permitted",
            ),
            (
                FailureKind::SenderRejected,
                "554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied\r\n",
                "sender_not_permitted",
            ),
            (FailureKind::RecipientRejected, "451 4.3.0 try later\r\n", "temporary_failure"),
        ];
        for (kind, raw, want) in cases {
            let f = Failure::new(Stage::Sender, kind.clone()).reply(reply(raw));
            assert_eq!(categorize(&f).as_str(), *want, "{raw}");
        }
    }

    #[test]
    fn every_category_renders_without_leftover_placeholders() {
        for c in Category::ALL {
            for lang in [Lang::De, Lang::En] {
                let (m, h) = c.templates(lang);
                assert!(!m.is_empty() && !h.is_empty(), "{}", c.as_str());
            }
        }
        let obs = Observations {
            host: "smtp.gmx.net".into(),
            port: 587,
            failure: Some(Failure::new(Stage::Connect, FailureKind::Timeout)),
            ..Default::default()
        };
        let v = diagnose(obs, "info@gmx.de", "", Lang::De);
        assert_eq!(v.category, Category::Timeout);
        assert!(v.hint.contains("gesperrt"), "{}", v.hint);
        // Issue #12: every category, in both languages, with every
        // parameter a verdict fills in.
        for c in Category::ALL {
            for lang in [Lang::De, Lang::En] {
                for stage in [Stage::Resolve, Stage::Auth] {
                    let (m, h) = c.templates(lang);
                    let mut params = BTreeMap::new();
                    for (k, v) in
                        [("host", "h"), ("port", "1"), ("email", "a@b.de"), ("detail", "d"), ("provider_hint", "")]
                    {
                        params.insert(k.to_string(), v.to_string());
                    }
                    params.insert("stage_label".into(), stage.label(lang).into());
                    params.insert("timeout_hint".into(), timeout_hint(stage, lang).into());
                    let (m, h) = (fill(m, &params), fill(h, &params));
                    assert!(!m.contains('{') && !h.contains('{'), "{} {lang:?}: {m} / {h}", c.as_str());
                    assert!(!m.is_empty() && !h.is_empty());
                }
            }
        }
    }

    #[test]
    fn json_contract() {
        let obs = Observations { host: "h".into(), port: 465, ..Default::default() };
        let v = serde_json::to_value(diagnose(obs, "a@b.de", "", Lang::En)).unwrap();
        assert_eq!(v["ok"], true);
        assert_eq!(v["category"], "ok");
        assert!(v["stage"].is_null());
        assert!(v["stages"].is_array() && v["transcript"].is_array());
    }
}
