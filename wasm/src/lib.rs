//! WebAssembly bindings of `mailsetup-core` for the setup wizard.
//!
//! Glue only: read the input, call the core, hand back plain JS objects (no
//! `Map`s). Bad input is a thrown `Error` with a specific message, never a
//! panic. Profiles and findings cross the boundary through a small wire
//! format (`wire.rs`, `js/wire.js`); presets and suggestions through
//! serde-wasm-bindgen.
#![forbid(unsafe_code)]

mod wire;

use mailsetup_core::validate::{field_findings, profile_findings, settings_findings};
use mailsetup_core::{Finding, Lang};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
export type Lang = "de" | "en";
export type Security = "tls" | "starttls" | "none";
export type Severity = "info" | "warning" | "error";
export interface Server { host: string; port: number; security: Security; username: string; }
export interface Profile {
  name: string; email: string; auth: "password" | "oauth2";
  smtp: Server; pop_before_smtp: Server | null;
}
export interface Fix { set: Record<string, string>; }
export interface Finding {
  code: string; severity: Severity; field: string;
  params: Record<string, string>; fix?: Fix; message: string;
}
export interface Tenant { id: string; name: string; email: string; profile: string | null; }
export interface Settings { profiles: Profile[]; tenants: Tenant[]; }
export interface ServerChoice { host: string; port: number; security: Security; username: string; }
export type NoteKind = "enable_access" | "app_password" | "email_password" | "oauth2_only";
export interface Note { kind: NoteKind; text: string; url: string | null; source: "ispdb" | "curated"; }
export interface Preset {
  id: string; provider: string; domain: string;
  smtp: ServerChoice[]; pop3: ServerChoice[]; username: string;
  auth: ("password" | "oauth2")[]; notes: Note[]; curated: boolean; documentation: string | null;
}
export interface Suggestion { domain: string; address: string; }
"#;

fn lang(tag: Option<String>) -> Result<Lang, JsError> {
    match tag {
        None => Ok(Lang::De),
        Some(t) => {
            Lang::parse(&t).ok_or_else(|| JsError::new(&format!("unknown language {t:?}: use \"de\" or \"en\"")))
        }
    }
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| JsError::new(&e.to_string()))
}

// Profiles come in and findings go out through js/wire.js: reading a JS
// object from Rust, and building one, costs a crossing per field and per
// property, which was most of the time a keystroke's validation took.
#[wasm_bindgen(module = "/js/wire.js")]
extern "C" {
    #[wasm_bindgen(js_name = flattenProfile, catch)]
    fn flatten_profile(profile: &JsValue) -> Result<String, JsValue>;
    #[wasm_bindgen(js_name = flattenSettings, catch)]
    fn flatten_settings(settings: &JsValue) -> Result<String, JsValue>;
    #[wasm_bindgen(js_name = setTable)]
    fn set_table(joined: &str);
    #[wasm_bindgen(js_name = decodeFindings)]
    fn decode_findings(encoded: &str) -> JsValue;
}

thread_local! {
    static TABLE_SENT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Findings as plain JS objects, messages rendered in `lang`.
fn findings_to_js(findings: &[Finding], lang: Lang) -> JsValue {
    if !TABLE_SENT.replace(true) {
        set_table(&wire::table());
    }
    decode_findings(&wire::encode(findings, lang))
}

/// The message of an error thrown by js/wire.js, with `context` before it.
fn rethrow(e: JsValue, context: &str) -> JsError {
    let message = js_sys::Error::from(e).message();
    JsError::new(&format!("{context}: {}", String::from(message)))
}

/// Validates a whole profile; returns every finding.
#[wasm_bindgen(js_name = validateProfile, unchecked_return_type = "Finding[]")]
pub fn validate_profile(
    #[wasm_bindgen(unchecked_param_type = "Profile")] profile: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Lang | undefined")] lang_tag: Option<String>,
) -> Result<JsValue, JsError> {
    let lang = lang(lang_tag)?;
    let flat = flatten_profile(&profile).map_err(|e| rethrow(e, "not a profile"))?;
    let profile = wire::parse_profile(&flat).map_err(|e| JsError::new(&format!("not a profile: {e}")))?;
    Ok(findings_to_js(&profile_findings(&profile), lang))
}

/// Validates one field as typed (`email`, `smtp.host`, `smtp.port`, …).
#[wasm_bindgen(js_name = validateField, unchecked_return_type = "Finding[]")]
pub fn validate_field_js(
    field: &str,
    value: &str,
    #[wasm_bindgen(unchecked_param_type = "Lang | undefined")] lang_tag: Option<String>,
) -> Result<JsValue, JsError> {
    let lang = lang(lang_tag)?;
    let findings = field_findings(field, value).ok_or_else(|| JsError::new(&format!("unknown field {field:?}")))?;
    Ok(findings_to_js(&findings, lang))
}

/// Validates a settings document (profiles and tenants).
#[wasm_bindgen(js_name = validateSettings, unchecked_return_type = "Finding[]")]
pub fn validate_settings_js(
    #[wasm_bindgen(unchecked_param_type = "Settings")] settings: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Lang | undefined")] lang_tag: Option<String>,
) -> Result<JsValue, JsError> {
    let lang = lang(lang_tag)?;
    let flat = flatten_settings(&settings).map_err(|e| rethrow(e, "not a settings document"))?;
    let doc = wire::parse_settings(&flat).map_err(|e| JsError::new(&format!("not a settings document: {e}")))?;
    Ok(findings_to_js(&settings_findings(&doc), lang))
}

/// Settings for an address or domain ("Einstellungen suchen"); `null` when unknown.
#[wasm_bindgen(js_name = lookupPreset, unchecked_return_type = "Preset | null")]
pub fn lookup_preset(
    address: &str,
    #[wasm_bindgen(unchecked_param_type = "Lang | undefined")] lang_tag: Option<String>,
) -> Result<JsValue, JsError> {
    let lang = lang(lang_tag)?;
    match mailsetup_core::presets::lookup(address, lang) {
        Some(p) => to_js(&p),
        None => Ok(JsValue::NULL),
    }
}

/// "Did you mean …?" for the address's domain; `null` when none.
#[wasm_bindgen(js_name = suggestDomain, unchecked_return_type = "Suggestion | null")]
pub fn suggest_domain(address: &str) -> Result<JsValue, JsError> {
    match mailsetup_core::suggest::suggest_domain(address) {
        Some(s) => to_js(&s),
        None => Ok(JsValue::NULL),
    }
}
