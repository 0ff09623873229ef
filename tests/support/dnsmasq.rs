//! dnsmasq for the discovery tests and benchmark.

use std::process::{Child, Command, Stdio};

use super::{free_port, listening_at};

/// dnsmasq on 127.0.0.1, answering only from its command line: names
/// under `.test` that it does not know are NXDOMAIN.
pub struct Dnsmasq {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Dnsmasq {
    pub fn start(records: &[String]) -> Dnsmasq {
        let bin = ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .expect("dnsmasq is not installed: run `cargo xtask setup` (it installs the Debian package dnsmasq-base)");
        let dir = tempfile::tempdir().unwrap();
        for _ in 0..5 {
            let port = free_port();
            let log = dir.path().join("dnsmasq.log");
            let mut child = Command::new(bin)
                .args(["-k", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll", "--bind-interfaces"])
                .args(["--listen-address=127.0.0.1", "--local=/test/", "--pid-file=", "--log-queries"])
                .arg(format!("--port={port}"))
                .arg(format!("--log-facility={}", log.display()))
                .args(records)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(dir.path().join("stderr.log")).unwrap())
                .spawn()
                .expect("start dnsmasq");
            match listening_at("127.0.0.1", &mut child, &[port], &[dir.path().join("stderr.log"), log]) {
                Ok(()) => return Dnsmasq { child, port, _dir: dir },
                Err(why) if why.contains("in use") => {
                    let _ = child.kill();
                    let _ = child.wait();
                }
                Err(why) => panic!("dnsmasq {why}"),
            }
        }
        panic!("dnsmasq found no free port in 5 attempts");
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Dnsmasq {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

