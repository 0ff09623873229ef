//! cargo bench -p mailsetup-probe --bench discover
//!
//! "Einstellungen suchen" behind delaying proxies (25 ms each way, a 50 ms
//! round trip; DNS over a delaying UDP proxy to dnsmasq, HTTPS and SMTP over
//! delaying TCP proxies to the servers), every figure a ratio against the
//! floor measured in the same run, with the same proxies:
//! 1. a practice domain whose MX is at a known provider ÷ (one DNS round
//!    trip + the table lookup);
//! 2. SRV records ÷ one DNS round trip (both SRV questions go out at once);
//! 3. autoconfig from the domain ÷ the same fetch alone (DNS, connect, TLS,
//!    GET with a fresh client);
//! 4. guessing with one good candidate (smtp.<domain>:587, a real Dovecot)
//!    while the better-placed smtp.<domain>:465 is blackholed ÷ probing
//!    that candidate alone; beside it what Thunderbird's rule (wait out each
//!    better-placed probe) would take.
//!
//! Needs root (it binds 127.0.x.y:443/465/587) and dnsmasq, as the tests.

#[path = "../../tests/support/mod.rs"]
mod support;
#[path = "common/delay.rs"]
mod delay;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mailsetup_core::Lang;
use mailsetup_core::discover::Limits;
use mailsetup_probe::discover::{DiscoverOptions, discover};
use mailsetup_probe::dns::Dns;
use mailsetup_probe::tls::TlsOptions;
use support::*;

const ROUNDS: usize = 11;

const XML: &str = r#"<clientConfig version="1.1"><emailProvider id="hoster.test"><displayName>Hoster</displayName>
<outgoingServer type="smtp"><hostname>smtp.hoster.test</hostname><port>465</port><socketType>SSL</socketType>
<authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username></outgoingServer>
</emailProvider></clientConfig>"#;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("mailsetup discovery bench CA");
    let ca_file = ca.write(dir.path());

    // The servers, on 127.0.61.x; the proxies in front of them on 127.0.60.x.
    support::https::https("127.0.61.10", &ca, &["autoconfig.acbench.test"], |_| support::https::Reply::Body(XML.into()));
    let cert = ca.server_cert(&["smtp.gbench.test"], -1, 30);
    let _dovecot = Dovecot::start_on(&ca, &cert, "127.0.61.20", 587, 10465);
    let _hole = Scripted::start_at("127.0.61.20:465".parse().unwrap(), |_| std::thread::sleep(Duration::from_secs(60)));
    for (front, back) in [("127.0.60.10:443", "127.0.61.10:443"), ("127.0.60.20:587", "127.0.61.20:587"), ("127.0.60.20:465", "127.0.61.20:465")] {
        let listener = rt.block_on(tokio::net::TcpListener::bind(front)).unwrap();
        rt.spawn(delay::tcp(listener, back.parse().unwrap()));
    }
    let dnsmasq = support::dnsmasq::Dnsmasq::start(
        &[
            "--mx-host=mxbench.test,mx00.kundenserver.de,10",
            "--srv-host=_submissions._tcp.srvbench.test,smtp.srv-hoster.test,465",
            "--host-record=autoconfig.acbench.test,127.0.60.10",
            "--host-record=smtp.gbench.test,127.0.60.20",
        ]
        .map(String::from),
    );
    let dns_port = dnsmasq.port;
    let udp = rt.block_on(tokio::net::UdpSocket::bind("127.0.60.53:5353")).unwrap();
    rt.spawn(delay::udp(udp, SocketAddr::from(([127, 0, 0, 1], dns_port))));
    let dns_addr: SocketAddr = "127.0.60.53:5353".parse().unwrap();
    // A fresh resolver each time: nothing is answered from a cache.
    let fresh_dns = || Dns::new(Some(dns_addr), Duration::from_secs(4)).unwrap();
    let tls = TlsOptions { ca_file: Some(ca_file.clone()), trust_cert: None };
    let search = |address: &str| {
        let opts = DiscoverOptions { dns: Some(fresh_dns()), tls: tls.clone(), limits: Limits::default(), lang: Lang::De };
        let t = Instant::now();
        let report = rt.block_on(discover(address, &opts, &mut |_| {})).unwrap();
        (t.elapsed(), report)
    };

    println!("discovery behind a {} round trip ({} rounds, medians)", ms(delay::ONE_WAY * 2), ROUNDS);
    let mut rows = Vec::new();

    // 1. MX at a known provider.
    let (mut ours, mut floor) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let (t, r) = search("info@mxbench.test");
        assert_eq!(r.found.as_ref().map(|f| f.provider.as_str()), Some("IONOS"));
        ours.push(t);
        let dns = fresh_dns();
        let t = Instant::now();
        let mx = rt.block_on(dns.mx("mxbench.test")).unwrap();
        let hosts: Vec<&str> = mx.iter().map(|(_, h)| h.as_str()).collect();
        assert!(mailsetup_core::presets::provider_for_mx(&hosts, Lang::De).is_some());
        floor.push(t.elapsed());
    }
    rows.push(("known provider by MX", "one DNS round trip + table lookup", median(ours), median(floor)));

    // 2. SRV.
    let (mut ours, mut floor) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let (t, r) = search("info@srvbench.test");
        assert_eq!(r.found.as_ref().map(|f| f.smtp[0].host.as_str()), Some("smtp.srv-hoster.test"));
        ours.push(t);
        let dns = fresh_dns();
        let t = Instant::now();
        rt.block_on(dns.srv("_submissions._tcp.srvbench.test")).unwrap();
        floor.push(t.elapsed());
    }
    rows.push(("SRV", "one DNS round trip", median(ours), median(floor)));

    // 3. Autoconfig from the domain.
    let (mut ours, mut floor) = (Vec::new(), Vec::new());
    let url = "https://autoconfig.acbench.test/mail/config-v1.1.xml?emailaddress=info%40acbench.test";
    for _ in 0..ROUNDS {
        let (t, r) = search("info@acbench.test");
        assert_eq!(r.found.as_ref().map(|f| f.source.as_str()), Some("autoconfig"));
        ours.push(t);
        let t = Instant::now();
        rt.block_on(mailsetup_probe::discover::fetch_alone(url, &tls, fresh_dns())).unwrap();
        floor.push(t.elapsed());
    }
    rows.push(("autoconfig", "the same fetch alone (DNS, connect, TLS, GET)", median(ours), median(floor)));

    // 4. Guessing, the better-placed candidate blackholed.
    let (mut ours, mut floor) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let (t, r) = search("info@gbench.test");
        assert_eq!(r.found.as_ref().map(|f| (f.smtp[0].host.as_str(), f.smtp[0].port)), Some(("smtp.gbench.test", 587)));
        ours.push(t);
        let server = mailsetup_core::Server { host: "smtp.gbench.test".into(), port: 587, security: mailsetup_core::Security::Starttls, username: String::new() };
        let t = Instant::now();
        let outcome = rt.block_on(mailsetup_probe::discover::probe_alone(server, &tls, fresh_dns()));
        assert!(outcome.failure.is_none(), "{outcome:?}");
        floor.push(t.elapsed());
    }
    let guess = (median(ours.clone()), median(floor.clone()));
    rows.push(("guessing, better-placed candidate blackholed", "that candidate alone", guess.0, guess.1));

    println!("| case | floor | ours | floor time | ratio |");
    println!("|---|---|---|---|---|");
    for (case, what, ours, floor) in &rows {
        println!("| {case} | {what} | {} | {} | **{:.2}** |", ms(*ours), ms(*floor), ours.as_secs_f64() / floor.as_secs_f64());
    }
    let limit = Limits::default().probe;
    println!(
        "Thunderbird's rule on case 4 (wait out the blackholed probe): at least {} with our probe limit ({}), {} with Thunderbird's 10 s: ratio {:.0} to {:.0}",
        ms(limit + guess.1),
        ms(limit),
        ms(Duration::from_secs(10) + guess.1),
        (limit + guess.1).as_secs_f64() / guess.1.as_secs_f64(),
        (Duration::from_secs(10) + guess.1).as_secs_f64() / guess.1.as_secs_f64(),
    );
}
