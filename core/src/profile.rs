//! The profile model shared by the core, the wasm API, the probe and the wizard.
//!
//! A profile never contains the password: it is passed to a test separately
//! and never stored.

use serde::{Deserialize, Serialize};

/// One set of sending settings ("Profil für E-Mail-Versand").
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Free-text profile name ("Profilbezeichnung").
    #[serde(default)]
    pub name: String,
    /// The sender address; must equal the address of each tenant it serves.
    #[serde(default)]
    pub email: String,
    /// How the user authenticates.
    #[serde(default)]
    pub auth: AuthKind,
    /// The outgoing server.
    pub smtp: Server,
    /// Optional POP-before-SMTP ("Authentifizierung über Posteingangsserver").
    #[serde(default)]
    pub pop_before_smtp: Option<Server>,
    /// With `"auth": "oauth2"`: the provider to sign in with, `microsoft`,
    /// `google`, or an OpenID Connect issuer URL (`https://…`). The account
    /// is the profile's address.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub oauth_provider: String,
}

/// A server the profile talks to: SMTP, or POP3 for POP-before-SMTP.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Server {
    /// Host name or address literal, as the user typed it.
    #[serde(default)]
    pub host: String,
    /// Port. Wider than `u16` on purpose: a typed 70000 must become a finding,
    /// not a parse error that loses the rest of the profile.
    #[serde(default)]
    pub port: u32,
    /// How the connection is encrypted.
    #[serde(default)]
    pub security: Security,
    /// Login name; empty means "use the e-mail address".
    #[serde(default)]
    pub username: String,
}

/// A tenant: a practice or business unit with its own address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    /// Stable id.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// The tenant's address (Stammdaten › Mandanten › „Texte“).
    #[serde(default)]
    pub email: String,
    /// The name of the profile it sends through.
    #[serde(default)]
    pub profile: Option<String>,
}

/// Everything the wizard saves (never a password).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Profiles.
    #[serde(default)]
    pub profiles: Vec<Profile>,
    /// Tenants.
    #[serde(default)]
    pub tenants: Vec<Tenant>,
}

/// A [`Profile`] with its text borrowed: what validation reads. The wasm
/// package validates straight from the string JS hands over, without
/// copying each field into a `String` first.
#[derive(Clone, Copy, Debug)]
pub struct ProfileRef<'a> {
    /// See [`Profile::name`].
    pub name: &'a str,
    /// See [`Profile::email`].
    pub email: &'a str,
    /// See [`Profile::auth`].
    pub auth: AuthKind,
    /// See [`Profile::smtp`].
    pub smtp: ServerRef<'a>,
    /// See [`Profile::pop_before_smtp`].
    pub pop_before_smtp: Option<ServerRef<'a>>,
}

/// A [`Server`] with its text borrowed.
#[derive(Clone, Copy, Debug)]
pub struct ServerRef<'a> {
    /// See [`Server::host`].
    pub host: &'a str,
    /// See [`Server::port`].
    pub port: u32,
    /// See [`Server::security`].
    pub security: Security,
    /// See [`Server::username`].
    pub username: &'a str,
}

impl Profile {
    /// The profile as a [`ProfileRef`].
    pub fn borrowed(&self) -> ProfileRef<'_> {
        ProfileRef {
            name: &self.name,
            email: &self.email,
            auth: self.auth,
            smtp: self.smtp.borrowed(),
            pop_before_smtp: self.pop_before_smtp.as_ref().map(Server::borrowed),
        }
    }
}

impl From<ProfileRef<'_>> for Profile {
    fn from(p: ProfileRef<'_>) -> Profile {
        Profile {
            name: p.name.to_string(),
            email: p.email.to_string(),
            auth: p.auth,
            smtp: p.smtp.into(),
            pop_before_smtp: p.pop_before_smtp.map(Server::from),
            oauth_provider: String::new(),
        }
    }
}

impl From<ServerRef<'_>> for Server {
    fn from(s: ServerRef<'_>) -> Server {
        Server { host: s.host.to_string(), port: s.port, security: s.security, username: s.username.to_string() }
    }
}

impl Server {
    /// The server as a [`ServerRef`].
    pub fn borrowed(&self) -> ServerRef<'_> {
        ServerRef { host: &self.host, port: self.port, security: self.security, username: &self.username }
    }
}

/// How a connection is encrypted. Always explicit: never implied by the port.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// TLS from the first byte (SMTP 465, POP3 995).
    Tls,
    /// Plain connection upgraded with STARTTLS / STLS (SMTP 587 or 25, POP3 110).
    #[default]
    Starttls,
    /// No encryption. The probe refuses to send credentials over it.
    None,
}

impl Security {
    /// Its name in the JSON contract.
    pub fn as_str(self) -> &'static str {
        match self {
            Security::Tls => "tls",
            Security::Starttls => "starttls",
            Security::None => "none",
        }
    }
}

/// The authentication method ("Authentifizierung").
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthKind {
    /// User name and password ("Benutzername + Kennwort").
    #[default]
    Password,
    /// OAuth 2.0; not yet supported by the probe.
    Oauth2,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shape_of_the_contract() {
        let json = r#"{"name": "Praxis Müller", "email": "info@praxis-mueller.de", "auth": "password",
            "smtp": {"host": "smtp.example.de", "port": 587, "security": "starttls",
                     "username": "info@praxis-mueller.de"},
            "pop_before_smtp": null}"#;
        let p: Profile = serde_json::from_str(json).unwrap();
        assert_eq!(p.smtp.port, 587);
        assert_eq!(p.smtp.security, Security::Starttls);
        assert!(p.pop_before_smtp.is_none());
        let back = serde_json::to_value(&p).unwrap();
        assert_eq!(back["smtp"]["security"], "starttls");
        assert_eq!(back["auth"], "password");
    }
}
