//! The providers a practice signs in with, and what their mail servers take.

use crate::smtp::Mechanism;

/// Where to sign in and what to ask for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    /// The authorization endpoint (https).
    pub authorization: String,
    /// The token endpoint (https).
    pub token: String,
    /// The device authorization endpoint (RFC 8628), where the provider
    /// allows it for the mail scopes.
    pub device: Option<String>,
}

/// A provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provider {
    /// `microsoft`, `google`, or the issuer URL.
    pub id: String,
    /// Its endpoints.
    pub endpoints: Endpoints,
    /// The scopes for sending (SMTP), refresh included.
    pub smtp_scopes: Vec<String>,
    /// Added when POP-before-SMTP is set.
    pub pop3_scopes: Vec<String>,
    /// Extra parameters of the authorization request.
    pub extra: Vec<(String, String)>,
    /// The SASL mechanism its servers take.
    pub mechanism: Mechanism,
}

impl Provider {
    /// Microsoft identity platform v2 (Outlook.com, Microsoft 365). Its
    /// device code flow takes the mail scopes.
    pub fn microsoft() -> Provider {
        let base = "https://login.microsoftonline.com/common/oauth2/v2.0";
        Provider {
            id: "microsoft".into(),
            endpoints: Endpoints {
                authorization: format!("{base}/authorize"),
                token: format!("{base}/token"),
                device: Some(format!("{base}/devicecode")),
            },
            smtp_scopes: vec!["https://outlook.office.com/SMTP.Send".into(), "offline_access".into()],
            pop3_scopes: vec!["https://outlook.office.com/POP.AccessAsUser.All".into()],
            extra: Vec::new(),
            mechanism: Mechanism::Xoauth2,
        }
    }

    /// Google (Gmail, Workspace). Its device flow does not allow the mail
    /// scope (`invalid_scope`), so none is offered; a refresh token comes
    /// only with `access_type=offline`, again only with `prompt=consent`.
    pub fn google() -> Provider {
        Provider {
            id: "google".into(),
            endpoints: Endpoints {
                authorization: "https://accounts.google.com/o/oauth2/v2/auth".into(),
                token: "https://oauth2.googleapis.com/token".into(),
                device: None,
            },
            smtp_scopes: vec!["https://mail.google.com/".into()],
            pop3_scopes: Vec::new(),
            extra: vec![("access_type".into(), "offline".into()), ("prompt".into(), "consent".into())],
            mechanism: Mechanism::Xoauth2,
        }
    }

    /// A built-in provider by its name.
    pub fn named(id: &str) -> Option<Provider> {
        match id {
            "microsoft" => Some(Provider::microsoft()),
            "google" => Some(Provider::google()),
            _ => None,
        }
    }

    /// The scope that allows sending: the first that is not one of
    /// OpenID Connect's own (a token must carry it).
    pub fn mail_scope(&self) -> Option<&str> {
        self.smtp_scopes
            .iter()
            .map(String::as_str)
            .find(|s| !matches!(*s, "openid" | "offline_access" | "profile" | "email"))
    }

    /// The scopes to ask for.
    pub fn scopes(&self, pop3: bool) -> Vec<String> {
        let mut s = self.smtp_scopes.clone();
        if pop3 {
            s.extend(self.pop3_scopes.iter().cloned());
        }
        s
    }
}

/// Why an OIDC discovery document cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProviderError {
    /// Not JSON, or without the endpoints.
    Malformed(String),
    /// An endpoint that is not https.
    NotHttps(String),
    /// The document names another issuer than the one asked (OIDC Discovery 4.3).
    IssuerMismatch {
        /// Asked for.
        expected: String,
        /// Named in the document.
        found: String,
    },
}

impl std::fmt::Display for ProviderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProviderError::Malformed(e) => write!(f, "not an OpenID configuration: {e}"),
            ProviderError::NotHttps(u) => write!(f, "an endpoint without https: {u}"),
            ProviderError::IssuerMismatch { expected, found } => {
                write!(f, "the configuration is for the issuer {found}, not {expected}")
            }
        }
    }
}

impl std::error::Error for ProviderError {}

fn https(url: &str) -> Result<String, ProviderError> {
    if url.starts_with("https://") && !url.contains(char::is_whitespace) {
        Ok(url.to_string())
    } else {
        Err(ProviderError::NotHttps(crate::sanitize::server_text(url.as_bytes(), 200)))
    }
}

/// A provider from its issuer's `/.well-known/openid-configuration`
/// (`body`, as fetched): SMTP scopes are the issuer's business, so they
/// come from the autoconfig `<oAuth2>` block or the client file
/// (`scopes`); the mechanism is OAUTHBEARER, the standard one.
pub fn oidc_discovery(issuer: &str, body: &[u8], scopes: Vec<String>) -> Result<Provider, ProviderError> {
    let doc: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| ProviderError::Malformed(e.to_string()))?;
    let field = |k: &str| doc.get(k).and_then(serde_json::Value::as_str);
    let found = field("issuer").ok_or_else(|| ProviderError::Malformed("no issuer".into()))?;
    if found.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(ProviderError::IssuerMismatch {
            expected: issuer.to_string(),
            found: crate::sanitize::server_text(found.as_bytes(), 200),
        });
    }
    let required = |k: &str| field(k).ok_or_else(|| ProviderError::Malformed(format!("no {k}"))).and_then(https);
    Ok(Provider {
        id: issuer.to_string(),
        endpoints: Endpoints {
            authorization: required("authorization_endpoint")?,
            token: required("token_endpoint")?,
            device: field("device_authorization_endpoint").map(https).transpose()?,
        },
        smtp_scopes: scopes,
        pop3_scopes: Vec::new(),
        extra: Vec::new(),
        mechanism: Mechanism::Oauthbearer,
    })
}
