//! `mailprobe` against a real Postfix (submission with SASL through
//! Dovecot's auth socket, sender login maps).

mod support;

use support::*;

#[test]
fn postfix_login_sender_check_and_foreign_sender() {
    let ca = TestCa::new("mailsetup test CA");
    let cert = ca.server_cert(&["localhost"], -1, 30);
    let d = Dovecot::start_with(&ca, &cert, 0);
    let pf = Postfix::start(&cert, &d);
    let ca_file = d.ca_file.display().to_string();
    let args = ["--json", "--ca-file", ca_file.as_str()];
    for (security, port) in [("starttls", pf.submission), ("tls", pf.submissions)] {
        let run = mailprobe_test(&profile("localhost", port, security), PASSWORD, &args);
        let v = run.json();
        assert_eq!(v["category"], "ok", "{security}: {}\n{}", run.stdout, pf.log());
        let sent: Vec<&str> = v["transcript"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["dir"] == "c")
            .map(|l| l["text"].as_str().unwrap())
            .collect();
        assert!(sent.contains(&"MAIL FROM:<info@praxis-mueller.de>") && sent.contains(&"RSET"), "{sent:?}");
        assert!(!sent.contains(&"DATA"), "the test sends nothing");

        let run = mailprobe_test(&profile("localhost", port, security), "falsch", &args);
        assert_eq!(run.json()["category"], "auth_failed", "{}", run.stdout);

        // Logged in as info@, but the profile's address is another one.
        let mut p = profile("localhost", port, security);
        p["email"] = "chef@praxis-mueller.de".into();
        let run = mailprobe_test(&p, PASSWORD, &args);
        let v = run.json();
        assert_eq!(
            (v["category"].as_str(), v["stage"].as_str()),
            (Some("sender_not_permitted"), Some("sender")),
            "{}",
            run.stdout
        );
        assert_eq!(v["server_reply"]["enhanced"], "5.7.1");
        assert!(v["message"].as_str().unwrap().contains("chef@praxis-mueller.de"));
    }
}

#[test]
fn send_test_delivers_a_well_formed_message() {
    let ca = TestCa::new("mailsetup test CA");
    let cert = ca.server_cert(&["localhost"], -1, 30);
    let d = Dovecot::start_with(&ca, &cert, 0);
    let pf = Postfix::start(&cert, &d);
    let ca_file = d.ca_file.display().to_string();
    let run =
        mailprobe_send(&profile("localhost", pf.submission, "starttls"), PASSWORD, &["--json", "--ca-file", &ca_file]);
    let v = run.json();
    assert_eq!(v["category"], "ok", "{}\n{}", run.stdout, pf.log());
    assert!(v["stages"].as_array().unwrap().iter().any(|s| s["stage"] == "data" && s["ok"] == true), "{}", run.stdout);
    // Postfix delivers it to the test user's Maildir shortly after.
    let start = std::time::Instant::now();
    let mut delivered = pf.delivered();
    while delivered.is_empty() && start.elapsed() < std::time::Duration::from_secs(15) {
        std::thread::sleep(std::time::Duration::from_millis(100));
        delivered = pf.delivered();
    }
    assert_eq!(delivered.len(), 1, "nothing delivered:\n{}", pf.log());
    let m = &delivered[0];
    for header in [
        "\nDate: ",
        "\nMessage-ID: <",
        "\nFrom: info@praxis-mueller.de",
        "\nTo: info@praxis-mueller.de",
        "\nSubject: Testnachricht",
        "=?utf-8?",
    ] {
        assert!(m.contains(header), "{header:?} missing in:\n{m}");
    }
    assert!(m.contains("@praxis-mueller.de>"), "Message-ID on the sender's domain: {m}");
    assert!(m.contains("Praxis M"), "body names the profile: {m}");
}
