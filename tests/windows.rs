//! Issue #16: the Windows binary's own tests, under Debian's Wine.
//!
//! `mailprobe.exe` is cross-built here for `x86_64-pc-windows-gnu` (into
//! `target/windows`, a target directory of its own, so this test's cargo does
//! not wait for the lock of the cargo that runs it), then run by `wine64`
//! in a Wine prefix of this run's own. Wine 8 lacks `bcryptprimitives.dll`,
//! whose `ProcessPrng` Rust's std imports: `tests/windows/bcryptprimitives.c`
//! stands in for it, built with mingw next to the exe and never shipped.

mod support;

use std::process::{Command, Stdio};

use support::wine::{WINE, root, win_path, wine};
use support::serve;
use support::*;

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("mailprobe.exe writes UTF-8")
}

/// `preset`, `preset --list` and `validate`, German and English: umlauts
/// come out as UTF-8, on a pipe and in a file.
#[test]
fn offline_commands_speak_both_languages_with_umlauts() {
    let w = wine();
    let out = w.run(&["preset", "web.de"], None);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("Sie müssen einmalig den Zugriff über POP3 & IMAP"), "{}", text(&out.stdout));
    let out = w.run(&["preset", "--list", "--json", "--lang", "en"], None);
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[0]["label"], "T-Online (Telekom)");

    // One field at a time, as the wizard does on every keystroke.
    let out = w.run(&["validate", "--field", "email", "--lang", "de"], Some("\"info@müller..de\"\n\"info@müller.de\"\n"));
    let lines: Vec<serde_json::Value> = text(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["valid"], false);
    assert!(lines[0]["findings"][0]["message"].as_str().unwrap().contains("enthält zwei Punkte"), "{lines:?}");
    assert_eq!((&lines[1]["valid"], &lines[1]["value"]), (&true.into(), &"info@müller.de".into()));

    // A profile in a folder with an umlaut, its messages into a file.
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("Praxis Müller");
    std::fs::create_dir(&folder).unwrap();
    let profile = folder.join("profil.json");
    std::fs::write(&profile, r#"{"name": "Praxis Müller", "email": "info@praxis-müller.de", "smtp": {"host": "smtp.praxis müller.de", "port": 465, "security": "tls", "username": ""}}"#).unwrap();
    for (lang, want) in [("de", "enthält das unzulässige Zeichen"), ("en", "contains the character")] {
        let file = std::fs::File::create(dir.path().join(format!("out-{lang}.txt"))).unwrap();
        let status = w
            .command(&["validate", &win_path(&profile), "--lang", lang])
            .stdout(file)
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(1), "{lang}: errors found");
        let written = text(&std::fs::read(dir.path().join(format!("out-{lang}.txt"))).unwrap());
        assert!(written.contains(want), "{lang}: {written}");
    }
}

/// `test` and `send-test` against the real Dovecot, both TLS modes, the
/// right and the wrong password from stdin, the test CA from `--ca-file`.
#[test]
fn tests_log_in_to_dovecot_from_windows() {
    let w = wine();
    let d = Dovecot::start();
    let dir = tempfile::tempdir().unwrap();
    let ca = win_path(&d.ca_file);
    for (port, security) in [(d.submissions, "tls"), (d.submission, "starttls")] {
        let path = dir.path().join(format!("profile-{security}.json"));
        std::fs::write(&path, profile("localhost", port, security).to_string()).unwrap();
        let profile_arg = win_path(&path);
        for (password, want) in [(PASSWORD, "ok"), ("Falsch-Geraten 1", "auth_failed")] {
            let args = ["test", &profile_arg, "--password-stdin", "--json", "--ca-file", &ca, "--lang", "de"];
            let out = w.run(&args, Some(&format!("{password}\n")));
            let stdout = text(&out.stdout);
            let verdict: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
            assert_eq!(verdict["category"], want, "{security}: {stdout}\n{}", d.log());
            assert_eq!(out.status.code(), Some(if want == "ok" { 0 } else { 1 }));
            assert!(!stdout.contains(password), "the password is never in the output");
        }
        let args = ["send-test", &profile_arg, "--password-stdin", "--json", "--ca-file", &ca];
        let out = w.run(&args, Some(&format!("{PASSWORD}\n")));
        let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(verdict["category"], "ok", "send-test {security}: {verdict}");
    }
    // A CA file that is no CA file: our own set-up failed, said as such.
    let bad = dir.path().join("kein-ca.pem");
    std::fs::write(&bad, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").unwrap();
    let path = dir.path().join("profile-tls.json");
    let out = w.run(&["test", &win_path(&path), "--password-stdin", "--json", "--ca-file", &win_path(&bad)], Some("x\n"));
    let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdict["category"], "trust_setup_failed", "{verdict}");
    assert_eq!(verdict["stage"], "tls", "{verdict}");
}

/// `serve` from the Windows binary: the Linux Chromium loads the wizard,
/// runs a test and saves; the settings land in `%APPDATA%\mailsetup`.
#[test]
fn the_wizard_is_served_from_windows() {
    let w = wine();
    let d = Dovecot::start();
    let mut child = w
        .command(&["serve", "--ca-file", &win_path(&d.ca_file)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut first).unwrap();
    let url = first.trim().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{first}");
    let (ok, report) = browser_test(
        "windows.test.mjs",
        &[("WIZARD_URL", url), ("SMTP_PORT_TLS", d.submissions.to_string()), ("SMTP_PASSWORD", PASSWORD.to_string())],
    );
    let _ = child.kill();
    let _ = child.wait();
    assert!(ok, "browser test failed:\n{report}");
    let saved = std::fs::read_to_string(w.appdata().join("mailsetup/settings.json")).expect("%APPDATA%\\mailsetup\\settings.json");
    let saved: serde_json::Value = serde_json::from_str(&saved).unwrap();
    assert_eq!(saved["profiles"][0]["name"], "Praxis Müller", "{saved}");
    assert_eq!(saved["profiles"].as_array().unwrap().len(), 2, "saved twice, the second over the first: {saved}");
}

/// The desktop contract from Windows: the example host program
/// (examples/host.py) drives `wine64 mailprobe.exe`: events, a verdict,
/// and a test cancelled by closing its stdin.
#[test]
fn the_contract_works_from_windows() {
    let w = wine();
    let d = Dovecot::start();
    let ca = win_path(&d.ca_file);
    let exe = w.dir.path().join("mailprobe.exe");
    let mailprobe = [std::ffi::OsStr::new(WINE), exe.as_os_str()];
    let env = [
        ("WINEPREFIX", w.prefix.path().as_os_str()),
        ("WINEDEBUG", std::ffi::OsStr::new("-all")),
        ("DISPLAY", std::ffi::OsStr::new("")),
    ];
    let host = |profile: &serde_json::Value, password: &str, extra: &[&str]| {
        example_host(&mailprobe, &env, profile, password, &[&["--ca-file", ca.as_str()], extra].concat())
    };
    let (code, result, text) = host(&profile("localhost", d.submissions, "tls"), PASSWORD, &[]);
    assert_eq!((code, &result["category"]), (Some(0), &"ok".into()), "{text}");
    assert!(text.contains("✓ Anmeldung ("), "{text}");
    let (code, result, _) = host(&profile("localhost", d.submission, "starttls"), "Falsch-Geraten 1", &[]);
    assert_eq!((code, &result["category"]), (Some(1), &"auth_failed".into()));
    // A server that never speaks: the test waits until its stdin closes.
    let port = silent_server();
    let (code, result, text) = host(&profile("127.0.0.1", port, "tls"), "x", &["--cancel-after", "3"]);
    assert_eq!((code, &result["category"]), (Some(3), &"cancelled".into()), "{text}");
}

/// Saving on Windows file semantics: the settings file held open by another
/// program (sharing reads, not renames, as editors and virus scanners do).
/// A short hold is waited out; a long one is a clear failure naming the
/// file, with nothing half-written left behind; after it, saving works.
#[test]
fn a_save_waits_out_a_file_held_open_and_else_says_why() {
    let w = wine();
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.json");
    let holdopen = dir.path().join("holdopen.exe");
    let built = Command::new("x86_64-w64-mingw32-gcc")
        .args(["-municode", "-O2", "-o"])
        .arg(&holdopen)
        .arg(root().join("tests/windows/holdopen.c"))
        .status()
        .unwrap();
    assert!(built.success(), "building holdopen.exe");
    let child = w
        .command(&["serve", "--settings", &win_path(&settings)])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let serve = serve::Serve::from_child(child, &settings);
    let cookie = serve.session();
    let doc = |name: &str| serde_json::json!({"profiles": [], "tenants": [{"id": "1", "name": name, "email": "", "profile": null}]}).to_string();
    let mut etag = serve.api(&cookie, "GET", "/api/settings", &[], "").header("etag").unwrap().to_string();
    let mut save = |name: &str| {
        let r = serve.api(&cookie, "PUT", "/api/settings", &[("If-Match", etag.as_str())], &doc(name));
        if let Some(e) = r.header("etag") {
            etag = e.to_string();
        }
        r
    };
    assert_eq!(save("Nord").status, 200);
    let hold = |ms: &str| {
        let mut c = Command::new(WINE)
            .arg(&holdopen)
            .arg(win_path(&settings))
            .arg(ms)
            .env("WINEPREFIX", w.prefix.path())
            .env("WINEDEBUG", "-all")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(c.stdout.take().unwrap()), &mut line).unwrap();
        assert_eq!(line.trim(), "held");
        c
    };
    // Held briefly: the save waits it out.
    let mut brief = hold("300");
    let r = save("Süd");
    assert_eq!(r.status, 200, "{r:?}");
    brief.wait().unwrap();
    assert!(serve.settings_file().contains("Süd"));
    // Held for long: a failure that names the file and the other program.
    let mut long = hold("8000");
    let r = save("West");
    assert_eq!(r.status, 500, "{r:?}");
    let body = r.json();
    assert!(body["message"].as_str().unwrap().contains("another program"), "{body}");
    assert!(body["path"].as_str().unwrap().ends_with("settings.json"), "{body}");
    assert!(serve.settings_file().contains("Süd"), "the file is unchanged");
    long.wait().unwrap();
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "settings.json" && n != "holdopen.exe" && !n.ends_with(".lock"))
        .collect();
    assert!(left.is_empty(), "nothing half-written is left: {left:?}");
    // Released: saving works again.
    assert_eq!(save("West").status, 200);
    assert!(serve.settings_file().contains("West"));
}

/// The password prompt on a Windows console, and Ctrl-C there: Wine gives
/// the exe a console on a terminal of its own (tests/windows/console.py).
/// The password is typed without echo; Ctrl-C during a test cancels it
/// (exit 3). Ctrl-Break is a key no terminal can send: not tested here.
#[test]
fn the_console_prompts_for_the_password_and_takes_ctrl_c() {
    let w = wine();
    let d = Dovecot::start();
    let dir = tempfile::tempdir().unwrap();
    let console = |profile: &serde_json::Value, password: &str, extra: &[&str]| -> serde_json::Value {
        let path = dir.path().join("profile.json");
        std::fs::write(&path, profile.to_string()).unwrap();
        let out = Command::new("python3")
            .arg(root().join("tests/windows/console.py"))
            .args(["--prompt", "Kennwort / password:", "--type", password])
            .args(extra)
            .arg("--")
            .arg(WINE)
            .arg(w.dir.path().join("mailprobe.exe"))
            .args(["test", &win_path(&path), "--json", "--ca-file", &win_path(&d.ca_file)])
            .env("WINEPREFIX", w.prefix.path())
            .env("WINEDEBUG", "-all")
            .env("DISPLAY", "")
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    };
    let run = console(&profile("localhost", d.submissions, "tls"), PASSWORD, &[]);
    assert_eq!(run["prompted"], true, "{run}");
    assert_eq!(run["exit"], 0, "{run}");
    let shown = run["shown"].as_str().unwrap();
    assert!(shown.contains("\"category\":\"ok\""), "{shown}");
    // The console shows what is not ASCII as it is (UTF-16 to the console, UTF-8 on the terminal).
    assert!(shown.contains("„OK“"), "{shown}");
    assert!(!shown.contains(PASSWORD), "typed without echo: {shown}");
    // Ctrl-C while the TLS handshake waits for a server that never speaks.
    let run = console(&profile("127.0.0.1", silent_server(), "tls"), "x", &["--ctrl-c-after", "3"]);
    assert_eq!(run["exit"], 3, "{run}");
    assert!(run["shown"].as_str().unwrap().contains("mailprobe: cancelled"), "{run}");
}
