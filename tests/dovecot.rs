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
