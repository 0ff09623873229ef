//! `mailprobe`: command-line definition and glue.
//!
//! Exit codes: 0 the test passed, 1 the test ran and failed, 2 bad input.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use mailsetup_core::validate::validate_in;
use mailsetup_core::{Lang, Profile, Severity};
use mailsetup_probe::probe::{run_test, ProbeOptions};
use mailsetup_probe::serve::{serve, ServeOptions};
use mailsetup_probe::tls::{parse_fingerprint, TlsOptions};
use mailsetup_probe::password;

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
}

#[derive(Subcommand)]
enum Command {
    /// Logs in to the profile's SMTP server and says why it failed, if it did.
    Test {
        /// The profile (JSON).
        profile: PathBuf,
        /// Read the password from the first line of stdin (else $MAILPROBE_PASSWORD, else a prompt).
        #[arg(long)]
        password_stdin: bool,
        /// Print the verdict as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Serves the setup wizard on 127.0.0.1 and prints its URL.
    Serve {
        /// Port (0 = a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Open the wizard in the browser.
        #[arg(long)]
        open: bool,
        #[command(flatten)]
        common: Common,
    },
}

fn bad_input(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("mailprobe: {msg}");
    ExitCode::from(2)
}

fn probe_options(c: &Common) -> Result<ProbeOptions, String> {
    let lang = Lang::parse(&c.lang).ok_or_else(|| format!("unknown language {:?}: use de or en", c.lang))?;
    if c.timeout == 0 || c.timeout > 600 {
        return Err("--timeout must be between 1 and 600 seconds".into());
    }
    let trust_cert = c.trust_cert.as_deref().map(parse_fingerprint).transpose()?;
    let timeout = Duration::from_secs(c.timeout);
    Ok(ProbeOptions {
        timeout,
        stage_timeout: timeout.min(Duration::from_secs(10)),
        tls: TlsOptions { ca_file: c.ca_file.clone(), trust_cert },
        lang,
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return bad_input(format!("cannot start: {e}")),
    };
    match cli.command {
        Command::Test { profile, password_stdin, json, common } => {
            let opts = match probe_options(&common) {
                Ok(o) => o,
                Err(e) => return bad_input(e),
            };
            let text = match std::fs::read_to_string(&profile) {
                Ok(t) => t,
                Err(e) => return bad_input(format!("{}: {e}", profile.display())),
            };
            let profile: Profile = match serde_json::from_str(&text) {
                Ok(p) => p,
                Err(e) => return bad_input(format!("{}: not a profile: {e}", profile_name(&profile))),
            };
            let findings = validate_in(&profile, opts.lang);
            let errors: Vec<_> = findings.iter().filter(|f| f.severity == Severity::Error).collect();
            if !errors.is_empty() {
                if json {
                    println!("{}", serde_json::json!({"ok": false, "category": "invalid_profile", "findings": errors}));
                } else {
                    for f in &errors {
                        eprintln!("{}: {}", f.field, f.message);
                    }
                }
                return ExitCode::from(2);
            }
            let password = match password::obtain(password_stdin) {
                Ok(p) => p,
                Err(e) => return bad_input(e),
            };
            let mut no_progress = |_: &mailsetup_core::observe::StageTiming| {};
            let verdict = rt.block_on(run_test(&profile, password, &opts, &mut no_progress));
            if json {
                match serde_json::to_string(&verdict) {
                    Ok(s) => println!("{s}"),
                    Err(e) => return bad_input(e),
                }
            } else {
                print_human(&verdict);
            }
            if verdict.ok { ExitCode::SUCCESS } else { ExitCode::from(1) }
        }
        Command::Serve { port, open, common } => {
            let opts = match probe_options(&common) {
                Ok(o) => o,
                Err(e) => return bad_input(e),
            };
            match rt.block_on(serve(ServeOptions { port, open, probe: opts })) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => bad_input(e),
            }
        }
    }
}

fn profile_name(p: &std::path::Path) -> String {
    p.display().to_string()
}

fn print_human(v: &mailsetup_core::verdict::Verdict) {
    println!("{} {}", if v.ok { "✓" } else { "✗" }, v.message);
    println!("  {}", v.hint);
    let stages: Vec<String> =
        v.stages.iter().map(|s| format!("{} {} {} ms", s.stage.as_str(), if s.ok { "✓" } else { "✗" }, s.ms)).collect();
    println!("  {}", stages.join(" · "));
    if let Some(r) = &v.server_reply {
        for l in &r.lines {
            println!("  Server: {} {l}", r.code);
        }
    }
    if let Some(d) = &v.detail {
        println!("  ({d})");
    }
}
