//! The probe's HTTPS requests (discovery's autoconfig files, OAuth 2.0's
//! endpoints): reqwest on our rustls configuration (the platform verifier
//! plus `--ca-file`, ring only), https only, no proxy, bodies capped, and
//! errors said without the URL (the caller names it).

use crate::tls::Client;

/// A builder with our TLS, HTTP/1.1, https only and no proxy; the caller
/// adds its redirect policy, resolver and deadline.
pub fn builder(tls: &Client) -> reqwest::ClientBuilder {
    let mut config = (*tls.config).clone();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    reqwest::Client::builder()
        .tls_backend_preconfigured(config)
        .https_only(true)
        .no_proxy()
        .user_agent(concat!("mailprobe/", env!("CARGO_PKG_VERSION")))
}

/// The body, at most `cap` + 1 bytes: one byte over is enough for the
/// caller to say "too large" without reading the rest.
pub async fn body(resp: &mut reqwest::Response, cap: usize) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        body.extend_from_slice(&chunk);
        if body.len() > cap {
            body.truncate(cap + 1);
            break;
        }
    }
    Ok(body)
}

/// The reason of a failed request: its kind and the innermost cause.
pub fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "timed out".into();
    }
    let mut text = String::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = source {
        text = s.to_string();
        source = s.source();
    }
    let kind = if e.is_redirect() {
        "redirect refused"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let text = if text.is_empty() { kind.to_string() } else { format!("{kind}: {text}") };
    mailsetup_core::sanitize::server_text(text.as_bytes(), 300)
}
