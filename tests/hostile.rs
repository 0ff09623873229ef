//! Scripted hostile servers: the probe must never send credentials without
//! TLS, must detect injection, and must end every conversation within its
//! deadline with a precise category, whatever the server sends. Case names
//! follow the NO STARTTLS test suite (O_*, D_1, B_1) where they match.

mod support;

use std::time::{Duration, Instant};

use support::*;

struct Case {
    name: &'static str,
    security: &'static str,
    script: fn(&mut Conn),
    category: &'static str,
    stage: &'static str,
    timeout_secs: u64,
}

const GREET: &[u8] = b"220 hostile.test ESMTP\r\n";

fn ehlo(c: &mut Conn, reply: &[u8]) {
    c.send(GREET);
    c.line();
    c.send(reply);
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "O_1 STARTTLS not offered, AUTH offered in plaintext",
            security: "starttls",
            script: |c| {
                ehlo(c, b"250-hostile.test\r\n250 AUTH PLAIN LOGIN\r\n");
                c.drain();
            },
            category: "starttls_not_offered",
            stage: "starttls",
            timeout_secs: 10,
        },
        Case {
            name: "O_2 STARTTLS refused with 454",
            security: "starttls",
            script: |c| {
                ehlo(c, b"250-hostile.test\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n");
                c.line();
                c.send(b"454 4.7.0 TLS not available\r\n");
                c.drain();
            },
            category: "starttls_refused",
            stage: "starttls",
            timeout_secs: 10,
        },
        Case {
            name: "O_3 STARTTLS refused with 502",
            security: "starttls",
            script: |c| {
                ehlo(c, b"250-hostile.test\r\n250 STARTTLS\r\n");
                c.line();
                c.send(b"502 5.5.1 Not implemented\r\n");
                c.drain();
            },
            category: "starttls_refused",
            stage: "starttls",
            timeout_secs: 10,
        },
        Case {
            name: "O_4 220 to STARTTLS, then plaintext instead of TLS",
            security: "starttls",
            script: |c| {
                ehlo(c, b"250-hostile.test\r\n250 STARTTLS\r\n");
                c.line();
                c.send(b"220 go ahead\r\n");
                std::thread::sleep(Duration::from_millis(200));
                c.send(b"250 AUTH PLAIN\r\n");
                c.drain();
            },
            category: "starttls_injection",
            stage: "starttls",
            timeout_secs: 10,
        },
        Case {
            name: "D_1 non-ESMTP server (EHLO rejected)",
            security: "starttls",
            script: |c| {
                ehlo(c, b"502 5.5.2 Error: command not recognized\r\n");
                c.drain();
            },
            category: "starttls_not_offered",
            stage: "ehlo",
            timeout_secs: 10,
        },
        Case {
            name: "B_1 response injection after 220 to STARTTLS",
            security: "starttls",
            script: |c| {
                ehlo(c, b"250-hostile.test\r\n250 STARTTLS\r\n");
                c.line();
                c.send(b"220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n");
                c.drain();
            },
            category: "starttls_injection",
            stage: "starttls",
            timeout_secs: 10,
        },
        Case {
            name: "profile without encryption",
            security: "none",
            script: |c| {
                ehlo(c, b"250-hostile.test\r\n250 AUTH PLAIN LOGIN\r\n");
                c.drain();
            },
            category: "plaintext_refused",
            stage: "ehlo",
            timeout_secs: 10,
        },
        Case {
            name: "a 1 MB line",
            security: "starttls",
            script: |c| {
                c.send(b"220 ");
                c.send(&vec![b'x'; 1 << 20]);
                c.drain();
            },
            category: "protocol_error",
            stage: "greeting",
            timeout_secs: 10,
        },
        Case {
            name: "an endless multi-line reply",
            security: "starttls",
            script: |c| {
                while c.send(b"220-still greeting you\r\n") {}
            },
            category: "protocol_error",
            stage: "greeting",
            timeout_secs: 10,
        },
        Case {
            name: "binary garbage",
            security: "starttls",
            script: |c| {
                c.send(&[0x16, 0x03, 0x01, 0x00, 0xff, 0xfe, b'\r', b'\n']);
                c.drain();
            },
            category: "protocol_error",
            stage: "greeting",
            timeout_secs: 10,
        },
        Case {
            name: "implicit TLS against a plaintext server",
            security: "tls",
            script: |c| {
                c.send(GREET);
                c.drain();
            },
            category: "tls_on_plaintext_port",
            stage: "tls",
            timeout_secs: 10,
        },
        Case {
            name: "1 byte per second",
            security: "starttls",
            script: |c| {
                for b in GREET {
                    if !c.send(&[*b]) {
                        break;
                    }
                    std::thread::sleep(Duration::from_secs(1));
                }
            },
            category: "timeout",
            stage: "greeting",
            timeout_secs: 3,
        },
        Case {
            name: "rejecting greeting",
            security: "starttls",
            script: |c| {
                c.send(b"554 5.7.1 go away\r\n");
                c.drain();
            },
            category: "greeting_rejected",
            stage: "greeting",
            timeout_secs: 10,
        },
    ]
}

#[test]
fn hostile_servers() {
    let mut failures = Vec::new();
    for case in cases() {
        let server = Scripted::start(case.script);
        let started = Instant::now();
        let timeout = case.timeout_secs.to_string();
        let run = mailprobe_test(
            &profile("127.0.0.1", server.port, case.security),
            PASSWORD,
            &["--json", "--timeout", &timeout],
        );
        let elapsed = started.elapsed();
        let v = run.json();
        let got = (v["category"].as_str().unwrap_or(""), v["stage"].as_str().unwrap_or(""));
        if got != (case.category, case.stage) {
            failures.push(format!(
                "{}: got {got:?}, want {:?}\n{}",
                case.name,
                (case.category, case.stage),
                run.stdout
            ));
        }
        if run.code != 1 {
            failures.push(format!("{}: exit code {}", case.name, run.code));
        }
        // Within the deadline (plus process start-up).
        if elapsed > Duration::from_secs(case.timeout_secs) + Duration::from_millis(1500) {
            failures.push(format!("{}: took {elapsed:?}", case.name));
        }
        // Never a credential without TLS: not in what the server got, nor in any output.
        let received = server.received();
        for secret in
            [PASSWORD, "AUTH", "UmljaHRpZy1HZWhlaW0gNDI", "AGluZm9AcHJheGlzLW11ZWxsZXIuZGUAUmljaHRpZy1HZWhlaW0gNDI"]
        {
            if received.contains(secret) {
                failures.push(format!("{}: the server received {secret:?}: {received:?}", case.name));
            }
        }
        if run.stdout.contains(PASSWORD) || run.stderr.contains(PASSWORD) {
            failures.push(format!("{}: password in the output", case.name));
        }
        // Server text is sanitized: no control characters survive into the JSON strings.
        for line in v["transcript"].as_array().into_iter().flatten() {
            if line["text"].as_str().unwrap_or("").chars().any(|c| c.is_control()) {
                failures.push(format!("{}: control character in transcript", case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn connection_refused() {
    let refused = RefusedPort::new();
    let port = refused.port;
    let run = mailprobe_test(&profile("127.0.0.1", port, "starttls"), PASSWORD, &["--json"]);
    assert_eq!(run.json()["category"], "connection_refused", "{}", run.stdout);
    assert_eq!(run.json()["stage"], "connect");
}

#[test]
fn starttls_profile_against_a_tls_only_port() {
    let d = Dovecot::start();
    let ca = d.ca_file.display().to_string();
    let run = mailprobe_test(
        &profile("localhost", d.submissions, "starttls"),
        PASSWORD,
        &["--json", "--timeout", "6", "--ca-file", &ca],
    );
    let v = run.json();
    assert_eq!(v["category"], "plaintext_on_tls_port", "{}", run.stdout);
    assert!(v["hint"].as_str().unwrap().contains("SSL/TLS statt STARTTLS"), "{}", v["hint"]);
}

/// POP-before-SMTP against scripted POP3 servers: no credentials without TLS
/// (NO STARTTLS POP3 O_1–O_3), and injection after `+OK` to STLS (B_1).
#[test]
fn hostile_pop3_servers() {
    struct PopCase {
        name: &'static str,
        script: fn(&mut Conn),
        category: &'static str,
    }
    let cases = [
        PopCase {
            name: "POP3 O_1 no STLS offered",
            script: |c| {
                c.send(b"+OK hostile POP3 ready\r\n");
                c.line();
                c.send(b"+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n");
                c.drain();
            },
            category: "starttls_not_offered",
        },
        PopCase {
            name: "POP3 O_2 STLS refused",
            script: |c| {
                c.send(b"+OK ready\r\n");
                c.line();
                c.send(b"+OK\r\nSTLS\r\nUSER\r\n.\r\n");
                c.line();
                c.send(b"-ERR not now\r\n");
                c.drain();
            },
            category: "starttls_refused",
        },
        PopCase {
            name: "POP3 O_3 no CAPA, APOP greeting",
            script: |c| {
                c.send(b"+OK <1896.697170952@dbc.mtview.ca.us>\r\n");
                c.line();
                c.send(b"-ERR unknown command\r\n");
                c.drain();
            },
            category: "starttls_not_offered",
        },
        PopCase {
            name: "POP3 B_1 injection after +OK to STLS",
            script: |c| {
                c.send(b"+OK ready\r\n");
                c.line();
                c.send(b"+OK\r\nSTLS\r\n.\r\n");
                c.line();
                c.send(b"+OK begin TLS\r\n+OK injected\r\n");
                c.drain();
            },
            category: "starttls_injection",
        },
    ];
    let mut failures = Vec::new();
    for case in cases {
        let pop = Scripted::start(case.script);
        let refused = RefusedPort::new();
        let mut p = profile("127.0.0.1", refused.port, "tls");
        p["pop_before_smtp"] =
            serde_json::json!({"host": "127.0.0.1", "port": pop.port, "security": "starttls", "username": ""});
        let run = mailprobe_test(&p, PASSWORD, &["--json", "--timeout", "10"]);
        let v = run.json();
        if (v["category"].as_str(), v["stage"].as_str()) != (Some(case.category), Some("pop3")) {
            failures.push(format!("{}: {}", case.name, run.stdout));
        }
        let received = pop.received();
        for secret in ["USER", "PASS", "AUTH", "APOP", PASSWORD] {
            if received.contains(secret) {
                failures.push(format!("{}: the server received {secret:?}: {received:?}", case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Issue #13 item 6: a server that echoes the password and the AUTH PLAIN
/// blob back. Neither reaches the verdict, its transcript, the JSON or the
/// human output.
#[test]
fn a_server_echoing_credentials_is_redacted() {
    let server = ScriptedTls::start(&["localhost"], |c| {
        c.send(b"220 echo.test ESMTP\r\n");
        c.line();
        c.send(b"250-echo.test\r\n250 AUTH PLAIN LOGIN\r\n");
        let auth = c.line().unwrap_or_default();
        let blob = auth.trim_start_matches("AUTH PLAIN ").to_string();
        let reply = format!("535-5.7.8 pass={PASSWORD} user={USER}\r\n535 5.7.8 you sent {blob} ({auth})\r\n");
        c.send(reply.as_bytes());
        c.line();
    });
    let ca = server.ca_file.display().to_string();
    let p = profile("localhost", server.port, "tls");
    for extra in [&["--json", "--ca-file", &ca][..], &["--ca-file", &ca][..]] {
        let run = mailprobe_test(&p, PASSWORD, extra);
        assert_eq!(run.code, 1, "{}", run.stdout);
        assert!(server.received().contains("AUTH PLAIN "), "the server got the login");
        let blob = "AGluZm9AcHJheGlzLW11ZWxsZXIuZGUAUmljaHRpZy1HZWhlaW0gNDI";
        for secret in [PASSWORD, blob] {
            assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret), "{secret} in:\n{}", run.stdout);
        }
        assert!(run.stdout.contains("<redacted>"), "{}", run.stdout);
    }
    let v = mailprobe_test(&p, PASSWORD, &["--json", "--ca-file", &ca]).json();
    assert_eq!(v["category"], "auth_failed");
    assert_eq!(v["server_reply"]["lines"][0], format!("5.7.8 pass=<redacted> user={USER}"));
}

/// Issue #13 item 9: a certificate whose name holds terminal escapes (from
/// a CA the user trusts with --ca-file) is shown visibly, never raw.
#[test]
fn escapes_in_a_certificate_name_never_reach_the_terminal() {
    let server = ScriptedTls::start(&["mail\u{1b}]0;pwned\u{7}\u{1b}[2J.test"], |c| {
        c.send(b"220 x\r\n");
        c.line();
    });
    let ca = server.ca_file.display().to_string();
    let p = profile("localhost", server.port, "tls");
    for extra in [&["--json", "--ca-file", &ca][..], &["--ca-file", &ca][..]] {
        let run = mailprobe_test(&p, PASSWORD, extra);
        assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
        assert!(!run.stdout.contains('\u{1b}') && !run.stderr.contains('\u{1b}'), "{:?}", run.stdout);
        assert!(!run.stdout.contains('\u{7}'), "{:?}", run.stdout);
    }
    let v = mailprobe_test(&p, PASSWORD, &["--json", "--ca-file", &ca]).json();
    assert_eq!(v["category"], "cert_name_mismatch", "{v}");
}

/// Microsoft's replies for a tenant without SMTP AUTH and for a tenant
/// without basic authentication: different causes, different fixes.
#[test]
fn microsoft_365_refusals_are_told_apart() {
    let tenant = ScriptedTls::start(&["localhost"], |c| {
        c.send(b"220 outlook.test ESMTP\r\n");
        c.line();
        c.send(b"250-outlook.test\r\n250 AUTH LOGIN XOAUTH2\r\n");
        c.line();
        c.send(b"334 VXNlcm5hbWU6\r\n");
        c.line();
        c.send(b"334 UGFzc3dvcmQ6\r\n");
        c.line();
        c.send(b"535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [AM0PR10CA0001.EURPRD10.PROD.OUTLOOK.COM]\r\n");
        c.line();
    });
    let basic = ScriptedTls::start(&["localhost"], |c| {
        c.send(b"220 outlook.test ESMTP\r\n");
        c.line();
        c.send(b"250-outlook.test\r\n250 AUTH LOGIN XOAUTH2\r\n");
        c.line();
        c.send(b"334 VXNlcm5hbWU6\r\n");
        c.line();
        c.send(b"334 UGFzc3dvcmQ6\r\n");
        c.line();
        c.send(b"535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [AM0PR10CA0001.EURPRD10.PROD.OUTLOOK.COM]\r\n");
        c.line();
    });
    for (server, want, words) in [
        (&tenant, "smtp_auth_disabled_for_tenant", "Authentifiziertes SMTP"),
        (&basic, "auth_oauth_required", "OAuth 2.0"),
    ] {
        let ca = server.ca_file.display().to_string();
        let v = mailprobe_test(&profile("localhost", server.port, "tls"), PASSWORD, &["--json", "--ca-file", &ca]).json();
        assert_eq!(v["category"], want, "{v}");
        assert!(format!("{}{}", v["message"], v["hint"]).contains(words), "{v}");
    }
}
