//! "Einstellungen suchen" over the network, through the CLI, with real
//! parts on loopback only: dnsmasq answers for the test domains (MX, SRV,
//! and A records on 127.0.x.y), HTTPS autoconfig servers and SMTP servers
//! (real Dovecot, and scripted hostile ones) listen on those addresses'
//! ports 443, 465 and 587, and every certificate comes from a CA made for
//! the test. Each test has its own 127.0.N.0/24 and its own dnsmasq.

mod support;

use std::io::Read;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use support::dnsmasq::Dnsmasq;
use support::https::{Reply, https};
use support::*;

fn autoconfig_xml(host: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><clientConfig version="1.1"><emailProvider id="hoster.test">
<domain>hoster.test</domain><displayName>Hoster</displayName>
<outgoingServer type="smtp"><hostname>{host}</hostname><port>465</port><socketType>SSL</socketType>
<authentication>password-cleartext</authentication><username>%EMAILLOCALPART%</username></outgoingServer>
<outgoingServer type="smtp"><hostname>{host}</hostname><port>587</port><socketType>STARTTLS</socketType>
<authentication>password-cleartext</authentication><username>%EMAILLOCALPART%</username></outgoingServer>
</emailProvider></clientConfig>"#
    )
}

struct Found {
    code: i32,
    json: serde_json::Value,
    elapsed: Duration,
    stderr: String,
}

impl Found {
    fn summary(&self) -> String {
        let j = &self.json;
        if j["found"] != true {
            return "nothing".into();
        }
        format!(
            "{} {} {} {}:{}",
            j["source"].as_str().unwrap(),
            j["trust"].as_str().unwrap(),
            j["domain"].as_str().unwrap(),
            j["smtp"][0]["host"].as_str().unwrap(),
            j["smtp"][0]["port"]
        )
    }

    fn tried(&self) -> Vec<String> {
        self.json["tried"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| format!("{} {} {} {}", t["source"].as_str().unwrap(), t["target"].as_str().unwrap(), t["ok"], t["detail"].as_str().unwrap()))
            .collect()
    }

    fn tried_has(&self, want: &str) -> bool {
        self.tried().iter().any(|t| t.contains(want))
    }
}

fn discover(dns: &Dnsmasq, ca_file: &std::path::Path, address: &str, extra: &[&str]) -> Found {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_mailprobe"))
        .args(["discover", address, "--json", "--lang", "en", "--dns", &dns.addr()])
        .arg("--ca-file")
        .arg(ca_file)
        .args(extra)
        .output()
        .unwrap();
    let elapsed = start.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"));
    Found { code: out.status.code().unwrap_or(-1), json, elapsed, stderr: String::from_utf8_lossy(&out.stderr).into_owned() }
}

fn ca() -> (TestCa, tempfile::TempDir, PathBuf) {
    let ca = TestCa::new("mailsetup discovery test CA");
    let dir = tempfile::tempdir().unwrap();
    let file = ca.write(dir.path());
    (ca, dir, file)
}

/// The seed's case: a practice domain whose MX is at a hoster gets the
/// hoster's settings, unconfirmed, with the hoster's domain to confirm.
#[test]
fn a_practice_domain_at_a_hoster_by_its_mx() {
    let (_ca, _dir, ca_file) = ca();
    let dns = Dnsmasq::start(&["--mx-host=musterpraxis.test,mx00.kundenserver.de,10".into()]);
    let f = discover(&dns, &ca_file, "info@musterpraxis.test", &[]);
    assert_eq!(f.summary(), "mx unconfirmed ionos.de smtp.ionos.de:465", "{:#?}", f.tried());
    assert_eq!(f.code, 0);
    assert_eq!(f.json["smtp"][0]["username"], "info@musterpraxis.test");
    assert!(f.json["message"].as_str().unwrap().contains("Please confirm that ionos.de is your e-mail provider"));
    assert!(f.tried_has("mx MX musterpraxis.test true mx00.kundenserver.de"), "{:#?}", f.tried());
    // The domain's own autoconfig was asked first, and does not exist.
    assert!(f.tried_has("autoconfig https://autoconfig.musterpraxis.test/"), "{:#?}", f.tried());
}

#[test]
fn autoconfig_served_by_the_domain_is_confirmed_and_a_redirect_is_not() {
    let (ca, _dir, ca_file) = ca();
    let asked = https("127.0.31.1", &ca, &["autoconfig.acpraxis.test"], |_| Reply::Body(autoconfig_xml("smtp.hoster.test")));
    https("127.0.31.2", &ca, &["autoconfig.redirpraxis.test"], |_| {
        Reply::Redirect("https://config.other-hoster.test/mail/config.xml".into())
    });
    https("127.0.31.3", &ca, &["config.other-hoster.test"], |_| Reply::Body(autoconfig_xml("smtp.other-hoster.test")));
    https("127.0.31.4", &ca, &["autoconfig.httpredir.test"], |_| Reply::Redirect("http://config.other-hoster.test/x.xml".into()));
    // A redirect to itself, for ever: the fourth is refused.
    let loop_asked = https("127.0.31.5", &ca, &["autoconfig.loop.test"], |line| {
        let n: u32 = line.split("hop=").nth(1).and_then(|r| r.split(' ').next()).and_then(|n| n.parse().ok()).unwrap_or(0);
        Reply::Redirect(format!("https://autoconfig.loop.test/mail/config-v1.1.xml?hop={}", n + 1))
    });
    let dns = Dnsmasq::start(&[
        "--host-record=autoconfig.acpraxis.test,127.0.31.1".into(),
        "--host-record=autoconfig.redirpraxis.test,127.0.31.2".into(),
        "--host-record=config.other-hoster.test,127.0.31.3".into(),
        "--host-record=autoconfig.httpredir.test,127.0.31.4".into(),
        "--host-record=autoconfig.loop.test,127.0.31.5".into(),
    ]);

    let f = discover(&dns, &ca_file, "info@acpraxis.test", &[]);
    assert_eq!(f.summary(), "autoconfig confirmed acpraxis.test smtp.hoster.test:465", "{:#?}", f.tried());
    assert_eq!(f.json["smtp"][0]["username"], "info", "%EMAILLOCALPART%");
    let asked = String::from_utf8_lossy(&asked.lock().unwrap()).into_owned();
    assert!(asked.contains("GET /mail/config-v1.1.xml?emailaddress=info%40acpraxis.test HTTP/1.1"), "{asked}");

    let f = discover(&dns, &ca_file, "info@redirpraxis.test", &[]);
    assert_eq!(f.summary(), "autoconfig unconfirmed other-hoster.test smtp.other-hoster.test:465", "{:#?}", f.tried());
    assert!(f.tried_has("redirected to https://config.other-hoster.test/mail/config.xml"), "{:#?}", f.tried());

    // A redirect away from https is refused: one failed try, nothing else found.
    let f = discover(&dns, &ca_file, "info@httpredir.test", &[]);
    assert_eq!(f.summary(), "nothing", "{:#?}", f.tried());
    assert_eq!(f.code, 1);
    assert!(f.tried_has("redirect refused"), "{:#?}", f.tried());
    assert!(f.json["message"].as_str().unwrap().starts_with("No settings were found for httpredir.test."));

    let f = discover(&dns, &ca_file, "info@loop.test", &[]);
    assert!(f.tried_has("more than 3 redirects"), "{:#?}", f.tried());
    let asked = String::from_utf8_lossy(&loop_asked.lock().unwrap()).into_owned();
    assert_eq!(asked.lines().count(), 4, "the first request and three redirects: {asked}");

    // A known provider is answered from the offline table, without a question.
    let f = discover(&dns, &ca_file, "praxis@web.de", &[]);
    assert_eq!(f.summary(), "offline confirmed web.de smtp.web.de:465", "{:#?}", f.tried());
    assert_eq!(f.tried().len(), 1);
}

#[test]
fn bad_autoconfig_servers_are_tried_sources_with_reasons() {
    let (ca, _dir, ca_file) = ca();
    // Too big, hostile XML, an HTTP error, a certificate for another name.
    https("127.0.32.1", &ca, &["autoconfig.bigpraxis.test"], |_| Reply::Body("<clientConfig>".to_string() + &" ".repeat(200_000)));
    https("127.0.32.2", &ca, &["autoconfig.xmlpraxis.test"], |_| {
        Reply::Body("<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaaaaaa'><!ENTITY b '&a;&a;&a;&a;'>]><clientConfig>&b;</clientConfig>".into())
    });
    https("127.0.32.3", &ca, &["autoconfig.errpraxis.test"], |_| Reply::Status(404));
    https("127.0.32.4", &ca, &["somewhere-else.test"], |_| Reply::Body(autoconfig_xml("smtp.hoster.test")));
    // An http-only server: never asked, autoconfig is fetched over https only.
    let (_, plain_asked) = accept_each_at("127.0.32.5:80".parse().unwrap(), |mut s, rec| {
        let mut buf = [0u8; 512];
        let n = s.read(&mut buf).unwrap_or(0);
        rec.lock().unwrap().extend_from_slice(&buf[..n]);
    });
    let dns = Dnsmasq::start(&[
        "--host-record=autoconfig.bigpraxis.test,127.0.32.1".into(),
        "--host-record=autoconfig.xmlpraxis.test,127.0.32.2".into(),
        "--host-record=autoconfig.errpraxis.test,127.0.32.3".into(),
        "--host-record=autoconfig.certpraxis.test,127.0.32.4".into(),
        "--host-record=autoconfig.httponly.test,127.0.32.5".into(),
        // Each still has SRV records: a bad file hides no other source.
        "--srv-host=_submissions._tcp.bigpraxis.test,smtp.srv-hoster.test,465".into(),
        "--srv-host=_submissions._tcp.xmlpraxis.test,smtp.srv-hoster.test,465".into(),
    ]);
    for (address, want_tried, want) in [
        ("info@bigpraxis.test", "too large", "srv unconfirmed srv-hoster.test smtp.srv-hoster.test:465"),
        ("info@xmlpraxis.test", "not well-formed XML", "srv unconfirmed srv-hoster.test smtp.srv-hoster.test:465"),
        ("info@errpraxis.test", "HTTP 404", "nothing"),
        ("info@certpraxis.test", "could not connect", "nothing"),
        ("info@httponly.test", "could not connect", "nothing"),
    ] {
        let f = discover(&dns, &ca_file, address, &[]);
        assert_eq!(f.summary(), want, "{address}: {:#?}", f.tried());
        assert!(f.tried_has(want_tried), "{address}: {want_tried}: {:#?}", f.tried());
    }
    assert!(plain_asked.lock().unwrap().is_empty(), "nothing is fetched over plain http");
}

#[test]
fn srv_records_implicit_tls_first() {
    let (_ca, _dir, ca_file) = ca();
    let dns = Dnsmasq::start(&[
        "--srv-host=_submission._tcp.srvpraxis.test,mail.srv-hoster.test,587,0,0".into(),
        "--srv-host=_submissions._tcp.srvpraxis.test,smtps.srv-hoster.test,465,0,0".into(),
        // "." : no such service.
        "--srv-host=_submissions._tcp.nosrv.test".into(),
    ]);
    let f = discover(&dns, &ca_file, "info@srvpraxis.test", &[]);
    assert_eq!(f.summary(), "srv unconfirmed srv-hoster.test smtps.srv-hoster.test:465", "{:#?}", f.tried());
    assert_eq!(f.json["smtp"][1]["host"], "mail.srv-hoster.test");
    assert_eq!(f.json["smtp"][1]["security"], "starttls");
    let f = discover(&dns, &ca_file, "info@nosrv.test", &[]);
    assert_eq!(f.summary(), "nothing");
}

/// Priority: a slow higher source beats a fast lower one within its bound;
/// past the search's budget, the lower one is taken.
#[test]
fn a_slow_higher_source_beats_a_fast_lower_one_within_its_bound() {
    let (ca, _dir, ca_file) = ca();
    https("127.0.33.1", &ca, &["autoconfig.slowpraxis.test"], |_| {
        Reply::Slow(Duration::from_millis(1500), autoconfig_xml("smtp.hoster.test"))
    });
    https("127.0.33.2", &ca, &["autoconfig.tooslow.test"], |_| Reply::Slow(Duration::from_secs(30), autoconfig_xml("smtp.hoster.test")));
    let dns = Dnsmasq::start(&[
        "--host-record=autoconfig.slowpraxis.test,127.0.33.1".into(),
        "--host-record=autoconfig.tooslow.test,127.0.33.2".into(),
        "--srv-host=_submissions._tcp.slowpraxis.test,smtp.srv-hoster.test,465".into(),
        "--srv-host=_submissions._tcp.tooslow.test,smtp.srv-hoster.test,465".into(),
    ]);
    let f = discover(&dns, &ca_file, "info@slowpraxis.test", &[]);
    assert_eq!(f.summary(), "autoconfig confirmed slowpraxis.test smtp.hoster.test:465", "{:#?}", f.tried());
    assert!(f.elapsed >= Duration::from_millis(1500));

    let f = discover(&dns, &ca_file, "info@tooslow.test", &["--timeout", "3"]);
    assert_eq!(f.summary(), "srv unconfirmed srv-hoster.test smtp.srv-hoster.test:465", "{:#?}", f.tried());
    assert!(f.tried_has("autoconfig autoconfig.tooslow.test false timed out"), "{:#?}", f.tried());
    assert!(f.elapsed < Duration::from_secs(10), "{:?}", f.elapsed);
}

/// Guessing against a real Dovecot: TLS and EHLO, never AUTH.
#[test]
fn guessing_finds_a_real_server_without_logging_in() {
    let (ca, _dir, ca_file) = ca();
    let cert = ca.server_cert(&["mail.guesspraxis.test"], -1, 30);
    let dovecot = Dovecot::start_on(&ca, &cert, "127.0.34.1", 587, 465);
    let dns = Dnsmasq::start(&["--host-record=mail.guesspraxis.test,127.0.34.1".into()]);
    let f = discover(&dns, &ca_file, "info@guesspraxis.test", &[]);
    // 465 is placed before 587, but a good candidate waits for a better-placed
    // one only a tenth of its own time: on a loaded machine 587 may come first.
    let summary = f.summary();
    assert!(
        ["guess unconfirmed guesspraxis.test mail.guesspraxis.test:465", "guess unconfirmed guesspraxis.test mail.guesspraxis.test:587"]
            .contains(&summary.as_str()),
        "{summary}: {:#?}\n{}",
        f.tried(),
        f.stderr
    );
    assert!(f.tried_has("guess smtp.guesspraxis.test:465 false dns_not_found"), "{:#?}", f.tried());
    std::thread::sleep(Duration::from_millis(300));
    let log = dovecot.log();
    assert!(log.contains("no auth attempts"), "{log}");
    assert!(!log.contains("auth failed") && !log.contains("Login: user="), "{log}");
}

/// A certificate for another name, a plaintext-only server: never proposed.
#[test]
fn wrong_certificates_and_plaintext_are_never_proposed() {
    let (ca, _dir, ca_file) = ca();
    let greet = |c: &mut TlsConn| {
        c.send(b"220 hi\r\n");
        while let Some(l) = c.line() {
            if l.starts_with("EHLO") {
                c.send(b"250-hi\r\n250 AUTH PLAIN\r\n");
            } else {
                c.send(b"221 bye\r\n");
                return;
            }
        }
    };
    let _wrong = ScriptedTls::start_at("127.0.35.1:465".parse().unwrap(), &ca, &["unrelated-name.test"], greet);
    let plain = |c: &mut Conn| {
        c.send(b"220 plain ESMTP\r\n");
        while let Some(l) = c.line() {
            if l.starts_with("EHLO") {
                c.send(b"250-plain\r\n250 AUTH PLAIN LOGIN\r\n");
            } else {
                c.send(b"502 no\r\n");
            }
        }
    };
    let plain587 = Scripted::start_at("127.0.35.2:587".parse().unwrap(), plain);
    let plain465 = Scripted::start_at("127.0.35.2:465".parse().unwrap(), plain);
    let dns = Dnsmasq::start(&[
        "--host-record=smtp.wrongcert.test,127.0.35.1".into(),
        "--host-record=smtp.plainpraxis.test,127.0.35.2".into(),
    ]);
    let f = discover(&dns, &ca_file, "info@wrongcert.test", &[]);
    assert_eq!(f.summary(), "nothing", "{:#?}", f.tried());
    assert!(f.tried_has("guess smtp.wrongcert.test:465 false cert_name_mismatch"), "{:#?}", f.tried());
    let f = discover(&dns, &ca_file, "info@plainpraxis.test", &[]);
    assert_eq!(f.summary(), "nothing", "{:#?}", f.tried());
    assert!(f.tried_has("smtp.plainpraxis.test:587 false starttls_not_offered"), "{:#?}", f.tried());
    assert!(f.tried_has("smtp.plainpraxis.test:465 false tls_on_plaintext_port"), "{:#?}", f.tried());
    let sent = plain587.received() + &plain465.received();
    assert!(!sent.contains("AUTH"), "{sent}");
}

/// A blackholed better-placed candidate does not hold a good one for its timeout.
#[test]
fn a_blackholed_candidate_does_not_hold_a_good_one() {
    let (ca, _dir, ca_file) = ca();
    let cert = ca.server_cert(&["smtp.blackhole.test"], -1, 30);
    // 465 takes the connection and never says a word; 587 is a real Dovecot.
    let _hole = Scripted::start_at("127.0.36.1:465".parse().unwrap(), |_c| std::thread::sleep(Duration::from_secs(60)));
    let _dovecot = Dovecot::start_on(&ca, &cert, "127.0.36.1", 587, 10465);
    let dns = Dnsmasq::start(&["--host-record=smtp.blackhole.test,127.0.36.1".into()]);
    let f = discover(&dns, &ca_file, "info@blackhole.test", &[]);
    assert_eq!(f.summary(), "guess unconfirmed blackhole.test smtp.blackhole.test:587", "{:#?}", f.tried());
    // The blackholed probe's own limit is 8 s.
    assert!(f.elapsed < Duration::from_secs(4), "{:?}", f.elapsed);
}

/// A certificate that names the hoster's server, at the same address: that
/// name is proposed (and its domain shown).
#[test]
fn the_certificates_name_for_the_same_address_is_proposed() {
    let (ca, _dir, ca_file) = ca();
    let cert = ca.server_cert(&["smtp.big-hoster.test"], -1, 30);
    // Only 465 is served. With 587 as well, which port wins depends on which
    // name's second probe ends within the other's grace, and under a loaded
    // CI that is a race (the grace itself is tested elsewhere).
    let dovecot = Dovecot::start_on(&ca, &cert, "127.0.37.1", 10587, 465);
    let dns = Dnsmasq::start(&[
        "--host-record=mail.certalt.test,127.0.37.1".into(),
        "--host-record=smtp.big-hoster.test,127.0.37.1".into(),
        // Elsewhere: named by no certificate here.
        "--host-record=mail.certelse.test,127.0.37.1".into(),
    ]);
    let f = discover(&dns, &ca_file, "info@certalt.test", &[]);
    assert_eq!(f.summary(), "guess unconfirmed big-hoster.test smtp.big-hoster.test:465", "{:#?}", f.tried());
    assert!(f.tried_has("the certificate of mail.certalt.test names this host"), "{:#?}", f.tried());
    drop(dovecot);
}

#[test]
fn bad_input_is_exit_2_with_a_reason() {
    for (args, want) in [
        (&["discover", "nope"][..], "no e-mail address"),
        (&["discover", "info@"], "no usable domain"),
        (&["discover", "info@x.test", "--dns", "not-an-address"], "invalid socket address"),
        (&["discover", "info@x.test", "--timeout", "0"], "--timeout"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_mailprobe")).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
}

/// A name server that does not answer is no "does not exist".
#[test]
fn a_silent_name_server_is_not_a_missing_domain() {
    let (_ca, _dir, ca_file) = ca();
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_mailprobe"))
        .args(["discover", "info@offline-praxis.test", "--json", "--lang", "en", "--timeout", "6"])
        .args(["--dns", &format!("127.0.0.1:{port}")])
        .arg("--ca-file")
        .arg(&ca_file)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["found"], false);
    let tried = json["tried"].to_string();
    assert!(tried.contains("no name server answered"), "{tried}");
    let message = json["message"].as_str().unwrap();
    assert!(message.starts_with("Could not search for offline-praxis.test: no name server answered."), "{message}");
    assert!(!tried.contains("does not exist"), "{tried}");
    assert!(start.elapsed() < Duration::from_secs(10));
    drop(silent);
}

/// Every source through the wizard in Chromium (tests/browser/discover.test.mjs).
#[test]
fn the_wizard_searches_in_chromium() {
    let (ca, _dir, ca_file) = ca();
    https("127.0.38.1", &ca, &["autoconfig.acpraxis.test"], |_| Reply::Body(autoconfig_xml("smtp.hoster.test")));
    // Autoconfig 1.2: an OAuth 2.0-only server and its <oAuth2> block.
    https("127.0.38.3", &ca, &["autoconfig.m365praxis.test"], |_| {
        Reply::Body(
            r#"<clientConfig version="1.1"><emailProvider id="m365praxis.test"><displayName>Microsoft 365</displayName>
<outgoingServer type="smtp"><hostname>smtp.office365.com</hostname><port>587</port><socketType>STARTTLS</socketType>
<authentication>OAuth2</authentication><username>%EMAILADDRESS%</username></outgoingServer></emailProvider>
<oAuth2><issuer>login.microsoftonline.com</issuer><scope>https://outlook.office.com/SMTP.Send offline_access</scope>
<authURL>https://login.microsoftonline.com/common/oauth2/v2.0/authorize</authURL><tokenURL>https://login.microsoftonline.com/common/oauth2/v2.0/token</tokenURL></oAuth2>
</clientConfig>"#
                .into(),
        )
    });
    let cert = ca.server_cert(&["mail.guesspraxis.test"], -1, 30);
    let _dovecot = Dovecot::start_on(&ca, &cert, "127.0.38.2", 587, 465);
    let dns = Dnsmasq::start(&[
        "--mx-host=musterpraxis.test,mx00.kundenserver.de,10".into(),
        "--host-record=autoconfig.acpraxis.test,127.0.38.1".into(),
        "--host-record=autoconfig.m365praxis.test,127.0.38.3".into(),
        "--host-record=mail.guesspraxis.test,127.0.38.2".into(),
        "--srv-host=_submissions._tcp.srvpraxis.test,smtp.srv-hoster.test,465".into(),
        "--srv-host=_submissions._tcp.lookalike.test,smtp.i0nos-mail.test,465".into(),
    ]);
    let settings_dir = tempfile::tempdir().unwrap();
    let settings = settings_dir.path().join("settings.json");
    let serve = support::serve::Serve::start_with(
        &settings,
        &["--ca-file", ca_file.to_str().unwrap(), "--dns", &dns.addr()],
        &[],
    );
    let (ok, report) = browser_test("discover.test.mjs", &[("WIZARD_URL", serve.url.clone())]);
    assert!(ok, "browser test failed:
{report}");
}

/// A test whose server does not exist offers what the address's domain says.
#[test]
fn a_missing_server_gets_the_domains_settings_in_its_hint() {
    let (_ca, _dir, ca_file) = ca();
    let dns = Dnsmasq::start(&["--mx-host=musterpraxis.test,mx00.kundenserver.de,10".into()]);
    let mut p = profile("smtp.musterpraxis.test", 465, "tls");
    p["email"] = "info@musterpraxis.test".into();
    let run = mailprobe_test(&p, "geheim", &["--json", "--dns", &dns.addr(), "--ca-file", ca_file.to_str().unwrap(), "--lang", "en"]);
    let v = run.json();
    assert_eq!(v["category"], "dns_not_found", "{}", run.stdout);
    let hint = v["hint"].as_str().unwrap();
    assert!(
        hint.contains("These settings were found for your address (through the domain's mail exchanger (MX)): server smtp.ionos.de, port 465, SSL/TLS. They come from ionos.de"),
        "{hint}"
    );
}
