//! DNS through hickory-resolver: the system's configuration, or one given
//! server (`--dns IP:PORT`). Outcomes are typed for the core: "this name
//! does not exist" apart from "no server answered".

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::NetError;
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::RData;
use mailsetup_core::discover::{DnsError, SrvRecord};
use mailsetup_core::run::ResolveError;

/// A resolver.
#[derive(Clone)]
pub struct Dns {
    resolver: TokioResolver,
}

impl std::fmt::Debug for Dns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Dns")
    }
}

/// How long one DNS question may take: a little less than the core gives a
/// DNS source (`Limits::dns`), so that a silent name server is reported as
/// such rather than as the source's timeout.
pub const QUESTION_TIMEOUT: Duration = Duration::from_secs(4);

impl Dns {
    /// The system's configuration, or `server` alone (UDP, then TCP for
    /// long answers); each question waits at most `timeout`.
    pub fn new(server: Option<SocketAddr>, timeout: Duration) -> Result<Dns, String> {
        let mut builder = match server {
            Some(addr) => {
                let conn = |mut c: ConnectionConfig| {
                    c.port = addr.port();
                    c
                };
                let ns = NameServerConfig::new(addr.ip(), true, vec![conn(ConnectionConfig::udp()), conn(ConnectionConfig::tcp())]);
                let config = ResolverConfig::from_parts(None, vec![], vec![ns]);
                TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
            }
            None => TokioResolver::builder_tokio().map_err(|e| format!("the system's DNS configuration: {e}"))?,
        };
        let opts: &mut ResolverOpts = builder.options_mut();
        opts.timeout = timeout;
        opts.attempts = 1;
        let resolver = builder.build().map_err(|e| format!("DNS resolver: {e}"))?;
        Ok(Dns { resolver })
    }

    /// MX records: (preference, host).
    pub async fn mx(&self, domain: &str) -> Result<Vec<(u16, String)>, DnsError> {
        let lookup = self.resolver.mx_lookup(fqdn(domain)).await.map_err(classify)?;
        Ok(lookup
            .answers()
            .iter()
            .filter_map(|r| match &r.data {
                RData::MX(mx) => Some((mx.preference, mx.exchange.to_ascii())),
                _ => None,
            })
            .collect())
    }

    /// SRV records.
    pub async fn srv(&self, name: &str) -> Result<Vec<SrvRecord>, DnsError> {
        let lookup = self.resolver.srv_lookup(fqdn(name)).await.map_err(classify)?;
        Ok(lookup
            .answers()
            .iter()
            .filter_map(|r| match &r.data {
                RData::SRV(s) => Some(SrvRecord {
                    priority: s.priority,
                    weight: s.weight,
                    port: s.port,
                    target: s.target.to_ascii(),
                }),
                _ => None,
            })
            .collect())
    }

    /// A and AAAA records (an address literal is itself).
    pub async fn ips(&self, host: &str) -> Result<Vec<IpAddr>, DnsError> {
        if let Ok(ip) = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
            return Ok(vec![ip]);
        }
        let lookup = self.resolver.lookup_ip(fqdn(host)).await.map_err(classify)?;
        Ok(lookup.iter().collect())
    }

    /// [`Dns::ips`] as the test run's resolver answers.
    pub async fn socket_addrs(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, ResolveError> {
        self.ips(host).await.map(|ips| ips.into_iter().map(|ip| SocketAddr::new(ip, port)).collect()).map_err(|e| match e {
            DnsError::NotFound => ResolveError::NotFound,
            DnsError::NoAnswer => ResolveError::NoAddress,
            DnsError::Timeout => ResolveError::NoNameServer,
            DnsError::ServerFailure => ResolveError::Failed("the name server failed".into()),
            DnsError::Other(e) => ResolveError::Failed(e),
        })
    }
}

/// A name as asked: absolute, so that no search domain is appended.
fn fqdn(name: &str) -> String {
    if name.ends_with('.') { name.to_string() } else { format!("{name}.") }
}

fn classify(e: NetError) -> DnsError {
    if e.is_nx_domain() {
        return DnsError::NotFound;
    }
    if e.is_no_records_found() {
        return DnsError::NoAnswer;
    }
    match &e {
        NetError::Timeout => DnsError::Timeout,
        NetError::Dns(hickory_resolver::net::DnsError::ResponseCode(ResponseCode::ServFail | ResponseCode::Refused)) => {
            DnsError::ServerFailure
        }
        NetError::Io(_) | NetError::NoConnections => DnsError::Timeout,
        _ => DnsError::Other(mailsetup_core::sanitize::server_text(e.to_string().as_bytes(), 300)),
    }
}
