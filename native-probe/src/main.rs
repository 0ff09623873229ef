//! `mailprobe`: command-line definition and glue.
//!
//! Exit codes: 0 the test passed, 1 the test ran and failed, 2 bad input
//! (or output that cannot be written; a closed pipe ends quietly).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use mailsetup_core::finding::has_error;
use mailsetup_core::sanitize::visible;
use mailsetup_core::{Lang, Profile};
use mailsetup_probe::contract;
use mailsetup_probe::discover::{DiscoverOptions, discover};
use mailsetup_probe::dns::{Dns, QUESTION_TIMEOUT};
use mailsetup_probe::output::{self, OutputError};
use mailsetup_probe::password;
use mailsetup_probe::probe::{ProbeOptions, run_test};
use mailsetup_probe::serve::{ServeOptions, serve};
use mailsetup_probe::tls::{TlsOptions, parse_fingerprint};

/// Every heap block is wiped when it is freed: copies of a password that
/// libraries make on their way (hyper's read buffer, serde's scratch
/// space, rustls's plaintext buffers) are beyond any wrapper type, and must
/// not linger in freed memory (issue #13).
#[global_allocator]
static ALLOCATOR: zeroizing_alloc::ZeroAlloc<std::alloc::System> = zeroizing_alloc::ZeroAlloc(std::alloc::System);

#[derive(Parser)]
#[command(name = "mailprobe", version, about = "Tests outgoing mail settings, and serves the setup wizard.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct Common {
    /// Extra trusted CA certificates (PEM file).
    #[arg(long, value_name = "PEM")]
    ca_file: Option<PathBuf>,
    /// Accept exactly this server certificate (SHA256:<hex>), e.g. a self-signed one.
    #[arg(long, value_name = "SHA256:HEX")]
    trust_cert: Option<String>,
    /// Deadline for the whole test, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    timeout: u64,
    /// Language of messages: de or en.
    #[arg(long, default_value = "de")]
    lang: String,
    /// Ask this DNS server (IP:PORT) instead of the system's resolver.
    #[arg(long, value_name = "IP:PORT")]
    dns: Option<std::net::SocketAddr>,
    /// The OAuth 2.0 client registrations (default: oauth2-clients.json beside the settings).
    #[arg(long, value_name = "FILE")]
    oauth_clients: Option<PathBuf>,
}

#[derive(clap::Args)]
struct TestArgs {
    /// The profile (JSON).
    #[arg(required_unless_present = "request")]
    profile: Option<PathBuf>,
    /// Read the password from the first line of stdin (else $MAILPROBE_PASSWORD, else a prompt).
    #[arg(long)]
    password_stdin: bool,
    /// Print the verdict as JSON.
    #[arg(long)]
    json: bool,
    /// The desktop contract: one JSON request on the first line of stdin
    /// (`-`), {"version":1,"profile":{…},"password":"…"}. Closing stdin cancels.
    #[arg(long, value_name = "-", conflicts_with_all = ["profile", "password_stdin"])]
    request: Option<String>,
    /// The desktop contract: JSON Lines on stdout, each stage started and
    /// ended, then one final `verdict` or `cancelled` event.
    #[arg(long)]
    events: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(Subcommand)]
enum Command {
    /// Logs in to the profile's SMTP server and says why it failed, if it did.
    Test(TestArgs),
    /// Logs in like `test`, then sends a test message to the profile's own address.
    SendTest(TestArgs),
    /// Checks a profile or a settings document (profiles + tenants) without any network.
    ///
    /// With --field NAME, reads JSON string values line by line from stdin and
    /// writes one JSON line per input: {"value", "valid", "findings"}.
    /// Exit codes: 0 no errors, 1 errors found, 2 unreadable input.
    Validate {
        /// The JSON file, or - for stdin.
        #[arg(required_unless_present_any = ["field", "request"])]
        file: Option<PathBuf>,
        /// Validate single values of this field (email, smtp.host, smtp.port, smtp.username, pop_before_smtp.host, …).
        #[arg(long, value_name = "NAME", conflicts_with = "file")]
        field: Option<String>,
        /// Print findings as JSON.
        #[arg(long)]
        json: bool,
        /// Language of messages: de or en.
        #[arg(long, default_value = "de")]
        lang: String,
        /// The OAuth 2.0 client registrations an oauth2 profile needs (default:
        /// oauth2-clients.json beside the settings).
        #[arg(long, value_name = "FILE")]
        oauth_clients: Option<PathBuf>,
        /// The desktop contract: one JSON request on the first line of stdin (`-`),
        /// {"version":1,"profile":{…}} or {"version":1,"settings":{…}}; prints JSON.
        #[arg(long, value_name = "-", conflicts_with_all = ["file", "field"])]
        request: Option<String>,
    },
    /// Shows the known settings for an address or domain ("Einstellungen suchen"). Exit 1 when unknown.
    ///
    /// With --list, the help list of common outgoing servers instead: German
    /// providers first, then Microsoft and Google, then the rest by name
    /// (an address, if given, resolves the user names).
    Preset {
        /// An address (info@gmx.de) or a domain (gmx.de).
        #[arg(required_unless_present_any = ["list", "request"])]
        address: Option<String>,
        /// The desktop contract: one JSON request on the first line of stdin (`-`),
        /// {"version":1,"address":"…"} or {"version":1,"list":true}; prints JSON.
        #[arg(long, value_name = "-", conflicts_with_all = ["address", "list"])]
        request: Option<String>,
        /// The help list of common outgoing servers.
        #[arg(long)]
        list: bool,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
        /// Language of notes: de or en.
        #[arg(long, default_value = "de")]
        lang: String,
    },
    /// Signs an OAuth 2.0 profile in with its provider (the browser's sign-in page,
    /// answered on a loopback port) and stores the refresh token in the
    /// operating system's credential store. Exit codes: 0 signed in, 1 failed, 2 bad input.
    Login {
        /// The profile (JSON), with "auth": "oauth2" and "oauth_provider".
        profile: PathBuf,
        /// Open the sign-in page in the browser (else its address is printed).
        #[arg(long)]
        open: bool,
        /// Sign in on any device with a code (RFC 8628), where the provider allows it
        /// for mail (Microsoft does; Google does not).
        #[arg(long, conflicts_with = "open")]
        device: bool,
        /// How long to wait for the sign-in, in seconds.
        #[arg(long, value_name = "SECS", default_value_t = 300)]
        wait: u64,
        /// Print the result as JSON (no token in it).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Removes the stored sign-in of an OAuth 2.0 profile.
    Logout {
        /// The profile (JSON).
        profile: PathBuf,
    },
    /// A fresh access token for an OAuth 2.0 profile, for the host program to send
    /// with: {"access_token", "expires_at", "mechanism"}.
    Token {
        /// The profile (JSON).
        profile: PathBuf,
        /// Print as JSON (the only form).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Finds the settings for an address over the network ("Einstellungen suchen"):
    /// the offline table, the provider's autoconfig over HTTPS, the domain's MX and
    /// SRV records, and probing the usual server names (TLS and EHLO, never a login).
    ///
    /// Exit codes: 0 found, 1 nothing found, 2 bad input.
    Discover {
        /// The e-mail address.
        #[arg(required_unless_present = "request")]
        address: Option<String>,
        /// The desktop contract: one JSON request on the first line of stdin (`-`),
        /// {"version":1,"address":"…"}; prints JSON.
        #[arg(long, value_name = "-", conflicts_with = "address")]
        request: Option<String>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// Ask this DNS server (IP:PORT) instead of the system's.
        #[arg(long, value_name = "IP:PORT")]
        dns: Option<std::net::SocketAddr>,
        /// Extra trusted CA certificates (PEM file).
        #[arg(long, value_name = "PEM")]
        ca_file: Option<PathBuf>,
        /// Deadline for the whole search, in seconds.
        #[arg(long, value_name = "SECS", default_value_t = 20)]
        timeout: u64,
        /// Language of messages: de or en.
        #[arg(long, default_value = "de")]
        lang: String,
    },
    /// Serves the setup wizard on 127.0.0.1 and prints its URL.
    Serve {
        /// Port (0 = a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Open the wizard in the browser.
        #[arg(long)]
        open: bool,
        /// The settings file (default: settings.json in the user's config directory, folder mailsetup).
        #[arg(long, value_name = "FILE")]
        settings: Option<PathBuf>,
        /// Seconds a connection may take to send a request's headers, or idle (for tests).
        #[arg(long, value_name = "SECS", default_value_t = 10, hide = true)]
        header_timeout: u64,
        #[command(flatten)]
        common: Common,
    },
}

fn bad_input(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("mailprobe: {msg}");
    ExitCode::from(2)
}

/// Output that could not be written: quietly when the reader has gone,
/// else one line on stderr; exit code 2 either way.
fn output_failed(e: OutputError) -> ExitCode {
    if let OutputError::Failed(_) = e {
        eprintln!("mailprobe: {e}");
    }
    ExitCode::from(2)
}

/// Writes lines to stdout; on failure returns from the calling function
/// with [`output_failed`]'s exit code.
macro_rules! out {
    ($($arg:tt)*) => {
        if let Err(e) = output::line(&format!($($arg)*)) {
            return output_failed(e);
        }
    };
}

fn probe_options(c: &Common) -> Result<ProbeOptions, String> {
    let lang = Lang::parse(&c.lang).ok_or_else(|| format!("unknown language {:?}: use de or en", c.lang))?;
    if c.timeout == 0 || c.timeout > 600 {
        return Err("--timeout must be between 1 and 600 seconds".into());
    }
    let trust_cert = c.trust_cert.as_deref().map(parse_fingerprint).transpose()?;
    let dns = c.dns.map(|server| Dns::new(Some(server), QUESTION_TIMEOUT)).transpose()?;
    let timeout = Duration::from_secs(c.timeout);
    Ok(ProbeOptions {
        timeout,
        // A stage may use two thirds of the whole, so that what follows a
        // silent stage (the check for a TLS-only port) still has time.
        stage_timeout: (timeout * 2 / 3).clamp(Duration::from_secs(1), Duration::from_secs(10)),
        tls: TlsOptions { ca_file: c.ca_file.clone(), trust_cert },
        lang,
        dns,
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return bad_input(format!("cannot start: {e}")),
    };
    match cli.command {
        Command::Test(args) => test_command(&rt, args, false),
        Command::SendTest(args) => test_command(&rt, args, true),
        Command::Validate { file, field, json, lang, oauth_clients, request } => {
            let Some(lang) = Lang::parse(&lang) else {
                return bad_input(format!("unknown language {lang:?}: use de or en"));
            };
            if let Some(r) = request {
                let request = match request_from_stdin::<contract::ValidateRequest>(&r) {
                    Ok(req) => req,
                    Err(code) => return code,
                };
                let value = match (request.profile, request.settings) {
                    (Some(p), None) => p,
                    (None, Some(s)) => s,
                    _ => return bad_input("the request needs exactly one of profile and settings"),
                };
                return validate_value(value, "the request", true, lang, oauth_clients.as_deref());
            }
            match field {
                Some(field) => validate_fields(&field, lang),
                None => validate_file(file.as_deref().unwrap_or(std::path::Path::new("-")), json, lang, oauth_clients.as_deref()),
            }
        }
        Command::Preset { address, list, json, lang, request } => {
            let Some(lang) = Lang::parse(&lang) else {
                return bad_input(format!("unknown language {lang:?}: use de or en"));
            };
            let (address, list, json) = match request {
                Some(r) => match request_from_stdin::<contract::PresetRequest>(&r) {
                    Ok(req) => (req.address, req.list, true),
                    Err(code) => return code,
                },
                None => (address, list, json),
            };
            match (list, address) {
                (true, address) => preset_list(address.as_deref().unwrap_or(""), json, lang),
                (false, Some(address)) => preset(&address, json, lang),
                (false, None) => bad_input("preset: give an address or domain, or --list"),
            }
        }
        Command::Login { profile, open, device, wait, json, common } => {
            login_command(&rt, &profile, open, device, wait, json, &common)
        }
        Command::Logout { profile } => {
            let profile = match read_profile(&profile) {
                Ok(p) => p,
                Err(e) => return bad_input(e),
            };
            match mailsetup_probe::oauth::logout(&profile) {
                Ok(true) => {
                    out!("signed out: {}", visible(&profile.email));
                    ExitCode::SUCCESS
                }
                Ok(false) => {
                    out!("no stored sign-in for {}", visible(&profile.email));
                    ExitCode::SUCCESS
                }
                Err(e) => bad_input(visible(&e.to_string())),
            }
        }
        Command::Token { profile, json: _, common } => token_command(&rt, &profile, &common),
        Command::Discover { address, request, json, dns, ca_file, timeout, lang } => {
            let (address, json) = match (request, address) {
                (Some(r), _) => match request_from_stdin::<contract::DiscoverRequest>(&r) {
                    Ok(req) => (req.address, true),
                    Err(code) => return code,
                },
                (None, Some(a)) => (a, json),
                (None, None) => return bad_input("give an address, or --request -"),
            };
            let Some(lang) = Lang::parse(&lang) else {
                return bad_input(format!("unknown language {lang:?}: use de or en"));
            };
            if timeout == 0 || timeout > 600 {
                return bad_input("--timeout must be between 1 and 600 seconds");
            }
            let limits =
                mailsetup_core::discover::Limits { budget: Duration::from_secs(timeout), ..Default::default() };
            let dns = match dns.map(|server| Dns::new(Some(server), QUESTION_TIMEOUT)).transpose() {
                Ok(d) => d,
                Err(e) => return bad_input(e),
            };
            let opts = DiscoverOptions { dns, tls: TlsOptions { ca_file, trust_cert: None }, limits, lang };
            discover_command(&rt, &address, json, &opts)
        }
        Command::Serve { port, open, settings, header_timeout, common } => {
            let opts = match probe_options(&common) {
                Ok(o) => o,
                Err(e) => return bad_input(e),
            };
            let settings = match settings.map_or_else(mailsetup_probe::serve::default_settings_path, Ok) {
                Ok(s) => s,
                Err(e) => return bad_input(e),
            };
            if header_timeout == 0 {
                return bad_input("--header-timeout must be at least 1 second");
            }
            let header_timeout = Duration::from_secs(header_timeout);
            let oauth_clients = match common.oauth_clients.clone().map_or_else(
                || Ok(settings.with_file_name("oauth2-clients.json")),
                Ok::<_, String>,
            ) {
                Ok(p) => p,
                Err(e) => return bad_input(e),
            };
            match rt.block_on(serve(ServeOptions { port, open, probe: opts, settings, header_timeout, oauth_clients })) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => bad_input(e),
            }
        }
    }
}

/// A sign-in that failed before any test: its verdict, printed, and exit 1
/// (`NotOauth` is bad input: exit 2).
fn signin_failed(e: mailsetup_probe::oauth::OauthError, profile: Profile, lang: Lang, json: bool) -> ExitCode {
    if let mailsetup_probe::oauth::OauthError::NotOauth(e) = e {
        return bad_input(e);
    }
    let now = tokio::time::Instant::now().into_std();
    let v = mailsetup_core::run::signin_failed(profile, e.failure_kind(), e.to_string(), lang, now);
    if json {
        match serde_json::to_string(&v) {
            Ok(s) => out!("{s}"),
            Err(e) => return bad_input(e),
        }
    } else if let Err(e) = print_human(&v) {
        return output_failed(e);
    }
    ExitCode::from(1)
}

fn read_profile(path: &std::path::Path) -> Result<Profile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: not a profile: {e}", path.display()))
}

fn oauth_clients(common: &Common) -> Result<mailsetup_core::oauth::Clients, String> {
    let path = mailsetup_probe::oauth::clients_path(common.oauth_clients.as_deref())?;
    mailsetup_probe::oauth::load_clients(&path).map_err(|e| e.to_string())
}

fn login_command(
    rt: &tokio::runtime::Runtime,
    path: &std::path::Path,
    open: bool,
    device: bool,
    wait: u64,
    json: bool,
    common: &Common,
) -> ExitCode {
    let (profile, clients, opts) = match (read_profile(path), oauth_clients(common), probe_options(common)) {
        (Ok(p), Ok(c), Ok(o)) => (p, c, o),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return bad_input(e),
    };
    let mut show = |url: &str| {
        if open && mailsetup_probe::serve::open_in_browser(url).is_ok() {
            eprintln!("mailprobe: the sign-in page is open in the browser");
        } else {
            eprintln!("mailprobe: open this address to sign in:\n{url}");
        }
    };
    let mut show_code = |uri: &str, code: &str| {
        eprintln!("mailprobe: open {} on any device and enter the code {}", visible(uri), visible(code));
    };
    let result = if device {
        rt.block_on(mailsetup_probe::oauth::login_device(&profile, &clients, &opts, &mut show_code))
    } else {
        rt.block_on(mailsetup_probe::oauth::login(&profile, &clients, &opts, &mut show, Duration::from_secs(wait)))
    };
    match result {
        Ok(tokens) => {
            if json {
                out!("{}", serde_json::json!({"signed_in": true, "account": profile.email, "provider": profile.oauth_provider, "expires_in": tokens.expires_in}));
            } else {
                out!("signed in: {} ({})", visible(&profile.email), visible(&profile.oauth_provider));
            }
            ExitCode::SUCCESS
        }
        Err(e) => signin_failed(e, profile, opts.lang, json),
    }
}

fn token_command(rt: &tokio::runtime::Runtime, path: &std::path::Path, common: &Common) -> ExitCode {
    let (profile, clients, opts) = match (read_profile(path), oauth_clients(common), probe_options(common)) {
        (Ok(p), Ok(c), Ok(o)) => (p, c, o),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return bad_input(e),
    };
    match rt.block_on(mailsetup_probe::oauth::access_token(&profile, &clients, &opts)) {
        Ok((tokens, mechanism)) => {
            let expires_at = tokens.expires_in.map(|s| {
                let at = time::OffsetDateTime::now_utc() + time::Duration::seconds(i64::try_from(s).unwrap_or(0));
                at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
            });
            // The one output that carries a token, by design: the host program sends with it.
            out!("{}", serde_json::json!({"access_token": tokens.access_token.expose(), "expires_at": expires_at, "mechanism": mechanism.as_str()}));
            ExitCode::SUCCESS
        }
        Err(e) => signin_failed(e, profile, opts.lang, true),
    }
}

fn discover_command(rt: &tokio::runtime::Runtime, address: &str, json: bool, opts: &DiscoverOptions) -> ExitCode {
    let lang = opts.lang;
    // As each thing tried ends: a line on stderr for a person, nothing for JSON.
    let mut progress = |t: &mailsetup_core::discover::Tried| {
        if !json {
            eprintln!("  {} {} {}: {}", if t.ok { "✓" } else { "·" }, t.source.as_str(), visible(&t.target), visible(&t.detail));
        }
    };
    let report = match rt.block_on(discover(address, opts, &mut progress)) {
        Ok(r) => r,
        Err(e) => return bad_input(visible(&e.to_string())),
    };
    if json {
        out!("{}", report.to_json(lang));
    } else {
        out!("{}", visible(&report.headline(lang)));
        if let Some(f) = &report.found {
            for (kind, servers) in [("SMTP", &f.smtp), ("POP3", &f.pop3)] {
                for s in servers {
                    out!("  {kind} {}:{} {} user {}", s.host, s.port, s.security.as_str(), visible(&s.username));
                }
            }
            for n in &f.notes {
                out!("  ! {}{}", visible(&n.text), n.url.as_ref().map_or(String::new(), |u| format!(" <{}>", visible(u))));
            }
        }
    }
    if report.found.is_some() { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

fn preset(address: &str, json: bool, lang: Lang) -> ExitCode {
    let Some(p) = mailsetup_core::presets::lookup(address, lang) else {
        if json {
            out!("null");
        } else {
            eprintln!("{}: no known settings for this domain", visible(address));
        }
        return ExitCode::from(1);
    };
    if json {
        match serde_json::to_string(&p) {
            Ok(s) => out!("{s}"),
            Err(e) => return bad_input(e),
        }
        return ExitCode::SUCCESS;
    }
    out!("{} ({}){}", p.provider, p.domain, if p.curated { ", curated" } else { "" });
    for (kind, servers) in [("SMTP", &p.smtp), ("POP3", &p.pop3)] {
        for s in servers {
            out!("  {kind} {}:{} {} user {}", s.host, s.port, s.security.as_str(), visible(&s.username));
        }
    }
    for n in &p.notes {
        out!("  ! {}{}", n.text, n.url.as_ref().map_or(String::new(), |u| format!(" <{u}>")));
    }
    ExitCode::SUCCESS
}

/// `preset --list`: the help list, a provider a line (host, port,
/// encryption, and the notes below it), or as JSON.
fn preset_list(address: &str, json: bool, lang: Lang) -> ExitCode {
    let list = mailsetup_core::presets::list(address, lang);
    if json {
        return match serde_json::to_string(&list) {
            Ok(s) => {
                out!("{s}");
                ExitCode::SUCCESS
            }
            Err(e) => bad_input(e),
        };
    }
    let width = list.iter().map(|l| l.label.chars().count()).max().unwrap_or(0);
    for l in &list {
        let s = &l.preset.smtp[0];
        let label = format!("{:width$}", l.label);
        out!("{label}  {}:{} {}  ({})", s.host, s.port, s.security.as_str(), l.domains.join(", "));
        for n in &l.preset.notes {
            out!("{:width$}  ! {}{}", "", n.text, n.url.as_ref().map_or(String::new(), |u| format!(" <{u}>")));
        }
    }
    ExitCode::SUCCESS
}

/// An oauth2 profile's provider without a client ID (the file is read only then).
fn client_findings(profiles: &[(&Profile, String)], clients: Option<&std::path::Path>, lang: Lang) -> Result<Vec<mailsetup_core::Finding>, String> {
    if !profiles.iter().any(|(p, _)| p.auth == mailsetup_core::AuthKind::Oauth2) {
        return Ok(Vec::new());
    }
    let path = mailsetup_probe::oauth::clients_path(clients)?;
    let clients = mailsetup_probe::oauth::load_clients(&path).map_err(|e| e.to_string())?;
    Ok(profiles
        .iter()
        .filter_map(|(p, prefix)| {
            let mut f = mailsetup_core::oauth::client_finding(p, &clients, lang)?;
            f.field = format!("{prefix}oauth_provider").into();
            Some(f)
        })
        .collect())
}

fn validate_file(path: &std::path::Path, json: bool, lang: Lang, clients: Option<&std::path::Path>) -> ExitCode {
    let text = if path == std::path::Path::new("-") {
        let mut t = String::new();
        if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut t) {
            return bad_input(format!("stdin: {e}"));
        }
        t
    } else {
        match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => return bad_input(format!("{}: {e}", path.display())),
        }
    };
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return bad_input(format!("{}: not JSON: {e}", path.display())),
    };
    validate_value(value, &path.display().to_string(), json, lang, clients)
}

/// Checks a profile or a settings document (`label` names it in errors).
fn validate_value(value: serde_json::Value, label: &str, json: bool, lang: Lang, clients: Option<&std::path::Path>) -> ExitCode {
    let (mut findings, oauth) = if value.get("profiles").is_some() || value.get("tenants").is_some() {
        match serde_json::from_value::<mailsetup_core::Settings>(value) {
            Ok(doc) => {
                let labelled: Vec<(&Profile, String)> =
                    doc.profiles.iter().enumerate().map(|(i, p)| (p, format!("profiles[{i}]."))).collect();
                (mailsetup_core::validate_settings(&doc, lang), client_findings(&labelled, clients, lang))
            }
            Err(e) => return bad_input(format!("{label}: not a settings document: {e}")),
        }
    } else {
        match serde_json::from_value::<Profile>(value) {
            Ok(p) => (mailsetup_core::validate_profile(&p, lang), client_findings(&[(&p, String::new())], clients, lang)),
            Err(e) => return bad_input(format!("{label}: not a profile: {e}")),
        }
    };
    match oauth {
        Ok(more) => findings.extend(more),
        Err(e) => return bad_input(visible(&e)),
    }
    let errors = has_error(&findings);
    if json {
        match serde_json::to_string(&contract::ValidateOutput { valid: !errors, findings }) {
            Ok(line) => out!("{line}"),
            Err(e) => return bad_input(e),
        }
    } else {
        for f in &findings {
            out!("{:<7} {:<24} {}", format!("{:?}", f.severity).to_lowercase(), f.field, visible(&f.message));
        }
        if findings.is_empty() {
            out!("ok");
        }
    }
    if errors { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

fn validate_fields(field: &str, lang: Lang) -> ExitCode {
    use std::io::BufRead;
    let field: mailsetup_core::Field = match field.parse() {
        Ok(f) => f,
        Err(e) => return bad_input(visible(&e.to_string())),
    };
    let mut any_error = false;
    let mut bad_line = false;
    for (n, line) in std::io::stdin().lock().lines().enumerate() {
        let line = match line {
            Ok(l) => l,
            Err(e) => return bad_input(format!("stdin: {e}")),
        };
        if line.trim().is_empty() {
            continue;
        }
        let record = match serde_json::from_str::<String>(&line) {
            Ok(value) => {
                let findings = mailsetup_core::validate_field(field, &value, lang);
                let valid = !has_error(&findings);
                any_error |= !valid;
                serde_json::json!({"value": value, "valid": valid, "findings": findings})
            }
            Err(e) => {
                bad_line = true;
                serde_json::json!({"value": null, "valid": false, "error": format!("line {}: not a JSON string: {e}", n + 1)})
            }
        };
        out!("{record}");
    }
    if bad_line {
        ExitCode::from(2)
    } else if any_error {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The request of `--request -` (its only value: the request comes on stdin).
fn request_from_stdin<T: for<'de> serde::Deserialize<'de> + contract::Versioned>(flag: &str) -> Result<T, ExitCode> {
    if flag != "-" {
        return Err(bad_input("--request takes `-`: the request comes on stdin, never from a file"));
    }
    contract::read_request::<T>().map_err(bad_input)
}

fn test_command(rt: &tokio::runtime::Runtime, args: TestArgs, send: bool) -> ExitCode {
    let TestArgs { profile, password_stdin, json, request, events, common } = args;
    let opts = match probe_options(&common) {
        Ok(o) => o,
        Err(e) => return bad_input(e),
    };
    let (profile, mut requested_password) = match (&request, &profile) {
        (Some(r), _) => match request_from_stdin::<contract::TestRequest>(r) {
            Ok(r) => (r.profile, r.password.map(mailsetup_core::Password::new)),
            Err(code) => return code,
        },
        (None, Some(path)) => match read_profile(path) {
            Ok(p) => (p, None),
            Err(e) => return bad_input(e),
        },
        (None, None) => return bad_input("give a profile file, or --request -"),
    };
    let emit = |verdict: &mailsetup_core::verdict::Verdict| -> Result<(), ExitCode> {
        let line = if events {
            serde_json::to_string(&contract::TestEvent::Verdict { schema_version: contract::SCHEMA_VERSION, verdict })
        } else {
            serde_json::to_string(verdict)
        };
        match line {
            Ok(s) => output::line(&s).map_err(output_failed),
            Err(e) => Err(bad_input(e)),
        }
    };
    // The core's gate, before a password is asked for.
    if let Some(verdict) = mailsetup_core::run::precheck(&profile, opts.lang) {
        if json || events {
            if let Err(code) = emit(&verdict) {
                return code;
            }
        } else {
            eprintln!("{}", visible(&verdict.message));
            for f in &verdict.findings {
                eprintln!("{}: {}", f.field, visible(&f.message));
            }
        }
        return ExitCode::from(2);
    }
    // An OAuth 2.0 profile signs in with a fresh access token from its
    // stored sign-in; no password is asked for.
    let mut access_token = None;
    if profile.auth == mailsetup_core::AuthKind::Oauth2 {
        let clients = match oauth_clients(&common) {
            Ok(c) => c,
            Err(e) => return bad_input(e),
        };
        match rt.block_on(mailsetup_probe::oauth::access_token(&profile, &clients, &opts)) {
            Ok((t, mechanism)) => access_token = Some((t.access_token, mechanism)),
            Err(e) => return signin_failed(e, profile, opts.lang, json),
        }
    }
    let password = if access_token.is_some() {
        mailsetup_core::Password::new(String::new())
    } else if let Some(p) = requested_password.take() {
        p
    } else if request.is_some() {
        return bad_input("the request has no password (only an OAuth 2.0 profile goes without)");
    } else {
        match password::obtain(password_stdin) {
            Ok(p) => p,
            Err(e) => return bad_input(e),
        }
    };
    let message = if send {
        match mailsetup_probe::message::test_message(&profile.email, &profile.name, opts.lang) {
            Ok(m) => Some(m),
            Err(e) => return bad_input(e),
        }
    } else {
        None
    };
    let lang = opts.lang;
    let mut progress = |e: &mailsetup_core::run::Event| {
        // A reader that has gone is noticed at the verdict.
        if let Some(line) = contract::stage_event(e, lang).filter(|_| events) {
            let _ = output::line(&line);
        }
    };
    let email = profile.email.clone();
    let run = run_test(profile, password, message, access_token, &opts, &mut progress);
    let Some(mut verdict) = rt.block_on(async {
        tokio::select! {
            v = run => Some(v),
            _ = contract::cancelled(request.is_some()) => None,
        }
    }) else {
        if events {
            match serde_json::to_string(&contract::TestEvent::Cancelled { schema_version: contract::SCHEMA_VERSION }) {
                Ok(line) => out!("{line}"),
                Err(e) => return bad_input(e),
            }
        } else {
            eprintln!("mailprobe: cancelled");
        }
        return ExitCode::from(contract::EXIT_CANCELLED);
    };
    // The server's name does not exist: what does the address's domain say?
    if verdict.category == mailsetup_core::verdict::Category::DnsNotFound {
        let search = DiscoverOptions { dns: opts.dns.clone(), tls: opts.tls.clone(), lang: opts.lang, ..Default::default() };
        if let Ok(report) = rt.block_on(discover(&email, &search, &mut |_| {}))
            && let Some(found) = &report.found
        {
            let offer = mailsetup_core::discover::offer(found, opts.lang);
            verdict.hint = if verdict.hint.is_empty() { offer } else { format!("{} {offer}", verdict.hint) };
        }
    }
    if json || events {
        if let Err(code) = emit(&verdict) {
            return code;
        }
    } else if let Err(e) = print_human(&verdict) {
        return output_failed(e);
    }
    if verdict.ok { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// The verdict for a person: every text that came from a user or a server
/// goes through [`visible`].
fn print_human(v: &mailsetup_core::verdict::Verdict) -> Result<(), OutputError> {
    output::line(&format!("{} {}", if v.ok { "✓" } else { "✗" }, visible(&v.message)))?;
    output::line(&format!("  {}", visible(&v.hint)))?;
    let stages: Vec<String> =
        v.stages.iter().map(|s| format!("{} {} {} ms", s.stage.as_str(), if s.ok { "✓" } else { "✗" }, s.ms)).collect();
    output::line(&format!("  {}", stages.join(" · ")))?;
    if let Some(r) = &v.server_reply {
        for l in &r.lines {
            output::line(&format!("  Server: {} {}", r.code, visible(l)))?;
        }
    }
    if let Some(d) = &v.detail {
        output::line(&format!("  ({})", visible(d)))?;
    }
    Ok(())
}
