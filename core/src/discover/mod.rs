//! "Einstellungen suchen" over the network (issue #14), as a sans-IO
//! machine: it asks its driver for HTTPS fetches, DNS lookups and probes of
//! candidate servers, takes the answers and the time as arguments, and
//! decides which answer wins.
//!
//! Sources, best first: the offline table by the address's domain
//! (answered in [`Discovery::new`]); autoconfig served by the domain over
//! HTTPS (`autoconfig.<domain>`, then `<domain>/.well-known`); the domain's
//! MX host (its provider in the offline table, or its own autoconfig); SRV
//! records (RFC 6186, implicit TLS first as RFC 8314 asks); guessing
//! (`smtp.`, `mail.` and the bare domain, on 465 and 587, each probed with
//! TLS and EHLO, never AUTH).
//!
//! Every source starts at once. An answer is taken in priority order: a
//! faster answer from a lower source never beats a higher one, which is
//! still waited for until it fails or its own timeout passes; once every
//! higher one has failed, the best answer is taken at once. Guessed
//! candidates are the exception that keeps guessing fast: a good candidate
//! waits for better-placed candidates still under way only a tenth of its
//! own probe's time, so one blackholed candidate cannot hold the result
//! for its whole timeout (Thunderbird waits out each one).

pub mod autoconfig;
mod candidates;

use std::collections::VecDeque;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::lang::Lang;
use crate::verdict::Category;
use crate::presets::{Note, NoteKind, Preset, ServerChoice};
use crate::profile::{Security, Server};

pub use autoconfig::{Autoconfig, OAuth2};
pub use candidates::{mx_candidates, registrable};

/// Where a result came from.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The offline table (ISPDB plus curated data).
    Offline,
    /// An autoconfig file over HTTPS.
    Autoconfig,
    /// The domain's MX host.
    Mx,
    /// SRV records.
    Srv,
    /// A probed guess.
    Guess,
}

impl Source {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Offline => "offline",
            Source::Autoconfig => "autoconfig",
            Source::Mx => "mx",
            Source::Srv => "srv",
            Source::Guess => "guess",
        }
    }
}

/// How far a result can be trusted.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trust {
    /// The offline table by the address's own domain, or served over HTTPS
    /// by the domain itself.
    Confirmed,
    /// Found through MX, SRV, guessing or a redirect: the user must see
    /// [`Found::domain`] and confirm.
    Unconfirmed,
}

/// The settings found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Found {
    /// Where from.
    pub source: Source,
    /// How far to trust it.
    pub trust: Trust,
    /// The domain the settings come from: what the user must see before
    /// taking an unconfirmed result (A-label form; the page marks look-alikes).
    pub domain: String,
    /// The provider's name, or the domain.
    pub provider: String,
    /// SMTP servers, best first.
    pub smtp: Vec<ServerChoice>,
    /// POP3 servers, best first.
    pub pop3: Vec<ServerChoice>,
    /// `password` and/or `oauth2`.
    pub auth: Vec<String>,
    /// What the user must know or do, whatever the source.
    pub notes: Vec<Note>,
    /// An OAuth 2.0 block from an autoconfig file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oauth2: Option<OAuth2>,
    /// The provider's documentation page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documentation: Option<String>,
}

/// One thing tried, for the list the user (and support) sees.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tried {
    /// The source it belongs to.
    pub source: Source,
    /// What was asked: a URL, a DNS name, `host:port`.
    pub target: String,
    /// Whether it gave a usable answer.
    pub ok: bool,
    /// Milliseconds from the start of the search.
    pub ms: u64,
    /// What came of it, in English (technical).
    pub detail: String,
}

/// A DNS answer that is no answer, typed: "does not exist" is never said
/// when no name server could be asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DnsError {
    /// NXDOMAIN.
    NotFound,
    /// The name exists, without records of the type asked for.
    NoAnswer,
    /// The server failed (SERVFAIL, REFUSED).
    ServerFailure,
    /// No server answered in time.
    Timeout,
    /// Anything else.
    Other(String),
}

impl std::fmt::Display for DnsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DnsError::NotFound => f.write_str("the name does not exist"),
            DnsError::NoAnswer => f.write_str("no such records"),
            DnsError::ServerFailure => f.write_str("the name server failed"),
            DnsError::Timeout => f.write_str("no name server answered"),
            DnsError::Other(e) => f.write_str(e),
        }
    }
}

/// An SRV record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SrvRecord {
    /// Lower is preferred.
    pub priority: u16,
    /// Among equal priorities, higher is preferred.
    pub weight: u16,
    /// The port.
    pub port: u16,
    /// The host (`.` means: no such service).
    pub target: String,
}

/// A fetched page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    /// The URL the body came from, after redirects (https only).
    pub final_url: String,
    /// The body, at most [`autoconfig::MAX_BYTES`] + 1 bytes.
    pub body: Vec<u8>,
}

/// What a probe of a candidate showed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeOutcome {
    /// `None` when TLS and EHLO went through; else the probe's verdict.
    pub failure: Option<Category>,
    /// The technical detail.
    pub detail: String,
    /// The address it connected to.
    pub peer: Option<IpAddr>,
    /// The DNS names of the certificate the server showed (on a name mismatch).
    pub cert_names: Vec<String>,
}

/// What the driver must do. Each request has an id to answer with.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Request {
    /// GET `url` over HTTPS (redirects only to https, at most 3; the body
    /// capped); answer with [`Discovery::handle_fetch`].
    Fetch {
        /// To answer with.
        id: usize,
        /// The URL.
        url: String,
    },
    /// The MX records of `domain`; answer with [`Discovery::handle_mx`].
    Mx {
        /// To answer with.
        id: usize,
        /// The domain.
        domain: String,
    },
    /// The SRV records of `name`; answer with [`Discovery::handle_srv`].
    Srv {
        /// To answer with.
        id: usize,
        /// The name (`_submissions._tcp.<domain>`).
        name: String,
    },
    /// The addresses of `host`; answer with [`Discovery::handle_addresses`].
    Addresses {
        /// To answer with.
        id: usize,
        /// The host.
        host: String,
    },
    /// Probe the server with [`crate::run::TestRun::probe`]; answer with
    /// [`Discovery::handle_probe`].
    Probe {
        /// To answer with.
        id: usize,
        /// The candidate.
        server: Server,
    },
}

/// Limits of a search.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The whole search.
    pub budget: Duration,
    /// One DNS question.
    pub dns: Duration,
    /// One HTTPS fetch.
    pub fetch: Duration,
    /// One probe.
    pub probe: Duration,
    /// Between the starts of two guessed candidates.
    pub stagger: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            budget: Duration::from_secs(20),
            dns: Duration::from_secs(5),
            fetch: Duration::from_secs(8),
            probe: Duration::from_secs(8),
            stagger: Duration::from_millis(10),
        }
    }
}

/// Why a search cannot start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadAddress(pub String);

impl std::fmt::Display for BadAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadAddress {}

/// A place in the priority order and what came of it.
#[derive(Debug)]
struct Slot {
    source: Source,
    state: State,
    /// When it gives up.
    deadline: Instant,
    /// When it started (guesses: their probe's start).
    started: Instant,
    /// When it found its answer.
    ended: Option<Instant>,
    /// Its requests still under way, where it has several (MX autoconfig
    /// candidates, a certificate's other names).
    outstanding: usize,
}

#[derive(Debug)]
enum State {
    /// Not started yet (a staggered guess).
    Waiting,
    Pending,
    Failed,
    Found(Box<Found>),
}

/// What a request was for.
#[derive(Debug, Clone)]
enum Purpose {
    /// An autoconfig file for the slot; `host` is the host asked (for trust).
    Autoconfig { slot: usize, url: String, host: String, source: Source },
    Mx,
    Srv { implicit_tls: bool },
    /// A guess's probe; `via` is the name first probed when this is the
    /// certificate's other name.
    Probe { slot: usize, server: Server, via: Option<String> },
    /// The address of a certificate's other name, to compare with `peer`.
    AltAddress { slot: usize, server: Server, original: String, peer: IpAddr },
}

/// A search.
#[derive(Debug)]
pub struct Discovery {
    address: String,
    domain: String,
    lang: Lang,
    limits: Limits,
    start: Instant,
    deadline: Instant,
    slots: Vec<Slot>,
    requests: VecDeque<Request>,
    purposes: Vec<Option<Purpose>>,
    tried: Vec<Tried>,
    /// `tried` entries not yet handed out by [`Discovery::poll_tried`].
    reported: usize,
    /// SRV answers: implicit TLS, STARTTLS (`None` while under way).
    srv: [Option<Vec<ServerChoice>>; 2],
    outcome: Option<Option<Found>>,
    /// Whether any name server answered (anything, NXDOMAIN included), and
    /// whether a question went unanswered.
    dns_answered: bool,
    dns_silent: bool,
    mx_answered: bool,
}

const AUTOCONFIG: usize = 0;
const WELL_KNOWN: usize = 1;
const MX: usize = 2;
const SRV: usize = 3;
const FIRST_GUESS: usize = 4;

/// Guessed candidates, in order.
const GUESSES: [(&str, u16, Security); 6] = [
    ("smtp.", 465, Security::Tls),
    ("smtp.", 587, Security::Starttls),
    ("mail.", 465, Security::Tls),
    ("mail.", 587, Security::Starttls),
    ("", 465, Security::Tls),
    ("", 587, Security::Starttls),
];

/// At most this many names of a certificate are looked at.
const MAX_ALT_NAMES: usize = 4;

impl Discovery {
    /// Starts a search for `address`. The offline table answers at once:
    /// then [`Discovery::outcome`] is ready and nothing is requested.
    pub fn new(address: &str, lang: Lang, limits: Limits, now: Instant) -> Result<Self, BadAddress> {
        let address = address.trim();
        let Some((local, _)) = crate::domain::split_address(address) else {
            return Err(BadAddress(format!("{address:?} is no e-mail address (no @)")));
        };
        if local.is_empty() {
            return Err(BadAddress(format!("{address:?} has nothing before the @")));
        }
        let domain = crate::domain::of(address)
            .filter(|d| autoconfig::usable_host(d).is_some() && d.contains('.'))
            .ok_or_else(|| BadAddress(format!("{address:?} has no usable domain")))?;
        let mut d = Discovery {
            address: address.to_string(),
            domain: domain.clone(),
            lang,
            limits,
            start: now,
            deadline: now + limits.budget,
            slots: Vec::new(),
            requests: VecDeque::new(),
            purposes: Vec::new(),
            tried: Vec::new(),
            reported: 0,
            srv: [None, None],
            outcome: None,
            dns_answered: false,
            dns_silent: false,
            mx_answered: false,
        };
        if let Some(p) = crate::presets::lookup(address, lang) {
            d.note(Source::Offline, &domain, true, format!("{} (offline table)", p.provider), now);
            d.outcome = Some(Some(d.found_in_preset(p, Source::Offline, Trust::Confirmed, domain)));
            return Ok(d);
        }
        d.note(Source::Offline, &domain, false, "not in the offline table".into(), now);
        let slot = |source, deadline| Slot { source, state: State::Pending, deadline, started: now, ended: None, outstanding: 0 };
        let fetch_deadline = now + limits.fetch;
        d.slots.push(slot(Source::Autoconfig, fetch_deadline));
        d.slots.push(slot(Source::Autoconfig, fetch_deadline));
        // MX may need a lookup and then a fetch.
        d.slots.push(slot(Source::Mx, now + limits.dns + limits.fetch));
        d.slots.push(slot(Source::Srv, now + limits.dns));
        for (i, _) in GUESSES.iter().enumerate() {
            let start = now + limits.stagger * i as u32;
            d.slots.push(Slot {
                source: Source::Guess,
                state: State::Waiting,
                deadline: start + limits.probe,
                started: start,
                ended: None,
                outstanding: 0,
            });
        }
        let host = format!("autoconfig.{domain}");
        let url = format!("https://{host}/mail/config-v1.1.xml?emailaddress={}", crate::ascii::percent_encode(address));
        d.fetch(AUTOCONFIG, url, host, Source::Autoconfig);
        let url = format!("https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml");
        d.fetch(WELL_KNOWN, url, domain.clone(), Source::Autoconfig);
        d.push(Purpose::Mx, |id| Request::Mx { id, domain: domain.clone() });
        for implicit_tls in [true, false] {
            let name = format!("_{}._tcp.{domain}", if implicit_tls { "submissions" } else { "submission" });
            d.push(Purpose::Srv { implicit_tls }, |id| Request::Srv { id, name });
        }
        d.start_due_guesses(now);
        Ok(d)
    }

    /// The next request for the driver.
    pub fn poll_request(&mut self) -> Option<Request> {
        self.requests.pop_front()
    }

    /// The next thing tried, as it ends (for a live list).
    pub fn poll_tried(&mut self) -> Option<Tried> {
        let t = self.tried.get(self.reported).cloned();
        if t.is_some() {
            self.reported += 1;
        }
        t
    }

    /// When [`Discovery::handle_timeout`] must be called at the latest.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.outcome.is_some() {
            return None;
        }
        let mut next = self.deadline;
        for s in &self.slots {
            match s.state {
                State::Waiting => next = next.min(s.started),
                State::Pending => next = next.min(s.deadline),
                _ => {}
            }
        }
        if let Some(at) = self.grace_end() {
            next = next.min(at);
        }
        Some(next)
    }

    /// The search is over: `Some(found)` or `None` (nothing found).
    pub fn outcome(&self) -> Option<Option<&Found>> {
        self.outcome.as_ref().map(Option::as_ref)
    }

    /// Everything tried so far.
    pub fn tried(&self) -> &[Tried] {
        &self.tried
    }

    /// Whether no name server answered any question: then "nothing found"
    /// would mislead (a practice without internet access must not be told
    /// that its domain has no settings).
    pub fn no_name_server(&self) -> bool {
        self.dns_silent && !self.dns_answered
    }

    fn heard_dns<T>(&mut self, result: &Result<T, DnsError>) {
        match result {
            Err(DnsError::Timeout) => self.dns_silent = true,
            _ => self.dns_answered = true,
        }
    }

    /// Whether the search is over.
    pub fn is_done(&self) -> bool {
        self.outcome.is_some()
    }

    /// Time passed: start staggered guesses, give up on late sources.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.outcome.is_some() {
            return;
        }
        self.start_due_guesses(now);
        let overall = now >= self.deadline;
        for i in 0..self.slots.len() {
            let s = &self.slots[i];
            if matches!(s.state, State::Pending | State::Waiting) && (overall || now >= s.deadline) {
                // A DNS question of its own still unanswered: say so.
                let silent = (i == MX && !self.mx_answered) || (i == SRV && self.srv.iter().any(Option::is_none));
                self.dns_silent |= silent;
                let target = self.slot_target(i);
                self.slots[i].state = State::Failed;
                let detail = if silent { "no name server answered in time" } else { "timed out" };
                self.note(self.slots[i].source, &target, false, detail.into(), now);
            }
        }
        self.decide(now);
    }

    /// An HTTPS fetch ended.
    pub fn handle_fetch(&mut self, id: usize, now: Instant, result: Result<Fetched, String>) {
        let Some(Purpose::Autoconfig { slot, url, host, source }) = self.take(id) else { return };
        if !self.is_pending(slot) {
            return;
        }
        match result.map_err(|e| e.to_string()).and_then(|f| {
            let ac = autoconfig::parse(&f.body, &self.address).map_err(|e| e.to_string())?;
            Ok((ac, f.final_url))
        }) {
            Ok((ac, final_url)) => {
                let final_host = url_host(&final_url).unwrap_or_default();
                let redirected = final_host != host;
                let detail = if redirected {
                    format!("{} (redirected to {final_url})", ac.name)
                } else {
                    ac.name.clone()
                };
                self.note(source, &url, true, detail, now);
                let confirmed = source == Source::Autoconfig && !redirected;
                let (trust, domain) = if confirmed {
                    (Trust::Confirmed, self.domain.clone())
                } else if source == Source::Mx && !redirected {
                    (Trust::Unconfirmed, host.strip_prefix("autoconfig.").unwrap_or(&host).to_string())
                } else {
                    (Trust::Unconfirmed, registrable(&final_host).unwrap_or(final_host))
                };
                let found = self.found_in_autoconfig(ac, source, trust, domain);
                self.found(slot, found, now);
            }
            Err(e) => {
                self.note(source, &url, false, e, now);
                self.sub_failed(slot, now);
            }
        }
        self.decide(now);
    }

    /// The MX lookup ended.
    pub fn handle_mx(&mut self, id: usize, now: Instant, result: Result<Vec<(u16, String)>, DnsError>) {
        let Some(Purpose::Mx) = self.take(id) else { return };
        self.heard_dns(&result);
        self.mx_answered = true;
        if !self.is_pending(MX) {
            return;
        }
        let target = format!("MX {}", self.domain);
        let best = match result {
            Ok(mut records) => {
                records.sort_by_key(|(pref, _)| *pref);
                records
                    .into_iter()
                    .map(|(_, h)| h.trim_end_matches('.').to_ascii_lowercase())
                    .find(|h| autoconfig::usable_host(h).is_some())
            }
            Err(e) => {
                self.note(Source::Mx, &target, false, e.to_string(), now);
                return self.fail_slot(MX, now);
            }
        };
        let Some(mx) = best else {
            self.note(Source::Mx, &target, false, "no usable MX host".into(), now);
            return self.fail_slot(MX, now);
        };
        self.note(Source::Mx, &target, true, mx.clone(), now);
        if let Some(p) = crate::presets::provider_for_mx(&[mx.as_str()], self.lang) {
            let domain = p.domain.clone();
            self.note(Source::Mx, &mx, true, format!("{} (offline table)", p.provider), now);
            let found = self.found_in_preset(p, Source::Mx, Trust::Unconfirmed, domain);
            self.found(MX, found, now);
            return self.decide(now);
        }
        let candidates = mx_candidates(&mx);
        for c in &candidates {
            if let Some(p) = crate::presets::lookup(c, self.lang) {
                self.note(Source::Mx, c, true, format!("{} (offline table)", p.provider), now);
                let found = self.found_in_preset(p, Source::Mx, Trust::Unconfirmed, c.clone());
                self.found(MX, found, now);
                return self.decide(now);
            }
        }
        let candidates: Vec<String> = candidates.into_iter().filter(|c| *c != self.domain).collect();
        if candidates.is_empty() {
            self.note(Source::Mx, &mx, false, "the MX host is in the address's own domain".into(), now);
            return self.fail_slot(MX, now);
        }
        for c in candidates {
            let host = format!("autoconfig.{c}");
            let url = format!("https://{host}/mail/config-v1.1.xml?emailaddress={}", crate::ascii::percent_encode(&self.address));
            self.fetch(MX, url, host, Source::Mx);
        }
    }

    /// An SRV lookup ended.
    pub fn handle_srv(&mut self, id: usize, now: Instant, result: Result<Vec<SrvRecord>, DnsError>) {
        let Some(Purpose::Srv { implicit_tls }) = self.take(id) else { return };
        self.heard_dns(&result);
        if !self.is_pending(SRV) {
            return;
        }
        let name = format!("_{}._tcp.{}", if implicit_tls { "submissions" } else { "submission" }, self.domain);
        let security = if implicit_tls { Security::Tls } else { Security::Starttls };
        let choices = match result {
            Ok(mut records) => {
                records.sort_by(|a, b| a.priority.cmp(&b.priority).then(b.weight.cmp(&a.weight)));
                let mut out = Vec::new();
                for r in records {
                    let target = r.target.trim_end_matches('.');
                    if target.is_empty() {
                        continue; // "." : no such service here
                    }
                    match autoconfig::usable_host(target).filter(|_| r.port > 0) {
                        Some(host) => out.push(ServerChoice { host, port: r.port, security, username: self.address.clone() }),
                        None => self.note(Source::Srv, &name, false, format!("unusable target {}", crate::sanitize::visible(target)), now),
                    }
                }
                let detail = out.iter().map(|c| format!("{}:{}", c.host, c.port)).collect::<Vec<_>>().join(", ");
                let ok = !out.is_empty();
                self.note(Source::Srv, &name, ok, if ok { detail } else { "no service".into() }, now);
                out
            }
            Err(e) => {
                self.note(Source::Srv, &name, false, e.to_string(), now);
                Vec::new()
            }
        };
        self.srv[usize::from(!implicit_tls)] = Some(choices);
        if let [Some(tls), Some(starttls)] = &self.srv {
            let smtp: Vec<ServerChoice> = tls.iter().chain(starttls).cloned().collect();
            if smtp.is_empty() {
                return self.fail_slot(SRV, now);
            }
            let domain = registrable(&smtp[0].host).unwrap_or_else(|| smtp[0].host.clone());
            let found = self.found_at_servers(Source::Srv, domain, smtp);
            self.found(SRV, found, now);
        }
        self.decide(now);
    }

    /// A probe ended.
    pub fn handle_probe(&mut self, id: usize, now: Instant, outcome: ProbeOutcome) {
        let Some(Purpose::Probe { slot, server, via }) = self.take(id) else { return };
        if !self.is_pending(slot) {
            return;
        }
        let target = format!("{}:{}", server.host, server.port);
        match outcome.failure {
            None => {
                let detail = match &via {
                    Some(first) => format!("TLS and EHLO; the certificate of {first} names this host"),
                    None => "TLS and EHLO".into(),
                };
                self.note(Source::Guess, &target, true, detail, now);
                let domain = if via.is_some() {
                    registrable(&server.host).unwrap_or_else(|| server.host.clone())
                } else {
                    self.domain.clone()
                };
                let choice = ServerChoice { host: server.host, port: server.port as u16, security: server.security, username: self.address.clone() };
                let found = self.found_at_servers(Source::Guess, domain, vec![choice]);
                self.found(slot, found, now);
            }
            Some(kind) => {
                self.note(Source::Guess, &target, false, format!("{}: {}", kind.as_str(), outcome.detail), now);
                let alternatives: Vec<String> = if kind == Category::CertNameMismatch && via.is_none() {
                    let mut names: Vec<String> = outcome
                        .cert_names
                        .iter()
                        .filter(|n| !n.starts_with("*."))
                        .filter_map(|n| autoconfig::usable_host(n))
                        .filter(|n| *n != server.host)
                        .collect();
                    names.dedup();
                    names.truncate(MAX_ALT_NAMES);
                    names
                } else {
                    Vec::new()
                };
                match (outcome.peer, alternatives.is_empty()) {
                    (Some(peer), false) => {
                        // This request ends; one per name begins.
                        self.slots[slot].outstanding -= 1;
                        for alt in alternatives {
                            self.slots[slot].outstanding += 1;
                            let s = Server { host: alt.clone(), ..server.clone() };
                            let original = server.host.clone();
                            self.push(Purpose::AltAddress { slot, server: s, original, peer }, |id| Request::Addresses { id, host: alt });
                        }
                    }
                    _ => self.sub_failed(slot, now),
                }
            }
        }
        self.decide(now);
    }

    /// The addresses of a certificate's other name.
    pub fn handle_addresses(&mut self, id: usize, now: Instant, result: Result<Vec<IpAddr>, DnsError>) {
        let Some(Purpose::AltAddress { slot, server, original, peer }) = self.take(id) else { return };
        self.heard_dns(&result);
        if !self.is_pending(slot) {
            return;
        }
        match result {
            Ok(addrs) if addrs.contains(&peer) => {
                // The same request count: the look-up becomes a probe.
                self.push(Purpose::Probe { slot, server: server.clone(), via: Some(original) }, |id| Request::Probe { id, server });
            }
            Ok(_) => {
                self.note(Source::Guess, &server.host, false, format!("named by the certificate of {original}, but not at {peer}"), now);
                self.sub_failed(slot, now);
            }
            Err(e) => {
                self.note(Source::Guess, &server.host, false, e.to_string(), now);
                self.sub_failed(slot, now);
            }
        }
        self.decide(now);
    }

    /// One of a slot's requests failed; the slot fails with its last.
    fn sub_failed(&mut self, slot: usize, now: Instant) {
        let s = &mut self.slots[slot];
        s.outstanding = s.outstanding.saturating_sub(1);
        if s.outstanding == 0 {
            self.fail_slot(slot, now);
        }
    }

    fn found(&mut self, slot: usize, found: Found, now: Instant) {
        let s = &mut self.slots[slot];
        s.state = State::Found(Box::new(found));
        s.ended = Some(now);
    }

    fn fail_slot(&mut self, slot: usize, now: Instant) {
        if self.is_pending(slot) {
            self.slots[slot].state = State::Failed;
        }
        self.decide(now);
    }

    fn is_pending(&self, slot: usize) -> bool {
        self.outcome.is_none() && matches!(self.slots.get(slot).map(|s| &s.state), Some(State::Pending))
    }

    /// When the best-placed good guess stops waiting for better-placed
    /// guesses still under way: a tenth of its own probe's time (at most
    /// 2 s) after it ended, once every source above the guesses has ended.
    fn grace_end(&self) -> Option<Instant> {
        if self.slots.iter().any(|s| s.source != Source::Guess && matches!(s.state, State::Pending)) {
            return None;
        }
        let s = self.slots.iter().find(|s| s.source == Source::Guess && matches!(s.state, State::Found(_)))?;
        let ended = s.ended?;
        let took = ended.saturating_duration_since(s.started);
        Some(ended + (took / 10).min(Duration::from_secs(2)))
    }

    /// Takes the best answer when every better-placed one has ended (or,
    /// among guesses, after the grace).
    fn decide(&mut self, now: Instant) {
        if self.outcome.is_some() {
            return;
        }
        let grace_over = self.grace_end().is_some_and(|at| now >= at);
        for (i, s) in self.slots.iter().enumerate() {
            match &s.state {
                State::Failed => {}
                State::Found(found) => {
                    let mut found = (**found).clone();
                    if s.source == Source::Guess {
                        // Other good candidates found by now follow as alternatives.
                        for other in &self.slots[i + 1..] {
                            if let State::Found(f) = &other.state {
                                found.smtp.extend(f.smtp.iter().filter(|c| !found.smtp.contains(c)).cloned().collect::<Vec<_>>());
                            }
                        }
                    }
                    self.outcome = Some(Some(found));
                    return;
                }
                // Passed over: a good guess below has waited long enough.
                State::Pending | State::Waiting if s.source == Source::Guess && grace_over => {}
                State::Pending | State::Waiting => return,
            }
        }
        self.outcome = Some(None);
    }

    fn start_due_guesses(&mut self, now: Instant) {
        for (i, (prefix, port, security)) in GUESSES.iter().enumerate() {
            let slot = FIRST_GUESS + i;
            if matches!(self.slots[slot].state, State::Waiting) && now >= self.slots[slot].started {
                self.slots[slot].state = State::Pending;
                self.slots[slot].started = now;
                self.slots[slot].deadline = now + self.limits.probe;
                self.slots[slot].outstanding = 1;
                let server = Server {
                    host: format!("{prefix}{}", self.domain),
                    port: u32::from(*port),
                    security: *security,
                    username: String::new(),
                };
                self.push(Purpose::Probe { slot, server: server.clone(), via: None }, |id| Request::Probe { id, server });
            }
        }
    }

    fn slot_target(&self, slot: usize) -> String {
        match slot {
            AUTOCONFIG => format!("autoconfig.{}", self.domain),
            WELL_KNOWN => format!("{}/.well-known/autoconfig", self.domain),
            MX => format!("MX {}", self.domain),
            SRV => format!("SRV {}", self.domain),
            _ => {
                let (prefix, port, _) = GUESSES[slot - FIRST_GUESS];
                format!("{prefix}{}:{port}", self.domain)
            }
        }
    }

    fn push(&mut self, purpose: Purpose, request: impl FnOnce(usize) -> Request) {
        let id = self.purposes.len();
        self.purposes.push(Some(purpose));
        self.requests.push_back(request(id));
    }

    fn fetch(&mut self, slot: usize, url: String, host: String, source: Source) {
        self.slots[slot].outstanding += 1;
        self.push(Purpose::Autoconfig { slot, url: url.clone(), host, source }, |id| Request::Fetch { id, url });
    }

    fn take(&mut self, id: usize) -> Option<Purpose> {
        self.purposes.get_mut(id).and_then(Option::take)
    }

    fn note(&mut self, source: Source, target: &str, ok: bool, detail: String, now: Instant) {
        let ms = u64::try_from(now.saturating_duration_since(self.start).as_millis()).unwrap_or(u64::MAX);
        self.tried.push(Tried { source, target: target.to_string(), ok, ms, detail });
    }

    fn found_in_preset(&self, p: Preset, source: Source, trust: Trust, domain: String) -> Found {
        let address = &self.address;
        let resolve = |list: Vec<ServerChoice>| {
            list.into_iter()
                .filter(|s| s.security != Security::None)
                .map(|s| ServerChoice { username: autoconfig::resolve_placeholders(&s.username, address), ..s })
                .collect()
        };
        Found {
            source,
            trust,
            domain,
            provider: p.provider,
            smtp: resolve(p.smtp),
            pop3: resolve(p.pop3),
            auth: p.auth,
            notes: p.notes,
            oauth2: None,
            documentation: p.documentation,
        }
    }

    fn found_in_autoconfig(&self, ac: Autoconfig, source: Source, trust: Trust, domain: String) -> Found {
        let mut notes = Vec::new();
        if let Some(e) = &ac.enable {
            notes.push(Note {
                kind: NoteKind::EnableAccess,
                text: match self.lang {
                    Lang::De => e.de.clone(),
                    Lang::En => e.en.clone(),
                },
                url: Some(e.url.clone()).filter(|u| !u.is_empty()),
                source: "autoconfig".into(),
            });
        }
        let mut found = Found {
            source,
            trust,
            domain,
            provider: ac.name,
            smtp: ac.smtp,
            pop3: ac.pop3,
            auth: ac.auth,
            notes,
            oauth2: ac.oauth2,
            documentation: ac.documentation,
        };
        self.add_provider_notes(&mut found);
        found
    }

    fn found_at_servers(&self, source: Source, domain: String, smtp: Vec<ServerChoice>) -> Found {
        let mut found = Found {
            source,
            trust: Trust::Unconfirmed,
            provider: domain.clone(),
            domain,
            smtp,
            pop3: Vec::new(),
            auth: vec!["password".into()],
            notes: Vec::new(),
            oauth2: None,
            documentation: None,
        };
        self.add_provider_notes(&mut found);
        found
    }

    /// A known provider's notes (switch on access, app password, T-Online's
    /// e-mail password, OAuth 2.0 only), whatever source found its server.
    fn add_provider_notes(&self, found: &mut Found) {
        let Some(first) = found.smtp.first() else { return };
        if let Some(p) = crate::presets::provider_for_smtp_host(&first.host, self.lang) {
            for n in p.notes {
                if !found.notes.iter().any(|m| m.kind == n.kind) {
                    found.notes.push(n);
                }
            }
            if found.provider == found.domain {
                found.provider = p.provider;
            }
        }
    }
}

impl Source {
    /// Where the settings came from, for a person.
    pub fn describe(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Source::Offline, Lang::De) => "bekannte Anbieterdaten",
            (Source::Offline, Lang::En) => "known provider data",
            (Source::Autoconfig, Lang::De) => "die Konfigurationsdatei des Anbieters",
            (Source::Autoconfig, Lang::En) => "the provider's configuration file",
            (Source::Mx, Lang::De) => "den Posteingangsserver (MX) der Domain",
            (Source::Mx, Lang::En) => "the domain's mail exchanger (MX)",
            (Source::Srv, Lang::De) => "die DNS-Einträge (SRV) der Domain",
            (Source::Srv, Lang::En) => "the domain's DNS records (SRV)",
            (Source::Guess, Lang::De) => "das Ausprobieren üblicher Servernamen",
            (Source::Guess, Lang::En) => "trying the usual server names",
        }
    }
}

/// The answer to "Einstellungen suchen" in one sentence or two: what was
/// found and where from, what the user must confirm, or that nothing was
/// found for `domain` and what to do next (`no_name_server`: that the
/// search could not look, see [`Discovery::no_name_server`]).
pub fn headline(found: Option<&Found>, domain: &str, no_name_server: bool, lang: Lang) -> String {
    match (found, lang) {
        (None, Lang::De) if no_name_server => format!(
            "Für {domain} konnte nicht gesucht werden: Kein Namensserver hat geantwortet. Bitte prüfen Sie die Internetverbindung und versuchen Sie es erneut."
        ),
        (None, Lang::En) if no_name_server => format!(
            "Could not search for {domain}: no name server answered. Please check the internet connection and try again."
        ),
        (None, Lang::De) => format!(
            "Für {domain} wurden keine Einstellungen gefunden. Fragen Sie Ihren E-Mail-Anbieter nach Postausgangsserver und Port, oder wählen Sie ihn aus der Liste gängiger Postausgangsserver."
        ),
        (None, Lang::En) => format!(
            "No settings were found for {domain}. Ask your e-mail provider for the outgoing server and port, or choose it from the list of common outgoing servers."
        ),
        (Some(f), Lang::De) if f.trust == Trust::Confirmed => {
            format!("Einstellungen für {domain} gefunden: {} (über {}).", f.provider, f.source.describe(lang))
        }
        (Some(f), Lang::En) if f.trust == Trust::Confirmed => {
            format!("Settings for {domain} found: {} (through {}).", f.provider, f.source.describe(lang))
        }
        (Some(f), Lang::De) => format!(
            "Einstellungen gefunden über {}. Sie stammen von {}, nicht von {domain} selbst. Bitte bestätigen Sie, dass {} Ihr E-Mail-Anbieter ist.",
            f.source.describe(lang),
            f.domain,
            f.domain
        ),
        (Some(f), Lang::En) => format!(
            "Settings found through {}. They come from {}, not from {domain} itself. Please confirm that {} is your e-mail provider.",
            f.source.describe(lang),
            f.domain,
            f.domain
        ),
    }
}

/// A sentence for a verdict whose server does not exist (`dns_not_found`),
/// offering what a search for the address found; the user still decides.
pub fn offer(found: &Found, lang: Lang) -> String {
    let Some(s) = found.smtp.first() else { return String::new() };
    let security = match s.security {
        Security::Tls => "SSL/TLS",
        Security::Starttls => "STARTTLS",
        Security::None => "-",
    };
    let origin = match (found.trust, lang) {
        (Trust::Confirmed, Lang::De) => String::new(),
        (Trust::Confirmed, Lang::En) => String::new(),
        (Trust::Unconfirmed, Lang::De) => format!(" Sie stammen von {}: Prüfen Sie, ob das Ihr Anbieter ist.", found.domain),
        (Trust::Unconfirmed, Lang::En) => format!(" They come from {}: check that this is your provider.", found.domain),
    };
    match lang {
        Lang::De => format!(
            "Für Ihre Adresse wurden diese Einstellungen gefunden (über {}): Server {}, Port {}, {security}.{origin}",
            found.source.describe(lang),
            s.host,
            s.port
        ),
        Lang::En => format!(
            "These settings were found for your address (through {}): server {}, port {}, {security}.{origin}",
            found.source.describe(lang),
            s.host,
            s.port
        ),
    }
}

/// The host of an `https://` URL.
fn url_host(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host.split(':').next()?;
    Some(host.to_ascii_lowercase())
}
