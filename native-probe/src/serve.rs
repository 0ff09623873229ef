//! `mailprobe serve`: the wizard's local web service.
//!
//! It binds 127.0.0.1 only and serves the page and wasm package embedded in
//! the binary. Only its own page may use the API: every `/api/` call needs
//! the per-start token as `Authorization: Bearer …`, the `Host` header must
//! be its own address and port (against DNS rebinding), `Origin` must be its
//! own, bodies are capped, tests are rate-limited (no password guessing
//! through it), and there is no CORS.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use mailsetup_core::validate::Settings;
use mailsetup_core::{Lang, Password, Profile};
use serde::Deserialize;
use tokio::net::TcpListener;

use crate::probe::{ProbeOptions, run_test};

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

/// How to serve.
#[derive(Clone, Debug, Default)]
pub struct ServeOptions {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Open the page in the default browser.
    pub open: bool,
    /// Options for each test.
    pub probe: ProbeOptions,
    /// Where the settings (profiles and tenants) are kept.
    pub settings: std::path::PathBuf,
}

/// `$XDG_CONFIG_HOME/mailsetup/settings.json`, else `~/.config/…`, else
/// `%APPDATA%\mailsetup\settings.json` on Windows.
pub fn default_settings_path() -> Result<std::path::PathBuf, String> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("APPDATA").map(std::path::PathBuf::from))
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".config")))
        .ok_or("no configuration directory: set XDG_CONFIG_HOME or HOME, or pass --settings")?;
    Ok(base.join("mailsetup").join("settings.json"))
}

struct AppState {
    token: String,
    host: String,
    origin: String,
    probe: ProbeOptions,
    tests: Mutex<Vec<Instant>>,
    settings: std::path::PathBuf,
    /// Serializes writes of the settings file.
    save_lock: tokio::sync::Mutex<()>,
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

/// Binds, prints the URL as the first line on stdout, and serves until killed.
pub async fn serve(opts: ServeOptions) -> Result<(), String> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], opts.port)))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", opts.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let token = random_token()?;
    let url = format!("http://{addr}/?token={token}");
    println!("{url}");
    if Assets::get("pkg/mailsetup_wasm_bg.wasm").is_none() {
        eprintln!(
            "warning: this mailprobe was built without the wasm package; run `cargo xtask wizard` to build the wizard completely"
        );
    }
    if opts.open {
        open_browser(&url);
    }
    let state = Arc::new(AppState {
        token,
        host: addr.to_string(),
        origin: format!("http://{addr}"),
        probe: opts.probe,
        tests: Mutex::new(Vec::new()),
        settings: opts.settings,
        save_lock: tokio::sync::Mutex::new(()),
    });
    let api = Router::new()
        .route("/api/test", post(api_test))
        .route("/api/send-test", post(api_send_test))
        .route("/api/settings", get(api_settings_load).put(api_settings_save))
        .route("/api/ping", get(|| async { "ok" }))
        .layer(middleware::from_fn_with_state(state.clone(), api_guard))
        .layer(DefaultBodyLimit::max(MAX_BODY));
    let app = Router::new()
        .route("/", get(index))
        .route("/{*path}", get(asset))
        .merge(api)
        .layer(middleware::from_fn_with_state(state.clone(), host_guard))
        .with_state(state);
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}

fn open_browser(url: &str) {
    #[cfg(windows)]
    let opened = std::process::Command::new("cmd").args(["/C", "start", ""]).arg(url).spawn().is_ok();
    #[cfg(not(windows))]
    let opened = ["xdg-open", "open"].iter().any(|cmd| std::process::Command::new(cmd).arg(url).spawn().is_ok());
    if opened {
        return;
    }
    eprintln!("could not open a browser; open the URL above yourself");
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

/// `/api/`: token and Origin. Browsers send no `Origin` on same-origin GET
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
    if !token_ok(req.headers(), &st.token) {
        return forbidden("missing or wrong token");
    }
    next.run(req).await
}

fn token_ok(headers: &HeaderMap, token: &str) -> bool {
    let Some(given) =
        headers.get(header::AUTHORIZATION).and_then(|h| h.to_str().ok()).and_then(|h| h.strip_prefix("Bearer "))
    else {
        return false;
    };
    // Constant-time comparison: the token must not leak through timing.
    given.len() == token.len() && given.bytes().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

async fn index() -> Response {
    asset_response("index.html")
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
    // The page checks first, but the service does not rely on it: a profile
    // with errors is not tested (and does not count against the limit).
    let errors: Vec<_> = mailsetup_core::validate::validate_in(&req.profile, lang)
        .into_iter()
        .filter(|f| f.severity == mailsetup_core::Severity::Error)
        .collect();
    if !errors.is_empty() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(serde_json::json!({"category": "invalid_profile", "findings": errors})),
        )
            .into_response();
    }
    {
        let mut tests = st.tests.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        tests.retain(|t| now.duration_since(*t) < RATE_WINDOW);
        if tests.len() >= MAX_TESTS {
            return (StatusCode::TOO_MANY_REQUESTS, "too many tests; wait a minute").into_response();
        }
        tests.push(now);
    }
    let password = Password::new(req.password);
    let mut opts = st.probe.clone();
    opts.lang = lang;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    tokio::spawn(async move {
        let tx2 = tx.clone();
        let mut progress = move |t: &mailsetup_core::observe::StageTiming| {
            let line = serde_json::json!({"event": "stage", "stage": t.stage, "ok": t.ok, "ms": t.ms});
            let _ = tx2.send(format!("{line}\n"));
        };
        let verdict = if send {
            match crate::message::test_message(&req.profile.email, &req.profile.name, opts.lang) {
                Ok(m) => crate::probe::run_send_test(&req.profile, password, &opts, &mut progress, m).await,
                Err(e) => {
                    let line = serde_json::json!({"event": "error", "error": e});
                    let _ = tx.send(format!("{line}\n"));
                    return;
                }
            }
        } else {
            run_test(&req.profile, password, &opts, &mut progress).await
        };
        let line = serde_json::json!({"event": "verdict", "verdict": verdict});
        let _ = tx.send(format!("{line}\n"));
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|line| (Ok::<_, std::convert::Infallible>(line), rx))
    });
    ([(header::CONTENT_TYPE, "application/x-ndjson")], Body::from_stream(stream)).into_response()
}

/// The saved settings; an empty document when none were saved yet.
async fn api_settings_load(State(st): State<Arc<AppState>>) -> Response {
    match tokio::fs::read(&st.settings).await {
        Ok(bytes) => match serde_json::from_slice::<Settings>(&bytes) {
            Ok(doc) => axum::Json(doc).into_response(),
            Err(e) => (StatusCode::CONFLICT, format!("the settings file {} is damaged: {e}", st.settings.display()))
                .into_response(),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => axum::Json(Settings::default()).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{}: {e}", st.settings.display())).into_response(),
    }
}

/// Saves the settings. The body is parsed into the typed document, so
/// anything else in it (a password, say) is dropped, never stored.
async fn api_settings_save(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    let doc: Settings = match serde_json::from_slice(&body) {
        Ok(d) => d,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("not a settings document: {e}")).into_response(),
    };
    let Ok(json) = serde_json::to_vec_pretty(&doc) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let _guard = st.save_lock.lock().await;
    match write_atomically(&st.settings, &json).await {
        Ok(()) => axum::Json(serde_json::json!({"saved": st.settings.display().to_string()})).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{}: {e}", st.settings.display())).into_response(),
    }
}

/// Write to a temporary file beside it, then rename: a crash never leaves
/// half a settings file.
async fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await?;
    }
    let tmp = path.with_extension("json.tmp");
    tokio::fs::write(&tmp, bytes).await?;
    tokio::fs::rename(&tmp, path).await
}
