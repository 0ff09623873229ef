//! Name resolution failures, without any traffic leaving the machine: the
//! probe runs inside a network namespace of our own (`ip netns exec`
//! bind-mounts /etc/netns/NAME/resolv.conf), whose name server is a scripted
//! responder on that namespace's loopback.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use support::*;

/// Answers every query with NXDOMAIN (RCODE 3), echoing the question.
const NXDOMAIN_RESPONDER: &str = r#"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
print("ready", flush=True)
while True:
    q, addr = s.recvfrom(512)
    if len(q) < 12:
        continue
    flags = 0x8000 | (q[2] & 0x01) << 8 | 0x0080 | 3   # QR, RD copied, RA, NXDOMAIN
    s.sendto(q[:2] + flags.to_bytes(2, "big") + q[4:6] + b"\0\0\0\0\0\0" + q[12:], addr)
"#;

struct Netns(&'static str);

impl Netns {
    fn new(name: &'static str) -> Netns {
        let _ = Command::new("ip").args(["netns", "del", name]).status();
        let ok = |args: &[&str]| {
            let s = Command::new("ip").args(args).status().expect("ip (iproute2; cargo xtask setup installs it)");
            assert!(s.success(), "ip {args:?}");
        };
        ok(&["netns", "add", name]);
        ok(&["-n", name, "link", "set", "lo", "up"]);
        let dir = format!("/etc/netns/{name}");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(format!("{dir}/resolv.conf"), "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n").unwrap();
        Netns(name)
    }

    fn mailprobe(&self, host: &str) -> serde_json::Value {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.json");
        std::fs::write(&path, profile(host, 587, "starttls").to_string()).unwrap();
        let mut child = Command::new("ip")
            .args(["netns", "exec", self.0, env!("CARGO_BIN_EXE_mailprobe"), "test", "--json", "--password-stdin"])
            .arg(&path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
        let out = child.wait_with_output().unwrap();
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", self.0]).status();
        let _ = std::fs::remove_dir_all(format!("/etc/netns/{}", self.0));
    }
}

#[test]
fn unknown_name_and_silent_name_server() {
    let ns = Netns::new("mailsetup-dns");
    let mut responder = Command::new("ip")
        .args(["netns", "exec", ns.0, "python3", "-c", NXDOMAIN_RESPONDER])
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 (cargo xtask setup installs it)");
    let mut ready = String::new();
    BufReader::new(responder.stdout.take().unwrap()).read_line(&mut ready).unwrap();
    assert_eq!(ready.trim(), "ready");

    let v = ns.mailprobe("smtp.praxis-mueller.invalid");
    assert_eq!((v["category"].as_str(), v["stage"].as_str()), (Some("dns_not_found"), Some("resolve")), "{v}");
    assert_eq!(v["message"], "Den Server „smtp.praxis-mueller.invalid“ gibt es nicht.");

    // No name server answering is not "does not exist".
    let _ = responder.kill();
    let _ = responder.wait();
    let v = ns.mailprobe("smtp.praxis-mueller.invalid");
    // Issue #12: a typed outcome of its own, not a guess from message text.
    assert_eq!((v["category"].as_str(), v["stage"].as_str()), (Some("dns_unavailable"), Some("resolve")), "{v}");
    assert!(v["message"].as_str().unwrap().contains("Kein Namensserver hat geantwortet"), "{v}");
}
