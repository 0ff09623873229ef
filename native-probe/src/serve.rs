//! `mailprobe serve`: the wizard's local web service.
//!
//! It binds 127.0.0.1 only and serves the page and wasm package embedded in
//! the binary. Only its own page may use the API:
//! - The URL it prints carries a token that works once: the first visit
//!   trades it for a session cookie (HttpOnly, SameSite=Strict) and is sent
//!   on to `/`, so the token is dead before any history or screenshot keeps
//!   it. `--open` hands the browser a private file that redirects with a
//!   second one-time token, so no token is ever in a process's argv.
//! - Every `/api/` call needs that session, its own `Host` (against DNS
//!   rebinding) and its own `Origin`; there is no CORS.
//! - Bodies are capped, tests are rate-limited (no password guessing
//!   through it), connections are capped, and a connection that does not
//!   send its headers in time, or idles, is closed.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use mailsetup_core::run::Event;
use mailsetup_core::{Lang, Password, Profile};
use serde::Deserialize;
use tokio::net::TcpListener;

use crate::probe::{ProbeOptions, run_test};

mod oauth;
use crate::settings_file::{SettingsFile, StoreError};

#[derive(rust_embed::RustEmbed)]
#[folder = "../www/"]
#[exclude = "*.gitignore"]
struct Assets;

/// Largest request body accepted.
pub const MAX_BODY: usize = 64 * 1024;
/// Most tests in [`RATE_WINDOW`].
pub const MAX_TESTS: usize = 5;
/// The rate-limit window.
pub const RATE_WINDOW: Duration = Duration::from_secs(60);
/// Most connections open at once; more wait in the listen queue.
pub const MAX_CONNECTIONS: usize = 64;
/// How long a connection may take to send a request's headers, and how
/// long it may idle between requests.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long reading a request's body and answering it may take (a test's
/// streamed progress is not counted: it follows the answer).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How to serve.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Open the page in the default browser.
    pub open: bool,
    /// Options for each test.
    pub probe: ProbeOptions,
    /// Where the settings (profiles and tenants) are kept.
    pub settings: PathBuf,
    /// See [`HEADER_TIMEOUT`].
    pub header_timeout: Duration,
    /// The OAuth 2.0 client registrations (`oauth2-clients.json`).
    pub oauth_clients: PathBuf,
}

/// `$XDG_CONFIG_HOME/mailsetup/settings.json`, else `~/.config/…`, else
/// `%APPDATA%\mailsetup\settings.json` on Windows.
pub fn default_settings_path() -> Result<PathBuf, String> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("APPDATA").map(PathBuf::from))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .ok_or("no configuration directory: set XDG_CONFIG_HOME or HOME, or pass --settings")?;
    Ok(base.join("mailsetup").join("settings.json"))
}

struct AppState {
    host: String,
    origin: String,
    /// The session cookie's name: cookies do not tell ports apart, so two
    /// services on one machine must not share one.
    cookie: String,
    /// One-time URL tokens not used yet.
    url_tokens: Mutex<HashSet<String>>,
    sessions: Mutex<HashSet<String>>,
    /// The `--open` file, removed once its token is used.
    open_file: Mutex<Option<PathBuf>>,
    probe: ProbeOptions,
    tests: Mutex<Vec<Instant>>,
    searches: Mutex<Vec<Instant>>,
    oauth_clients: PathBuf,
    /// Sign-ins under way and done, and access tokens in memory.
    oauth: Mutex<oauth::OauthState>,
    settings: SettingsFile,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").field("host", &self.host).finish_non_exhaustive()
    }
}

fn random_token() -> Result<String, String> {
    let mut b = [0u8; 24];
    getrandom::fill(&mut b).map_err(|e| format!("no randomness for the token: {e}"))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Binds, prints the URL as the first line on stdout, and serves until killed.
pub async fn serve(opts: ServeOptions) -> Result<(), String> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], opts.port)))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", opts.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let settings = SettingsFile::new(opts.settings);
    // Temporary files of a writer that was killed go now, not at the next save.
    let cleaner = settings.clone();
    let _ = tokio::task::spawn_blocking(move || cleaner.clean_up()).await;
    let printed = random_token()?;
    let mut url_tokens = HashSet::from([printed.clone()]);
    let origin = format!("http://{addr}");
    crate::output::line(&format!("{origin}/?token={printed}")).map_err(|e| e.to_string())?;
    if Assets::get("pkg/mailsetup_wasm_bg.wasm").is_none() {
        eprintln!(
            "warning: this mailprobe was built without the wasm package; run `cargo xtask wizard` to build the wizard completely"
        );
    }
    let mut open_file = None;
    if opts.open {
        let token = random_token()?;
        match open_in_browser(&format!("{origin}/?token={token}")) {
            Ok(file) => {
                url_tokens.insert(token);
                open_file = Some(file);
            }
            Err(e) => eprintln!("could not open a browser ({e}); open the URL above yourself"),
        }
    }
    let state = Arc::new(AppState {
        host: addr.to_string(),
        cookie: format!("mailsetup_session_{}", addr.port()),
        origin,
        url_tokens: Mutex::new(url_tokens),
        sessions: Mutex::new(HashSet::new()),
        open_file: Mutex::new(open_file),
        probe: opts.probe,
        searches: Mutex::new(Vec::new()),
        tests: Mutex::new(Vec::new()),
        oauth_clients: opts.oauth_clients,
        oauth: Mutex::new(oauth::OauthState::default()),
        settings,
    });
    let api = Router::new()
        .route("/api/test", post(api_test))
        .route("/api/discover", post(api_discover))
        .route("/api/presets", post(api_presets))
        .route("/api/oauth/start", post(oauth::start))
        .route("/api/oauth/status", post(oauth::status))
        .route("/api/send-test", post(api_send_test))
        .route("/api/settings", get(api_settings_load).put(api_settings_save))
        .route("/api/settings/start-anew", post(api_settings_start_anew))
        .route("/api/ping", get(|| async { "ok" }))
        .layer(middleware::from_fn_with_state(state.clone(), api_guard))
        .layer(DefaultBodyLimit::max(MAX_BODY));
    let app = Router::new()
        .route("/", get(index))
        .route("/callback", get(oauth::callback))
        .route("/{*path}", get(asset))
        .merge(api)
        .layer(middleware::from_fn(request_timeout))
        .layer(middleware::from_fn_with_state(state.clone(), host_guard))
        .with_state(state);
    accept_loop(listener, app, opts.header_timeout).await
}

/// Serves connections one task each, at most [`MAX_CONNECTIONS`] at once.
/// Hyper's header-read timer also runs while a kept-alive connection waits
/// for its next request, so it is the idle timeout too.
async fn accept_loop(listener: TcpListener, app: Router, header_timeout: Duration) -> Result<(), String> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let slot = slots.clone().acquire_owned().await.map_err(|e| e.to_string())?;
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors, say: wait instead of spinning.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let _slot = slot;
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Writes a private file (mode 0600) that sends the browser on to `url`,
/// and opens that file: its path is all that appears in any argv.
pub fn open_in_browser(url: &str) -> Result<PathBuf, String> {
    use std::io::Write;
    // The address may hold a provider's text (OIDC discovery): as HTML text.
    let url = url.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;");
    let dir = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let mut file = tempfile::Builder::new()
        .prefix("mailsetup-open-")
        .suffix(".html")
        .tempfile_in(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let html = format!(
        "<!doctype html><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0;url={url}\"><title>mailsetup</title><p><a href=\"{url}\">mailsetup</a></p>\n"
    );
    file.write_all(html.as_bytes()).map_err(|e| e.to_string())?;
    let (_, path) = file.keep().map_err(|e| e.to_string())?;
    #[cfg(windows)]
    let opened = std::process::Command::new("cmd").args(["/C", "start", ""]).arg(&path).spawn().is_ok();
    #[cfg(not(windows))]
    let opened = ["xdg-open", "open"].iter().any(|cmd| std::process::Command::new(cmd).arg(&path).spawn().is_ok());
    if opened {
        Ok(path)
    } else {
        let _ = std::fs::remove_file(&path);
        Err("neither xdg-open nor open could be started".into())
    }
}

fn forbidden(why: &'static str) -> Response {
    (StatusCode::FORBIDDEN, why).into_response()
}

/// Every request: the Host must be ours (DNS rebinding).
async fn host_guard(State(st): State<Arc<AppState>>, req: Request<Body>, next: Next) -> Response {
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok());
    if host != Some(st.host.as_str()) {
        return forbidden("foreign Host");
    }
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Reading a request and answering it has a deadline (a slow body must not
/// hold a connection slot for ever).
async fn request_timeout(req: Request<Body>, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => (StatusCode::REQUEST_TIMEOUT, "the request took too long").into_response(),
    }
}

/// `/api/`: session and Origin. Browsers send no `Origin` on same-origin GET
/// requests, so a GET may lack it (but not carry a foreign one, nor come
/// from another site by `Sec-Fetch-Site`); every other method must carry ours.
async fn api_guard(State(st): State<Arc<AppState>>, req: Request<Body>, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).and_then(|h| h.to_str().ok());
    let fetch_site = req.headers().get("sec-fetch-site").and_then(|h| h.to_str().ok());
    let safe = req.method() == axum::http::Method::GET;
    let origin_ok = match origin {
        Some(o) => o == st.origin,
        None => safe,
    };
    if !origin_ok || fetch_site.is_some_and(|s| s != "same-origin" && s != "none") {
        return forbidden("foreign or missing Origin");
    }
    if !has_session(&st, req.headers()) {
        return forbidden("no session: open the address that mailprobe serve printed");
    }
    next.run(req).await
}

fn has_session(st: &AppState, headers: &HeaderMap) -> bool {
    let sessions = lock(&st.sessions);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .any(|(name, value)| name == st.cookie && sessions.iter().any(|s| constant_time_eq(s, value)))
}

/// The token must not leak through timing.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Deserialize)]
struct IndexQuery {
    token: Option<String>,
}

/// The page. With `?token=`: a token not used yet becomes a session cookie
/// and the browser is sent on to `/`; a used one is refused unless the
/// browser already has a session.
async fn index(State(st): State<Arc<AppState>>, Query(q): Query<IndexQuery>, headers: HeaderMap) -> Response {
    let Some(token) = q.token else {
        return asset_response("index.html");
    };
    let fresh = {
        let mut tokens = lock(&st.url_tokens);
        let found = tokens.iter().find(|t| constant_time_eq(t, &token)).cloned();
        found.is_some_and(|t| tokens.remove(&t))
    };
    let to_page = [(header::LOCATION, HeaderValue::from_static("/"))];
    if fresh {
        if let Some(file) = lock(&st.open_file).take() {
            let _ = std::fs::remove_file(file);
        }
        let session = match random_token() {
            Ok(s) => s,
            Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
        };
        let cookie = format!("{}={session}; HttpOnly; SameSite=Strict; Path=/", st.cookie);
        lock(&st.sessions).insert(session);
        let Ok(cookie) = HeaderValue::from_str(&cookie) else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        return (StatusCode::SEE_OTHER, [(header::SET_COOKIE, cookie)], to_page).into_response();
    }
    if has_session(&st, &headers) {
        return (StatusCode::SEE_OTHER, to_page).into_response();
    }
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Dieser Link wurde schon benutzt. Starten Sie den Assistenten neu und öffnen Sie die Adresse, die er ausgibt.\n\
         This link was used already. Start the wizard again and open the address it prints.\n",
    )
        .into_response()
}

async fn asset(Path(path): Path<String>) -> Response {
    asset_response(&path)
}

fn asset_response(path: &str) -> Response {
    match Assets::get(path) {
        Some(file) => {
            let mime = match path.rsplit('.').next() {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript; charset=utf-8",
                Some("css") => "text/css; charset=utf-8",
                Some("wasm") => "application/wasm",
                Some("json") => "application/json",
                Some("svg") => "image/svg+xml",
                _ => "application/octet-stream",
            };
            ([(header::CONTENT_TYPE, mime)], Body::from(file.data.into_owned())).into_response()
        }
        None if path.starts_with("pkg/") => {
            (StatusCode::NOT_FOUND, "the wasm package was not built into this mailprobe: run `cargo xtask wizard`")
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(Deserialize)]
struct TestRequest {
    profile: Profile,
    password: String,
    #[serde(default)]
    lang: Option<String>,
}

/// Runs a test and streams NDJSON: `{"event":"stage",…}` per stage, then
/// `{"event":"verdict","verdict":{…}}`.
async fn api_test(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    run_streamed(st, body, false).await
}

/// Like `/api/test`, then sends the test message to the profile's address.
async fn api_send_test(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    run_streamed(st, body, true).await
}

async fn run_streamed(st: Arc<AppState>, body: Bytes, send: bool) -> Response {
    let req: TestRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("not a test request: {e}")).into_response(),
    };
    let lang = req.lang.as_deref().and_then(Lang::parse).unwrap_or(Lang::De);
    // The page checks first, but the service does not rely on it: the
    // core's gate refuses a profile with errors (and it does not count
    // against the limit).
    if let Some(verdict) = mailsetup_core::run::precheck(&req.profile, lang) {
        return (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(verdict)).into_response();
    }
    if !rate_ok(&st.tests, MAX_TESTS) {
        return (StatusCode::TOO_MANY_REQUESTS, "too many tests; wait a minute").into_response();
    }
    // An OAuth 2.0 profile signs in with the token in memory, or a fresh one.
    let mut access_token = None;
    if req.profile.auth == mailsetup_core::AuthKind::Oauth2 {
        match oauth::access_token(&st, &req.profile).await {
            Ok(t) => access_token = Some(t),
            Err(e) => {
                let v = mailsetup_core::run::signin_failed(req.profile, e.failure_kind(), e.to_string(), lang, Instant::now());
                let line = format!("{}\n", serde_json::json!({"event": "verdict", "verdict": v}));
                return ([(header::CONTENT_TYPE, "application/x-ndjson")], line).into_response();
            }
        }
    }
    let password = Password::new(req.password);
    let mut opts = st.probe.clone();
    opts.lang = lang;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    tokio::spawn(async move {
        let message = if send {
            match crate::message::test_message(&req.profile.email, &req.profile.name, opts.lang) {
                Ok(m) => Some(m),
                Err(e) => {
                    let _ = tx.send(format!("{}\n", serde_json::json!({"event": "error", "error": e})));
                    return;
                }
            }
        } else {
            None
        };
        let events = tx.clone();
        let lang = opts.lang;
        // Each event carries the stage's label from the core, in the test's language.
        let mut progress = move |e: &Event| {
            let line = match e {
                Event::StageStarted(stage) => {
                    serde_json::json!({"event": "stage_started", "stage": stage, "label": stage.label(lang)})
                }
                Event::StageEnded(t) => serde_json::json!({
                    "event": "stage", "stage": t.stage, "label": t.stage.label(lang), "ok": t.ok, "ms": t.ms,
                }),
                _ => return,
            };
            let _ = events.send(format!("{line}\n"));
        };
        let verdict = run_test(req.profile, password, message, access_token, &opts, &mut progress).await;
        let _ = tx.send(format!("{}\n", serde_json::json!({"event": "verdict", "verdict": verdict})));
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|line| (Ok::<_, std::convert::Infallible>(line), rx))
    });
    // The connection ends with the test: hyper's read buffer, which held
    // the request with its password, is freed (and so wiped) now, not when
    // the browser next reuses the connection.
    ([(header::CONTENT_TYPE, "application/x-ndjson"), (header::CONNECTION, "close")], Body::from_stream(stream))
        .into_response()
}

#[derive(Deserialize)]
struct DiscoverRequest {
    address: String,
    #[serde(default)]
    lang: Option<String>,
}

/// The help list of common outgoing servers (the core's offline table),
/// user names resolved for the address. Served here rather than by the
/// wasm package, whose size budget the list's code would break; it is the
/// same table either way.
async fn api_presets(body: Bytes) -> Response {
    let req: DiscoverRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("not a list request: {e}")).into_response(),
    };
    let lang = req.lang.as_deref().and_then(Lang::parse).unwrap_or(Lang::De);
    axum::Json(mailsetup_core::presets::list(&req.address, lang)).into_response()
}

/// Most searches in [`RATE_WINDOW`]: each probes servers the page names.
pub const MAX_SEARCHES: usize = 20;

/// Searches settings for an address and streams NDJSON: `{"event":"tried",…}`
/// as each source answers, then `{"event":"result",…}` (the JSON of
/// `mailprobe discover --json`), or `{"event":"error","error":…}`.
async fn api_discover(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    let req: DiscoverRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("not a search request: {e}")).into_response(),
    };
    let lang = req.lang.as_deref().and_then(Lang::parse).unwrap_or(Lang::De);
    if !rate_ok(&st.searches, MAX_SEARCHES) {
        return (StatusCode::TOO_MANY_REQUESTS, "too many searches; wait a minute").into_response();
    }
    let opts = crate::discover::DiscoverOptions {
        dns: st.probe.dns.clone(),
        tls: st.probe.tls.clone(),
        limits: mailsetup_core::discover::Limits::default(),
        lang,
    };
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    tokio::spawn(async move {
        let events = tx.clone();
        let mut progress = move |t: &mailsetup_core::discover::Tried| {
            let mut line = serde_json::json!({"event": "tried"});
            if let (Some(obj), Ok(serde_json::Value::Object(t))) = (line.as_object_mut(), serde_json::to_value(t)) {
                obj.extend(t);
            }
            let _ = events.send(format!("{line}\n"));
        };
        let line = match crate::discover::discover(&req.address, &opts, &mut progress).await {
            Ok(report) => {
                let mut v = report.to_json(lang);
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("event".into(), "result".into());
                }
                v
            }
            Err(e) => serde_json::json!({"event": "error", "error": e.to_string()}),
        };
        let _ = tx.send(format!("{line}\n"));
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|line| (Ok::<_, std::convert::Infallible>(line), rx))
    });
    ([(header::CONTENT_TYPE, "application/x-ndjson")], Body::from_stream(stream)).into_response()
}

/// Counts a use against `max` per [`RATE_WINDOW`]; `false` when over.
fn rate_ok(uses: &Mutex<Vec<Instant>>, max: usize) -> bool {
    let mut uses = lock(uses);
    let now = Instant::now();
    uses.retain(|t| now.duration_since(*t) < RATE_WINDOW);
    if uses.len() >= max {
        return false;
    }
    uses.push(now);
    true
}

/// What a settings failure tells the page: the kind, the message and the file.
fn store_error(e: StoreError, settings: &SettingsFile) -> Response {
    let status = match &e {
        StoreError::Damaged { .. } | StoreError::NotDamaged => StatusCode::CONFLICT,
        StoreError::Stale { .. } => StatusCode::PRECONDITION_FAILED,
        StoreError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        StoreError::Unreadable { .. } | StoreError::InUse { .. } | StoreError::Write { .. } => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    let body = serde_json::json!({
        "error": e.kind(),
        "message": e.to_string(),
        "path": settings.path().display().to_string(),
    });
    (status, axum::Json(body)).into_response()
}

fn with_etag(resp: impl IntoResponse, etag: &str) -> Response {
    let mut resp = resp.into_response();
    if let Ok(v) = HeaderValue::from_str(etag) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp
}

/// Runs a blocking settings operation off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(StoreError::Write { path: PathBuf::new(), reason: e.to_string() }))
}

/// The saved settings (an empty document when none were saved yet), with
/// their `ETag`.
async fn api_settings_load(State(st): State<Arc<AppState>>) -> Response {
    let settings = st.settings.clone();
    match blocking(move || settings.load()).await {
        Ok(snap) => with_etag(axum::Json(snap.doc), &snap.etag),
        Err(e) => store_error(e, &st.settings),
    }
}

/// Saves the settings if they are still the version named by `If-Match`.
/// The document is stored as sent (fields this version does not know are
/// kept), but a document that holds a secret is refused.
async fn api_settings_save(State(st): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(if_match) = headers.get(header::IF_MATCH).and_then(|h| h.to_str().ok()).map(str::to_owned) else {
        return (StatusCode::PRECONDITION_REQUIRED, "saving needs If-Match with the ETag of the loaded settings")
            .into_response();
    };
    let doc: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(d) => d,
        Err(e) => return store_error(StoreError::Invalid(e.to_string()), &st.settings),
    };
    let settings = st.settings.clone();
    match blocking(move || settings.save(&doc, &if_match)).await {
        Ok(etag) => {
            with_etag(axum::Json(serde_json::json!({"saved": st.settings.path().display().to_string()})), &etag)
        }
        Err(e) => store_error(e, &st.settings),
    }
}

/// After loading failed: keeps the damaged file beside it and starts with
/// an empty document. Refused when the file is fine.
async fn api_settings_start_anew(State(st): State<Arc<AppState>>) -> Response {
    let settings = st.settings.clone();
    match blocking(move || settings.start_anew()).await {
        Ok(kept) => {
            with_etag(axum::Json(serde_json::json!({"kept": kept.display().to_string()})), crate::settings_file::ABSENT)
        }
        Err(e) => store_error(e, &st.settings),
    }
}
