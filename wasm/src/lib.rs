//! WebAssembly bindings of `mailsetup-core` for the setup wizard.
//!
//! Glue only: read the input, call the core, hand back plain JS objects.
//! Bad input is a thrown `Error` with a specific message, never a panic.
//! `validateProfile`, the call of every keystroke, crosses in as one string
//! (`boundary`); everything else is read field by field (`read`). Findings
//! come back through `boundary`, presets through serde-wasm-bindgen.
//! Messages are rendered by the core, every call returns fresh plain
//! objects, and nothing is kept between calls but the list of names that
//! `js/boundary.js` is given once (`boundary`).
#![forbid(unsafe_code)]

use mailsetup_core::{Field, Finding, Lang};
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
/** Findings are values: every call returns fresh plain objects; read them, do not change them. */
export interface Fix { readonly set: Readonly<Record<string, string>>; }
export interface Finding {
  readonly code: string; readonly severity: Severity; readonly field: string;
  readonly params: Readonly<Record<string, string>>; readonly fix?: Fix; readonly message: string;
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

/// The language of a tag; German when there is none.
fn lang(tag: Option<&str>) -> Result<Lang, JsError> {
    match tag {
        None => Ok(Lang::De),
        Some(t) => {
            Lang::parse(t).ok_or_else(|| JsError::new(&format!("unknown language \"{t}\": use \"de\" or \"en\"")))
        }
    }
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| JsError::new(&e.to_string()))
}

mod boundary;
mod read;

// talc instead of Rust's default dlmalloc: 1.7 KB less of the gzipped
// package, and as fast on the keystroke call (BENCHMARKS.md).
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[wasm_bindgen(module = "/js/boundary.js")]
extern "C" {
    #[wasm_bindgen(js_name = encodeProfile)]
    fn encode_profile(profile: &JsValue, lang: &JsValue, into: &mut [u8]) -> i32;
    #[wasm_bindgen(js_name = setNames)]
    fn set_names(names: &str);
    #[wasm_bindgen(js_name = decodeFindings)]
    fn decode_findings(bytes: &[u8], ascii_end: usize) -> JsValue;
}

/// An optional string argument (`undefined` or `null` when not given), or
/// a specific error naming it.
fn optional_string(value: &JsValue, name: &str) -> Result<Option<String>, JsError> {
    if value.is_undefined() || value.is_null() { Ok(None) } else { string_arg(value, name).map(Some) }
}

/// A string argument, or a specific error naming it.
fn string_arg(value: &JsValue, name: &str) -> Result<String, JsError> {
    value.as_string().ok_or_else(|| JsError::new(&format!("{name} must be a string")))
}

/// The findings, messages rendered in `lang`, as fresh plain JS objects;
/// `buffer` is one to reuse.
fn findings_out(findings: &[Finding], lang: Lang, buffer: Vec<u8>) -> JsValue {
    let (bytes, ascii_end) = boundary::findings(findings, lang, buffer);
    let out = decode_findings(&bytes, ascii_end);
    if !out.is_null() {
        return out;
    }
    // The first call: `js/boundary.js` does not know the names yet.
    set_names(&boundary::names());
    decode_findings(&bytes, ascii_end)
}

/// Every finding of a profile, messages in `lang` ("de" when not given).
#[wasm_bindgen(js_name = validateProfile, unchecked_return_type = "Finding[]")]
pub fn validate_profile(
    #[wasm_bindgen(unchecked_param_type = "Profile")] profile: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Lang")] lang_tag: &JsValue,
) -> Result<JsValue, JsError> {
    // The common case: the language tag travels in the one string.
    if let Some(encoded) = boundary::written(|into| encode_profile(profile, lang_tag, into))
        && let Some((tag, borrowed)) = boundary::profile(&encoded)
    {
        let lang = lang(Some(tag))?;
        let found = mailsetup_core::validate::profile_findings(borrowed);
        return Ok(findings_out(&found, lang, encoded.into_bytes()));
    }
    let lang = lang(optional_string(lang_tag, "the language")?.as_deref())?;
    let profile = read::profile(profile).map_err(|e| JsError::new(&format!("not a profile: {e}")))?;
    Ok(findings_out(&mailsetup_core::validate::profile_findings(profile.borrowed()), lang, Vec::new()))
}

/// Every finding of a settings document (profiles and tenants).
#[wasm_bindgen(js_name = validateSettings, unchecked_return_type = "Finding[]")]
pub fn validate_settings(
    #[wasm_bindgen(unchecked_param_type = "Settings")] settings: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Lang")] lang_tag: Option<String>,
) -> Result<JsValue, JsError> {
    let lang = lang(lang_tag.as_deref())?;
    let settings = read::settings(settings).map_err(|e| JsError::new(&format!("not a settings document: {e}")))?;
    Ok(findings_out(&mailsetup_core::validate_settings(&settings, lang), lang, Vec::new()))
}

/// One field as typed (`email`, `smtp.host`, `smtp.port`, …), e.g. on every keystroke.
#[wasm_bindgen(js_name = validateField, unchecked_return_type = "Finding[]")]
pub fn validate_field(
    #[wasm_bindgen(unchecked_param_type = "string")] field: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] value: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Lang")] lang_tag: Option<String>,
) -> Result<JsValue, JsError> {
    let field = string_arg(field, "the field name")?;
    let value = string_arg(value, "the value")?;
    let lang = lang(lang_tag.as_deref())?;
    let field: Field = field.parse().map_err(|e: mailsetup_core::field::UnknownField| JsError::new(&e.to_string()))?;
    Ok(findings_out(&mailsetup_core::validate_field(field, &value, lang), lang, Vec::new()))
}

/// Settings for an address or domain ("Einstellungen suchen"); `null` when unknown.
#[wasm_bindgen(js_name = lookupPreset, unchecked_return_type = "Preset | null")]
pub fn lookup_preset(
    address: &str,
    #[wasm_bindgen(unchecked_optional_param_type = "Lang")] lang_tag: Option<String>,
) -> Result<JsValue, JsError> {
    let lang = lang(lang_tag.as_deref())?;
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
