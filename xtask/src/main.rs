//! Project chores: `cargo xtask setup | wasm | test | wizard`.
//!
//! `setup` installs everything the project needs on a Debian machine with
//! rustup, idempotently: Debian packages (mail servers, Chromium, Node.js),
//! the wasm target, wasm-bindgen-cli pinned to the version in Cargo.lock,
//! wasm-pack, and the npm packages. `test` runs every test tier; `wizard`
//! builds the page and starts `mailprobe serve --open`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

mod dist;
mod presets;

/// Must equal the `wasm-bindgen` pin in wasm/Cargo.toml.
const WASM_BINDGEN: &str = "0.2.130";
const WASM_PACK: &str = "0.15.1";
/// Uncompressed size is not the point; this is gzip -9 of wasm + JS glue,
/// 150 KB (issue #12; BENCHMARKS.md says where the bytes are).
const WASM_SIZE_BUDGET: u64 = 150_000;

const APT_FOR_TESTS: &[&str] = &[
    "dovecot-core",
    "dovecot-pop3d",
    "dovecot-submissiond",
    "postfix",
    "swaks",
    "libnet-ssleay-perl",
    "libio-socket-ssl-perl",
    "chromium",
    "chromium-driver",
    // The font the wizard's reference screenshots were taken with (system-ui).
    "fonts-dejavu-core",
    // The Windows binary: cross-built with mingw-w64 (Wine: APT_WITH_RECOMMENDS).
    "gcc-mingw-w64-x86-64",
    "iproute2",
    // The DNS server of the discovery tests (MX, SRV and A records of test domains).
    "dnsmasq-base",
    // The OAuth 2.0 tests' credential store: a Secret Service in a D-Bus session of their own.
    "gnome-keyring",
    "dbus",
    "openssl",
    "ca-certificates",
    "gzip",
    // The DNS test's scripted name server, and `kill` for stopping servers.
    "python3",
    "procps",
];
/// Installed with what they recommend: Wine was tested that way (its
/// libraries' recommendations include what its crypto and console use).
const APT_WITH_RECOMMENDS: &[&str] = &["wine64"];
const APT_FOR_BUILD: &[&str] = &["gzip", "ca-certificates", "pkg-config", "gcc"];

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup(true),
        Some("wasm") => setup(false).and_then(|_| wasm()),
        Some("test") => test(),
        Some("wizard") => wizard(&args[1..]),
        Some("presets") => presets::run(&root(), args.get(1).is_some_and(|a| a == "--check")),
        Some("fuzz") => fuzz(&args[1..]),
        Some("dist") => dist::run_dist(args.get(1).is_some_and(|a| a == "--check"), false),
        _ => Err(
            "usage: cargo xtask setup | wasm | test | wizard [mailprobe serve options] | presets [--check] | fuzz [SECONDS] [TARGET…] | dist [--check]"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A file's text; the error names the file.
fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes a file; the error names the file.
fn write(path: &Path, text: &str) -> Result {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// PATH with the npm tools (wasm-opt from binaryen@132) and cargo's bin first.
fn path_env() -> String {
    let mut parts = vec![root().join("node_modules/.bin").display().to_string()];
    if let Ok(home) = std::env::var("HOME") {
        parts.push(format!("{home}/.cargo/bin"));
    }
    parts.push(std::env::var("PATH").unwrap_or_default());
    parts.join(":")
}

fn cmd(program: &str) -> Command {
    let mut c = Command::new(program);
    c.current_dir(root()).env("PATH", path_env());
    c
}

/// Runs a chore; its output goes to stderr, so that stdout stays for what
/// the user asked for (the wizard's URL is the first line there).
fn run(c: &mut Command) -> Result {
    c.stdout(std::io::stderr());
    run_passthrough(c)
}

fn run_passthrough(c: &mut Command) -> Result {
    eprintln!("xtask: $ {c:?}");
    let status = c.status().map_err(|e| format!("{c:?}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("failed ({status}): {c:?}")) }
}

fn output(c: &mut Command) -> Option<String> {
    c.output().ok().filter(|o| o.status.success()).map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
}

fn is_root() -> bool {
    output(Command::new("id").arg("-u")).is_some_and(|s| s.trim() == "0")
}

fn apt_install(packages: &[&str]) -> Result {
    apt_install_with(packages, false)
}

fn apt_install_with(packages: &[&str], recommends: bool) -> Result {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            !output(Command::new("dpkg-query").args(["-W", "-f=${Status}", p]))
                .is_some_and(|s| s.contains("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let sudo = if is_root() { vec![] } else { vec!["sudo"] };
    let apt = |args: &[&str]| {
        let mut all: Vec<&str> = sudo.clone();
        all.push("apt-get");
        all.extend_from_slice(args);
        let mut c = Command::new(all[0]);
        c.args(&all[1..]).env("DEBIAN_FRONTEND", "noninteractive");
        run(&mut c)
    };
    apt(&["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq"];
    if !recommends {
        args.push("--no-install-recommends");
    }
    args.extend(missing.iter());
    apt(&args)
}

fn have(program: &str) -> bool {
    output(Command::new("sh").args(["-c", &format!("command -v {program}")])).is_some()
}

fn setup(for_tests: bool) -> Result {
    apt_install(APT_FOR_BUILD)?;
    // Node.js may come from elsewhere (its own npm included): install
    // Debian's only when the commands are missing, as Debian's npm
    // conflicts with other Node.js packages.
    for (program, package) in [("node", "nodejs"), ("npm", "npm")] {
        if !have(program) {
            apt_install(&[package])?;
        }
    }
    if for_tests {
        apt_install(APT_FOR_TESTS)?;
        apt_install_with(APT_WITH_RECOMMENDS, true)?;
    }
    let targets = output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    for target in ["wasm32-unknown-unknown", "x86_64-pc-windows-gnu"] {
        if !targets.lines().any(|l| l.trim() == target) {
            run(Command::new("rustup").args(["target", "add", target]))?;
        }
    }
    let have_bindgen = output(cmd("wasm-bindgen").arg("--version")).unwrap_or_default();
    if !have_bindgen.contains(WASM_BINDGEN) {
        // Without --locked: its lockfile wants a crate version the registry lacks.
        run(cmd("cargo").args(["install", "wasm-bindgen-cli", "--version", WASM_BINDGEN]))?;
    }
    let have_pack = output(cmd("wasm-pack").arg("--version")).unwrap_or_default();
    if !have_pack.contains(WASM_PACK) {
        run(cmd("cargo").args(["install", "wasm-pack", "--version", WASM_PACK]))?;
    }
    run(cmd("npm").args(["install", "--no-audit", "--no-fund", "--prefer-offline"]))
}

/// Builds the wasm package into www/pkg (what the page and mailprobe embed) and checks its size.
fn wasm() -> Result {
    run(cmd("wasm-pack").args(["build", "wasm", "--release", "--target", "web", "--out-dir", "../www/pkg"]))?;
    let mut files = vec![root().join("www/pkg/mailsetup_wasm_bg.wasm"), root().join("www/pkg/mailsetup_wasm.js")];
    // wasm-bindgen's snippets: the JS that the Rust side imports.
    let snippets = root().join("www/pkg/snippets");
    let mut dirs = vec![snippets];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    let mut total = 0;
    for f in &files {
        let gz = Command::new("gzip").arg("-9c").arg(f).output().map_err(|e| e.to_string())?;
        total += gz.stdout.len() as u64;
    }
    eprintln!("xtask: wasm package (wasm, JS glue and snippets, gzip -9): {total} bytes (budget {WASM_SIZE_BUDGET})");
    if total > WASM_SIZE_BUDGET {
        return Err(format!("the wasm package is {total} bytes gzipped, over the budget of {WASM_SIZE_BUDGET}"));
    }
    Ok(())
}

/// Runs a test step, echoing its output and counting passed/failed tests.
fn counted(c: &mut Command, tally: &mut (u64, u64)) -> Result {
    eprintln!("xtask: $ {c:?}");
    let mut child = c.stdout(Stdio::piped()).spawn().map_err(|e| format!("{c:?}: {e}"))?;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.map_err(|e| e.to_string())?;
        println!("{line}");
        // cargo test / wasm-bindgen-test-runner: "test result: ok. 3 passed; 0 failed; …"
        if let Some(rest) = line.trim().strip_prefix("test result: ") {
            for part in rest.split([';', '.']) {
                let mut w = part.split_whitespace();
                if let (Some(n), Some(kind)) = (w.next().and_then(|n| n.parse::<u64>().ok()), w.next()) {
                    match kind {
                        "passed" => tally.0 += n,
                        "failed" => tally.1 += n,
                        _ => {}
                    }
                }
            }
        }
        // node --test: "ℹ pass 3" / "ℹ fail 0"
        if let Some(n) = line.trim().strip_prefix("ℹ pass ").and_then(|n| n.parse::<u64>().ok()) {
            tally.0 += n;
        }
        if let Some(n) = line.trim().strip_prefix("ℹ fail ").and_then(|n| n.parse::<u64>().ok()) {
            tally.1 += n;
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() { Ok(()) } else { Err(format!("failed ({status}): {c:?}")) }
}

fn test() -> Result {
    setup(true)?;
    presets::run(&root(), true)?;
    // The core must stay IO-free: it has to build for wasm32-unknown-unknown.
    run(cmd("cargo").args(["build", "--target", "wasm32-unknown-unknown", "-p", "mailsetup-core"]))?;
    wasm()?;
    let mut tally = (0, 0);
    let steps: Vec<(&str, Command)> = vec![
        ("Rust unit and integration tests (Dovecot, Chromium)", {
            let mut c = cmd("cargo");
            c.args(["test", "--workspace", "--exclude", "mailsetup-wasm"]);
            c
        }),
        ("wasm tests in Node", {
            let mut c = cmd("wasm-pack");
            c.args(["test", "--node", "wasm"]);
            c
        }),
        ("wasm tests in headless Chromium", {
            let mut c = cmd("wasm-pack");
            c.args(["test", "--headless", "--chrome", "--chromedriver", "/usr/bin/chromedriver", "."])
                .current_dir(root().join("wasm"))
                .env("WASM_BINDGEN_USE_BROWSER", "1");
            c
        }),
        ("JS tests of the package www/ loads", {
            let mut c = cmd("node");
            c.args(["--test", "--test-reporter=spec", "tests/js/"]);
            c
        }),
    ];
    let mut failures = Vec::new();
    for (name, mut c) in steps {
        eprintln!("xtask: == {name}");
        if let Err(e) = counted(&mut c, &mut tally) {
            failures.push(format!("{name}: {e}"));
        }
    }
    // The packages, built twice and compared (issue #16).
    eprintln!("xtask: == reproducible packages (dist --check)");
    match dist::run_dist(true, true) {
        Ok(()) => tally.0 += 1,
        Err(e) => {
            tally.1 += 1;
            failures.push(format!("dist --check: {e}"));
        }
    }
    println!("xtask: {} passed, {} failed", tally.0, tally.1);
    if failures.is_empty() { Ok(()) } else { Err(failures.join("\n")) }
}

/// The fuzz targets (fuzz/fuzz_targets, harnesses in core/src/fuzzing.rs).
const FUZZ_TARGETS: &[&str] = &["reply", "smtp", "pop3", "run", "validate_json", "presets", "autoconfig", "discover"];

/// Runs every fuzz target (or the named ones) for SECONDS each (default
/// 600) with cargo-fuzz on nightly, growing fuzz/corpus/<target>, then
/// minimizes each corpus. Prints each target's executions; a crash stops
/// it with the input in fuzz/artifacts/. The test command replays the
/// corpora on stable (core's `fuzzing::tests::corpora_replay`).
fn fuzz(args: &[String]) -> Result {
    let seconds: u64 = args.first().map_or(Ok(600), |s| s.parse()).map_err(|_| "SECONDS must be a whole number")?;
    let targets: Vec<&str> =
        if args.len() > 1 { args[1..].iter().map(String::as_str).collect() } else { FUZZ_TARGETS.to_vec() };
    let toolchains = output(Command::new("rustup").args(["toolchain", "list"])).unwrap_or_default();
    if !toolchains.lines().any(|l| l.starts_with("nightly")) {
        run(Command::new("rustup").args(["toolchain", "install", "nightly", "--profile", "minimal"]))?;
    }
    if output(cmd("cargo").args(["fuzz", "--version"])).is_none() {
        run(cmd("cargo").args(["install", "cargo-fuzz"]))?;
    }
    let dir = root().join("fuzz");
    for t in targets {
        if !FUZZ_TARGETS.contains(&t) {
            return Err(format!("unknown fuzz target {t:?}; the targets: {}", FUZZ_TARGETS.join(", ")));
        }
        let corpus = format!("corpus/{t}");
        let mut c = cmd("cargo");
        c.current_dir(&dir).args(["+nightly", "fuzz", "run", "-O", t, &corpus, "--"]);
        // An input that takes longer than 10 s is a finding too (libFuzzer's
        // default waits 20 minutes).
        c.arg(format!("-max_total_time={seconds}")).args(["-print_final_stats=1", "-max_len=4096", "-timeout=10"]);
        eprintln!("xtask: $ {c:?}");
        let out = c.stderr(Stdio::piped()).output().map_err(|e| e.to_string())?;
        let log = String::from_utf8_lossy(&out.stderr);
        let stat = |name: &str| {
            log.lines()
                .find_map(|l| l.strip_prefix(&format!("stat::{name}:")).map(str::trim))
                .unwrap_or("?")
                .to_string()
        };
        println!(
            "fuzz {t}: {seconds} s, {} executions, peak RSS {} MB",
            stat("number_of_executed_units"),
            stat("peak_rss_mb")
        );
        if !out.status.success() {
            let tail: Vec<&str> = log.lines().rev().take(30).collect::<Vec<_>>().into_iter().rev().collect();
            return Err(format!("fuzz {t} found a failure:\n{}", tail.join("\n")));
        }
        run(cmd("cargo").current_dir(&dir).args(["+nightly", "fuzz", "cmin", "-O", t, &corpus]))?;
        if t == "validate_json" {
            differential_corpus(&dir)?;
        }
    }
    Ok(())
}

/// The wasm package and the core cannot run in one process, so the
/// differential check is a corpus: every profile the `validate_json`
/// fuzzer kept, one JSON object a line (fuzz/differential.jsonl), which the
/// wasm tests run through the package and hold to the core.
fn differential_corpus(fuzz: &Path) -> Result {
    let dir = fuzz.join("corpus/validate_json");
    let mut lines: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let bytes = std::fs::read(entry.map_err(|e| e.to_string())?.path()).map_err(|e| e.to_string())?;
        if let Ok(v @ serde_json::Value::Object(_)) = serde_json::from_slice::<serde_json::Value>(&bytes)
            && v.get("smtp").is_some_and(serde_json::Value::is_object) {
                lines.push(v.to_string());
            }
    }
    lines.sort();
    lines.dedup();
    write(&fuzz.join("differential.jsonl"), &(lines.join("\n") + "\n"))
}

fn wizard(extra: &[String]) -> Result {
    setup(false)?;
    wasm()?;
    let mut c = cmd("cargo");
    c.args(["run", "--release", "-p", "mailsetup-probe", "--bin", "mailprobe", "--", "serve", "--open"]).args(extra);
    run_passthrough(&mut c)
}
