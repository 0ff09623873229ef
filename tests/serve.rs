//! `mailprobe serve` as a careful attacker and an unlucky user meet it
//! (issue #13): the settings file is never lost, the URL token works once,
//! and slow clients cannot hold the service.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use support::serve::*;

const DOC: &str = r#"{"profiles": [{"name": "Praxis", "email": "info@praxis-mueller.de", "auth": "password", "smtp": {"host": "smtp.praxis-mueller.de", "port": 465, "security": "tls", "username": "info@praxis-mueller.de", "signature_id": 7}, "pop_before_smtp": {"host": "pop.praxis-mueller.de", "port": 995, "security": "tls", "username": "pop-user"}}], "tenants": [{"id": "1", "name": "Nord", "email": "info@praxis-mueller.de", "profile": "Praxis"}], "written_by": "a later version"}"#;

fn serve_at(settings: &Path) -> Serve {
    Serve::start_with(settings, &[], &[])
}

/// The names of the temporary files a writer left in `dir`.
fn temporary_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect()
}

/// Issue #13 item 1: a BOM is fine; a damaged or unreadable file is named,
/// never overwritten, and kept beside when the user starts anew.
#[test]
fn a_damaged_settings_file_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("settings.json");
    std::fs::write(&file, [b"\xEF\xBB\xBF".as_slice(), DOC.as_bytes()].concat()).unwrap();
    let s = serve_at(&file);
    let cookie = s.session();
    let r = s.api(&cookie, "GET", "/api/settings", &[], "");
    assert_eq!(r.status, 200, "a byte order mark (Notepad) is fine: {r:?}");
    assert_eq!(r.json()["profiles"][0]["name"], "Praxis");
    drop(s);

    let damaged: &[(&str, &str)] = &[
        (r#"{"profiles": [], "tenants": [],}"#, "trailing comma"),
        (r#"{"profiles": [{"name": "P", "smtp": {"host": "h", "port": "587"}}]}"#, "profiles[0].smtp.port"),
    ];
    for (content, why) in damaged {
        std::fs::write(&file, content).unwrap();
        let s = serve_at(&file);
        let cookie = s.session();
        let r = s.api(&cookie, "GET", "/api/settings", &[], "");
        assert_eq!((r.status, r.json()["error"].as_str()), (409, Some("damaged")), "{why}: {r:?}");
        assert!(r.json()["message"].as_str().unwrap().contains(why), "{why}: {r:?}");
        assert_eq!(r.json()["path"], file.display().to_string());
        for tag in ["\"absent\"", "\"0\"", "*"] {
            let put = s.api(&cookie, "PUT", "/api/settings", &[("If-Match", tag)], DOC);
            assert_eq!(put.status, 409, "{put:?}");
        }
        assert_eq!(std::fs::read_to_string(&file).unwrap(), *content, "{why}: untouched");
        let r = s.api(&cookie, "POST", "/api/settings/start-anew", &[], "");
        assert_eq!(r.status, 200, "{r:?}");
        let kept = r.json()["kept"].as_str().unwrap().to_string();
        assert!(kept.contains("settings.json.damaged-"), "{kept}");
        assert_eq!(std::fs::read_to_string(&kept).unwrap(), *content);
        let put = s.api(&cookie, "PUT", "/api/settings", &[("If-Match", r.header("etag").unwrap())], DOC);
        assert_eq!(put.status, 200, "{put:?}");
        std::fs::remove_file(&kept).unwrap();
    }

    #[cfg(unix)]
    if !is_root() {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(&file, DOC).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
        let s = serve_at(&file);
        let r = s.api(&s.session(), "GET", "/api/settings", &[], "");
        assert_eq!(r.json()["error"], "unreadable", "{r:?}");
    }
    // A file that is a directory cannot be read, even by root.
    let as_dir = dir.path().join("dir.json");
    std::fs::create_dir(&as_dir).unwrap();
    let s = serve_at(&as_dir);
    let cookie = s.session();
    let r = s.api(&cookie, "GET", "/api/settings", &[], "");
    assert_eq!((r.status, r.json()["error"].as_str()), (500, Some("unreadable")), "{r:?}");
    assert_eq!(s.api(&cookie, "PUT", "/api/settings", &[("If-Match", "\"absent\"")], DOC).status, 500);
    assert!(as_dir.is_dir());
}

#[cfg(unix)]
fn is_root() -> bool {
    std::process::Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0"))
}

/// Issue #13 items 2 and 4: ETag/If-Match between writers; fields the
/// schema does not know, the file's mode and a symlink are kept.
#[test]
fn saves_are_conditional_and_keep_what_they_do_not_know() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("elsewhere");
    std::fs::create_dir(&real).unwrap();
    let file = dir.path().join("settings.json");
    #[cfg(unix)]
    std::os::unix::fs::symlink(real.join("settings.json"), &file).unwrap();
    let s = serve_at(&file);
    let cookie = s.session();
    let first = s.api(&cookie, "GET", "/api/settings", &[], "");
    let tag = first.header("etag").unwrap().to_string();
    assert_eq!(tag, "\"absent\"");
    assert_eq!(s.api(&cookie, "PUT", "/api/settings", &[], DOC).status, 428, "no If-Match");
    let saved = s.api(&cookie, "PUT", "/api/settings", &[("If-Match", &tag)], DOC);
    assert_eq!(saved.status, 200, "{saved:?}");
    let tag2 = saved.header("etag").unwrap().to_string();
    // Tab B still has the first version: refused, nothing lost.
    let stale = s.api(&cookie, "PUT", "/api/settings", &[("If-Match", &tag)], r#"{"profiles": [], "tenants": []}"#);
    assert_eq!((stale.status, stale.json()["error"].as_str()), (412, Some("stale")), "{stale:?}");
    let back = s.api(&cookie, "GET", "/api/settings", &[], "");
    assert_eq!(back.header("etag"), Some(tag2.as_str()));
    assert_eq!(back.json(), serde_json::from_str::<serde_json::Value>(DOC).unwrap(), "every field kept");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert!(std::fs::symlink_metadata(&file).unwrap().file_type().is_symlink(), "the link stays a link");
        let target = real.join("settings.json");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&target), 0o600, "a new settings file is private");
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
        let put = s.api(&cookie, "PUT", "/api/settings", &[("If-Match", &tag2)], DOC.replace("Nord", "Süd").as_str());
        assert_eq!(put.status, 200, "{put:?}");
        assert_eq!(mode(&target), 0o640, "the mode is kept");
        assert!(std::fs::read_to_string(&target).unwrap().contains("Süd"));
    }
}

/// Issue #13 item 3: two services on one file, three writers each, plus
/// readers: every read is a whole document, every write is either saved or
/// refused as stale, and no temporary file is left.
#[test]
fn two_services_write_one_file_without_tearing_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("settings.json");
    let services = [serve_at(&file), serve_at(&file)];
    let cookies: Vec<String> = services.iter().map(Serve::session).collect();
    let end = Instant::now() + Duration::from_secs(4);
    let (mut saved, mut stale, mut reads) = (0, 0, 0);
    std::thread::scope(|scope| {
        let mut writers = Vec::new();
        for (n, (s, cookie)) in services.iter().zip(&cookies).enumerate() {
            for w in 0..3 {
                writers.push(scope.spawn(move || {
                    let (mut saved, mut stale) = (0, 0);
                    let mut i = 0;
                    while Instant::now() < end {
                        let get = s.api(cookie, "GET", "/api/settings", &[], "");
                        assert_eq!(get.status, 200, "{get:?}");
                        let tag = get.header("etag").unwrap().to_string();
                        let doc = DOC.replace("Nord", &format!("writer {n}.{w} #{i}"));
                        let put = s.api(cookie, "PUT", "/api/settings", &[("If-Match", &tag)], &doc);
                        match put.status {
                            200 => saved += 1,
                            412 => stale += 1,
                            other => panic!("PUT answered {other}: {put:?}"),
                        }
                        i += 1;
                    }
                    (saved, stale)
                }));
            }
        }
        let file = &file;
        let reader = scope.spawn(move || {
            let mut reads = 0;
            while Instant::now() < end {
                if let Ok(bytes) = std::fs::read(file) {
                    serde_json::from_slice::<serde_json::Value>(&bytes).unwrap_or_else(|e| {
                        panic!("a reader saw a torn file ({e}): {:?}", String::from_utf8_lossy(&bytes))
                    });
                    reads += 1;
                }
            }
            reads
        });
        for w in writers {
            let (a, b) = w.join().unwrap();
            saved += a;
            stale += b;
        }
        reads = reader.join().unwrap();
    });
    assert!(saved > 10 && reads > 10, "saved {saved}, stale {stale}, reads {reads}");
    assert_eq!(temporary_files(dir.path()), Vec::<String>::new(), "temporary files left");
}

/// Issue #13 item 3: a service killed while it writes leaves no half file,
/// and the next one removes any temporary file left behind.
#[test]
fn kill_9_while_writing_loses_nothing_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("settings.json");
    for round in 0..20 {
        let mut s = serve_at(&file);
        let cookie = s.session();
        assert_eq!(temporary_files(dir.path()), Vec::<String>::new(), "round {round}: left over");
        let addr = s.host().to_string();
        let origin = s.origin();
        let deadline = Instant::now() + Duration::from_millis(30 + 7 * round);
        // Saves in flight while the process is killed.
        while Instant::now() < deadline {
            let tag = s.api(&cookie, "GET", "/api/settings", &[], "").header("etag").unwrap().to_string();
            let doc = DOC.replace("Nord", &format!("round {round}"));
            let req = format!(
                "PUT /api/settings HTTP/1.1\r\nHost: {addr}\r\nOrigin: {origin}\r\nCookie: {cookie}\r\nIf-Match: {tag}\r\nContent-Length: {}\r\n\r\n{doc}",
                doc.len()
            );
            let mut c = TcpStream::connect(&addr).unwrap();
            c.write_all(req.as_bytes()).unwrap();
            let mut first = [0u8; 12];
            let _ = c.read(&mut first);
        }
        let _ = s.child.kill();
        let _ = s.child.wait();
        let text = std::fs::read_to_string(&file).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap_or_else(|e| panic!("round {round}: {e}: {text}"));
    }
    let s = serve_at(&file);
    drop(s.session());
    assert_eq!(temporary_files(dir.path()), Vec::<String>::new());
}

/// Issue #13 item 5: the printed token works once and becomes an HttpOnly,
/// SameSite=Strict cookie; the URL is dead afterwards.
#[test]
fn the_url_token_works_once() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve_at(&dir.path().join("settings.json"));
    let path = format!("/?token={}", s.token());
    let first = s.request("GET", &path, &[], "");
    assert_eq!((first.status, first.header("location")), (303, Some("/")), "{first:?}");
    let cookie = first.header("set-cookie").unwrap();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    let again = s.request("GET", &path, &[], "");
    assert_eq!(again.status, 403, "the same URL a second time: {again:?}");
    assert!(again.body.contains("schon benutzt"), "{again:?}");
    // Whoever read it from history or `ps` gets nothing from the API.
    assert_eq!(s.request("GET", "/api/settings", &[], "").status, 403);
    let session = cookie.split(';').next().unwrap();
    assert_eq!(s.api(session, "GET", "/api/settings", &[], "").status, 200);
    // The browser that has the session may open the printed URL again.
    let with_session = s.request("GET", &path, &[("Cookie", session)], "");
    assert_eq!(with_session.status, 303);
}

/// Issue #13 item 5: `--open` puts no token into any argv: the browser is
/// handed a private file that redirects once.
#[cfg(unix)]
#[test]
fn open_hands_the_browser_a_private_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let log = dir.path().join("argv.log");
    // Stands in for the desktop's browser launcher: records its argv and
    // what the file it was given says.
    let script = format!("#!/bin/sh\nprintf '%s\\n' \"$@\" > {0}\ncat \"$1\" > {0}.content\n", log.display());
    std::fs::write(bin.join("xdg-open"), script).unwrap();
    std::fs::set_permissions(bin.join("xdg-open"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let runtime = dir.path().join("run");
    std::fs::create_dir(&runtime).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let s = Serve::start_with(
        &dir.path().join("settings.json"),
        &["--open"],
        &[("PATH", &path), ("XDG_RUNTIME_DIR", runtime.to_str().unwrap())],
    );
    let start = Instant::now();
    while !Path::new(&format!("{}.content", log.display())).exists() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(100));
    let argv = std::fs::read_to_string(&log).unwrap();
    assert!(!argv.contains("token"), "argv: {argv}");
    let opened = Path::new(argv.trim());
    assert!(opened.starts_with(&runtime), "{argv}");
    assert_eq!(std::fs::metadata(opened).unwrap().permissions().mode() & 0o777, 0o600);
    let content = std::fs::read_to_string(format!("{}.content", log.display())).unwrap();
    let url = content.split("url=").nth(1).unwrap().split('"').next().unwrap();
    let token_path = &url[url.find("/?token=").unwrap()..];
    assert_ne!(url, s.url, "its own token, so the printed line stays usable");
    let r = s.request("GET", token_path, &[], "");
    assert_eq!(r.status, 303, "{r:?}");
    assert!(!opened.exists(), "the file goes once its token is used");
    assert_eq!(s.request("GET", token_path, &[], "").status, 403);
    assert_eq!(s.request("GET", &format!("/?token={}", s.token()), &[], "").status, 303);
}

/// Issue #13 item 11: connections that never finish their headers are
/// closed after the header timeout, and a real request is served after.
#[test]
fn unfinished_headers_do_not_hold_the_service() {
    let dir = tempfile::tempdir().unwrap();
    let s = Serve::start_with(&dir.path().join("settings.json"), &["--header-timeout", "1"], &[]);
    let addr = s.host().to_string();
    let mut slow: Vec<TcpStream> = Vec::new();
    for _ in 0..200 {
        let mut c = TcpStream::connect(&addr).unwrap();
        c.write_all(format!("GET / HTTP/1.1\r\nHost: {addr}\r\nX-Slow: ").as_bytes()).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        slow.push(c);
    }
    let start = Instant::now();
    let r = s.request("GET", "/", &[], "");
    assert_eq!(r.status, 200, "{r:?}");
    assert!(start.elapsed() < Duration::from_secs(15), "{:?}", start.elapsed());
    // Every slow connection was closed by the service.
    for mut c in slow {
        let mut buf = [0u8; 256];
        let n = loop {
            match c.read(&mut buf) {
                Ok(0) => break 0,
                Ok(_) => continue,
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break 0,
                Err(e) => panic!("a slow connection stayed open: {e}"),
            }
        };
        assert_eq!(n, 0);
    }
    // An idle kept-alive connection is closed too.
    let mut idle = TcpStream::connect(&addr).unwrap();
    idle.write_all(format!("GET /style.css HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes()).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut all = Vec::new();
    let t = Instant::now();
    let _ = idle.read_to_end(&mut all);
    assert!(String::from_utf8_lossy(&all).starts_with("HTTP/1.1 200"), "{}", String::from_utf8_lossy(&all));
    assert!(t.elapsed() < Duration::from_secs(5), "an idle connection must be closed: {:?}", t.elapsed());
}
