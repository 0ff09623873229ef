//! A running `mailprobe serve` and a raw HTTP/1.1 client for it: the
//! service's guards are tested with exactly the bytes an attacker would send.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `mailprobe serve`, stopped on drop.
pub struct Serve {
    pub child: Child,
    /// The first line it printed: the URL with its one-time token.
    pub url: String,
    pub settings: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

impl Serve {
    /// Serves with a settings file in a fresh directory.
    pub fn start(ca_file: &Path) -> Serve {
        let dir = tempfile::tempdir().unwrap();
        let settings = dir.path().join("settings.json");
        let mut s = Serve::start_with(&settings, &["--ca-file", ca_file.to_str().unwrap()], &[]);
        s._dir = Some(dir);
        s
    }

    /// Serves `settings` with extra arguments and environment.
    pub fn start_with(settings: &Path, args: &[&str], env: &[(&str, &str)]) -> Serve {
        let child = Command::new(env!("CARGO_BIN_EXE_mailprobe"))
            .arg("serve")
            .args(args)
            .arg("--settings")
            .arg(settings)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start mailprobe serve");
        Serve::from_child(child, settings)
    }

    /// A service already started (with piped stdout), e.g. `mailprobe.exe`
    /// under Wine: its first line is read as the URL.
    pub fn from_child(mut child: Child, settings: &Path) -> Serve {
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let url = first.trim().to_string();
        assert!(
            url.starts_with("http://127.0.0.1:") && url.contains("/?token="),
            "first line must be the URL: {url:?}"
        );
        Serve { child, url, settings: settings.to_path_buf(), _dir: None }
    }

    pub fn settings_file(&self) -> String {
        std::fs::read_to_string(&self.settings).unwrap_or_default()
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> &str {
        self.url.trim_start_matches("http://").split('/').next().unwrap()
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.host())
    }

    pub fn token(&self) -> &str {
        self.url.split("token=").nth(1).unwrap()
    }

    /// Trades the printed one-time token for a session; returns the
    /// `Cookie` header value that carries it.
    pub fn session(&self) -> String {
        let r = self.request("GET", &format!("/?token={}", self.token()), &[], "");
        assert_eq!(r.status, 303, "{r:?}");
        let set = r.header("set-cookie").unwrap_or_else(|| panic!("no cookie: {r:?}"));
        set.split(';').next().unwrap().to_string()
    }

    /// A request with our own Host; `headers` are added as given.
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Response {
        let mut all = vec![("Host", self.host())];
        all.extend_from_slice(headers);
        http(self.host(), method, path, &all, body)
    }

    /// An API request as the page makes it: session cookie and Origin.
    pub fn api(&self, cookie: &str, method: &str, path: &str, extra: &[(&str, &str)], body: &str) -> Response {
        let origin = self.origin();
        let mut headers = vec![("Cookie", cookie), ("Origin", origin.as_str()), ("Content-Type", "application/json")];
        headers.extend_from_slice(extra);
        self.request(method, path, &headers, body)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A parsed HTTP response.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }
}

/// One request on a fresh connection (`Connection: close`), exactly these headers.
pub fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Response {
    let mut req = format!("{method} {path} HTTP/1.1\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()));
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    parse(&raw)
}

fn parse(raw: &[u8]) -> Response {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no response head in {text:?}"));
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|c| c.parse().ok()).unwrap();
    let headers = lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().into(), v.trim().into())).collect();
    let mut r = Response { status, headers, body: body.to_string() };
    if r.header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        r.body = dechunk(&r.body);
    }
    r
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// Whether `needle` occurs anywhere in the readable memory of process `pid`
/// (its heap, stacks and data), read through /proc.
#[cfg(target_os = "linux")]
pub fn memory_contains(pid: u32, needle: &[u8]) -> Vec<String> {
    use std::io::{Seek, SeekFrom};
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap();
    let mut mem = std::fs::File::open(format!("/proc/{pid}/mem")).unwrap();
    let mut hits = Vec::new();
    for line in maps.lines() {
        let mut parts = line.split_whitespace();
        let (Some(range), Some(perms)) = (parts.next(), parts.next()) else { continue };
        let name = parts.nth(3).unwrap_or("");
        // Writable regions: where copies of data live (code and read-only
        // data cannot hold a request).
        if !perms.starts_with("rw") || name.starts_with("[vvar") || name.starts_with("[vsyscall") {
            continue;
        }
        let (start, end) = range.split_once('-').unwrap();
        let (start, end) = (u64::from_str_radix(start, 16).unwrap(), u64::from_str_radix(end, 16).unwrap());
        let mut buf = vec![0u8; (end - start) as usize];
        if mem.seek(SeekFrom::Start(start)).is_err() || mem.read_exact(&mut buf).is_err() {
            continue;
        }
        if let Some(at) = buf.windows(needle.len()).position(|w| w == needle) {
            hits.push(format!("{line} at +{at:#x}"));
        }
    }
    hits
}
