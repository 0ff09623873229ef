//! The benchmark's corpus profiles, validated N times over, for a profiler:
//!
//!     cargo build --release -p mailsetup-core --example prof
//!     valgrind --tool=callgrind target/release/examples/prof 50
//!     valgrind --tool=callgrind target/release/examples/prof 2000 typical
//!
//! The same 433 profiles as `benches/validate.rs` and `bench/validate.bench.mjs`
//! (each isemail address with one of six servers and four ports, user name
//! empty), or with `typical` the node benchmark's twelve typical practice
//! profiles (`bench/typical-profiles.json`). Instruction counts do not drift
//! with the machine the way times do.
use mailsetup_core::validate::validate_profile;
use mailsetup_core::{AuthKind, ProfileRef, Security, ServerRef};

/// A profile's address, server, port, encryption and user name.
type Row = (String, String, u32, Security, String);

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))
}

fn main() -> Result<(), String> {
    let reps: usize = match std::env::args().nth(1) {
        None => 200,
        Some(n) => n.parse().map_err(|_| format!("the number of passes must be a whole number, not {n:?}"))?,
    };
    let rows: Vec<Row> = if std::env::args().nth(2).as_deref() == Some("typical") {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../bench/typical-profiles.json");
        serde_json::from_str(&read(path)?).map_err(|e| format!("{path}: {e}"))?
    } else {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpora/isemail.jsonl");
        let hosts =
            ["mail.gmx.net", "smtp.web.de", "securesmtp.t-online.de", "smtp.ionos.de", "smtp://x.de:587", "smtp..x.de"];
        read(path)?
            .lines()
            .enumerate()
            .map(|(i, l)| {
                let v: serde_json::Value = serde_json::from_str(l).map_err(|e| format!("{path}: {e}"))?;
                let email = v["input"].as_str().ok_or_else(|| format!("{path}: a line without \"input\""))?;
                let port = [465, 587, 25, 70000][i % 4];
                Ok((email.to_string(), hosts[i % hosts.len()].to_string(), port, Security::Tls, String::new()))
            })
            .collect::<Result<_, String>>()?
    };
    let mut findings = 0;
    for _ in 0..reps {
        for (email, host, port, security, username) in &rows {
            let profile = ProfileRef {
                name: "Praxis",
                email,
                auth: AuthKind::Password,
                smtp: ServerRef { host, port: *port, security: *security, username },
                pop_before_smtp: None,
            };
            let profile = mailsetup_core::Profile::from(profile);
            findings += validate_profile(std::hint::black_box(&profile), mailsetup_core::Lang::De).len();
        }
    }
    println!("{findings} findings in {reps} passes over {} profiles", rows.len());
    Ok(())
}
