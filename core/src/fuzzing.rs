//! Fuzz harnesses: each takes arbitrary bytes, drives one part of the core
//! with them, and panics when an invariant breaks. cargo-fuzz runs them on
//! nightly (`fuzz/`, `cargo xtask fuzz`); the unit tests below replay the
//! kept corpora (`fuzz/corpus/<target>/`) on every `cargo test`.
//!
//! Invariants held everywhere: no panic; every reply, line and transcript
//! bounded; no credential before TLS, none in any text kept, one AUTH at most.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::dialogue::{Action, Dialogue};
use crate::lang::Lang;
use crate::observe::{FailureKind, Transcript};
use crate::pop3::{Pop3Config, Pop3Dialogue};
use crate::profile::{Profile, Security};
use crate::reply::{MAX_LINE, MAX_LINES, ReplyParser};
use crate::run::{Action as RunAction, ConnectError, ResolveError, RunConfig, TestRun, TlsFailure};
use crate::secret::Password;
use crate::smtp::{SmtpConfig, SmtpDialogue};

/// The password every harness uses, and its base64 forms: none may appear
/// in what is kept, nor be sent before TLS.
const PASSWORD: &str = "Fuzz-Geheim 7";
const SECRETS: &[&str] = &[
    PASSWORD,
    "RnV6ei1HZWhlaW0gNw==",                     // base64(PASSWORD)
    "AGluZm9AcHJheGlzLmRlAEZ1enotR2VoZWltIDc=", // base64(\0info@praxis.de\0PASSWORD)
];

/// The access token of the OAuth 2.0 mode, and its forms a login sends.
const TOKEN: &str = "Fuzz-Token 8";

fn token_secrets() -> Vec<String> {
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let token = crate::secret::AccessToken::new(TOKEN.into());
    vec![
        TOKEN.to_string(),
        b64(TOKEN.as_bytes()),
        b64(&crate::secret::xoauth2_message("info@praxis.de", &token)),
        b64(&crate::secret::oauthbearer_message("info@praxis.de", "mail.praxis.de", 465, &token)),
    ]
}

/// Splits `data` into chunks whose lengths come from the data itself, so
/// that the fuzzer explores every split point.
fn chunks(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = data;
    std::iter::from_fn(move || {
        let (&n, tail) = rest.split_first()?;
        let n = usize::from(n % 64) + 1;
        let (chunk, after) = tail.split_at(n.min(tail.len()));
        rest = after;
        Some(chunk)
    })
}

/// `secrets`: the credentials given to the dialogue, in every form it
/// sends (a server cannot echo what it was never sent).
fn assert_clean(t: &Transcript, secrets: &[String]) {
    assert!(t.lines().len() <= Transcript::MAX + 1, "transcript unbounded");
    for l in t.lines() {
        assert!(!l.text.chars().any(char::is_control), "control character kept: {:?}", l.text);
        for s in secrets {
            assert!(!l.text.contains(s.as_str()), "secret in the transcript: {:?}", l.text);
        }
    }
}

fn password_secrets(given: bool) -> Vec<String> {
    if given { SECRETS.iter().map(|s| s.to_string()).collect() } else { Vec::new() }
}

/// Every placeholder of the finding's template was filled (a typed value
/// may itself contain braces).
fn assert_rendered(f: &crate::Finding, lang: Lang) {
    assert!(!f.message.is_empty(), "{f:?}");
    let template = f.code.template(lang);
    for key in template.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(k, _)| k)) {
        assert!(f.params.contains_key(key) || (key == "subject" && f.subject().is_some()), "{key} unfilled: {f:?}");
    }
}

/// The SMTP reply parser: bounded replies of sanitized lines.
pub fn reply(data: &[u8]) {
    let mut p = ReplyParser::default();
    for chunk in chunks(data) {
        p.push(chunk);
        while let Some(r) = p.next_reply() {
            // An error is final: the dialogues stop there (a line too long
            // stays in the buffer, and the same error would come again).
            let Ok(r) = r else { return };
            assert!(r.lines.len() <= MAX_LINES);
            assert!(r.lines.iter().all(|l| l.chars().count() <= MAX_LINE + 1));
            assert!(r.lines.iter().all(|l| !l.chars().any(char::is_control)));
            let _ = p.take_raw();
        }
    }
}

/// Plays server bytes against a dialogue; the driver's side (TLS comes up
/// when asked) is honest. Checks that no credential leaves before TLS and
/// that at most one login is tried.
fn dialogue<D: Dialogue>(
    mut d: D,
    implicit_tls: bool,
    secrets: &[String],
    data: &[u8],
    take: impl Fn(&mut D) -> Transcript,
) {
    let mut tls = implicit_tls;
    let mut logins = 0;
    let mut drain = |d: &mut D, tls: &mut bool| {
        while let Some(a) = d.poll_action() {
            match a {
                Action::Send(bytes) => {
                    let text = String::from_utf8_lossy(&bytes);
                    let carries_secret = SECRETS.iter().any(|s| text.contains(s))
                        || secrets.iter().any(|s| text.contains(s.as_str()))
                        || text.starts_with("AUTH ")
                        || text.starts_with("PASS ");
                    assert!(!carries_secret || *tls, "credential before TLS: {text:?}");
                    if text.starts_with("AUTH ") || text.starts_with("PASS ") {
                        logins += 1;
                        assert!(logins <= 1, "a second login attempt");
                    }
                }
                Action::StartTls => {
                    *tls = true;
                    d.handle_tls_established();
                }
                Action::Close => {}
            }
        }
    };
    drain(&mut d, &mut tls);
    for chunk in chunks(data) {
        d.handle_input(chunk);
        drain(&mut d, &mut tls);
    }
    d.handle_eof();
    drain(&mut d, &mut tls);
    assert!(d.is_done(), "not done after the server closed");
    assert_clean(&take(&mut d), secrets);
}

fn security(b: u8) -> Security {
    match b % 3 {
        0 => Security::Tls,
        1 => Security::Starttls,
        _ => Security::None,
    }
}

/// The SMTP dialogue against arbitrary server bytes at arbitrary split points.
pub fn smtp(data: &[u8]) {
    let Some((&mode, data)) = data.split_first() else { return };
    let sec = security(mode);
    // With a user name the dialogue logs in: with the password, or in the
    // OAuth 2.0 mode with the token (the password is then never sent).
    let oauth = mode & 64 != 0;
    let secrets = match (mode & 4 == 0, oauth) {
        (false, _) => Vec::new(),
        (true, false) => password_secrets(true),
        (true, true) => token_secrets(),
    };
    let config = SmtpConfig {
        security: sec,
        ehlo_name: "[127.0.0.1]".into(),
        username: (mode & 4 == 0).then(|| "info@praxis.de".into()),
        password: Password::new(PASSWORD.into()),
        sender: (mode & 8 == 0).then(|| "info@praxis.de".into()),
        auth_optional: mode & 16 != 0,
        message: (mode & 32 != 0).then(|| b"Subject: x\r\n\r\n.\r\n..x\n".to_vec()),
        oauth: oauth.then(|| crate::smtp::OauthLogin {
            token: crate::secret::AccessToken::new(TOKEN.into()),
            mechanism: None,
            host: "mail.praxis.de".into(),
            port: 465,
        }),
    };
    dialogue(SmtpDialogue::new(config), sec == Security::Tls, &secrets, data, |d| d.take_transcript());
}

/// The POP3 login against arbitrary server bytes at arbitrary split points.
pub fn pop3(data: &[u8]) {
    let Some((&mode, data)) = data.split_first() else { return };
    let sec = security(mode);
    let config =
        Pop3Config { security: sec, username: "info@praxis.de".into(), password: Password::new(PASSWORD.into()), oauth: None };
    dialogue(Pop3Dialogue::new(config), sec == Security::Tls, &password_secrets(true), data, |d| d.take_transcript());
}

/// The whole test run: the driver's answers (resolver, connections, TLS,
/// server bytes, timers) come from the data, in any order.
pub fn run(data: &[u8]) {
    let Some((&mode, mut data)) = data.split_first() else { return };
    let server = |host: &str, port: u32, sec: Security| crate::profile::Server {
        host: host.into(),
        port,
        security: sec,
        username: String::new(),
    };
    let profile = Profile {
        name: "P".into(),
        email: "info@praxis.de".into(),
        auth: crate::AuthKind::Password,
        smtp: server("smtp.praxis.de", [465, 587, 25][usize::from(mode % 3)], security(mode / 3)),
        pop_before_smtp: (mode & 64 != 0).then(|| server("pop.praxis.de", 995, security(mode / 9))),
        oauth_provider: String::new(),
    };
    let t0 = Instant::now();
    let mut now = t0;
    let config = RunConfig {
        access_token: None,
        oauth_mechanism: None,
        profile,
        password: Password::new(PASSWORD.into()),
        lang: if mode & 128 == 0 { Lang::De } else { Lang::En },
        message: None,
        timeout: Duration::from_secs(30),
        stage_timeout: Duration::from_secs(10),
    };
    let mut run = TestRun::new(config, now);
    // Whether the connection is encrypted, as an honest driver would have
    // it: only a handshake the run asked for changes it (a stray answer is
    // still fed in, and the run must ignore it).
    let mut tls = false;
    let mut asked_tls = false;
    let mut steps = 0;
    let addr: SocketAddr = "192.0.2.1:465".parse().expect("literal");
    loop {
        while let Some(a) = run.poll_action() {
            match a {
                RunAction::Send(bytes) => {
                    let text = String::from_utf8_lossy(&bytes);
                    let secret = SECRETS.iter().any(|s| text.contains(s)) || text.starts_with("PASS ");
                    assert!(!secret || tls, "credential before TLS: {text:?}");
                }
                RunAction::Close | RunAction::Connect(_) | RunAction::Resolve { .. } => tls = false,
                RunAction::StartTls { .. } => asked_tls = true,
                _ => {}
            }
        }
        while run.poll_event().is_some() {}
        if run.is_done() {
            break;
        }
        steps += 1;
        assert!(steps < 10_000, "the run does not end");
        let Some((&op, rest)) = data.split_first() else {
            // The data is used up: time passes until the run gives up.
            let t = run.poll_timeout().expect("a run that is not done has a deadline");
            assert!(t <= t0 + Duration::from_secs(60), "deadline beyond the whole run's");
            now = now.max(t);
            run.handle_timeout(now);
            continue;
        };
        data = rest;
        now += Duration::from_millis(u64::from(op));
        match op % 9 {
            0 => run.handle_resolved(now, Ok(vec![addr, "[2001:db8::1]:587".parse().expect("literal")])),
            1 => run.handle_resolved(
                now,
                Err([ResolveError::NotFound, ResolveError::NoNameServer, ResolveError::NoAddress]
                    [usize::from(op / 9 % 3)]
                .clone()),
            ),
            2 => run.handle_connected(now, if op & 16 == 0 { Ok(()) } else { Err(ConnectError::Refused) }),
            3 => {
                let ok = op & 16 == 0;
                if std::mem::take(&mut asked_tls) {
                    tls = ok;
                }
                let kind = [FailureKind::CertExpired, FailureKind::TlsOnPlaintextPort, FailureKind::TrustSetupFailed]
                    [usize::from(op / 32 % 3)]
                .clone();
                run.handle_tls(now, if ok { Ok(()) } else { Err(TlsFailure { kind, detail: "d".into() }) });
            }
            4 | 5 => {
                let n = usize::from(op / 9).min(data.len());
                let (bytes, after) = data.split_at(n);
                data = after;
                run.handle_input(now, bytes);
            }
            6 => run.handle_eof(now),
            7 => {
                if let Some(t) = run.poll_timeout() {
                    now = now.max(t);
                }
                run.handle_timeout(now);
            }
            _ => run.handle_probe(now, (op & 16 == 0).then_some(Ok(()))),
        }
    }
    let v = run.take_verdict().expect("done");
    assert_clean(&v.transcript, &password_secrets(true));
    let json = format!("{v:?}");
    assert!(!SECRETS.iter().any(|s| json.contains(s)), "secret in the verdict");
    assert!(!v.message.is_empty() && !v.message.contains('{') && !v.hint.contains('{'), "{v:?}");
}

/// Profile, settings and field validation from JSON, in both languages:
/// every message rendered, every fix names a field of the input.
pub fn validate_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for lang in [Lang::De, Lang::En] {
        if let Ok(p) = serde_json::from_str::<Profile>(text) {
            for f in crate::validate::validate_profile(&p, lang) {
                assert_rendered(&f, lang);
            }
        }
        if let Ok(doc) = serde_json::from_str::<crate::Settings>(text) {
            for f in crate::validate::validate_settings(&doc, lang) {
                assert_rendered(&f, lang);
            }
        }
        // (`auth` and the security fields are choices, not typed text: no findings.)
        for field in crate::Field::ALL {
            for f in crate::validate::validate_field(*field, text, lang) {
                assert_rendered(&f, lang);
                if let Some(fix) = &f.fix {
                    assert!(fix.set.iter().all(|(k, _)| crate::validate::PROFILE_FIELDS.contains(&k)), "{f:?}");
                }
            }
        }
    }
}

/// Preset lookup and typo suggestion on arbitrary text.
pub fn presets(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for lang in [Lang::De, Lang::En] {
        if let Some(p) = crate::presets::lookup(text, lang) {
            assert!(!p.smtp.is_empty() || !p.auth.is_empty(), "{p:?}");
        }
        let _ = crate::presets::provider_for_smtp_host(text, lang);
    }
    if let Some(s) = crate::suggest::suggest_domain(text) {
        assert!(!s.domain.is_empty() && s.address.ends_with(&s.domain), "{s:?}");
        // The part before the @ is kept as typed (the address as a whole
        // trimmed of spaces).
        if let Some((local, _)) = text.trim().rsplit_once('@') {
            assert!(s.address.starts_with(&format!("{local}@")), "{text:?}: {s:?}");
        }
    }
    let _ = crate::presets::default_username(text);
}

/// An autoconfig file from a hostile server: parsed or refused, never a
/// panic; what is taken is what a user could have typed, and never plaintext.
pub fn autoconfig(data: &[u8]) {
    let Ok(a) = crate::discover::autoconfig::parse(data, "info@musterpraxis.de") else { return };
    assert!(!a.smtp.is_empty());
    for s in a.smtp.iter().chain(&a.pop3) {
        assert!(s.security != crate::profile::Security::None, "{s:?}");
        assert!(s.port > 0, "{s:?}");
        assert_eq!(crate::discover::autoconfig::usable_host(&s.host).as_deref(), Some(s.host.as_str()), "{s:?}");
    }
    for url in a.documentation.iter().chain(a.enable.iter().map(|e| &e.url).filter(|u| !u.is_empty())) {
        assert!(url.starts_with("https://"), "{url}");
    }
    assert!(!a.name.chars().any(crate::sanitize::is_unsafe), "{:?}", a.name);
}

/// The search, answered by the bytes: each byte picks an open request and
/// an answer (a body made of the following bytes, DNS records, a probe's
/// outcome) or lets time pass. It must end within its budget, never panic,
/// and never take plaintext or confirm what the domain did not serve.
pub fn discover(data: &[u8]) {
    use crate::discover::{Discovery, DnsError, Fetched, Limits, ProbeOutcome, Request, Source, SrvRecord, Trust};
    let t0 = std::time::Instant::now();
    let Ok(mut d) = Discovery::new("info@musterpraxis.test", Lang::De, Limits::default(), t0) else { return };
    let mut open: Vec<Request> = Vec::new();
    let mut now = t0;
    let mut bytes = data.iter().copied();
    let names = ["mx00.kundenserver.de", "mx.hoster.test", "smtp.hoster.test", ".", "bad..name", "x\u{202e}.test"];
    for _ in 0..200 {
        while let Some(r) = d.poll_request() {
            open.push(r);
        }
        if d.is_done() {
            break;
        }
        let Some(b) = bytes.next() else {
            now = d.poll_timeout().expect("a search under way has a timer");
            d.handle_timeout(now);
            continue;
        };
        if b < 32 || open.is_empty() {
            now += std::time::Duration::from_millis(u64::from(b) * 40);
            d.handle_timeout(now);
            continue;
        }
        let r = open.remove(usize::from(b) % open.len());
        let pick = usize::from(bytes.next().unwrap_or(0));
        let err = [DnsError::NotFound, DnsError::NoAnswer, DnsError::Timeout, DnsError::ServerFailure][pick % 4].clone();
        match r {
            Request::Fetch { id, url } => {
                let len = usize::from(bytes.next().unwrap_or(0)) * 4;
                let body: Vec<u8> = bytes.by_ref().take(len).collect();
                let final_url = if pick % 3 == 0 { "https://elsewhere.test/x".to_string() } else { url };
                let result = if pick % 5 == 4 { Err("refused".into()) } else { Ok(Fetched { final_url, body }) };
                d.handle_fetch(id, now, result);
            }
            Request::Mx { id, .. } => {
                let result = if pick % 2 == 0 { Err(err) } else { Ok(vec![(10, names[pick % names.len()].to_string())]) };
                d.handle_mx(id, now, result);
            }
            Request::Srv { id, .. } => {
                let target = names[pick % names.len()].to_string();
                let result = if pick % 2 == 0 { Err(err) } else { Ok(vec![SrvRecord { priority: 0, weight: 0, port: pick as u16, target }]) };
                d.handle_srv(id, now, result);
            }
            Request::Addresses { id, .. } => {
                let result = if pick % 2 == 0 { Err(err) } else { Ok(vec!["127.0.0.5".parse().unwrap()]) };
                d.handle_addresses(id, now, result);
            }
            Request::Probe { id, .. } => {
                let failure = match pick % 3 {
                    0 => None,
                    1 => Some(crate::verdict::Category::CertNameMismatch),
                    _ => Some(crate::verdict::Category::Timeout),
                };
                let cert_names = names.iter().take(pick % 4).map(|n| n.to_string()).collect();
                let outcome = ProbeOutcome { failure, detail: String::new(), peer: "127.0.0.5".parse().ok(), cert_names };
                d.handle_probe(id, now, outcome);
            }
        }
    }
    // The bytes are spent (or the answers given): with nothing more to
    // answer, the timers alone must end the search within its budget.
    for _ in 0..64 {
        let Some(at) = d.poll_timeout() else { break };
        now = now.max(at);
        d.handle_timeout(now);
    }
    assert!(d.is_done(), "the search ends within its budget");
    assert!(now <= t0 + Limits::default().budget + std::time::Duration::from_secs(11));
    if let Some(Some(f)) = d.outcome() {
        assert!(!f.smtp.is_empty());
        assert!(f.smtp.iter().all(|s| s.security != crate::profile::Security::None), "{f:?}");
        if f.trust == Trust::Confirmed {
            assert!(matches!(f.source, Source::Offline | Source::Autoconfig), "{f:?}");
            assert_eq!(f.domain, "musterpraxis.test");
        }
    }
}

/// A harness: arbitrary bytes in, a panic when an invariant breaks.
pub type Harness = fn(&[u8]);

/// The harnesses by name, as the fuzz targets and the corpus replay name them.
pub const TARGETS: &[(&str, Harness)] = &[
    ("reply", reply),
    ("smtp", smtp),
    ("pop3", pop3),
    ("run", run),
    ("validate_json", validate_json),
    ("presets", presets),
    ("autoconfig", autoconfig),
    ("discover", discover),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kept input of every target (fuzz/corpus/<target>/) still passes.
    #[test]
    fn corpora_replay() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
        let mut total = 0;
        for (name, target) in TARGETS {
            let dir = root.join(name);
            let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            let mut n = 0;
            for entry in entries {
                let path = entry.unwrap().path();
                // A fuzzer at work in the same folder may have just removed it.
                let data = match std::fs::read(&path) {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    other => other.unwrap(),
                };
                let result = std::panic::catch_unwind(|| target(&data));
                assert!(result.is_ok(), "{name}: {} fails", path.display());
                n += 1;
            }
            assert!(n > 0, "{name}: an empty corpus replays nothing");
            total += n;
        }
        assert!(total >= TARGETS.len());
    }
}
