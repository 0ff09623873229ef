//! What the ISPDB lacks for German users, filled in by hand with settings we
//! are certain of (each provider's own published server names), and the
//! notes the ISPDB does not carry. Marked `curated` wherever they surface.

use super::table::{P, S};
use crate::profile::Security::{Starttls, Tls};

const ADDR: &str = "%EMAILADDRESS%";

macro_rules! s {
    ($host:literal, $port:literal, $sec:ident) => {
        S { host: $host, port: $port, security: $sec, username: ADDR, password: true, oauth2: false }
    };
}

/// Providers missing from the ISPDB.
pub(super) static PROVIDERS: &[P] = &[
    P {
        id: "ionos.de",
        short: "IONOS",
        smtp: &[s!("smtp.ionos.de", 465, Tls), s!("smtp.ionos.de", 587, Starttls)],
        pop3: &[s!("pop.ionos.de", 995, Tls), s!("pop.ionos.de", 110, Starttls)],
        enable: None,
        doc: Some("https://www.ionos.de/hilfe/e-mail/"),
    },
    P {
        id: "mailbox.org",
        short: "mailbox.org",
        smtp: &[s!("smtp.mailbox.org", 465, Tls), s!("smtp.mailbox.org", 587, Starttls)],
        pop3: &[s!("pop3.mailbox.org", 995, Tls), s!("pop3.mailbox.org", 110, Starttls)],
        enable: None,
        doc: Some("https://kb.mailbox.org/"),
    },
    P {
        id: "freenet.de",
        short: "freenet",
        smtp: &[s!("mx.freenet.de", 465, Tls), s!("mx.freenet.de", 587, Starttls)],
        pop3: &[s!("mx.freenet.de", 995, Tls), s!("mx.freenet.de", 110, Starttls)],
        enable: None,
        doc: None,
    },
    P {
        id: "vodafone.de",
        short: "Vodafone",
        smtp: &[s!("smtp.vodafone.de", 465, Tls), s!("smtp.vodafone.de", 587, Starttls)],
        pop3: &[s!("pop.vodafone.de", 995, Tls)],
        enable: None,
        doc: None,
    },
];

/// Domains of curated providers, and aliases onto ISPDB providers.
pub(super) static DOMAINS: &[(&str, &str)] = &[
    ("ionos.de", "ionos.de"),
    ("1und1.de", "1und1.de"),
    ("mailbox.org", "mailbox.org"),
    ("freenet.de", "freenet.de"),
    ("vodafone.de", "vodafone.de"),
];

/// Provider names as the providers write them (GLOSSARY.md), over the ISPDB's.
pub(super) static NAMES: &[(&str, &str)] = &[
    ("gmx.net", "GMX"),
    ("gmx.com", "GMX"),
    ("web.de", "WEB.DE"),
    ("t-online.de", "T-Online (Telekom)"),
    ("strato.de", "STRATO"),
    ("posteo.de", "Posteo"),
    ("googlemail.com", "Gmail"),
    ("hotmail.com", "Outlook.com"),
    ("1und1.de", "1&1"),
    ("yahoo.com", "Yahoo"),
    ("me.com", "iCloud"),
    ("office365.com", "Microsoft 365"),
];

/// The head of the help list, in this order (German providers, then
/// Microsoft and Google), with a label where the list says more than the
/// provider's name; every other provider follows by name.
pub(super) static LIST_FIRST: &[(&str, Option<&str>)] = &[
    ("t-online.de", None),
    ("gmx.net", None),
    ("web.de", None),
    ("ionos.de", None),
    ("1und1.de", None),
    ("strato.de", None),
    ("posteo.de", None),
    ("mailbox.org", None),
    ("freenet.de", None),
    ("hotmail.com", Some("Outlook.com (Hotmail, Live)")),
    ("office365.com", Some("Microsoft 365 (Exchange Online)")),
    ("googlemail.com", Some("Gmail / Google Workspace")),
];

/// What kind of note.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// A step in the provider's web settings first (ISPDB `<enable>`).
    EnableAccess,
    /// An app password is required instead of the normal one.
    AppPassword,
    /// A separate e-mail password (T-Online).
    EmailPassword,
    /// Only OAuth 2.0 works.
    Oauth2Only,
}

/// Curated notes: (provider id, kind, German, English, url).
pub(super) static NOTES: &[(&str, NoteKind, &str, &str, &str)] = &[
    (
        "googlemail.com",
        NoteKind::AppPassword,
        "Gmail: Mit Benutzername und Kennwort geht die Anmeldung nur mit einem App-Passwort (dafür muss die Bestätigung in zwei Schritten eingeschaltet sein); sonst verlangt Google OAuth 2.0.",
        "Gmail: signing in with user name and password works only with an app password (which needs 2-step verification); otherwise Google requires OAuth 2.0.",
        "https://myaccount.google.com/apppasswords",
    ),
    (
        "me.com",
        NoteKind::AppPassword,
        "iCloud: Verwenden Sie ein app-spezifisches Passwort, nicht Ihr Apple-Account-Passwort.",
        "iCloud: use an app-specific password, not your Apple Account password.",
        "https://account.apple.com",
    ),
    (
        "yahoo.com",
        NoteKind::AppPassword,
        "Yahoo: Erstellen Sie in den Kontosicherheitseinstellungen ein App-Passwort und verwenden Sie es als Kennwort.",
        "Yahoo: create an app password in the account security settings and use it as the password.",
        "https://login.yahoo.com/account/security",
    ),
    (
        "hotmail.com",
        NoteKind::Oauth2Only,
        "Outlook.com/Hotmail erlaubt die Anmeldung nur noch über OAuth 2.0, nicht mit Benutzername und Kennwort.",
        "Outlook.com/Hotmail allows sign-in only through OAuth 2.0, not with user name and password.",
        "",
    ),
    (
        "office365.com",
        NoteKind::Oauth2Only,
        "Microsoft 365 erlaubt die Anmeldung in der Regel nur noch über OAuth 2.0.",
        "Microsoft 365 usually allows sign-in only through OAuth 2.0.",
        "",
    ),
];

/// MX host suffixes of custom domains → provider id (for discovery).
pub(super) static MX: &[(&str, &str)] = &[
    (".ionos.de", "ionos.de"),
    (".ionos.com", "ionos.de"),
    (".kundenserver.de", "ionos.de"),
    (".rzone.de", "strato.de"),
    (".mailbox.org", "mailbox.org"),
    (".google.com", "googlemail.com"),
    (".googlemail.com", "googlemail.com"),
    (".mail.protection.outlook.com", "office365.com"),
    (".posteo.de", "posteo.de"),
    (".freenet.de", "freenet.de"),
    (".web.de", "web.de"),
    (".gmx.net", "gmx.net"),
    (".t-online.de", "t-online.de"),
];
