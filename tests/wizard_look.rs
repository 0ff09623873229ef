//! Issue #18: how the wizard looks and reads, in real headless Chromium.
//! Screenshots of its key states against reference images, axe-core's WCAG
//! 2.1 A/AA rules in each, a walk with the keyboard alone, and what the page
//! says when the local service stops.
//!
//! Every server name is fixed (dnsmasq answers for `*.musterpraxis.test`,
//! Dovecot listens on 127.0.70.1:465 and :587), so the screenshots show the
//! same page on every run.

mod support;

use std::io::Read;
use std::net::TcpListener;

use support::dnsmasq::Dnsmasq;
use support::serve::Serve;
use support::*;

/// Dovecot for `smtp.musterpraxis.test`, a server that takes connections and
/// never speaks (a test caught while it runs), dnsmasq for both and for the
/// domain's MX (an unconfirmed discovery result), and the service.
struct Setup {
    _dovecot: Dovecot,
    _dns: Dnsmasq,
    _settings: tempfile::TempDir,
    serve: Serve,
}

fn setup(net: &str) -> Setup {
    let ca = TestCa::new("mailsetup look test CA");
    let cert = ca.server_cert(&["smtp.musterpraxis.test"], -1, 30);
    let dovecot = Dovecot::start_on(&ca, &cert, &format!("{net}.1"), 587, 465);
    let silent = TcpListener::bind(format!("{net}.2:465")).expect("bind the silent server");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut stream in silent.incoming().flatten() {
            let mut sink = [0u8; 64];
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_millis(1)));
            let _ = stream.read(&mut sink);
            held.push(stream);
        }
    });
    let dns = Dnsmasq::start(&[
        format!("--host-record=smtp.musterpraxis.test,{net}.1"),
        format!("--host-record=slow.musterpraxis.test,{net}.2"),
        "--mx-host=hosterpraxis.test,mx00.kundenserver.de,10".into(),
    ]);
    let settings = tempfile::tempdir().unwrap();
    let ca_file = ca.write(settings.path());
    let serve = Serve::start_with(
        &settings.path().join("settings.json"),
        &["--ca-file", ca_file.to_str().unwrap(), "--dns", &dns.addr(), "--timeout", "60"],
        &[],
    );
    Setup { _dovecot: dovecot, _dns: dns, _settings: settings, serve }
}

fn run(script: &str, setup: &Setup) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let (ok, report) = browser_test(
        script,
        &[
            ("WIZARD_URL", setup.serve.url.clone()),
            ("SERVE_PID", setup.serve.child.id().to_string()),
            ("SMTP_PASSWORD", PASSWORD.to_string()),
            ("ARTIFACTS", root.join("artifacts").display().to_string()),
        ],
    );
    assert!(ok, "browser test failed:\n{report}");
}

/// The key states: screenshots against the references, and 0 axe violations.
#[test]
fn the_wizard_looks_as_its_references_and_passes_axe() {
    let setup = setup("127.0.70");
    run("look.test.mjs", &setup);
}

/// A profile from the help list, tested, saved and given to a tenant,
/// with the keyboard alone.
#[test]
fn the_wizard_works_with_the_keyboard_alone() {
    let setup = setup("127.0.71");
    run("keyboard.test.mjs", &setup);
    let saved: serde_json::Value = serde_json::from_str(&setup.serve.settings_file()).unwrap();
    assert_eq!(saved["profiles"][0]["smtp"]["host"], "smtp.musterpraxis.test", "{saved}");
    assert_eq!(saved["tenants"][0]["profile"], saved["profiles"][0]["name"], "{saved}");
}

/// The service stops while the page is open: the page says so in plain
/// words, every action answers, and nothing typed is lost
/// (tests/browser/service.test.mjs stops it through SERVE_PID).
#[test]
fn the_page_says_when_the_service_stops() {
    let setup = setup("127.0.72");
    run("service.test.mjs", &setup);
}
