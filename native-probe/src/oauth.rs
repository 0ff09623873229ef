//! OAuth 2.0 sign-in for `oauth2` profiles (issue #15): the client file,
//! the provider's endpoints, the loopback sign-in (RFC 8252), the token
//! endpoint, and the refresh token in the operating system's credential
//! store. Every rule and every answer's meaning is the core's
//! (`mailsetup_core::oauth`); this module does the IO.

use std::path::{Path, PathBuf};
use std::time::Duration;

use mailsetup_core::Profile;
use mailsetup_core::oauth::{self, ClientConfig, Clients, Provider, TokenError, Tokens};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use zeroize::Zeroizing;

use crate::probe::ProbeOptions;
use crate::tls::Client;

/// The credential store's service name; the account is `provider:address`.
const SERVICE: &str = "mailsetup";

/// Why a sign-in, a refresh or a store failed, by the verdict it gives.
#[derive(Debug)]
pub enum OauthError {
    /// The profile is not an `oauth2` profile with a provider.
    NotOauth(String),
    /// No client ID configured (`oauth_client_missing`).
    ClientMissing(String),
    /// Nothing stored: sign in first (`oauth_not_signed_in`).
    NotSignedIn,
    /// The token endpoint or the callback said no (typed).
    Token(TokenError),
    /// The callback was not ours, or the provider named an error.
    Callback(oauth::CallbackError),
    /// The credential store (no Secret Service, say) or our trust set-up.
    Local(String),
    /// The provider's server could not be reached or answered nonsense.
    Network(String),
    /// The operating system's credential store.
    Store(String),
    /// An endpoint without https: nothing is sent there.
    Insecure(String),
}

impl std::fmt::Display for OauthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OauthError::NotOauth(e) | OauthError::ClientMissing(e) | OauthError::Local(e) | OauthError::Network(e) | OauthError::Store(e) | OauthError::Insecure(e) => {
                f.write_str(e)
            }
            OauthError::NotSignedIn => f.write_str("not signed in: run `mailprobe login PROFILE.json` first"),
            OauthError::Token(e) => write!(f, "{e}"),
            OauthError::Callback(e) => write!(f, "{e}"),
        }
    }
}

impl OauthError {
    /// The failure a test reports for it.
    pub fn failure_kind(&self) -> mailsetup_core::observe::FailureKind {
        use mailsetup_core::observe::FailureKind as K;
        match self {
            OauthError::NotOauth(_) => K::Unsupported,
            OauthError::ClientMissing(_) => K::OauthClientMissing,
            OauthError::NotSignedIn => K::OauthNotSignedIn,
            OauthError::Token(e) => e.failure_kind().unwrap_or(K::ProtocolError),
            OauthError::Callback(e) => e.failure_kind(),
            OauthError::Local(_) => K::TrustSetupFailed,
            OauthError::Network(_) => K::Unreachable,
            OauthError::Store(_) => K::CredentialStoreUnavailable,
            OauthError::Insecure(_) => K::PlaintextRefused,
        }
    }
}

/// Where the client file is: `--oauth-clients`, else `oauth2-clients.json`
/// beside the settings file.
pub fn clients_path(explicit: Option<&Path>) -> Result<PathBuf, String> {
    match explicit {
        Some(p) => Ok(p.to_path_buf()),
        None => Ok(crate::serve::default_settings_path()?.with_file_name("oauth2-clients.json")),
    }
}

/// Reads the client file; a missing file is no registration at all.
pub fn load_clients(path: &Path) -> Result<Clients, OauthError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Clients::parse(&text).map_err(|e| OauthError::Local(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Clients::default()),
        Err(e) => Err(OauthError::Local(format!("{}: {e}", path.display()))),
    }
}

/// An HTTPS client for the token endpoint: our verifier, https only, no
/// redirects (a token endpoint has no business redirecting a secret).
fn http(opts: &ProbeOptions) -> Result<reqwest::Client, OauthError> {
    let client = Client::new(&opts.tls).map_err(|e| OauthError::Local(format!("our trust set-up failed: {e}")))?;
    crate::https::builder(&client)
        .redirect(reqwest::redirect::Policy::none())
        // The provider's servers get the test's deadline (`--timeout`).
        .timeout(opts.timeout)
        .build()
        .map_err(|e| OauthError::Local(format!("HTTPS client: {e}")))
}

/// The provider and the client registration for `profile`.
pub async fn provider_for(profile: &Profile, clients: &Clients, opts: &ProbeOptions) -> Result<(Provider, ClientConfig), OauthError> {
    let id = profile.oauth_provider.trim();
    if profile.auth != mailsetup_core::AuthKind::Oauth2 || id.is_empty() {
        return Err(OauthError::NotOauth(
            "the profile is no OAuth 2.0 profile: it needs \"auth\": \"oauth2\" and \"oauth_provider\" (microsoft, google or an https:// issuer)".into(),
        ));
    }
    if Provider::named(id).is_none() && !id.starts_with("https://") {
        return Err(OauthError::NotOauth(format!("unknown provider {id:?}: use microsoft, google or an https:// issuer URL")));
    }
    let client = clients.get(id).cloned().ok_or_else(|| {
        OauthError::ClientMissing(format!("no client ID for {id} in oauth2-clients.json"))
    })?;
    if let Some(p) = Provider::named(id) {
        return Ok((p, client));
    }
    let url = format!("{}/.well-known/openid-configuration", id.trim_end_matches('/'));
    let body = fetch(http(opts)?.get(&url)).await?;
    let provider = oauth::oidc_discovery(id, &body.1, client.scopes.clone()).map_err(|e| match e {
        oauth::ProviderError::NotHttps(_) => OauthError::Insecure(format!("{url}: {e}")),
        _ => OauthError::Network(format!("{url}: {e}")),
    })?;
    Ok((provider, client))
}

/// The largest answer taken from a provider's server.
const MAX_ANSWER: usize = 64 * 1024;

async fn fetch(req: reqwest::RequestBuilder) -> Result<(u16, Vec<u8>), OauthError> {
    let network = |e: reqwest::Error| OauthError::Network(crate::https::describe(&e));
    let mut resp = req.send().await.map_err(network)?;
    let status = resp.status().as_u16();
    let body = crate::https::body(&mut resp, MAX_ANSWER).await.map_err(network)?;
    if body.len() > MAX_ANSWER {
        return Err(OauthError::Network("the answer is too large".into()));
    }
    Ok((status, body))
}

/// The token request that ends a sign-in (`form`: the code's or the
/// device's): the refresh token it must bring is stored for `profile`.
pub async fn sign_in_tokens(
    opts: &ProbeOptions,
    provider: &Provider,
    profile: &Profile,
    form: Zeroizing<String>,
) -> Result<Tokens, OauthError> {
    let tokens = token_request(opts, &provider.endpoints.token, form, provider.mail_scope()).await?;
    let refresh = tokens
        .refresh_token
        .as_ref()
        .ok_or_else(|| OauthError::Token(TokenError::Other("the provider gave no refresh token".into())))?;
    store_refresh(profile, refresh)?;
    Ok(tokens)
}

async fn token_request(opts: &ProbeOptions, url: &str, form: Zeroizing<String>, scope: Option<&str>) -> Result<Tokens, OauthError> {
    let req = http(opts)?
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(form.as_bytes().to_vec());
    let (status, body) = fetch(req).await?;
    let body = Zeroizing::new(body);
    oauth::token_response(status, &body, scope).map_err(OauthError::Token)
}

fn entry(provider: &str, email: &str) -> Result<keyring::Entry, OauthError> {
    keyring::Entry::new(SERVICE, &format!("{provider}:{}", email.trim().to_lowercase()))
        .map_err(|e| OauthError::Store(format!("the credential store: {e}")))
}

/// Stores the refresh token in the credential store.
pub fn store_refresh(profile: &Profile, token: &str) -> Result<(), OauthError> {
    entry(&profile.oauth_provider, &profile.email)?
        .set_password(token)
        .map_err(|e| OauthError::Store(format!("the credential store: {e}")))
}

/// Removes the stored sign-in; `Ok(false)` when there was none.
pub fn logout(profile: &Profile) -> Result<bool, OauthError> {
    match entry(&profile.oauth_provider, &profile.email)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(OauthError::Store(format!("the credential store: {e}"))),
    }
}

fn load_refresh(profile: &Profile) -> Result<Zeroizing<String>, OauthError> {
    match entry(&profile.oauth_provider, &profile.email)?.get_password() {
        Ok(t) => Ok(Zeroizing::new(t)),
        Err(keyring::Error::NoEntry) => Err(OauthError::NotSignedIn),
        Err(e) => Err(OauthError::Store(format!("the credential store: {e}"))),
    }
}

/// A fresh access token for `profile` from its stored refresh token; a
/// rotated refresh token is stored at once.
/// The mechanism comes with it: the one the provider's servers take.
pub async fn access_token(
    profile: &Profile,
    clients: &Clients,
    opts: &ProbeOptions,
) -> Result<(Tokens, mailsetup_core::smtp::Mechanism), OauthError> {
    let (provider, client) = provider_for(profile, clients, opts).await?;
    let refresh = load_refresh(profile)?;
    let form = oauth::refresh_form(&client, &refresh);
    let tokens = token_request(opts, &provider.endpoints.token, form, provider.mail_scope()).await?;
    if let Some(new) = &tokens.refresh_token
        && new.as_str() != refresh.as_str()
    {
        store_refresh(profile, new)?;
    }
    Ok((tokens, provider.mechanism))
}

/// Signs in with the authorization code flow on a loopback redirect: the
/// URL goes to `show` (printed, or opened in the browser); the answer
/// comes back to `http://127.0.0.1:PORT/callback`. The refresh token is
/// stored; the access token is returned.
pub async fn login(
    profile: &Profile,
    clients: &Clients,
    opts: &ProbeOptions,
    show: &mut (dyn FnMut(&str) + Send),
    wait: Duration,
) -> Result<Tokens, OauthError> {
    let (provider, client) = provider_for(profile, clients, opts).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| OauthError::Local(format!("cannot listen on 127.0.0.1: {e}")))?;
    let port = listener.local_addr().map_err(|e| OauthError::Local(e.to_string()))?.port();
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let mut random = [0u8; 48];
    getrandom::fill(&mut random).map_err(|e| OauthError::Local(format!("no randomness: {e}")))?;
    let pop3 = profile.pop_before_smtp.is_some();
    let request = oauth::authorization_url(&provider, &client, &redirect_uri, profile.email.trim(), pop3, random);
    show(&request.url);
    let code = tokio::time::timeout(wait, callback(&listener, &request.state))
        .await
        .map_err(|_| OauthError::Local(format!("no answer from the sign-in within {} s", wait.as_secs())))??;
    let form = oauth::token_form(&client, &code, &request.pkce, &request.redirect_uri);
    sign_in_tokens(opts, &provider, profile, form).await
}

/// Signs in with the device authorization grant (RFC 8628), where the
/// provider allows it for mail: `show` gets the address and the code the
/// user types there (on any device); the token endpoint is polled at the
/// provider's interval until the user is done, refuses, or the code expires.
pub async fn login_device(
    profile: &Profile,
    clients: &Clients,
    opts: &ProbeOptions,
    show: &mut (dyn FnMut(&str, &str) + Send),
) -> Result<Tokens, OauthError> {
    let (provider, client) = provider_for(profile, clients, opts).await?;
    let Some(endpoint) = provider.endpoints.device.clone() else {
        return Err(OauthError::NotOauth(format!(
            "{} offers no device sign-in for mail: sign in without --device (in the browser)",
            provider.id
        )));
    };
    let form = oauth::device_form(&client, &provider, profile.pop_before_smtp.is_some());
    let req = http(opts)?
        .post(&endpoint)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.as_bytes().to_vec());
    let (status, body) = fetch(req).await?;
    let device = oauth::device_authorization(status, &body).map_err(OauthError::Token)?;
    show(&device.verification_uri, &device.user_code);
    let mut interval = Duration::from_secs(device.interval);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(device.expires_in);
    loop {
        tokio::time::sleep(interval).await;
        if tokio::time::Instant::now() > deadline {
            return Err(OauthError::Token(TokenError::Expired));
        }
        let form = oauth::device_token_form(&client, &device.device_code);
        match sign_in_tokens(opts, &provider, profile, form).await {
            Ok(tokens) => return Ok(tokens),
            Err(OauthError::Token(TokenError::Pending)) => {}
            // RFC 8628 3.5: five seconds more from now on.
            Err(OauthError::Token(TokenError::SlowDown)) => interval += Duration::from_secs(5),
            Err(e) => return Err(e),
        }
    }
}

/// Waits for the browser's request to `/callback` and answers it with a
/// page that says what happened; other requests (a favicon) get 404.
async fn callback(listener: &tokio::net::TcpListener, state: &str) -> Result<Zeroizing<String>, OauthError> {
    loop {
        let (mut stream, _) = listener.accept().await.map_err(|e| OauthError::Local(e.to_string()))?;
        let mut buf = Zeroizing::new(vec![0u8; 8192]);
        let mut n = 0;
        while n < buf.len() {
            match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf[n..])).await {
                Ok(Ok(0)) | Err(_) | Ok(Err(_)) => break,
                Ok(Ok(k)) => {
                    n += k;
                    if buf[..n].windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            }
        }
        let head = String::from_utf8_lossy(&buf[..n]).into_owned();
        let head = Zeroizing::new(head);
        let target = head.split_whitespace().nth(1).unwrap_or("");
        let Some(query) = target.strip_prefix("/callback?") else {
            let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").await;
            continue;
        };
        let result = oauth::callback_code(query, state);
        let text = match &result {
            Ok(_) => "Anmeldung abgeschlossen. Sie können dieses Fenster schließen. / Signed in. You may close this window.",
            Err(_) => "Die Anmeldung ist fehlgeschlagen; sehen Sie im Programm nach. / The sign-in failed; see the program.",
        };
        let page = format!("<!doctype html><meta charset=utf-8><title>mailsetup</title><p>{text}</p>");
        let resp = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{page}",
            page.len()
        );
        let _ = stream.write_all(resp.as_bytes()).await;
        return result.map_err(OauthError::Callback);
    }
}
