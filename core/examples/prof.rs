use mailsetup_core::validate::profile_findings;
use mailsetup_core::{AuthKind, ProfileRef, Security, ServerRef};
fn main() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpora/isemail.jsonl");
    let emails: Vec<String> = std::fs::read_to_string(path).unwrap().lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["input"].as_str().unwrap().to_string()).collect();
    let hosts = ["mail.gmx.net", "smtp.web.de", "securesmtp.t-online.de", "smtp.ionos.de", "smtp://x.de:587", "smtp..x.de"];
    let mut n = 0;
    let reps: usize = std::env::args().nth(1).map(|s| s.parse().unwrap()).unwrap_or(200);
    for _ in 0..reps {
        for (i, e) in emails.iter().enumerate() {
            let p = ProfileRef { name: "Praxis", email: e, auth: AuthKind::Password,
                smtp: ServerRef { host: hosts[i % 6], port: [465, 587, 25, 70000][i % 4], security: Security::Tls, username: "" },
                pop_before_smtp: None };
            n += profile_findings(std::hint::black_box(p)).len();
        }
    }
    println!("{n}");
}
