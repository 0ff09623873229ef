//! The wasm API as JS sees it. Runs under Node (`wasm-pack test --node`) and
//! in headless Chromium (`WASM_BINDGEN_USE_BROWSER=1 wasm-pack test --headless --chrome`).

use mailsetup_wasm::{lookup_preset, suggest_domain, validate_field_js, validate_profile, validate_settings_js};
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
    let out = validate_profile(profile_js(GOOD), None).unwrap();
    assert_eq!(js_stringify(&out), "[]");
}

#[wasm_bindgen_test]
fn bad_address_gives_german_message_as_plain_object() {
    let bad = GOOD.replace("info@praxis-mueller.de\", \"auth", "info.praxis.de\", \"auth");
    let out = js_stringify(&validate_profile(profile_js(&bad), None).unwrap());
    assert!(out.contains(r#""code":"email_missing_at""#), "{out}");
    assert!(out.contains("Der E-Mail-Adresse fehlt das @-Zeichen"), "{out}");
    assert!(out.contains(r#""params":{}"#), "params must be a plain object: {out}");
}

#[wasm_bindgen_test]
fn english_and_field_validation() {
    let out = js_stringify(&validate_field_js("smtp.port", "70000", Some("en".into())).unwrap());
    assert!(out.contains("port_invalid") && out.contains("The port must be"), "{out}");
}

#[wasm_bindgen_test]
fn bad_input_is_an_error_not_a_panic() {
    assert!(validate_profile(profile_js(r#"{"name": 1}"#), None).is_err());
    for bad in [
        r#"{"name": 1, "smtp": {}}"#,
        r#"{"smtp": {"port": 1.5}}"#,
        r#"{"smtp": {"port": "587"}}"#,
        r#"{"smtp": {"security": "ssl"}}"#,
        r#"{"auth": "kerberos", "smtp": {}}"#,
        r#"{"smtp": 5}"#,
        r#"[1]"#,
    ] {
        assert!(validate_profile(profile_js(bad), None).is_err(), "{bad}");
    }
    // Missing optional fields take their defaults, as with the serde model.
    assert!(validate_profile(profile_js(r#"{"smtp": {}}"#), None).is_ok());
    assert!(validate_profile(profile_js(GOOD), Some("fr".into())).is_err());
    assert!(validate_field_js("nope", "x", None).is_err());
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
    let out = js_stringify(&validate_settings_js(profile_js(&doc), None).unwrap());
    assert!(out.contains("tenant_address_mismatch"), "{out}");
}
