//! The wasm API as JS sees it. Runs under Node (`wasm-pack test --node`) and
//! in headless Chromium (`WASM_BINDGEN_USE_BROWSER=1 wasm-pack test --headless --chrome`).

use mailsetup_wasm::{self as pkg, lookup_preset, suggest_domain, validate_profile};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

fn profile_js(json: &str) -> JsValue {
    js_sys_parse(json)
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = JSON, js_name = parse)]
    fn js_sys_parse(s: &str) -> JsValue;
    #[wasm_bindgen(js_namespace = JSON, js_name = stringify)]
    fn js_stringify(v: &JsValue) -> String;
}

const GOOD: &str = r#"{"name": "Praxis Müller", "email": "info@praxis-mueller.de", "auth": "password",
  "smtp": {"host": "smtp.example.de", "port": 587, "security": "starttls", "username": "info@praxis-mueller.de"},
  "pop_before_smtp": null}"#;

#[wasm_bindgen_test]
fn good_profile_has_no_findings() {
    let out = validate_profile(&profile_js(GOOD), &JsValue::UNDEFINED).unwrap();
    assert_eq!(js_stringify(&out), "[]");
}

#[wasm_bindgen_test]
fn bad_address_gives_german_message_as_plain_object() {
    let bad = GOOD.replace("info@praxis-mueller.de\", \"auth", "info.praxis.de\", \"auth");
    let out = js_stringify(&validate_profile(&profile_js(&bad), &JsValue::UNDEFINED).unwrap());
    assert!(out.contains(r#""code":"email_missing_at""#), "{out}");
    assert!(out.contains("Der E-Mail-Adresse fehlt das @-Zeichen"), "{out}");
    assert!(out.contains(r#""params":{}"#), "params must be a plain object: {out}");
}

#[wasm_bindgen_test]
fn english_and_field_validation() {
    let out = js_stringify(&pkg::validate_field(&"smtp.port".into(), &"70000".into(), Some("en".into())).unwrap());
    assert!(out.contains("port_invalid") && out.contains("The port must be"), "{out}");
}

#[wasm_bindgen_test]
fn bad_input_is_an_error_not_a_panic() {
    assert!(validate_profile(&profile_js(r#"{"name": 1}"#), &JsValue::UNDEFINED).is_err());
    for bad in [
        r#"{"name": 1, "smtp": {}}"#,
        r#"{"smtp": {"port": 1.5}}"#,
        r#"{"smtp": {"port": "587"}}"#,
        r#"{"smtp": {"security": "ssl"}}"#,
        r#"{"auth": "kerberos", "smtp": {}}"#,
        r#"{"smtp": 5}"#,
        r#"[1]"#,
    ] {
        assert!(validate_profile(&profile_js(bad), &JsValue::UNDEFINED).is_err(), "{bad}");
    }
    // Missing optional fields take their defaults, as with the serde model.
    assert!(validate_profile(&profile_js(r#"{"smtp": {}}"#), &JsValue::UNDEFINED).is_ok());
    assert!(validate_profile(&profile_js(GOOD), &JsValue::from_str("fr")).is_err());
    assert!(validate_profile(&profile_js(GOOD), &JsValue::from_str("en-GB")).is_ok());
    // The language travels with the profile; a tag that is no string is
    // named, `null` means German, like a missing one.
    let err = validate_profile(&profile_js(GOOD), &JsValue::from_f64(1.0)).unwrap_err();
    assert!(format!("{:?}", JsValue::from(err)).contains("language"));
    assert!(validate_profile(&profile_js(GOOD), &JsValue::NULL).is_ok());
    assert!(pkg::validate_field(&"nope".into(), &"x".into(), None).is_err());
}

#[wasm_bindgen_test]
fn presets_suggestions_and_settings() {
    let gmx = js_stringify(&lookup_preset("info@gmx.de", None).unwrap());
    assert!(gmx.contains(r#""provider":"GMX""#) && gmx.contains(r#""host":"mail.gmx.net""#), "{gmx}");
    assert!(lookup_preset("info@praxis-mueller.de", None).unwrap().is_null());
    assert_eq!(
        js_stringify(&suggest_domain("info@gmx.dee").unwrap()),
        r#"{"domain":"gmx.de","address":"info@gmx.de"}"#
    );
    let doc = format!(
        r#"{{"profiles": [{GOOD}], "tenants": [{{"id": "1", "name": "Nord", "email": "nord@praxis.de", "profile": "Praxis Müller"}}]}}"#
    );
    let out = js_stringify(&pkg::validate_settings(&profile_js(&doc), None).unwrap());
    assert!(out.contains("tenant_address_mismatch"), "{out}");
}

/// What the core says, as JSON: the package must give exactly this.
fn core_json(findings: &[mailsetup_core::Finding]) -> serde_json::Value {
    serde_json::to_value(findings).unwrap()
}

fn js_json(v: &JsValue) -> serde_json::Value {
    serde_json::from_str(&js_stringify(v)).unwrap()
}

/// Every address of the isemail corpus, in profiles that vary every other
/// field, gives the same findings and messages through the package as from
/// the core, in both languages; so do texts with characters outside the
/// BMP (two UTF-16 units each), a value longer than 2^15 units, and one
/// made of the string boundary's separators and NUL.
#[wasm_bindgen_test]
fn the_package_says_exactly_what_the_core_says() {
    use mailsetup_core::{AuthKind, Lang, Profile, Security, Server};
    use mailsetup_core::{validate_field, validate_profile as validate_in};

    let corpus = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpora/isemail.jsonl"));
    let mut emails: Vec<String> = corpus
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["input"].as_str().unwrap().to_string())
        .collect();
    emails.extend(["😀@praxis.de".to_string(), "info@😀.de".to_string(), format!("{}@x.de", "ü".repeat(40_000))]);
    // A suggestion of over 4,096 characters: a number of three digits in
    // the findings' format.
    let long_url = format!("smtp://{}.de", "a".repeat(5_000));
    let hosts = [
        &long_url,
        "smtp.gmx.net",
        " mail.gmx.net.",
        "smtp://x.de:587",
        "smtp..x.de",
        "mail.😀.de",
        "[::1]",
        "",
        "ｇｍｘ.net",
        "3,|x\u{0},1|",
    ];
    let securities = [Security::Tls, Security::Starttls, Security::None];
    for (i, email) in emails.iter().enumerate() {
        let server = |k: usize| Server {
            host: hosts[(i + k) % hosts.len()].to_string(),
            port: [465, 587, 25, 70000, 0, 110, 995][(i + k) % 7],
            security: securities[(i + k) % 3],
            username: ["", " u ", "😀"][(i + k) % 3].to_string(),
        };
        let profile = Profile {
            name: ["Praxis", " ", "Ärzte 😀"][i % 3].to_string(),
            email: email.clone(),
            auth: if i % 5 == 0 { AuthKind::Oauth2 } else { AuthKind::Password },
            smtp: server(0),
            pop_before_smtp: (i % 2 == 0).then(|| server(3)),
            oauth_provider: String::new(),
        };
        let js = serde_wasm_bindgen::to_value(&profile).unwrap();
        for (tag, lang) in [("de", Lang::De), ("en", Lang::En)] {
            let got = js_json(&validate_profile(&js, &JsValue::from_str(tag)).unwrap());
            assert_eq!(got, core_json(&validate_in(&profile, lang)), "profile {i}: {email:?} ({tag})");
            let got = js_json(&pkg::validate_field(&"email".into(), &email.into(), Some(tag.into())).unwrap());
            assert_eq!(
                got,
                core_json(&validate_field(mailsetup_core::Field::Email, email, lang)),
                "field: {email:?} ({tag})"
            );
        }
    }
}

#[wasm_bindgen_test]
fn settings_through_the_package_equal_the_core() {
    use mailsetup_core::Lang;
    use mailsetup_core::{Settings, validate_settings};

    let doc = r#"{"profiles": [
        {"name": "A", "email": "a@gmx.dee", "auth": "password", "smtp": {"host": "smtp://smtp.b.de:587", "port": 465, "security": "starttls", "username": ""},
         "pop_before_smtp": {"host": "pop.b.de", "port": 995, "security": "starttls", "username": "x"}},
        {"name": "A", "email": "ä@b", "auth": "oauth2", "smtp": {"host": "smtp.b.de", "port": 587, "security": "none", "username": "x"}, "pop_before_smtp": null}],
      "tenants": [{"id": "1", "name": "Nord", "email": "nord@praxis.de", "profile": "A"}, {"id": "1", "name": "", "email": "", "profile": null},
                  {"id": "2", "name": "Süd", "email": "A@gmx.dee", "profile": "A"}, {"id": "3", "name": "Ost", "email": "x@y.de", "profile": "Nope"}]}"#;
    let settings: Settings = serde_json::from_str(doc).unwrap();
    for (tag, lang) in [("de", Lang::De), ("en", Lang::En)] {
        let got = js_json(&pkg::validate_settings(&profile_js(doc), Some(tag.into())).unwrap());
        assert_eq!(got, core_json(&validate_settings(&settings, lang)), "{tag}");
    }
}

/// A JS string may hold a lone surrogate, which the core sees as U+FFFD;
/// a text the package takes back from the input (here the user-name
/// default, which is the address) says what the core saw, in both places
/// it appears.
#[wasm_bindgen_test]
fn a_lone_surrogate_comes_back_as_the_core_saw_it() {
    use mailsetup_core::validate_profile as validate_in;
    use mailsetup_core::{Lang, Profile};

    // A short value and a long one (the two take different ways into wasm memory).
    for local in ["a", &"a".repeat(60)] {
        let js = profile_js(GOOD);
        let smtp = js_sys::Reflect::get(&js, &"smtp".into()).unwrap();
        js_sys::Reflect::set(&smtp, &"username".into(), &"".into()).unwrap();
        // "…\u{D800}@x.de"
        let mut units: Vec<u16> = local.encode_utf16().collect();
        units.extend([0xD800, 0x40, 0x78, 0x2E, 0x64, 0x65]);
        let email = js_sys::JsString::from_char_code(&units);
        js_sys::Reflect::set(&js, &"email".into(), &email).unwrap();

        let mut profile: Profile = serde_json::from_str(GOOD).unwrap();
        profile.email = format!("{local}\u{FFFD}@x.de");
        profile.smtp.username = String::new();
        let want = core_json(&validate_in(&profile, Lang::De));
        assert!(want.to_string().contains(&profile.email), "the default is the address: {want}");
        assert_eq!(js_json(&validate_profile(&js, &JsValue::from_str("de")).unwrap()), want);
    }
}

/// The differential check (issue #12): every profile the fuzzer kept
/// (fuzz/differential.jsonl, written by `cargo xtask fuzz`) gives the same
/// findings and messages through the package as from the core, or the same
/// refusal.
#[wasm_bindgen_test]
fn fuzzed_profiles_through_the_package_equal_the_core() {
    use mailsetup_core::{Lang, Profile, validate_profile as validate_in};
    let corpus = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../fuzz/differential.jsonl"));
    let mut compared = 0;
    for line in corpus.lines().filter(|l| !l.is_empty()) {
        let js = profile_js(line);
        let core: Result<Profile, _> = serde_json::from_str(line);
        for (tag, lang) in [("de", Lang::De), ("en", Lang::En)] {
            match (&core, validate_profile(&js, &JsValue::from_str(tag))) {
                (Ok(p), Ok(got)) => {
                    assert_eq!(js_json(&got), core_json(&validate_in(p, lang)), "{line} ({tag})");
                    compared += 1;
                }
                (Err(_), Err(_)) => {}
                (Ok(_), Err(e)) => panic!("the package refused what the core reads: {line}: {:?}", JsValue::from(e)),
                // serde_json takes a number like 587.0 as no u32; JS has no
                // such difference, and the package reads 587.
                (Err(e), Ok(_)) if e.to_string().contains("expected u32") => {}
                (Err(e), Ok(_)) => panic!("the package read what the core refused ({e}): {line}"),
            }
        }
    }
    assert!(compared >= 20, "only {compared} profiles compared: regenerate with `cargo xtask fuzz`");
}
