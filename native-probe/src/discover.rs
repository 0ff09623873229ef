//! Drives the core's [`Discovery`]: HTTPS fetches (reqwest on rustls with
//! ring, our verifier), DNS (hickory), and candidate probes (the core's
//! `TestRun::probe` through [`crate::probe::drive`]). Every decision is the
//! core's.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use mailsetup_core::Lang;
use mailsetup_core::discover::{Discovery, DnsError, Fetched, Found, Limits, ProbeOutcome, Request, Tried, autoconfig};
use mailsetup_core::run::TestRun;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::dns::Dns;
use crate::tls::{Client, TlsOptions};

/// How a search runs.
#[derive(Clone, Debug, Default)]
pub struct DiscoverOptions {
    /// The resolver to ask (else one with the system's configuration).
    pub dns: Option<Dns>,
    /// Certificate options (also for autoconfig over HTTPS).
    pub tls: TlsOptions,
    /// Time limits.
    pub limits: Limits,
    /// The language of notes.
    pub lang: Lang,
}

/// What a search ended with.
#[derive(Debug)]
pub struct Report {
    /// The settings, if any were found.
    pub found: Option<Found>,
    /// The address's domain.
    pub domain: String,
    /// Everything tried.
    pub tried: Vec<Tried>,
    /// No name server answered (see `Discovery::no_name_server`).
    pub no_name_server: bool,
}

impl Report {
    /// The answer in a sentence or two (see [`mailsetup_core::discover::headline`]).
    pub fn headline(&self, lang: Lang) -> String {
        mailsetup_core::discover::headline(self.found.as_ref(), &self.domain, self.no_name_server, lang)
    }

    /// The JSON contract of `mailprobe discover --json` and of the
    /// service's `/api/discover` result (README).
    pub fn to_json(&self, lang: Lang) -> serde_json::Value {
        serde_json::to_value(self.output(lang)).unwrap_or_default()
    }

    /// The report as the contract gives it (`discover --json`, `/api/discover`).
    pub fn output(&self, lang: Lang) -> DiscoverOutput<'_> {
        let message = self.headline(lang);
        match &self.found {
            Some(f) => DiscoverOutput {
                found: true,
                source: Some(f.source),
                trust: Some(f.trust),
                domain: &f.domain,
                provider: Some(&f.provider),
                smtp: &f.smtp,
                pop3: &f.pop3,
                auth: &f.auth,
                notes: &f.notes,
                oauth2: f.oauth2.as_ref(),
                documentation: f.documentation.as_deref(),
                message,
                no_name_server: None,
                tried: &self.tried,
            },
            None => DiscoverOutput {
                found: false,
                source: None,
                trust: None,
                domain: &self.domain,
                provider: None,
                smtp: &[],
                pop3: &[],
                auth: &[],
                notes: &[],
                oauth2: None,
                documentation: None,
                message,
                no_name_server: Some(self.no_name_server),
                tried: &self.tried,
            },
        }
    }
}

/// What a search found, or that it found nothing, and everything it tried.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct DiscoverOutput<'a> {
    /// Whether settings were found.
    pub found: bool,
    /// Where they came from.
    pub source: Option<mailsetup_core::discover::Source>,
    /// `confirmed` by the domain itself, or `unconfirmed`: the user must confirm `domain`.
    pub trust: Option<mailsetup_core::discover::Trust>,
    /// The domain the settings come from (the address's own when nothing was found).
    pub domain: &'a str,
    /// The provider's name.
    pub provider: Option<&'a str>,
    /// SMTP servers, best first.
    pub smtp: &'a [mailsetup_core::presets::ServerChoice],
    /// POP3 servers, best first.
    pub pop3: &'a [mailsetup_core::presets::ServerChoice],
    /// `password` and/or `oauth2`.
    pub auth: &'a [String],
    /// What the user must know or do.
    pub notes: &'a [mailsetup_core::presets::Note],
    /// An OAuth 2.0 block from an autoconfig file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oauth2: Option<&'a mailsetup_core::discover::OAuth2>,
    /// The provider's documentation page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documentation: Option<&'a str>,
    /// The answer in one sentence or two, for the user.
    pub message: String,
    /// When nothing was found: whether no name server answered at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_name_server: Option<bool>,
    /// Every source asked, with its outcome.
    pub tried: &'a [mailsetup_core::discover::Tried],
}

/// Why a search could not run.
#[derive(Debug)]
pub enum SetupError {
    /// The address is not one a search can start from.
    BadAddress(String),
    /// A local problem: our trust store or DNS configuration.
    Local(String),
}

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SetupError::BadAddress(e) | SetupError::Local(e) => f.write_str(e),
        }
    }
}

enum Answer {
    Fetch(usize, Result<Fetched, String>),
    Mx(usize, Result<Vec<(u16, String)>, DnsError>),
    Srv(usize, Result<Vec<mailsetup_core::discover::SrvRecord>, DnsError>),
    Addrs(usize, Result<Vec<std::net::IpAddr>, DnsError>),
    Probe(usize, ProbeOutcome),
}

/// Host names for HTTPS go through the same resolver as everything else.
struct ViaDns(Dns);

impl reqwest::dns::Resolve for ViaDns {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let dns = self.0.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let ips = dns.ips(&host).await.map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { e.to_string().into() })?;
            let addrs: reqwest::dns::Addrs = Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

fn http_client(tls: &Client, dns: &Dns, limits: &Limits) -> Result<reqwest::Client, String> {
    // Only https, and only to https: a redirect to http is refused, as is a fourth.
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        // `previous` holds the first URL too: three redirects followed, the fourth refused.
        if attempt.previous().len() > 3 {
            attempt.error("more than 3 redirects")
        } else if attempt.url().scheme() != "https" {
            attempt.error("a redirect away from https")
        } else {
            attempt.follow()
        }
    });
    crate::https::builder(tls)
        .redirect(policy)
        .dns_resolver(Arc::new(ViaDns(dns.clone())))
        .timeout(limits.fetch)
        .build()
        .map_err(|e| format!("HTTPS client: {e}"))
}

async fn fetch(http: reqwest::Client, url: String) -> Result<Fetched, String> {
    use crate::https::describe;
    let mut resp = http.get(&url).send().await.map_err(|e| describe(&e))?;
    if !resp.status().is_success() {
        return Err(format!("HTTP {}", resp.status().as_u16()));
    }
    let final_url = resp.url().to_string();
    // The core says "too large" of one byte over.
    let body = crate::https::body(&mut resp, autoconfig::MAX_BYTES).await.map_err(|e| describe(&e))?;
    Ok(Fetched { final_url, body })
}

async fn probe(server: mailsetup_core::Server, tls: TlsOptions, dns: Dns, limits: Limits, lang: Lang) -> ProbeOutcome {
    let run = TestRun::probe(server, lang, limits.probe, limits.probe, Instant::now().into_std());
    let driven = crate::probe::drive(run, &tls, Some(&dns), &mut |_: &mailsetup_core::run::Event| {}).await;
    let v = driven.verdict;
    ProbeOutcome {
        failure: (!v.ok).then_some(v.category),
        detail: v.detail.unwrap_or(v.message),
        peer: driven.peer.map(|a| a.ip()),
        cert_names: driven.cert_names,
    }
}

/// One fetch as the search makes it, with a client of its own (the
/// benchmark's floor for autoconfig).
pub async fn fetch_alone(url: &str, tls: &TlsOptions, dns: Dns) -> Result<Fetched, String> {
    let client = Client::new(tls)?;
    let http = http_client(&client, &dns, &Limits::default())?;
    fetch(http, url.to_string()).await
}

/// One candidate probed as the search probes it (the benchmark's floor for guessing).
pub async fn probe_alone(server: mailsetup_core::Server, tls: &TlsOptions, dns: Dns) -> ProbeOutcome {
    probe(server, tls.clone(), dns, Limits::default(), Lang::En).await
}

/// Searches settings for `address`; `on_tried` hears of each thing tried as it ends.
pub async fn discover(address: &str, opts: &DiscoverOptions, on_tried: &mut (dyn FnMut(&Tried) + Send)) -> Result<Report, SetupError> {
    let now = || Instant::now().into_std();
    let mut machine =
        Discovery::new(address, opts.lang, opts.limits, now()).map_err(|e| SetupError::BadAddress(e.to_string()))?;
    let domain = mailsetup_core::domain::of(address).unwrap_or_default();
    let mut set: JoinSet<Answer> = JoinSet::new();
    // Built only when the offline table did not answer.
    let mut tools: Option<(Dns, reqwest::Client)> = None;
    loop {
        while let Some(t) = machine.poll_tried() {
            on_tried(&t);
        }
        if machine.is_done() {
            break;
        }
        while let Some(request) = machine.poll_request() {
            if tools.is_none() {
                let dns = match &opts.dns {
                    Some(d) => d.clone(),
                    None => Dns::new(None, crate::dns::QUESTION_TIMEOUT).map_err(SetupError::Local)?,
                };
                let tls = Client::new(&opts.tls).map_err(|e| SetupError::Local(format!("our trust set-up failed: {e}")))?;
                let http = http_client(&tls, &dns, &opts.limits).map_err(SetupError::Local)?;
                tools = Some((dns, http));
            }
            let (dns, http) = tools.clone().expect("built above");
            let limits = opts.limits;
            match request {
                Request::Fetch { id, url } => {
                    set.spawn(async move { Answer::Fetch(id, fetch(http, url).await) });
                }
                Request::Mx { id, domain } => {
                    set.spawn(async move { Answer::Mx(id, dns.mx(&domain).await) });
                }
                Request::Srv { id, name } => {
                    set.spawn(async move { Answer::Srv(id, dns.srv(&name).await) });
                }
                Request::Addresses { id, host } => {
                    set.spawn(async move { Answer::Addrs(id, dns.ips(&host).await) });
                }
                Request::Probe { id, server } => {
                    let (tls, lang) = (opts.tls.clone(), opts.lang);
                    set.spawn(async move { Answer::Probe(id, probe(server, tls, dns, limits, lang).await) });
                }
                // A request this mailprobe does not know: the core is newer.
                _ => {}
            }
        }
        let deadline = machine.poll_timeout().map_or_else(|| Instant::now() + Duration::from_secs(1), Instant::from_std);
        tokio::select! {
            Some(joined) = set.join_next() => {
                let Ok(answer) = joined else { continue };
                match answer {
                    Answer::Fetch(id, r) => machine.handle_fetch(id, now(), r),
                    Answer::Mx(id, r) => machine.handle_mx(id, now(), r),
                    Answer::Srv(id, r) => machine.handle_srv(id, now(), r),
                    Answer::Addrs(id, r) => machine.handle_addresses(id, now(), r),
                    Answer::Probe(id, r) => machine.handle_probe(id, now(), r),
                }
            }
            () = tokio::time::sleep_until(deadline) => machine.handle_timeout(now()),
        }
    }
    // What is still under way is of no use any more.
    set.abort_all();
    let found = machine.outcome().flatten().cloned();
    Ok(Report { found, domain, tried: machine.tried().to_vec(), no_name_server: machine.no_name_server() })
}
