//! A scripted HTTPS server on a loopback address of the test's own (port
//! 443), with a certificate from the test CA: autoconfig files, OpenID
//! configurations and token endpoints that misbehave as the test says.

use std::io::{BufRead, BufReader, Write};
use std::time::Duration;

use super::{Received, TestCa, accept_each_at};

/// What a scripted HTTPS server answers to a request line.
#[derive(Clone)]
pub enum Reply {
    Body(String),
    Redirect(String),
    /// The body after this delay.
    Slow(Duration, String),
    Status(u16),
}

/// An HTTPS server on `ip`:443 with a certificate for `names`; returns what
/// it was asked (request lines).
pub fn https(ip: &str, ca: &TestCa, names: &[&str], reply: fn(&str) -> Reply) -> Received {
    use rustls::pki_types::pem::PemObject;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cert = ca.server_cert(names, -1, 30);
    let chain = vec![rustls::pki_types::CertificateDer::from(cert.der.clone())];
    let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(cert.key_pem.as_bytes()).unwrap();
    let config =
        std::sync::Arc::new(rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(chain, key).unwrap());
    let (_, received) = accept_each_at(format!("{ip}:443").parse().unwrap(), move |stream, received| {
        let tls = rustls::ServerConnection::new(config.clone()).unwrap();
        let mut stream = BufReader::new(rustls::StreamOwned::new(tls, stream));
        let mut request_line = String::new();
        if stream.read_line(&mut request_line).is_err() {
            return;
        }
        received.lock().unwrap().extend_from_slice(request_line.as_bytes());
        let mut line = String::new();
        while stream.read_line(&mut line).is_ok_and(|n| n > 2) {
            line.clear();
        }
        let (status, headers, body) = match reply(request_line.trim_end()) {
            Reply::Body(b) => (200, String::new(), b),
            Reply::Redirect(to) => (301, format!("Location: {to}\r\n"), String::new()),
            Reply::Slow(d, b) => {
                std::thread::sleep(d);
                (200, String::new(), b)
            }
            Reply::Status(s) => (s, String::new(), String::new()),
        };
        let head = format!(
            "HTTP/1.1 {status} X\r\n{headers}Content-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let s = stream.get_mut();
        let _ = s.write_all(head.as_bytes()).and_then(|_| s.write_all(body.as_bytes())).and_then(|_| s.flush());
    });
    received
}

