//! The benchmark's corpus profiles, validated N times over, for a profiler:
//!
//!     cargo build --release -p mailsetup-core --example prof
//!     valgrind --tool=callgrind target/release/examples/prof 50
//!     valgrind --tool=callgrind target/release/examples/prof 2000 typical
//!
//! The same 433 profiles as `benches/validate.rs` and `bench/validate.bench.mjs`
//! (each isemail address with one of six servers and four ports, user name
//! empty), or with `typical` the benchmark's twelve typical practice
//! profiles. Instruction counts do not drift with the machine the way times
//! do.
use mailsetup_core::validate::profile_findings;
use mailsetup_core::{AuthKind, ProfileRef, Security, ServerRef};

fn main() -> Result<(), String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpora/isemail.jsonl");
    let corpus = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let emails = corpus
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).map_err(|e| format!("{path}: {e}"))?;
            v["input"].as_str().map(str::to_string).ok_or_else(|| format!("{path}: a line without \"input\""))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let reps: usize = match std::env::args().nth(1) {
        None => 200,
        Some(n) => n.parse().map_err(|_| format!("the number of passes must be a whole number, not {n:?}"))?,
    };
    let hosts =
        ["mail.gmx.net", "smtp.web.de", "securesmtp.t-online.de", "smtp.ionos.de", "smtp://x.de:587", "smtp..x.de"];
    let mut findings = 0;
    if std::env::args().nth(2).as_deref() == Some("typical") {
        for _ in 0..reps {
            for &(email, host, port, security, username) in TYPICAL {
                let profile = ProfileRef {
                    name: "Praxis",
                    email,
                    auth: AuthKind::Password,
                    smtp: ServerRef { host, port, security, username },
                    pop_before_smtp: None,
                };
                findings += profile_findings(std::hint::black_box(profile)).len();
            }
        }
        println!("{findings} findings in {reps} passes over {} profiles", TYPICAL.len());
        return Ok(());
    }
    for _ in 0..reps {
        for (i, email) in emails.iter().enumerate() {
            let profile = ProfileRef {
                name: "Praxis",
                email,
                auth: AuthKind::Password,
                smtp: ServerRef {
                    host: hosts[i % hosts.len()],
                    port: [465, 587, 25, 70000][i % 4],
                    security: Security::Tls,
                    username: "",
                },
                pop_before_smtp: None,
            };
            findings += profile_findings(std::hint::black_box(profile)).len();
        }
    }
    println!("{findings} findings in {reps} passes over {} profiles", emails.len());
    Ok(())
}

/// `typical` in bench/validate.bench.mjs.
const TYPICAL: &[(&str, &str, u32, Security, &str)] = &[
    ("info@praxis-mueller.de", "smtp.ionos.de", 465, Security::Tls, "info@praxis-mueller.de"),
    ("praxis.schmidt@gmx.de", "mail.gmx.net", 587, Security::Starttls, ""),
    ("physio-berlin@web.de", "smtp.web.de", 587, Security::Starttls, "physio-berlin"),
    ("kontakt@physiotherapie-am-see.de", "smtp.strato.de", 465, Security::Tls, ""),
    ("termine@t-online.de", "securesmtp.t-online.de", 465, Security::Tls, "termine@t-online.de"),
    ("info@müller-physio.de", "smtp.müller-physio.de", 587, Security::Starttls, ""),
    ("praxis.weber@gmial.com", "smtp.gmail.com", 465, Security::Tls, ""),
    ("empfang@krankengymnastik-nord.de", "smtp.ionos.de", 587, Security::Tls, "empfang@krankengymnastik-nord.de"),
    ("Praxis Lange <info@praxis-lange.de>", "smtp.ionos.de", 465, Security::Tls, ""),
    ("info@ergo-praxis.de ", "mail.ergo-praxis.de:587", 587, Security::Starttls, "info"),
    ("rezeption@mailbox.org", "smtp.mailbox.org", 465, Security::Tls, ""),
    ("info@gmx.dee", "mail.gmx.net", 25, Security::Starttls, ""),
];
