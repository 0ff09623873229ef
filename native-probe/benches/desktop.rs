//! cargo xtask dist && cargo bench -p mailsetup-probe --bench desktop
//!
//! The desktop contract as a host program sees it: from spawning `mailprobe
//! test --request - --events` to reading its verdict, for a login to the test
//! Dovecot on loopback (implicit TLS), the shipped binaries (`cargo xtask
//! dist`), Linux and `mailprobe.exe` under Wine, side by side, each beside its floor measured in the same run:
//! the same binary's `--version` (starting a process and nothing else). Then
//! cancelling: from closing stdin during a TLS handshake that never ends to
//! the process's exit. Medians of alternating runs.

#[path = "../../tests/support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::wine::{Wine, root, win_path};
use support::*;

const RUNS: usize = 9;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Spawns `program args…`, writes `request`, and returns the time until the
/// final event's line (stdin still open), and that line.
fn to_verdict(mut c: Command, request: &str) -> (Duration, String) {
    let start = Instant::now();
    let mut child = c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    writeln!(child.stdin.as_mut().unwrap(), "{request}").unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let mut last = String::new();
    while out.read_line(&mut line).unwrap() > 0 {
        if line.contains("\"event\":\"verdict\"") || line.contains("\"event\":\"cancelled\"") {
            last = line.clone();
            break;
        }
        line.clear();
    }
    let took = start.elapsed();
    drop(child.stdin.take());
    let _ = child.wait();
    (took, last)
}

/// Time from closing stdin, once the TLS stage has started, to the exit.
fn cancel(mut c: Command, request: &str) -> Duration {
    let mut child = c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    writeln!(child.stdin.as_mut().unwrap(), "{request}").unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while out.read_line(&mut line).unwrap() > 0 && !line.contains("\"stage\":\"tls\"") {
        line.clear();
    }
    let start = Instant::now();
    drop(child.stdin.take());
    let _ = child.wait();
    start.elapsed()
}

fn timed(mut c: Command) -> Duration {
    let start = Instant::now();
    assert!(c.stdout(Stdio::null()).stderr(Stdio::null()).status().unwrap().success());
    start.elapsed()
}

fn main() {
    let dist = root().join("target/dist");
    let native = dist.join("x86_64-unknown-linux-gnu/dist/mailprobe");
    let exe = dist.join("x86_64-pc-windows-gnu/dist/mailprobe.exe");
    assert!(native.exists() && exe.exists(), "the shipped binaries are missing: run `cargo xtask dist` first");
    let d = Dovecot::start();
    let w = Wine::with_exe(&exe, "bench");
    let ok = serde_json::json!({"version": 1, "profile": profile("localhost", d.submissions, "tls"), "password": PASSWORD})
        .to_string();
    let port = silent_server();
    let hang = serde_json::json!({"version": 1, "profile": profile("127.0.0.1", port, "tls"), "password": "x"}).to_string();
    let native_test = || {
        let mut c = Command::new(&native);
        c.args(["test", "--request", "-", "--events", "--ca-file", d.ca_file.to_str().unwrap()]);
        c
    };
    let wine_test = || {
        w.command(&["test", "--request", "-", "--events", "--ca-file", &win_path(&d.ca_file)])
    };
    let mut times: [Vec<Duration>; 6] = Default::default();
    for _ in 0..RUNS {
        times[0].push(timed({
            let mut c = Command::new(&native);
            c.arg("--version");
            c
        }));
        let (t, line) = to_verdict(native_test(), &ok);
        assert!(line.contains("\"category\":\"ok\""), "{line}");
        times[1].push(t);
        times[2].push(timed(w.command(&["--version"])));
        let (t, line) = to_verdict(wine_test(), &ok);
        assert!(line.contains("\"category\":\"ok\""), "{line}");
        times[3].push(t);
        times[4].push(cancel(native_test(), &hang));
        times[5].push(cancel(wine_test(), &hang));
    }
    let [n_floor, n_test, w_floor, w_test, n_cancel, w_cancel] = times.map(median);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("spawn to verdict, login to Dovecot on loopback (implicit TLS), median of {RUNS}:");
    println!("  Linux  {:7.1} ms  (its --version: {:6.1} ms; ratio {:.2})", ms(n_test), ms(n_floor), ms(n_test) / ms(n_floor));
    println!("  Wine   {:7.1} ms  (its --version: {:6.1} ms; ratio {:.2})", ms(w_test), ms(w_floor), ms(w_test) / ms(w_floor));
    println!("  Wine ÷ Linux: {:.2}", ms(w_test) / ms(n_test));
    println!("closing stdin to exit, during a TLS handshake that never ends, median of {RUNS}:");
    println!("  Linux  {:7.1} ms", ms(n_cancel));
    println!("  Wine   {:7.1} ms", ms(w_cancel));
}
