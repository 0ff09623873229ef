//! cargo bench -p mailsetup-probe --bench oauth
//!
//! What an OAuth 2.0 test with an access token in memory (the service keeps
//! one after the sign-in) adds to a password test: the same real Dovecot
//! (password and `passdb oauth2` by introspection against oidc-provider)
//! behind the delaying TCP proxy (25 ms each way), the same profile, both
//! through `mailsetup_probe::probe::run_test`, alternating. Goal: no extra
//! round trip (XOAUTH2 with its initial response is one, as AUTH PLAIN is).
//! The token's introspection is the mail server's own round trip, on
//! loopback here.

#[path = "../../tests/support/mod.rs"]
mod support;
#[path = "common/delay.rs"]
mod delay;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mailsetup_core::secret::AccessToken;
use mailsetup_core::{Password, Profile};
use mailsetup_probe::probe::{ProbeOptions, run_test};
use mailsetup_probe::tls::TlsOptions;
use support::oauth::AuthServer;
use support::*;

const ROUNDS: usize = 9;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("mailsetup OAuth bench CA");
    let ca_file = ca.write(dir.path());
    let auth = AuthServer::start(&ca, dir.path());
    let cert = ca.server_cert(&["localhost"], -1, 30);
    let dovecot = Dovecot::start_oauth(&ca, &cert, &format!("{}/token/introspection", auth.issuer()));
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let port = listener.local_addr().unwrap().port();
    rt.spawn(delay::tcp(listener, SocketAddr::from(([127, 0, 0, 1], dovecot.submissions))));
    let (access, _) = auth.mint(USER, &ca_file);

    let opts = ProbeOptions { tls: TlsOptions { ca_file: Some(ca_file.clone()), trust_cert: None }, ..Default::default() };
    let profile = |auth: &str| -> Profile {
        let mut p = profile("localhost", port, "tls");
        p["auth"] = auth.into();
        serde_json::from_value(p).unwrap()
    };
    let mut times = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let v = rt.block_on(run_test(profile("password"), Password::new(PASSWORD.into()), None, None, &opts, &mut |_: &_| {}));
        assert!(v.ok, "{v:?}");
        times.0.push(t.elapsed());
        let t = Instant::now();
        let token = Some((AccessToken::new(access.clone()), mailsetup_core::smtp::Mechanism::Xoauth2));
        let v = rt.block_on(run_test(profile("oauth2"), Password::new(String::new()), None, token, &opts, &mut |_: &_| {}));
        assert!(v.ok, "{v:?}");
        assert!(v.transcript.lines().iter().any(|l| l.text.starts_with("AUTH XOAUTH2")));
        times.1.push(t.elapsed());
    }
    let (pw, oauth) = (median(times.0), median(times.1));
    println!("password test (AUTH PLAIN) median {} ms; OAuth 2.0 test, token in memory (AUTH XOAUTH2) median {} ms", pw.as_millis(), oauth.as_millis());
    println!(
        "difference {} ms = {:.2} round trips of {} ms (goal: 0)",
        oauth.as_millis() as i64 - pw.as_millis() as i64,
        (oauth.as_secs_f64() - pw.as_secs_f64()) / (delay::ONE_WAY * 2).as_secs_f64(),
        (delay::ONE_WAY * 2).as_millis()
    );
}
