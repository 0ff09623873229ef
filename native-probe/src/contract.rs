//! The desktop contract: how a host program (the business software's setup
//! dialog, in any language) drives `mailprobe` without parsing human text.
//! Documented in `docs/desktop-contract.md`; its JSON Schemas are in
//! `docs/schema/`.
//!
//! - A request is one JSON object on the first line of stdin
//!   (`--request -`), so the password never is in argv or the environment.
//! - With `--events`, stdout carries JSON Lines: each stage started and
//!   ended, then exactly one final event, `verdict` or `cancelled`. Every
//!   event names [`SCHEMA_VERSION`].
//! - Closing stdin (in request mode), Ctrl-C, Ctrl-Break or SIGTERM cancels
//!   a running test; the exit code is then [`EXIT_CANCELLED`].

use std::io::{BufRead, Read};

use mailsetup_core::Profile;
use mailsetup_core::run::Event;
use mailsetup_core::verdict::Verdict;
use serde::{Deserialize, Serialize};

/// The version of requests and events. A request names the version it was
/// written for; one this program does not know is refused (exit 2).
pub const SCHEMA_VERSION: u32 = 1;

/// Exit code of a test that was cancelled (0 passed, 1 failed, 2 bad input).
pub const EXIT_CANCELLED: u8 = 3;

/// `test --request -` and `send-test --request -`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestRequest {
    /// Must be [`SCHEMA_VERSION`].
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    /// The profile, as in a profile file.
    pub profile: Profile,
    /// The password; absent for an OAuth 2.0 profile, which uses its stored sign-in.
    #[serde(default)]
    pub password: Option<String>,
}

/// `validate --request -`: a profile or a settings document, one of them.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidateRequest {
    /// Must be [`SCHEMA_VERSION`].
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    /// A profile, as in a profile file.
    #[serde(default)]
    pub profile: Option<serde_json::Value>,
    /// A settings document (profiles and tenants).
    #[serde(default)]
    pub settings: Option<serde_json::Value>,
}

/// `preset --request -`: the known settings for an address or domain, or the help list.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PresetRequest {
    /// Must be [`SCHEMA_VERSION`].
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    /// An address or a domain (with `list`: resolves the user names).
    #[serde(default)]
    pub address: Option<String>,
    /// The help list of common outgoing servers instead.
    #[serde(default)]
    pub list: bool,
}

/// `discover --request -`: "Einstellungen suchen" over the network.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscoverRequest {
    /// Must be [`SCHEMA_VERSION`].
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    /// The e-mail address.
    pub address: String,
}

macro_rules! versioned {
    ($($t:ty),*) => {$(
        impl Versioned for $t {
            fn version(&self) -> u32 {
                self.version
            }
        }
    )*};
}
versioned!(TestRequest, ValidateRequest, PresetRequest, DiscoverRequest);

/// One line of `--events` output.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TestEvent<'a> {
    /// A stage began.
    StageStarted { schema_version: u32, stage: mailsetup_core::observe::Stage, label: &'a str },
    /// A stage ended: whether it passed, and how long it took.
    StageEnded { schema_version: u32, stage: mailsetup_core::observe::Stage, label: &'a str, ok: bool, ms: u64 },
    /// The last event of a test that ran to its end.
    Verdict { schema_version: u32, verdict: &'a Verdict },
    /// The last event of a test that was cancelled.
    Cancelled { schema_version: u32 },
}

/// Reads the request: the first line of stdin, one JSON object.
pub fn read_request<T: for<'de> Deserialize<'de> + Versioned>() -> Result<T, String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| format!("cannot read the request from stdin: {e}"))?;
    if line.trim().is_empty() {
        return Err("no request: stdin must start with one JSON object on one line".into());
    }
    let request: T = serde_json::from_str(&line).map_err(|e| format!("not a request: {e}"))?;
    match request.version() {
        SCHEMA_VERSION => Ok(request),
        v => Err(format!("request version {v} is not supported: this mailprobe speaks version {SCHEMA_VERSION}")),
    }
}

/// A request that names its version.
pub trait Versioned {
    /// The version the request was written for.
    fn version(&self) -> u32;
}

/// The event line of a stage, or `None` for events the contract does not carry.
pub fn stage_event(event: &Event, lang: mailsetup_core::Lang) -> Option<String> {
    let line = match event {
        Event::StageStarted(stage) => {
            TestEvent::StageStarted { schema_version: SCHEMA_VERSION, stage: *stage, label: stage.label(lang) }
        }
        Event::StageEnded(t) => TestEvent::StageEnded {
            schema_version: SCHEMA_VERSION,
            stage: t.stage,
            label: t.stage.label(lang),
            ok: t.ok,
            ms: t.ms,
        },
        _ => return None,
    };
    serde_json::to_string(&line).ok()
}

/// Resolves when the run is to be cancelled: stdin closed (when
/// `watch_stdin`), Ctrl-C, and Ctrl-Break on Windows or SIGTERM elsewhere.
pub async fn cancelled(watch_stdin: bool) {
    let stdin_closed = async {
        if !watch_stdin {
            return std::future::pending::<()>().await;
        }
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        // A plain thread: a read from stdin blocks, and the process ends
        // with main whatever this thread is doing.
        std::thread::spawn(move || {
            let mut buf = [0u8; 256];
            let mut stdin = std::io::stdin();
            while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
            let _ = tx.send(());
        });
        let _ = rx.await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(windows)]
    let terminate = async {
        match tokio::signal::windows::ctrl_break() {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = stdin_closed => {}
        _ = terminate => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

/// The contract's JSON Schemas, by file name in `docs/schema/`: generated
/// from the types above and the core's, so they cannot drift from the
/// output (a test compares them with the checked-in files, and checks real
/// output against them).
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    fn schema<T: schemars::JsonSchema>() -> serde_json::Value {
        serde_json::to_value(schemars::schema_for!(T)).unwrap_or_default()
    }
    vec![
        ("test-request.schema.json", schema::<TestRequest>()),
        ("test-event.schema.json", schema::<TestEvent<'static>>()),
        ("verdict.schema.json", schema::<Verdict>()),
        ("validate-request.schema.json", schema::<ValidateRequest>()),
        ("validate-output.schema.json", schema::<ValidateOutput>()),
        ("preset-request.schema.json", schema::<PresetRequest>()),
        ("discover-request.schema.json", schema::<DiscoverRequest>()),
        ("discover-output.schema.json", schema::<crate::discover::DiscoverOutput<'static>>()),
        ("preset.schema.json", schema::<mailsetup_core::presets::Preset>()),
        ("preset-list.schema.json", schema::<Vec<mailsetup_core::presets::Listed>>()),
    ]
}

/// What `validate --json` prints.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ValidateOutput {
    /// No finding of severity `error`.
    pub valid: bool,
    /// Every finding, messages in the requested language.
    pub findings: Vec<mailsetup_core::Finding>,
}
