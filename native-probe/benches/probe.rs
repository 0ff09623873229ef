//! cargo bench -p mailsetup-probe --bench probe
//!
//! 1. Against the test Dovecot behind a delaying TCP proxy (25 ms each way,
//!    50 ms RTT): probe wall time ÷ (round trips the protocol needs × RTT).
//!    The kernel here has no netem qdisc, so the delay is a small tokio
//!    proxy (written here: a few lines, where a Toxiproxy port would add a
//!    server and its API).
//! 2. On loopback, `mailprobe test` against `swaks --quit-after AUTH`, same
//!    server and TLS mode, alternating runs.
//! 3. A blackholed address (a veth into a network namespace of our own with
//!    nobody answering) must give `timeout` within the deadline + 0.5 s.
//!
//! All traffic stays on loopback or inside the namespace the bench creates.

#[path = "../../tests/support/mod.rs"]
mod support;
#[path = "common/delay.rs"]
mod delay;

use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use support::*;
use tokio::net::TcpListener;

const ONE_WAY: Duration = delay::ONE_WAY;

async fn proxy(listener: TcpListener, target: SocketAddr) {
    delay::tcp(listener, target).await
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn timed(f: impl FnOnce() -> Run) -> (Duration, Run) {
    let t = Instant::now();
    let r = f();
    (t.elapsed(), r)
}

fn main() {
    let d = Dovecot::start();
    let ca = d.ca_file.display().to_string();
    let rt = tokio::runtime::Runtime::new().unwrap();

    // 1. Round trips.
    println!("== 1. probe time ÷ (round trips × RTT), RTT = {} ms", (ONE_WAY * 2).as_millis());
    // Round trips: TCP connect 1; implicit TLS: TLS 1.3 handshake 1, greeting 1
    // (sent after the server has the client's Finished); STARTTLS: greeting 1,
    // EHLO 1, STARTTLS 1, handshake 1; then EHLO, AUTH, MAIL, RCPT, RSET, QUIT
    // 1 each.
    for (security, port, rtts) in [("tls", d.submissions, 9u32), ("starttls", d.submission, 11u32)] {
        let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let proxy_port = listener.local_addr().unwrap().port();
        rt.spawn(proxy(listener, SocketAddr::from(([127, 0, 0, 1], port))));
        let mut times = Vec::new();
        for _ in 0..7 {
            let (t, run) = timed(|| {
                mailprobe_test(&profile("localhost", proxy_port, security), PASSWORD, &["--json", "--ca-file", &ca])
            });
            assert_eq!(run.json()["category"], "ok", "{}", run.stdout);
            if std::env::var_os("PROBE_BENCH_STAGES").is_some() {
                let stages: Vec<String> = run.json()["stages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| format!("{}={}", s["stage"].as_str().unwrap(), s["ms"]))
                    .collect();
                println!("  {}", stages.join(" "));
            }
            times.push(t);
        }
        let m = median(times);
        let ideal = ONE_WAY * 2 * rtts;
        println!(
            "{security:9} median {:>4} ms, ideal {rtts} RTT = {} ms, ratio {:.3} (goal ≤ 1.15)",
            m.as_millis(),
            ideal.as_millis(),
            m.as_secs_f64() / ideal.as_secs_f64()
        );
    }

    // 2. mailprobe vs swaks on loopback.
    println!("== 2. mailprobe test vs swaks --quit-after AUTH (loopback, alternating, 15 runs each)");
    for (security, port, swaks_tls) in [("tls", d.submissions, "--tls-on-connect"), ("starttls", d.submission, "--tls")]
    {
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for _ in 0..15 {
            let (t, run) = timed(|| {
                mailprobe_test(&profile("localhost", port, security), PASSWORD, &["--json", "--ca-file", &ca])
            });
            assert_eq!(run.json()["category"], "ok");
            ours.push(t);
            let t = Instant::now();
            let out = Command::new("swaks")
                .args(["--server", "127.0.0.1", "--port", &port.to_string(), swaks_tls])
                .args(["--auth", "PLAIN", "--auth-user", USER, "--auth-password", PASSWORD, "--quit-after", "AUTH"])
                .output()
                .expect("swaks (cargo xtask setup installs it)");
            theirs.push(t.elapsed());
            assert!(out.status.success(), "swaks: {}", String::from_utf8_lossy(&out.stdout));
        }
        let (o, s) = (median(ours), median(theirs));
        println!(
            "{security:9} mailprobe {:>4} ms (incl. sender check), swaks {:>4} ms, ratio {:.2} (goal ≤ 0.5)",
            o.as_millis(),
            s.as_millis(),
            o.as_secs_f64() / s.as_secs_f64()
        );
    }

    // 3. Blackhole.
    println!("== 3. blackholed address, --timeout 3");
    let ns = Blackhole::new();
    for security in ["starttls", "tls"] {
        let (t, run) =
            timed(|| mailprobe_test(&profile(Blackhole::ADDR, 587, security), PASSWORD, &["--json", "--timeout", "3"]));
        let v = run.json();
        println!("{security:9} category {} at {}, {} ms (goal ≤ 3500 ms)", v["category"], v["stage"], t.as_millis());
        assert_eq!(v["category"], "timeout");
    }
    drop(ns);
}

/// A veth pair into a network namespace of ours whose host has the address
/// but a blackhole route back: SYNs arrive, SYN-ACKs vanish, as behind a
/// firewall that drops.
struct Blackhole;

impl Blackhole {
    const ADDR: &'static str = "198.18.0.2";

    fn ip(args: &str) {
        let ok = Command::new("ip").args(args.split(' ')).status().map(|s| s.success()).unwrap_or(false);
        assert!(ok, "ip {args}");
    }

    fn new() -> Blackhole {
        let _ = Command::new("ip").args(["netns", "del", "msbench"]).status();
        let _ = Command::new("ip").args(["link", "del", "msb0"]).status();
        Self::ip("netns add msbench");
        Self::ip("link add msb0 type veth peer name msb1");
        Self::ip("link set msb1 netns msbench");
        Self::ip("addr add 198.18.0.1/30 dev msb0");
        Self::ip("link set msb0 up");
        Self::ip("netns exec msbench ip link set msb1 up");
        Self::ip("netns exec msbench ip addr add 198.18.0.2/30 dev msb1");
        Self::ip("netns exec msbench ip route add blackhole 198.18.0.1/32");
        Blackhole
    }
}

impl Drop for Blackhole {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["link", "del", "msb0"]).status();
        let _ = Command::new("ip").args(["netns", "del", "msbench"]).status();
    }
}
