//! The service's OAuth 2.0 sign-in for the wizard (issue #15): the page
//! asks for a sign-in and opens the provider's page; the provider sends the
//! browser back to `/callback` on this service, where the code is
//! exchanged (server-side: the page never sees a code or token), the
//! refresh token stored in the credential store and the access token kept
//! in memory for the tests that follow.
//!
//! The callback carries no session cookie (SameSite=Strict cookies do not
//! come with a navigation from another site): it is bound to the page's
//! session through `state`, which only that session was given, and which
//! works once.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use mailsetup_core::oauth::{self, AuthRequest, ClientConfig, Provider};
use mailsetup_core::smtp::Mechanism;
use mailsetup_core::{Lang, Profile};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::{AppState, lock};
use crate::oauth::{OauthError, load_clients, provider_for};

/// How long a started sign-in may take.
const SIGN_IN_TIME: Duration = Duration::from_secs(600);
/// An access token is used until this long before it expires.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

/// A sign-in under way.
pub(super) struct Pending {
    profile: Profile,
    request: AuthRequest,
    provider: Provider,
    client: ClientConfig,
    lang: Lang,
    started: Instant,
}

/// What came of a sign-in, for the page that started it.
pub(super) enum Outcome {
    SignedIn(String),
    Failed(Box<mailsetup_core::verdict::Verdict>),
}

/// Access tokens in memory, by `provider:address`, with their expiry and
/// the mechanism the provider's servers take.
#[derive(Default)]
pub(super) struct TokenCache(HashMap<String, (Zeroizing<String>, Instant, Mechanism)>);

#[derive(Default)]
pub(super) struct OauthState {
    pub pending: HashMap<String, Pending>,
    pub outcomes: HashMap<String, Outcome>,
    pub tokens: TokenCache,
}

fn key(profile: &Profile) -> String {
    format!("{}:{}", profile.oauth_provider.trim(), profile.email.trim().to_lowercase())
}

fn verdict_for(profile: Profile, e: &OauthError, lang: Lang) -> mailsetup_core::verdict::Verdict {
    mailsetup_core::run::signin_failed(profile, e.failure_kind(), e.to_string(), lang, Instant::now())
}

#[derive(Deserialize)]
pub(super) struct StartRequest {
    profile: Profile,
    #[serde(default)]
    lang: Option<String>,
}

/// `POST /api/oauth/start {profile, lang}` → `{"url", "state"}` to open,
/// or `422 {"verdict"}` when the sign-in cannot start.
pub(super) async fn start(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    let req: StartRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("not a sign-in request: {e}")).into_response(),
    };
    let lang = req.lang.as_deref().and_then(Lang::parse).unwrap_or(Lang::De);
    let prepared = async {
        let clients = load_clients(&st.oauth_clients)?;
        let (provider, client) = provider_for(&req.profile, &clients, &st.probe).await?;
        let mut random = [0u8; 48];
        getrandom::fill(&mut random).map_err(|e| OauthError::Local(format!("no randomness: {e}")))?;
        // The same path as `mailprobe login`: one loopback redirect URI to register.
        let redirect_uri = format!("{}/callback", st.origin);
        let pop3 = req.profile.pop_before_smtp.is_some();
        let request = oauth::authorization_url(&provider, &client, &redirect_uri, req.profile.email.trim(), pop3, random);
        Ok::<_, OauthError>((provider, client, request))
    };
    match prepared.await {
        Ok((provider, client, request)) => {
            let (url, state) = (request.url.clone(), request.state.clone());
            let mut o = lock(&st.oauth);
            o.pending.retain(|_, p| p.started.elapsed() < SIGN_IN_TIME);
            o.pending.insert(
                state.clone(),
                Pending { profile: req.profile, request, provider, client, lang, started: Instant::now() },
            );
            axum::Json(serde_json::json!({"url": url, "state": state})).into_response()
        }
        Err(e) => {
            // A missing client ID is also a finding, shown at the provider field.
            let finding = load_clients(&st.oauth_clients)
                .ok()
                .and_then(|clients| oauth::client_finding(&req.profile, &clients, lang));
            let v = verdict_for(req.profile, &e, lang);
            let body = serde_json::json!({"verdict": v, "findings": finding.into_iter().collect::<Vec<_>>()});
            (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response()
        }
    }
}

fn page(ok: bool) -> Response {
    let text = if ok {
        "Anmeldung abgeschlossen. Sie können dieses Fenster schließen. / Signed in. You may close this window."
    } else {
        "Die Anmeldung ist fehlgeschlagen; der Assistent sagt warum. / The sign-in failed; the wizard says why."
    };
    let html = format!("<!doctype html><meta charset=utf-8><title>mailsetup</title><p id=result data-ok={ok}>{text}</p>");
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// `GET /callback?code=…&state=…`: the provider's answer.
pub(super) async fn callback(State(st): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Response {
    let query = Zeroizing::new(query.unwrap_or_default());
    // Only a state this service handed out, once: anything else is not
    // looked at further (its code is never used).
    let state = oauth::callback_state(&query).unwrap_or_default();
    let Some(pending) = lock(&st.oauth).pending.remove(&state) else {
        return (StatusCode::BAD_REQUEST, "no sign-in is waiting for this answer").into_response();
    };
    let Pending { profile, request, provider, client, lang, .. } = pending;
    let result = async {
        let code = oauth::callback_code(&query, &request.state).map_err(OauthError::Callback)?;
        let form = oauth::token_form(&client, &code, &request.pkce, &request.redirect_uri);
        crate::oauth::sign_in_tokens(&st.probe, &provider, &profile, form).await
    };
    let outcome = match result.await {
        Ok(tokens) => {
            let expires = Instant::now() + Duration::from_secs(tokens.expires_in.unwrap_or(300));
            let entry = (Zeroizing::new(tokens.access_token.expose().to_string()), expires, provider.mechanism);
            lock(&st.oauth).tokens.0.insert(key(&profile), entry);
            Outcome::SignedIn(profile.email.trim().to_string())
        }
        Err(e) => Outcome::Failed(Box::new(verdict_for(profile, &e, lang))),
    };
    let ok = matches!(outcome, Outcome::SignedIn(_));
    lock(&st.oauth).outcomes.insert(state, outcome);
    page(ok)
}

#[derive(Deserialize)]
pub(super) struct StatusRequest {
    state: String,
}

/// `POST /api/oauth/status {state}` → `{"pending": true}`,
/// `{"ok": true, "account"}` or `{"ok": false, "verdict"}` (said once).
pub(super) async fn status(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    let Ok(req) = serde_json::from_slice::<StatusRequest>(&body) else {
        return (StatusCode::BAD_REQUEST, "not a status request").into_response();
    };
    let mut o = lock(&st.oauth);
    let answer = match o.outcomes.remove(&req.state) {
        Some(Outcome::SignedIn(account)) => serde_json::json!({"ok": true, "account": account}),
        Some(Outcome::Failed(v)) => serde_json::json!({"ok": false, "verdict": v}),
        None if o.pending.contains_key(&req.state) => serde_json::json!({"pending": true}),
        None => return (StatusCode::NOT_FOUND, "no such sign-in").into_response(),
    };
    axum::Json(answer).into_response()
}

/// An access token for a test of `profile`: the one in memory while it is
/// valid (no round trip), else a fresh one from the stored sign-in.
pub(super) async fn access_token(
    st: &AppState,
    profile: &Profile,
) -> Result<(mailsetup_core::secret::AccessToken, Mechanism), OauthError> {
    let k = key(profile);
    if let Some((token, expires, mechanism)) = lock(&st.oauth).tokens.0.get(&k)
        && Instant::now() + EXPIRY_MARGIN < *expires
    {
        return Ok((mailsetup_core::secret::AccessToken::new(token.to_string()), *mechanism));
    }
    let clients = load_clients(&st.oauth_clients)?;
    let (tokens, mechanism) = crate::oauth::access_token(profile, &clients, &st.probe).await?;
    let expires = Instant::now() + Duration::from_secs(tokens.expires_in.unwrap_or(300));
    lock(&st.oauth).tokens.0.insert(k, (Zeroizing::new(tokens.access_token.expose().to_string()), expires, mechanism));
    Ok((tokens.access_token, mechanism))
}
