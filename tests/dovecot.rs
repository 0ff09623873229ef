//! `mailprobe test` against a real Dovecot (submission, both TLS modes).

mod support;

use support::*;

fn ca_args(d: &Dovecot) -> Vec<String> {
    vec!["--json".into(), "--ca-file".into(), d.ca_file.display().to_string()]
}

#[test]
fn logs_in_with_both_tls_modes_and_rejects_a_wrong_password() {
    let d = Dovecot::start();
    let args = ca_args(&d);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let cases = [
        ("starttls", d.submission, PASSWORD, 0, "ok"),
        ("tls", d.submissions, PASSWORD, 0, "ok"),
        ("starttls", d.submission, "falsch", 1, "auth_failed"),
        ("tls", d.submissions, "falsch", 1, "auth_failed"),
    ];
    for (security, port, password, code, category) in cases {
        let run = mailprobe_test(&profile("localhost", port, security), password, &args);
        let v = run.json();
        assert_eq!(v["category"], category, "{security} {password}: {}\n{}", run.stdout, d.log());
        assert_eq!(run.code, code, "{security} {password}");
        assert_eq!(v["ok"], code == 0);
        // The password appears in no output, the transcript included.
        assert!(!run.stdout.contains(password) && !run.stderr.contains(password));
        let stages: Vec<&str> = v["stages"].as_array().unwrap().iter().map(|s| s["stage"].as_str().unwrap()).collect();
        assert_eq!(stages[..2], ["resolve", "connect"], "{stages:?}");
        assert!(stages.contains(&"tls") && stages.contains(&"auth"), "{stages:?}");
        if category == "auth_failed" {
            assert_eq!(v["stage"], "auth");
            assert_eq!(v["server_reply"]["code"], 535);
            assert_eq!(v["message"], "Anmeldung abgelehnt: Benutzername oder Kennwort stimmen nicht.");
        }
    }
}

#[test]
fn untrusted_certificate_without_the_test_ca() {
    let d = Dovecot::start();
    let run = mailprobe_test(&profile("localhost", d.submissions, "tls"), PASSWORD, &["--json"]);
    assert_eq!(run.json()["category"], "cert_untrusted", "{}", run.stdout);
    assert_eq!(run.code, 1);
}

#[test]
fn bad_input_exits_2() {
    let run = mailprobe_test(&serde_json::json!({"name": "x"}), PASSWORD, &["--json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("missing field `smtp`"), "{}", run.stderr);
    let run = mailprobe_test(&profile("smtp://x.de", 587, "starttls"), PASSWORD, &["--json"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.json()["findings"][0]["code"], "host_is_url");
}

#[test]
fn certificate_cases() {
    let ca = TestCa::new("mailsetup test CA");
    let other_ca = TestCa::new("some other CA");
    let self_signed_cert = self_signed(&["localhost"]);
    let cases: Vec<(&str, CertPair, Vec<String>, &str)> = vec![
        ("expired", ca.server_cert(&["localhost"], -30, -1), vec![], "cert_expired"),
        ("not yet valid", ca.server_cert(&["localhost"], 2, 30), vec![], "cert_expired"),
        ("wrong name", ca.server_cert(&["mail.example.org"], -1, 30), vec![], "cert_name_mismatch"),
        ("unknown CA", other_ca.server_cert(&["localhost"], -1, 30), vec![], "cert_untrusted"),
        ("self-signed", self_signed(&["localhost"]), vec![], "cert_self_signed"),
        ("self-signed, pinned", self_signed_cert, vec!["--trust-cert".into()], "ok"),
    ];
    for (name, cert, mut extra, want) in cases {
        let d = Dovecot::start_with(&ca, &cert, 0);
        if extra.first().is_some_and(|a| a == "--trust-cert") {
            extra.push(cert.fingerprint());
        }
        let mut args = ca_args(&d);
        args.extend(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        for (security, port) in [("tls", d.submissions), ("starttls", d.submission)] {
            let run = mailprobe_test(&profile("localhost", port, security), PASSWORD, &args);
            let v = run.json();
            assert_eq!(v["category"], want, "{name} ({security}): {}", run.stdout);
            if want != "ok" {
                assert_eq!(v["stage"], "tls", "{name}");
                // Nothing was sent after the failed handshake: the probe never said AUTH.
                let said_auth = v["transcript"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|l| l["dir"] == "c" && l["text"].as_str().unwrap().starts_with("AUTH"));
                assert!(!said_auth, "{name}: {}", run.stdout);
            }
        }
    }
}

#[test]
fn a_pin_for_another_certificate_does_not_help() {
    let ca = TestCa::new("mailsetup test CA");
    let d = Dovecot::start_with(&ca, &self_signed(&["localhost"]), 0);
    let other = self_signed(&["localhost"]);
    let fp = other.fingerprint();
    let run = mailprobe_test(&profile("localhost", d.submissions, "tls"), PASSWORD, &["--json", "--trust-cert", &fp]);
    assert_eq!(run.json()["category"], "cert_self_signed", "{}", run.stdout);
}

#[test]
fn provider_hint_on_wrong_password() {
    // The hint comes from the address's provider (GMX) even on our test server.
    let d = Dovecot::start();
    let mut p = profile("localhost", d.submissions, "tls");
    p["email"] = "info@gmx.de".into();
    let args = ca_args(&d);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = mailprobe_test(&p, "falsch", &args);
    let v = run.json();
    assert_eq!(v["category"], "auth_failed");
    assert!(v["hint"].as_str().unwrap().contains("Bei GMX muss außerdem der Zugriff über POP3/IMAP"), "{}", v["hint"]);
}

#[test]
fn pop_before_smtp_against_dovecot_pop3() {
    let d = Dovecot::start();
    let args = ca_args(&d);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    for (pop_port, pop_security) in [(d.pop3, "starttls"), (d.pop3s, "tls")] {
        let mut p = profile("localhost", d.submissions, "tls");
        p["pop_before_smtp"] =
            serde_json::json!({"host": "localhost", "port": pop_port, "security": pop_security, "username": ""});
        let run = mailprobe_test(&p, PASSWORD, &args);
        let v = run.json();
        assert_eq!(v["category"], "ok", "{pop_security}: {}\n{}", run.stdout, d.log());
        let stages: Vec<&str> = v["stages"].as_array().unwrap().iter().map(|s| s["stage"].as_str().unwrap()).collect();
        assert_eq!(stages[0], "pop3", "{stages:?}");
        assert!(stages.contains(&"auth"), "{stages:?}");
        let t = run.stdout.as_str();
        assert!(t.contains("PASS <redacted>") || t.contains("AUTH PLAIN <redacted>"), "{t}");
        assert!(!t.contains(PASSWORD));

        let run = mailprobe_test(&p, "falsch", &args);
        let v = run.json();
        assert_eq!(
            (v["category"].as_str(), v["stage"].as_str()),
            (Some("pop3_auth_failed"), Some("pop3")),
            "{}",
            run.stdout
        );
        assert_eq!(run.code, 1);
    }
}
