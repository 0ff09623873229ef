//! Issue #16: the desktop contract (docs/desktop-contract.md). A host
//! program sends one JSON request on stdin and reads JSON Lines; it never
//! parses human text. The schemas in docs/schema/ are generated from the
//! Rust types; here they are compared with the checked-in files, and the
//! real output of every contract command is checked against them.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::*;

fn schema_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("docs/schema")
}

/// The checked-in schema `name`, compiled.
fn validator(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(schema_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn assert_valid(schema: &str, instance: &serde_json::Value) {
    let v = validator(schema);
    let errors: Vec<String> = v.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path)).collect();
    assert!(errors.is_empty(), "{schema}: {instance}\n{}", errors.join("\n"));
}

/// The schemas are what the types say (UPDATE_SCHEMAS=1 writes them anew).
#[test]
fn the_schemas_are_generated_from_the_types() {
    for (name, schema) in mailsetup_probe::contract::schemas() {
        let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        let path = schema_dir().join(name);
        if std::env::var("UPDATE_SCHEMAS").as_deref() == Ok("1") {
            std::fs::create_dir_all(schema_dir()).unwrap();
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        let kept = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(kept == text, "{} is not what the types say: run `UPDATE_SCHEMAS=1 cargo test --test contract`", path.display());
    }
}

/// `mailprobe ARGS…` with `request` as the first line of stdin, which stays
/// open (closing it cancels a test) until the child is done.
fn spawn(args: &[&str], request: &str) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailprobe"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.as_mut().unwrap(), "{request}").unwrap();
    child
}

/// Every stdout line of the child until it ends, as JSON; and its exit
/// code. Its stdin stays open meanwhile: closing it would cancel.
fn json_lines(mut child: Child) -> (i32, Vec<serde_json::Value>) {
    let stdin = child.stdin.take();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut text).unwrap();
    let code = child.wait().unwrap().code().unwrap_or(-1);
    drop(stdin);
    let lines = text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    (code, lines)
}

fn request(profile: &serde_json::Value, password: &str) -> String {
    serde_json::json!({"version": 1, "profile": profile, "password": password}).to_string()
}

/// test and send-test through the contract against the real Dovecot: the
/// events, in order, each valid, ending in exactly one verdict.
#[test]
fn tests_speak_the_contract() {
    let d = Dovecot::start();
    let ca = d.ca_file.to_str().unwrap();
    // (command, security, port, password, category, exit code)
    let cases = [
        ("test", "tls", d.submissions, PASSWORD, "ok", 0),
        ("test", "starttls", d.submission, PASSWORD, "ok", 0),
        ("test", "tls", d.submissions, "Falsch-Geraten 1", "auth_failed", 1),
        ("send-test", "tls", d.submissions, PASSWORD, "ok", 0),
    ];
    for (command, security, port, password, category, code) in cases {
        let req = request(&profile("localhost", port, security), password);
        let child = spawn(&[command, "--request", "-", "--events", "--ca-file", ca, "--lang", "en"], &req);
        let (exit, events) = json_lines(child);
        assert_eq!(exit, code, "{command} {security} {password}: {events:?}");
        for e in &events {
            assert_valid("test-event.schema.json", e);
            assert_eq!(e["schema_version"], 1);
            assert!(!e.to_string().contains(password), "the password is never in the output");
        }
        let (last, stages) = events.split_last().unwrap();
        assert_eq!(last["event"], "verdict");
        assert_eq!(last["verdict"]["category"], category);
        assert_valid("verdict.schema.json", &last["verdict"]);
        // Each stage starts, then ends, before the next starts.
        assert_eq!(stages.first().unwrap()["event"], "stage_started");
        for pair in stages.chunks(2) {
            assert_eq!((&pair[0]["event"], &pair[1]["event"]), (&"stage_started".into(), &"stage_ended".into()), "{pair:?}");
            assert_eq!(pair[0]["stage"], pair[1]["stage"]);
        }
    }
}

/// Bad requests are exit 2 with one line on stderr, never a verdict.
#[test]
fn bad_requests_are_refused() {
    let good = profile("localhost", 465, "tls");
    let cases = [
        (serde_json::json!({"version": 2, "profile": good, "password": "x"}).to_string(), "request version 2 is not supported"),
        (serde_json::json!({"version": 1, "profile": good}).to_string(), "the request has no password"),
        (serde_json::json!({"version": 1, "profile": good, "password": "x", "passwort": "y"}).to_string(), "unknown field `passwort`"),
        ("{\"version\": 1".to_string(), "not a request"),
        (String::new(), "no request"),
    ];
    for (req, want) in cases {
        let out = spawn(&["test", "--request", "-", "--events"], &req).wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{req}: {stderr}");
        assert!(stderr.contains(want), "{req}: {stderr}");
        assert!(out.stdout.is_empty(), "{req}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_mailprobe")).args(["test", "--request", "request.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Waits until the test is in its TLS stage, then cancels it with `how`.
/// Returns the events and how long the cancel took.
fn cancel(how: &str) -> (i32, Vec<serde_json::Value>, Duration) {
    let port = silent_server();
    let req = request(&profile("127.0.0.1", port, "tls"), "geheim");
    let mut child = spawn(&["test", "--request", "-", "--events", "--timeout", "60"], &req);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut events = Vec::new();
    let mut line = String::new();
    while stdout.read_line(&mut line).unwrap() > 0 {
        let e: serde_json::Value = serde_json::from_str(&line).unwrap();
        line.clear();
        let in_tls = e["event"] == "stage_started" && e["stage"] == "tls";
        events.push(e);
        if in_tls {
            break;
        }
    }
    let start = Instant::now();
    match how {
        "stdin closed" => drop(child.stdin.take()),
        "SIGTERM" => assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success()),
        "SIGINT" => assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success()),
        _ => unreachable!(),
    }
    while stdout.read_line(&mut line).unwrap() > 0 {
        events.push(serde_json::from_str(&line).unwrap());
        line.clear();
    }
    let code = child.wait().unwrap().code().unwrap_or(-1);
    (code, events, start.elapsed())
}

/// Closing stdin, SIGTERM and Ctrl-C (SIGINT) cancel a running test: the
/// last event says so, and the exit code is 3.
#[test]
fn a_running_test_is_cancelled() {
    for how in ["stdin closed", "SIGTERM", "SIGINT"] {
        let (code, events, took) = cancel(how);
        assert_eq!(code, 3, "{how}: {events:?}");
        let last = events.last().unwrap();
        assert_eq!(last["event"], "cancelled", "{how}: {events:?}");
        assert_eq!(events.iter().filter(|e| e["event"] == "verdict").count(), 0, "{how}");
        for e in &events {
            assert_valid("test-event.schema.json", e);
        }
        // Well before any of the test's own timeouts (the stage's is 10 s);
        // BENCHMARKS.md has the measured time.
        assert!(took < Duration::from_secs(5), "{how}: {took:?}");
        eprintln!("cancelled by {how} in {} ms", took.as_millis());
    }
}

/// validate and preset: the output of each agrees with its schema.
#[test]
fn offline_outputs_agree_with_their_schemas() {
    let mailprobe = |args: &[&str], stdin: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mailprobe"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let good = profile("smtp.praxis-mueller.de", 465, "tls");
    let mut bad = good.clone();
    bad["smtp"]["host"] = "smtp praxis".into();
    let settings = serde_json::json!({"profiles": [good], "tenants": [{"id": "1", "name": "Nord", "email": "x@y.de", "profile": "Praxis Müller"}]});
    for doc in [&good, &bad, &settings] {
        assert_valid("validate-output.schema.json", &mailprobe(&["validate", "-", "--json"], &doc.to_string()));
    }
    assert_valid("preset.schema.json", &mailprobe(&["preset", "info@web.de", "--json"], ""));
    assert_valid("preset-list.schema.json", &mailprobe(&["preset", "--list", "--json"], ""));
    // A request as a host sends it validates against the request schema.
    assert_valid("test-request.schema.json", &serde_json::from_str(&request(&good, "x")).unwrap());
}

/// The example host program (examples/host.py) against the Linux binary:
/// a login that works, one that does not, and one it cancels.
#[test]
fn the_example_host_drives_the_contract() {
    let d = Dovecot::start();
    let ca = d.ca_file.to_str().unwrap();
    let mailprobe = [std::ffi::OsStr::new(env!("CARGO_BIN_EXE_mailprobe"))];
    let host = |profile: &serde_json::Value, password: &str, extra: &[&str]| {
        example_host(&mailprobe, &[], profile, password, &[&["--ca-file", ca], extra].concat())
    };
    let (code, result, text) = host(&profile("localhost", d.submissions, "tls"), PASSWORD, &[]);
    assert_eq!((code, &result["category"]), (Some(0), &"ok".into()), "{text}");
    assert!(text.contains("✓ Anmeldung ("), "the stages as they come: {text}");
    let (code, result, _) = host(&profile("localhost", d.submission, "starttls"), "Falsch-Geraten 1", &[]);
    assert_eq!((code, &result["category"]), (Some(1), &"auth_failed".into()));
    let (code, result, _) = host(&profile("127.0.0.1", silent_server(), "tls"), "x", &["--cancel-after", "1"]);
    assert_eq!((code, &result["category"]), (Some(3), &"cancelled".into()));
}

/// validate, preset and discover take their request on stdin too.
#[test]
fn offline_commands_take_requests() {
    let run = |args: &[&str], request: serde_json::Value| {
        let out = spawn(args, &request.to_string()).wait_with_output().unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        (out.status.code(), serde_json::from_str::<serde_json::Value>(&stdout).unwrap_or(serde_json::Value::Null), stdout)
    };
    for name in ["validate-request.schema.json", "preset-request.schema.json", "discover-request.schema.json"] {
        validator(name);
    }
    let mut bad = profile("smtp praxis", 465, "tls");
    bad["name"] = "".into();
    let req = serde_json::json!({"version": 1, "profile": bad});
    assert_valid("validate-request.schema.json", &req);
    let (code, out, _) = run(&["validate", "--request", "-", "--lang", "en"], req);
    assert_eq!(code, Some(1));
    assert_valid("validate-output.schema.json", &out);
    assert_eq!(out["valid"], false);
    let settings = serde_json::json!({"version": 1, "settings": {"profiles": [profile("smtp.praxis.de", 465, "tls")], "tenants": []}});
    let (code, out, _) = run(&["validate", "--request", "-"], settings);
    assert_eq!((code, &out["valid"]), (Some(0), &true.into()));
    let (code, _, _) = run(&["validate", "--request", "-"], serde_json::json!({"version": 1}));
    assert_eq!(code, Some(2), "neither profile nor settings");

    let req = serde_json::json!({"version": 1, "address": "info@web.de"});
    assert_valid("preset-request.schema.json", &req);
    let (code, out, _) = run(&["preset", "--request", "-"], req);
    assert_eq!(code, Some(0));
    assert_valid("preset.schema.json", &out);
    assert_eq!(out["username"], "info");
    let (code, out, _) = run(&["preset", "--request", "-"], serde_json::json!({"version": 1, "list": true}));
    assert_eq!(code, Some(0));
    assert_valid("preset-list.schema.json", &out);

    // Discovery of a domain nobody answers for (the DNS server is a closed
    // port on loopback: nothing leaves this machine).
    let refused = RefusedPort::new();
    let req = serde_json::json!({"version": 1, "address": "info@praxis.test"});
    assert_valid("discover-request.schema.json", &req);
    let dns = format!("127.0.0.1:{}", refused.port);
    let (code, out, stdout) = run(&["discover", "--request", "-", "--dns", &dns, "--timeout", "5"], req);
    assert_eq!(code, Some(1), "{stdout}");
    assert_eq!(out["found"], false, "{stdout}");
    assert_valid("discover-output.schema.json", &out);
    // Found: a practice domain whose MX is at a known hoster (dnsmasq answers).
    let dns = support::dnsmasq::Dnsmasq::start(&["--mx-host=musterpraxis.test,mx00.kundenserver.de,10".into()]);
    let req = serde_json::json!({"version": 1, "address": "info@musterpraxis.test"});
    let (code, out, stdout) = run(&["discover", "--request", "-", "--dns", &dns.addr(), "--timeout", "5"], req);
    assert_eq!((code, &out["found"], &out["trust"]), (Some(0), &true.into(), &"unconfirmed".into()), "{stdout}");
    assert_valid("discover-output.schema.json", &out);
}
