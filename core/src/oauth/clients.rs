//! The client registrations (`oauth2-clients.json`): the software vendor's
//! own client IDs per provider, never another application's.

use std::collections::BTreeMap;

/// One registration.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// The client ID.
    pub client_id: String,
    /// Google's "Desktop app" clients come with a secret that cannot be
    /// kept secret in an installed program, but the token endpoint wants it.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Scopes for an issuer URL (the built-in providers know theirs).
    #[serde(default)]
    pub scopes: Vec<String>,
}

/// Every registration, by provider (`microsoft`, `google`, or an issuer URL).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Clients(BTreeMap<String, ClientConfig>);

/// Why the file cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientsError(pub String);

impl std::fmt::Display for ClientsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "oauth2-clients.json: {}", self.0)
    }
}

impl std::error::Error for ClientsError {}

impl Clients {
    /// Parses the file: `{"microsoft": {"client_id": "…"}, "google": {…}, "https://issuer": {…}}`.
    pub fn parse(text: &str) -> Result<Clients, ClientsError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let map: BTreeMap<String, ClientConfig> =
            serde_json::from_str(text).map_err(|e| ClientsError(e.to_string()))?;
        for (provider, c) in &map {
            if c.client_id.trim().is_empty() {
                return Err(ClientsError(format!("{provider}: client_id is empty")));
            }
            if !matches!(provider.as_str(), "microsoft" | "google") && !provider.starts_with("https://") {
                return Err(ClientsError(format!(
                    "{provider:?}: a provider is \"microsoft\", \"google\" or an https:// issuer URL"
                )));
            }
        }
        Ok(Clients(map))
    }

    /// The registration for `provider`; `None` is the verdict
    /// `oauth_client_missing`.
    pub fn get(&self, provider: &str) -> Option<&ClientConfig> {
        self.0.get(provider)
    }
}

/// The finding for an `oauth2` profile whose provider has no client ID
/// (field `oauth_provider`); none for other profiles.
pub fn client_finding(profile: &crate::Profile, clients: &Clients, lang: crate::Lang) -> Option<crate::Finding> {
    let provider = profile.oauth_provider.trim();
    if profile.auth != crate::AuthKind::Oauth2 || provider.is_empty() || clients.get(provider).is_some() {
        return None;
    }
    let f = crate::Finding::new(crate::finding::Code::OauthClientMissing, "oauth_provider").with("provider", provider.to_string());
    Some(f.rendered(lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_and_its_mistakes() {
        let c = Clients::parse(r#"{"microsoft": {"client_id": "abc"}, "google": {"client_id": "g", "client_secret": "s"}}"#).unwrap();
        assert_eq!(c.get("microsoft").unwrap().client_id, "abc");
        assert_eq!(c.get("google").unwrap().client_secret.as_deref(), Some("s"));
        assert!(c.get("https://login.example").is_none());
        let mut p: crate::Profile = serde_json::from_str(r#"{"email": "a@b.de", "auth": "oauth2", "oauth_provider": "google", "smtp": {"host": "h", "port": 465}}"#).unwrap();
        assert!(client_finding(&p, &c, crate::Lang::De).is_none());
        p.oauth_provider = "https://login.example".into();
        let f = client_finding(&p, &c, crate::Lang::De).unwrap();
        assert_eq!((f.code.as_str(), f.field.as_ref()), ("oauth_client_missing", "oauth_provider"));
        assert_eq!(f.message, "Keine Client-ID für https://login.example (oauth2-clients.json).");
        for (bad, why) in [
            ("{", "EOF"),
            (r#"{"microsoft": {"client_id": ""}}"#, "client_id is empty"),
            (r#"{"yahoo": {"client_id": "x"}}"#, "a provider is"),
            (r#"{"microsoft": {"client_id": "x", "secret": "y"}}"#, "unknown field"),
        ] {
            let e = Clients::parse(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
