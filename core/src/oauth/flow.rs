//! The authorization code flow with PKCE and `state` (RFC 6749, 7636,
//! 8252), the device flow (RFC 8628), and the token endpoint's answers.
//! Every secret (code, verifier, refresh token, access token, client
//! secret) is held in memory that is wiped, and never formatted by `Debug`.

use zeroize::Zeroizing;

use super::clients::ClientConfig;
use super::providers::Provider;
use crate::ascii::{percent_decode, percent_encode};
use crate::secret::AccessToken;

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A PKCE pair (RFC 7636, S256): the verifier stays here, the challenge
/// goes into the authorization request.
pub struct Pkce {
    verifier: Zeroizing<String>,
    /// `BASE64URL(SHA256(verifier))`.
    pub challenge: String,
}

impl std::fmt::Debug for Pkce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkce").field("challenge", &self.challenge).finish_non_exhaustive()
    }
}

impl Pkce {
    /// A pair from 32 random bytes (the driver's randomness): a 43-character verifier.
    pub fn from_random(random: [u8; 32]) -> Pkce {
        use sha2::Digest as _;
        let verifier = Zeroizing::new(b64url(&random));
        let challenge = b64url(&sha2::Sha256::digest(verifier.as_bytes()));
        Pkce { verifier, challenge }
    }

    /// The verifier, for the token request only.
    pub fn verifier(&self) -> &str {
        &self.verifier
    }
}

/// A prepared sign-in: the URL to open, and what the callback is checked against.
#[derive(Debug)]
pub struct AuthRequest {
    /// The provider's page, with every parameter.
    pub url: String,
    /// The `state` the callback must bring back (used once).
    pub state: String,
    /// The PKCE pair (used once).
    pub pkce: Pkce,
    /// The redirect URI, repeated exactly in the token request.
    pub redirect_uri: String,
}

/// The authorization request for `provider` (RFC 8252: a loopback
/// `redirect_uri` such as `http://127.0.0.1:PORT/callback`). `random`: 48
/// bytes from the driver, the first 32 for PKCE, the rest for `state`.
pub fn authorization_url(
    provider: &Provider,
    client: &ClientConfig,
    redirect_uri: &str,
    login_hint: &str,
    pop3: bool,
    random: [u8; 48],
) -> AuthRequest {
    let mut verifier_bytes = [0u8; 32];
    verifier_bytes.copy_from_slice(&random[..32]);
    let pkce = Pkce::from_random(verifier_bytes);
    let state = b64url(&random[32..]);
    let mut params: Vec<(String, String)> = vec![
        ("response_type".into(), "code".into()),
        ("client_id".into(), client.client_id.clone()),
        ("redirect_uri".into(), redirect_uri.into()),
        ("scope".into(), provider.scopes(pop3).join(" ")),
        ("state".into(), state.clone()),
        ("code_challenge".into(), pkce.challenge.clone()),
        ("code_challenge_method".into(), "S256".into()),
    ];
    if !login_hint.is_empty() {
        params.push(("login_hint".into(), login_hint.into()));
    }
    params.extend(provider.extra.iter().cloned());
    let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", percent_encode(v))).collect();
    let sep = if provider.endpoints.authorization.contains('?') { '&' } else { '?' };
    AuthRequest {
        url: format!("{}{sep}{}", provider.endpoints.authorization, query.join("&")),
        state,
        pkce,
        redirect_uri: redirect_uri.into(),
    }
}

/// Why a callback brings no code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallbackError {
    /// The user cancelled or denied consent (`access_denied`).
    ConsentDenied,
    /// The organisation's administrator must consent first (Microsoft's
    /// AADSTS65001, AADSTS90094).
    AdminConsentRequired(String),
    /// `state` is missing or not ours: the callback is not the answer to
    /// our request (a forged or stale one), and its code is not used.
    StateMismatch,
    /// Another error the provider named, or no code.
    Provider(String),
}

impl std::fmt::Display for CallbackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallbackError::ConsentDenied => f.write_str("the sign-in was cancelled or consent denied"),
            CallbackError::AdminConsentRequired(d) => write!(f, "the administrator's consent is required: {d}"),
            CallbackError::StateMismatch => f.write_str("the answer does not belong to this sign-in (state)"),
            CallbackError::Provider(d) => write!(f, "the provider said: {d}"),
        }
    }
}

impl std::error::Error for CallbackError {}

fn admin_consent(text: &str) -> bool {
    text.contains("AADSTS65001") || text.contains("AADSTS90094") || text.contains("admin_consent")
}

/// The `state` a callback's query string carries, to find the sign-in it
/// answers (then checked whole by [`callback_code`]).
pub fn callback_state(query: &str) -> Option<String> {
    query.trim_start_matches('?').split('&').find_map(|p| p.strip_prefix("state=")).and_then(percent_decode)
}

/// The code from the callback's query string, checked against `state`.
pub fn callback_code(query: &str, expected_state: &str) -> Result<Zeroizing<String>, CallbackError> {
    let mut code = None;
    let (mut state, mut error, mut description) = (None, None, String::new());
    for pair in query.trim_start_matches('?').split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_decode(v).unwrap_or_default();
        match k {
            "code" => code = Some(Zeroizing::new(v)),
            "state" => state = Some(v),
            "error" => error = Some(crate::sanitize::server_text(v.as_bytes(), 100)),
            "error_description" => description = crate::sanitize::server_text(v.as_bytes(), 300),
            _ => {}
        }
    }
    // The state first: an error or code that is not ours is not acted on.
    if state.as_deref() != Some(expected_state) || expected_state.is_empty() {
        return Err(CallbackError::StateMismatch);
    }
    if let Some(e) = error {
        return Err(if admin_consent(&description) {
            CallbackError::AdminConsentRequired(description)
        } else if e == "access_denied" || e == "consent_required" {
            CallbackError::ConsentDenied
        } else {
            CallbackError::Provider(format!("{e}: {description}"))
        });
    }
    code.filter(|c| !c.is_empty()).ok_or_else(|| CallbackError::Provider("no code in the answer".into()))
}

fn form(fields: &[(&str, &str)]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::new());
    for (k, v) in fields {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(&percent_encode(v));
    }
    out
}

fn with_client<'a>(client: &'a ClientConfig, mut fields: Vec<(&'a str, &'a str)>) -> Vec<(&'a str, &'a str)> {
    fields.push(("client_id", &client.client_id));
    if let Some(secret) = &client.client_secret {
        fields.push(("client_secret", secret));
    }
    fields
}

/// The token request's body (`application/x-www-form-urlencoded`) for a code.
pub fn token_form(client: &ClientConfig, code: &str, pkce: &Pkce, redirect_uri: &str) -> Zeroizing<String> {
    form(&with_client(
        client,
        vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", pkce.verifier()),
        ],
    ))
}

/// The device authorization request's body (RFC 8628 3.1).
pub fn device_form(client: &ClientConfig, provider: &Provider, pop3: bool) -> Zeroizing<String> {
    let scope = provider.scopes(pop3).join(" ");
    form(&with_client(client, vec![("scope", &scope)]))
}

/// The device flow's token request's body (RFC 8628 3.4).
pub fn device_token_form(client: &ClientConfig, device_code: &str) -> Zeroizing<String> {
    form(&with_client(
        client,
        vec![("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("device_code", device_code)],
    ))
}

/// The token request's body for a refresh.
pub fn refresh_form(client: &ClientConfig, refresh_token: &str) -> Zeroizing<String> {
    form(&with_client(client, vec![("grant_type", "refresh_token"), ("refresh_token", refresh_token)]))
}

/// What the token endpoint gave.
pub struct Tokens {
    /// The access token (memory only).
    pub access_token: AccessToken,
    /// The refresh token, for the credential store.
    pub refresh_token: Option<Zeroizing<String>>,
    /// Seconds until the access token expires.
    pub expires_in: Option<u64>,
    /// The scopes granted, if the endpoint said.
    pub scope: Option<String>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens").field("expires_in", &self.expires_in).field("scope", &self.scope).finish_non_exhaustive()
    }
}

/// Why the token endpoint gave no token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// `invalid_grant`: the refresh token was revoked or has expired (or
    /// the code was used already): sign in again.
    Revoked(String),
    /// The user denied consent (device flow: `access_denied`).
    ConsentDenied,
    /// The administrator's consent is required.
    AdminConsentRequired(String),
    /// The token lacks the scope for sending.
    ScopeMissing(String),
    /// Device flow: not yet; poll again after the interval.
    Pending,
    /// Device flow: poll more slowly (add 5 s, RFC 8628 3.5).
    SlowDown,
    /// Device flow: the code expired.
    Expired,
    /// The client ID or secret is not accepted (`invalid_client`,
    /// `unauthorized_client`): the configuration is wrong.
    Client(String),
    /// Anything else, or an answer that is not a token response.
    Other(String),
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenError::Revoked(d) => write!(f, "the sign-in is no longer valid: {d}"),
            TokenError::ConsentDenied => f.write_str("consent was denied"),
            TokenError::AdminConsentRequired(d) => write!(f, "the administrator's consent is required: {d}"),
            TokenError::ScopeMissing(d) => write!(f, "the token does not allow sending mail: {d}"),
            TokenError::Pending => f.write_str("the sign-in is not finished yet"),
            TokenError::SlowDown => f.write_str("asked too often"),
            TokenError::Expired => f.write_str("the device code expired"),
            TokenError::Client(d) => write!(f, "the client registration is not accepted: {d}"),
            TokenError::Other(d) => f.write_str(d),
        }
    }
}

impl std::error::Error for TokenError {}

impl TokenError {
    /// The failure a test reports for it (`None`: poll again, device flow).
    pub fn failure_kind(&self) -> Option<crate::observe::FailureKind> {
        use crate::observe::FailureKind as K;
        Some(match self {
            TokenError::Revoked(_) | TokenError::Expired => K::OauthTokenRevoked,
            TokenError::ConsentDenied => K::OauthConsentDenied,
            TokenError::AdminConsentRequired(_) => K::OauthAdminConsentRequired,
            TokenError::ScopeMissing(_) => K::OauthScopeMissing,
            TokenError::Client(_) => K::OauthClientMissing,
            TokenError::Other(_) => K::ProtocolError,
            TokenError::Pending | TokenError::SlowDown => return None,
        })
    }
}

impl CallbackError {
    /// The failure a sign-in reports for it.
    pub fn failure_kind(&self) -> crate::observe::FailureKind {
        use crate::observe::FailureKind as K;
        match self {
            CallbackError::ConsentDenied => K::OauthConsentDenied,
            CallbackError::AdminConsentRequired(_) => K::OauthAdminConsentRequired,
            CallbackError::StateMismatch | CallbackError::Provider(_) => K::ProtocolError,
        }
    }
}

/// The token endpoint's answer (`status`, `body`), bounded and checked:
/// `required_scope` must be among the granted scopes when the endpoint
/// names them.
pub fn token_response(status: u16, body: &[u8], required_scope: Option<&str>) -> Result<Tokens, TokenError> {
    let doc: serde_json::Value = serde_json::from_slice(body.get(..64 * 1024).unwrap_or(body)).map_err(|_| {
        TokenError::Other(format!("HTTP {status}: not a token response: {}", crate::sanitize::server_text(body, 200)))
    })?;
    let text = |k: &str| doc.get(k).and_then(serde_json::Value::as_str).map(|s| crate::sanitize::server_text(s.as_bytes(), 300));
    if let Some(error) = text("error") {
        let description = text("error_description").unwrap_or_default();
        return Err(match error.as_str() {
            _ if admin_consent(&description) => TokenError::AdminConsentRequired(description),
            "invalid_grant" => TokenError::Revoked(description),
            "access_denied" => TokenError::ConsentDenied,
            "authorization_pending" => TokenError::Pending,
            "slow_down" => TokenError::SlowDown,
            "expired_token" => TokenError::Expired,
            "invalid_scope" => TokenError::ScopeMissing(description),
            "invalid_client" | "unauthorized_client" => TokenError::Client(description),
            _ => TokenError::Other(format!("{error}: {description}")),
        });
    }
    let access = doc.get("access_token").and_then(serde_json::Value::as_str).filter(|t| !t.is_empty());
    let Some(access) = access.filter(|_| (200..300).contains(&status)) else {
        return Err(TokenError::Other(format!("HTTP {status}: no access token in the answer")));
    };
    let scope = text("scope");
    if let (Some(required), Some(granted)) = (required_scope, &scope)
        && !granted.split_ascii_whitespace().any(|s| s.eq_ignore_ascii_case(required))
    {
        return Err(TokenError::ScopeMissing(format!("granted: {granted}")));
    }
    Ok(Tokens {
        access_token: AccessToken::new(access.to_string()),
        refresh_token: doc.get("refresh_token").and_then(serde_json::Value::as_str).map(|r| Zeroizing::new(r.to_string())),
        expires_in: doc.get("expires_in").and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok())),
        scope,
    })
}

/// A device authorization (RFC 8628 3.2).
pub struct DeviceAuthorization {
    /// Polled with; a secret.
    pub device_code: Zeroizing<String>,
    /// What the user types.
    pub user_code: String,
    /// Where.
    pub verification_uri: String,
    /// Seconds between polls (5 when the provider names none).
    pub interval: u64,
    /// Seconds until the code expires.
    pub expires_in: u64,
}

impl std::fmt::Debug for DeviceAuthorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceAuthorization")
            .field("user_code", &self.user_code)
            .field("verification_uri", &self.verification_uri)
            .finish_non_exhaustive()
    }
}

/// The device authorization endpoint's answer.
pub fn device_authorization(status: u16, body: &[u8]) -> Result<DeviceAuthorization, TokenError> {
    let doc: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| TokenError::Other(format!("HTTP {status}: not a device authorization")))?;
    if doc.get("error").is_some() {
        return Err(token_response(status, body, None).err().unwrap_or(TokenError::Other("error".into())));
    }
    let text = |k: &str| doc.get(k).and_then(serde_json::Value::as_str);
    let uri = text("verification_uri").or_else(|| text("verification_url")).unwrap_or_default();
    if !uri.starts_with("https://") {
        return Err(TokenError::Other("no https verification URI".into()));
    }
    let (Some(device_code), Some(user_code)) = (text("device_code"), text("user_code")) else {
        return Err(TokenError::Other("no device or user code".into()));
    };
    Ok(DeviceAuthorization {
        device_code: Zeroizing::new(device_code.to_string()),
        user_code: crate::sanitize::server_text(user_code.as_bytes(), 40),
        verification_uri: crate::sanitize::server_text(uri.as_bytes(), 300),
        interval: doc.get("interval").and_then(serde_json::Value::as_u64).unwrap_or(5).clamp(1, 60),
        expires_in: doc.get("expires_in").and_then(serde_json::Value::as_u64).unwrap_or(900),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 appendix B.
    #[test]
    fn pkce_s256_as_the_rfc_computes_it() {
        let random = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214,
            191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let p = Pkce::from_random(random);
        assert_eq!(p.verifier(), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(p.challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert!(!format!("{p:?}").contains("dBjft"));
    }

    #[test]
    fn the_authorization_request() {
        let client = ClientConfig { client_id: "cid".into(), client_secret: None, scopes: vec![] };
        let r = authorization_url(&Provider::google(), &client, "http://127.0.0.1:4711/callback", "info@praxis.de", false, [7; 48]);
        assert!(r.url.starts_with("https://accounts.google.com/o/oauth2/v2/auth?response_type=code&client_id=cid&redirect_uri=http%3A%2F%2F127.0.0.1%3A4711%2Fcallback&scope=https%3A%2F%2Fmail.google.com%2F&state="), "{}", r.url);
        for part in ["code_challenge_method=S256", "login_hint=info%40praxis.de", "access_type=offline", "prompt=consent", &format!("code_challenge={}", r.pkce.challenge)] {
            assert!(r.url.contains(part), "{part}: {}", r.url);
        }
        assert!(!r.url.contains(r.pkce.verifier()));
        let m = authorization_url(&Provider::microsoft(), &client, "http://127.0.0.1:1/cb", "", true, [1; 48]);
        assert!(m.url.contains("scope=https%3A%2F%2Foutlook.office.com%2FSMTP.Send%20offline_access%20https%3A%2F%2Foutlook.office.com%2FPOP.AccessAsUser.All"), "{}", m.url);
    }

    #[test]
    fn callbacks() {
        let ok = callback_code("?code=a%2Bb&state=s1", "s1").unwrap();
        assert_eq!(ok.as_str(), "a+b");
        for (query, want) in [
            ("code=x&state=other", CallbackError::StateMismatch),
            ("code=x", CallbackError::StateMismatch),
            ("error=access_denied&state=s1", CallbackError::ConsentDenied),
            ("error=access_denied&state=evil", CallbackError::StateMismatch),
            (
                "error=invalid_client&error_description=AADSTS65001%3A+The+user+or+administrator+has+not+consented&state=s1",
                CallbackError::AdminConsentRequired("AADSTS65001: The user or administrator has not consented".into()),
            ),
            ("state=s1", CallbackError::Provider("no code in the answer".into())),
        ] {
            assert_eq!(callback_code(query, "s1").unwrap_err(), want, "{query}");
        }
        assert_eq!(callback_code("code=x&state=", "").unwrap_err(), CallbackError::StateMismatch);
    }

    #[test]
    fn token_forms_carry_their_secrets_encoded() {
        let client = ClientConfig { client_id: "cid".into(), client_secret: Some("s&x".into()), scopes: vec![] };
        let pkce = Pkce::from_random([3; 32]);
        let f = token_form(&client, "c/1", &pkce, "http://127.0.0.1:9/cb");
        assert_eq!(
            f.as_str(),
            format!("grant_type=authorization_code&code=c%2F1&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&code_verifier={}&client_id=cid&client_secret=s%26x", pkce.verifier())
        );
        assert_eq!(refresh_form(&client, "r+1").as_str(), "grant_type=refresh_token&refresh_token=r%2B1&client_id=cid&client_secret=s%26x");
        assert_eq!(
            device_token_form(&client, "dc").as_str(),
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=dc&client_id=cid&client_secret=s%26x"
        );
        assert!(device_form(&client, &Provider::microsoft(), false).starts_with("scope=https%3A%2F%2Foutlook.office.com%2FSMTP.Send%20offline_access&client_id=cid"));
    }

    #[test]
    fn token_answers() {
        let t = token_response(200, br#"{"access_token":"at","refresh_token":"rt","expires_in":3599,"scope":"https://outlook.office.com/SMTP.Send offline_access","token_type":"Bearer"}"#, Some("https://outlook.office.com/SMTP.Send")).unwrap();
        assert_eq!((t.access_token.expose(), t.refresh_token.as_deref().map(String::as_str), t.expires_in), ("at", Some("rt"), Some(3599)));
        assert!(!format!("{t:?}").contains("at\""), "{t:?}");
        let cases: &[(u16, &str, TokenError)] = &[
            (400, r#"{"error":"invalid_grant","error_description":"AADSTS70008: The refresh token has expired"}"#, TokenError::Revoked("AADSTS70008: The refresh token has expired".into())),
            (400, r#"{"error":"invalid_grant","error_description":"AADSTS65001: The user or administrator has not consented"}"#, TokenError::AdminConsentRequired("AADSTS65001: The user or administrator has not consented".into())),
            (400, r#"{"error":"authorization_pending"}"#, TokenError::Pending),
            (400, r#"{"error":"slow_down"}"#, TokenError::SlowDown),
            (400, r#"{"error":"access_denied"}"#, TokenError::ConsentDenied),
            (401, r#"{"error":"invalid_client","error_description":"bad secret"}"#, TokenError::Client("bad secret".into())),
            (200, r#"{"access_token":"at","scope":"openid"}"#, TokenError::ScopeMissing("granted: openid".into())),
            (200, r#"{"token_type":"Bearer"}"#, TokenError::Other("HTTP 200: no access token in the answer".into())),
            (502, "<html>Bad gateway</html>", TokenError::Other("HTTP 502: not a token response: <html>Bad gateway</html>".into())),
        ];
        for (status, body, want) in cases {
            assert_eq!(token_response(*status, body.as_bytes(), Some("https://outlook.office.com/SMTP.Send")).unwrap_err(), *want, "{body}");
        }
    }

    #[test]
    fn device_authorizations() {
        let d = device_authorization(200, br#"{"device_code":"dc","user_code":"ABCD-EFGH","verification_uri":"https://microsoft.com/devicelogin","expires_in":900}"#).unwrap();
        assert_eq!((d.user_code.as_str(), d.interval), ("ABCD-EFGH", 5));
        assert!(!format!("{d:?}").contains("dc\""));
        assert!(device_authorization(200, br#"{"device_code":"dc","user_code":"x","verification_uri":"http://evil"}"#).is_err());
        assert_eq!(device_authorization(400, br#"{"error":"invalid_scope","error_description":"Invalid device flow scope"}"#).unwrap_err(), TokenError::ScopeMissing("Invalid device flow scope".into()));
    }

    #[test]
    fn oidc_discovery_documents() {
        use super::super::oidc_discovery;
        let doc = br#"{"issuer":"https://login.example/","authorization_endpoint":"https://login.example/auth","token_endpoint":"https://login.example/token","device_authorization_endpoint":"https://login.example/device"}"#;
        let p = oidc_discovery("https://login.example", doc, vec!["smtp.send".into()]).unwrap();
        assert_eq!(p.endpoints.device.as_deref(), Some("https://login.example/device"));
        assert!(oidc_discovery("https://other.example", doc, vec![]).unwrap_err().to_string().contains("issuer"));
        let plain = br#"{"issuer":"https://l.example","authorization_endpoint":"http://l.example/auth","token_endpoint":"https://l.example/t"}"#;
        assert!(oidc_discovery("https://l.example", plain, vec![]).unwrap_err().to_string().contains("without https"));
    }
}
