//! The search's rules, played with scripted answers and a scripted clock.

use super::*;
use std::collections::HashMap;

/// An answer the script gives, at a time, to the request with this key.
enum Ans {
    Fetch(Result<(&'static str, String), &'static str>),
    Mx(Result<Vec<(u16, &'static str)>, DnsError>),
    Srv(Result<Vec<(u16, &'static str)>, DnsError>),
    Addrs(Vec<&'static str>),
    ProbeOk,
    ProbeFail(Category, Option<&'static str>, Vec<&'static str>),
}

fn key(r: &Request) -> (usize, String) {
    match r {
        Request::Fetch { id, url } => (*id, url.clone()),
        Request::Mx { id, domain } => (*id, format!("MX {domain}")),
        Request::Srv { id, name } => (*id, name.clone()),
        Request::Addresses { id, host } => (*id, format!("A {host}")),
        Request::Probe { id, server } => (*id, format!("{}:{}", server.host, server.port)),
    }
}

fn xml(host: &str) -> String {
    format!(
        r#"<clientConfig version="1.1"><emailProvider id="hoster.test"><displayName>Hoster</displayName>
<outgoingServer type="smtp"><hostname>{host}</hostname><port>465</port><socketType>SSL</socketType>
<authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username></outgoingServer>
</emailProvider></clientConfig>"#
    )
}

/// Plays a script; returns the outcome and the ms at which it came.
fn play(address: &str, script: Vec<(u64, &str, Ans)>) -> (Option<Found>, u64, Discovery) {
    let t0 = Instant::now();
    let mut d = Discovery::new(address, Lang::En, Limits::default(), t0).unwrap();
    let mut open: HashMap<String, usize> = HashMap::new();
    let mut script: Vec<_> = script.into_iter().map(Some).collect();
    let mut now = t0;
    for _ in 0..1000 {
        while let Some(r) = d.poll_request() {
            let (id, k) = key(&r);
            open.insert(k, id);
        }
        if d.is_done() {
            break;
        }
        // The next scripted answer whose request is open, or the timer.
        let next = script
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().filter(|(_, k, _)| open.contains_key(*k)).map(|(at, _, _)| (*at, i)))
            .min();
        let timer = d.poll_timeout().unwrap();
        match next {
            Some((at, i)) if t0 + Duration::from_millis(at) <= timer => {
                let (at, k, ans) = script[i].take().unwrap();
                now = now.max(t0 + Duration::from_millis(at));
                let id = open.remove(k).unwrap();
                match ans {
                    Ans::Fetch(r) => d.handle_fetch(
                        id,
                        now,
                        r.map(|(url, body)| Fetched { final_url: url.into(), body: body.into_bytes() }).map_err(String::from),
                    ),
                    Ans::Mx(r) => d.handle_mx(id, now, r.map(|v| v.into_iter().map(|(p, h)| (p, h.to_string())).collect())),
                    Ans::Srv(r) => d.handle_srv(
                        id,
                        now,
                        r.map(|v| {
                            v.into_iter().map(|(port, t)| SrvRecord { priority: 0, weight: 0, port, target: t.into() }).collect()
                        }),
                    ),
                    Ans::Addrs(a) => d.handle_addresses(id, now, Ok(a.iter().map(|a| a.parse().unwrap()).collect())),
                    Ans::ProbeOk => d.handle_probe(id, now, ProbeOutcome { failure: None, detail: String::new(), peer: None, cert_names: vec![] }),
                    Ans::ProbeFail(c, peer, names) => d.handle_probe(
                        id,
                        now,
                        ProbeOutcome {
                            failure: Some(c),
                            detail: "d".into(),
                            peer: peer.map(|p| p.parse().unwrap()),
                            cert_names: names.into_iter().map(String::from).collect(),
                        },
                    ),
                }
            }
            _ => {
                now = timer;
                d.handle_timeout(now);
            }
        }
    }
    let ms = d.tried().last().map_or(0, |t| t.ms);
    let found = d.outcome().expect("the search ended").cloned();
    (found, ms.max(u64::try_from((now - t0).as_millis()).unwrap()), d)
}

const AC: &str = "https://autoconfig.musterpraxis.test/mail/config-v1.1.xml?emailaddress=info%40musterpraxis.test";
const WK: &str = "https://musterpraxis.test/.well-known/autoconfig/mail/config-v1.1.xml";
const ADDR: &str = "info@musterpraxis.test";

fn summary(f: &Option<Found>) -> String {
    match f {
        None => "nothing".into(),
        Some(f) => format!(
            "{} {:?} {} {}:{}",
            f.source.as_str(),
            f.trust,
            f.domain,
            f.smtp[0].host,
            f.smtp[0].port
        ),
    }
}

#[test]
fn the_offline_table_answers_at_once() {
    let d = Discovery::new("Praxis@GMX.de", Lang::De, Limits::default(), Instant::now()).unwrap();
    let f = d.outcome().unwrap().unwrap();
    assert_eq!((f.source, f.trust, f.domain.as_str(), f.smtp[0].host.as_str()), (Source::Offline, Trust::Confirmed, "gmx.de", "mail.gmx.net"));
    assert!(d.poll_timeout().is_none());
}

#[test]
fn bad_addresses_are_refused() {
    for a in ["", "info", "@musterpraxis.test", "info@", "info@nodot", "info@bad..test"] {
        assert!(Discovery::new(a, Lang::De, Limits::default(), Instant::now()).is_err(), "{a:?}");
    }
}

/// Each case: the script, the expected result, and by when (ms).
#[test]
fn sources_and_their_priority() {
    use Ans::*;
    let nx = || Mx(Err(DnsError::NotFound));
    type Case = (&'static str, Vec<(u64, &'static str, Ans)>, &'static str, u64);
    let cases: Vec<Case> = vec![
        (
            "autoconfig from the domain itself is confirmed",
            vec![(30, AC, Fetch(Ok((AC, xml("smtp.hoster.test")))))],
            "autoconfig Confirmed musterpraxis.test smtp.hoster.test:465",
            30,
        ),
        (
            "a slow autoconfig beats a fast good guess",
            vec![(3000, AC, Fetch(Ok((AC, xml("smtp.hoster.test"))))), (50, "smtp.musterpraxis.test:465", ProbeOk), (1, "MX musterpraxis.test", nx())],
            "autoconfig Confirmed musterpraxis.test smtp.hoster.test:465",
            3000,
        ),
        (
            "a redirect to another domain is unconfirmed and shows where",
            vec![(40, AC, Fetch(Ok(("https://config.evil-hoster.test/x.xml", xml("smtp.evil-hoster.test")))))],
            "autoconfig Unconfirmed evil-hoster.test smtp.evil-hoster.test:465",
            40,
        ),
        (
            "the well-known path when autoconfig.<domain> fails",
            vec![(10, AC, Fetch(Err("dns: the name does not exist"))), (60, WK, Fetch(Ok((WK, xml("smtp.hoster.test")))))],
            "autoconfig Confirmed musterpraxis.test smtp.hoster.test:465",
            60,
        ),
        (
            "MX at a known hoster (the seed's case)",
            vec![
                (5, AC, Fetch(Err("no such host"))),
                (5, WK, Fetch(Err("connection refused"))),
                (8, "MX musterpraxis.test", Mx(Ok(vec![(20, "mx01.kundenserver.de."), (10, "mx00.kundenserver.de.")]))),
            ],
            "mx Unconfirmed ionos.de smtp.ionos.de:465",
            8,
        ),
        (
            "MX at an unknown hoster with its own autoconfig",
            vec![
                (5, AC, Fetch(Err("no such host"))),
                (5, WK, Fetch(Err("no such host"))),
                (8, "MX musterpraxis.test", Mx(Ok(vec![(10, "mx1.mail.hoster.test")]))),
                (
                    20,
                    "https://autoconfig.hoster.test/mail/config-v1.1.xml?emailaddress=info%40musterpraxis.test",
                    Fetch(Ok(("https://autoconfig.hoster.test/mail/config-v1.1.xml", xml("smtp.hoster.test")))),
                ),
            ],
            "mx Unconfirmed hoster.test smtp.hoster.test:465",
            20,
        ),
        (
            "SRV, implicit TLS first",
            vec![
                (5, AC, Fetch(Err("no such host"))),
                (5, WK, Fetch(Err("no such host"))),
                (5, "MX musterpraxis.test", nx()),
                (9, "_submission._tcp.musterpraxis.test", Srv(Ok(vec![(587, "smtp.srv-hoster.test.")]))),
                (9, "_submissions._tcp.musterpraxis.test", Srv(Ok(vec![(465, "smtp.srv-hoster.test.")]))),
            ],
            "srv Unconfirmed srv-hoster.test smtp.srv-hoster.test:465",
            9,
        ),
        (
            "hostile XML is one failed try and hides nothing",
            vec![
                (5, AC, Fetch(Ok((AC, "<!DOCTYPE x [<!ENTITY a 'b'>]><clientConfig>&a;</clientConfig>".into())))),
                (5, WK, Fetch(Ok((WK, "x".repeat(70_000))))),
                (5, "MX musterpraxis.test", Mx(Err(DnsError::NoAnswer))),
                (9, "_submission._tcp.musterpraxis.test", Srv(Err(DnsError::NotFound))),
                (9, "_submissions._tcp.musterpraxis.test", Srv(Ok(vec![(465, "smtp.srv-hoster.test.")]))),
            ],
            "srv Unconfirmed srv-hoster.test smtp.srv-hoster.test:465",
            9,
        ),
        (
            "a blackholed better guess does not hold a good one for its timeout",
            vec![
                (5, AC, Fetch(Err("no such host"))),
                (5, WK, Fetch(Err("no such host"))),
                (5, "MX musterpraxis.test", nx()),
                (5, "_submission._tcp.musterpraxis.test", Srv(Err(DnsError::NotFound))),
                (5, "_submissions._tcp.musterpraxis.test", Srv(Err(DnsError::NotFound))),
                (210, "smtp.musterpraxis.test:587", ProbeOk),
            ],
            // Started 10 ms late (the stagger), 200 ms probe: 20 ms of grace.
            "guess Unconfirmed musterpraxis.test smtp.musterpraxis.test:587",
            230,
        ),
        (
            "a better guess that answers within the grace wins",
            vec![
                (5, AC, Fetch(Err("no such host"))),
                (5, WK, Fetch(Err("no such host"))),
                (5, "MX musterpraxis.test", nx()),
                (5, "_submission._tcp.musterpraxis.test", Srv(Err(DnsError::NotFound))),
                (5, "_submissions._tcp.musterpraxis.test", Srv(Err(DnsError::NotFound))),
                (210, "smtp.musterpraxis.test:587", ProbeOk),
                (220, "smtp.musterpraxis.test:465", ProbeOk),
            ],
            "guess Unconfirmed musterpraxis.test smtp.musterpraxis.test:465",
            220,
        ),
        (
            "a certificate naming the hoster's server at the same address",
            vec![
                (5, AC, Fetch(Err("no such host"))),
                (5, WK, Fetch(Err("no such host"))),
                (5, "MX musterpraxis.test", nx()),
                (5, "_submission._tcp.musterpraxis.test", Srv(Err(DnsError::NotFound))),
                (5, "_submissions._tcp.musterpraxis.test", Srv(Err(DnsError::NotFound))),
                (20, "smtp.musterpraxis.test:465", ProbeFail(Category::DnsNotFound, None, vec![])),
                (20, "smtp.musterpraxis.test:587", ProbeFail(Category::DnsNotFound, None, vec![])),
                (
                    50,
                    "mail.musterpraxis.test:465",
                    ProbeFail(Category::CertNameMismatch, Some("127.0.0.5"), vec!["*.hoster.test", "smtp.hoster.test", "elsewhere.test"]),
                ),
                (60, "A smtp.hoster.test", Addrs(vec!["127.0.0.5"])),
                (61, "A elsewhere.test", Addrs(vec!["127.0.0.6"])),
                (90, "smtp.hoster.test:465", ProbeOk),
            ],
            "guess Unconfirmed hoster.test smtp.hoster.test:465",
            90,
        ),
        (
            "a slow higher source is waited for until its own timeout, no longer",
            vec![
                (5, WK, Fetch(Err("no such host"))),
                (5, "MX musterpraxis.test", nx()),
                (9, "_submission._tcp.musterpraxis.test", Srv(Err(DnsError::NotFound))),
                (9, "_submissions._tcp.musterpraxis.test", Srv(Ok(vec![(465, "smtp.srv-hoster.test.")]))),
            ],
            "srv Unconfirmed srv-hoster.test smtp.srv-hoster.test:465",
            8000,
        ),
        (
            "nothing anywhere",
            vec![
                (5, AC, Fetch(Err("no such host"))),
                (5, WK, Fetch(Err("no such host"))),
                (5, "MX musterpraxis.test", nx()),
                (5, "_submission._tcp.musterpraxis.test", Srv(Err(DnsError::NotFound))),
                (5, "_submissions._tcp.musterpraxis.test", Srv(Err(DnsError::NotFound))),
                (20, "smtp.musterpraxis.test:465", ProbeFail(Category::DnsNotFound, None, vec![])),
                (20, "smtp.musterpraxis.test:587", ProbeFail(Category::DnsNotFound, None, vec![])),
                (20, "mail.musterpraxis.test:465", ProbeFail(Category::ConnectionRefused, None, vec![])),
                (20, "mail.musterpraxis.test:587", ProbeFail(Category::StarttlsNotOffered, None, vec![])),
                (20, "musterpraxis.test:465", ProbeFail(Category::TlsOnPlaintextPort, None, vec![])),
                (20, "musterpraxis.test:587", ProbeFail(Category::ConnectionRefused, None, vec![])),
            ],
            // The last guess starts 50 ms in (the stagger).
            "nothing",
            50,
        ),
    ];
    for (name, script, want, by) in cases {
        let (found, ms, d) = play(ADDR, script);
        assert_eq!(summary(&found), want, "{name}: {:#?}", d.tried());
        assert_eq!(ms, by, "{name}: when");
    }
}

#[test]
fn every_try_is_listed_with_its_reason() {
    let (found, _, d) = play(
        ADDR,
        vec![
            (5, AC, Ans::Fetch(Ok((AC, "<html/>".into())))),
            (5, WK, Ans::Fetch(Err("connection refused"))),
            (5, "MX musterpraxis.test", Ans::Mx(Err(DnsError::Timeout))),
        ],
    );
    assert!(found.is_none());
    let tried: Vec<String> = d.tried().iter().map(|t| format!("{} {} {}", t.source.as_str(), t.ok, t.detail)).collect();
    for want in ["autoconfig false not an autoconfig file", "autoconfig false connection refused", "mx false no name server answered"] {
        assert!(tried.iter().any(|t| t.starts_with(want)), "{want}: {tried:#?}");
    }
}

#[test]
fn known_provider_notes_come_whatever_the_source() {
    let (found, _, _) = play(
        ADDR,
        vec![(5, AC, Ans::Fetch(Ok((AC, xml("securesmtp.t-online.de")))))],
    );
    let found = found.unwrap();
    assert!(found.notes.iter().any(|n| n.kind == NoteKind::EmailPassword), "{:?}", found.notes);
}

/// The issue's MX examples: each hoster's MX host gives its provider.
#[test]
fn mx_hosts_of_the_big_hosters() {
    for (mx, provider) in [
        ("mx00.ionos.de.", "IONOS"),
        ("mx01.kundenserver.de.", "IONOS"),
        ("smtpin.rzone.de.", "STRATO"),
        ("praxis-de.mail.protection.outlook.com.", "Microsoft 365"),
        ("aspmx.l.google.com.", "Gmail"),
    ] {
        let (found, _, d) = play(ADDR, vec![(8, "MX musterpraxis.test", Ans::Mx(Ok(vec![(10, mx)])))]);
        let found = found.unwrap_or_else(|| panic!("{mx}: {:#?}", d.tried()));
        assert_eq!((found.source, found.trust), (Source::Mx, Trust::Unconfirmed), "{mx}");
        assert!(found.provider.contains(provider), "{mx}: {}", found.provider);
    }
}
