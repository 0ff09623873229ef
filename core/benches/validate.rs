//! cargo bench -p mailsetup-core --bench validate
//!
//! Our address check against the `validator` crate's (`ValidateEmail`) on
//! the same inputs (the isemail corpus), plus whole-profile validation and
//! preset lookup. Criterion prints both times; BENCHMARKS.md records the ratio.

use criterion::{Criterion, criterion_group, criterion_main};
use mailsetup_core::presets::lookup;
use mailsetup_core::validate::{check_email, validate_profile};
use mailsetup_core::{AuthKind, Lang, Profile, Security, Server};
use validator::ValidateEmail;

fn corpus() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpora/isemail.jsonl");
    std::fs::read_to_string(path)
        .expect("../shared/corpora/isemail.jsonl")
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["input"].as_str().unwrap().to_string())
        .collect()
}

fn bench(c: &mut Criterion) {
    let emails = corpus();
    let mut g = c.benchmark_group("email (isemail corpus, per pass)");
    g.bench_function("mailsetup check_email", |b| {
        b.iter(|| emails.iter().filter(|e| check_email(e, "email").is_valid()).count())
    });
    g.bench_function("validator ValidateEmail", |b| b.iter(|| emails.iter().filter(|e| e.validate_email()).count()));
    g.finish();

    let hosts =
        ["mail.gmx.net", "smtp.web.de", "securesmtp.t-online.de", "smtp.ionos.de", "smtp://x.de:587", "smtp..x.de"];
    let profiles: Vec<Profile> = emails
        .iter()
        .enumerate()
        .map(|(i, e)| Profile {
            name: "Praxis".into(),
            email: e.clone(),
            auth: AuthKind::Password,
            smtp: Server {
                host: hosts[i % 6].into(),
                port: [465, 587, 25, 70000][i % 4],
                security: Security::Tls,
                username: String::new(),
            },
            pop_before_smtp: None,
            oauth_provider: String::new(),
        })
        .collect();
    c.bench_function("validate_profile (433 profiles)", |b| {
        b.iter(|| profiles.iter().map(|p| validate_profile(p, Lang::De).len()).sum::<usize>())
    });
    let addrs = ["info@gmx.de", "a@web.de", "x@t-online.de", "x@gmail.com", "x@ionos.de", "x@praxis-mueller.de"];
    c.bench_function("lookup (6 addresses)", |b| {
        b.iter(|| addrs.iter().filter(|a| lookup(a, Lang::De).is_some()).count())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
