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

/// The language of a tag; German when there is none.
fn parse_lang(tag: Option<&str>) -> Result<Lang, String> {
    match tag {
        None => Ok(Lang::De),
        Some(t) => Lang::parse(t).ok_or_else(|| format!("unknown language {t:?}: use \"de\" or \"en\"")),
    }
}

fn lang(tag: Option<String>) -> Result<Lang, JsError> {
    parse_lang(tag.as_deref()).map_err(|e| JsError::new(&e))
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| JsError::new(&e.to_string()))
}

// Profiles come in and findings go out through js/wire.js: reading a JS
// object from Rust, and building one, costs a crossing per field and per
// property, which was most of the time a keystroke's validation took.
#[wasm_bindgen(module = "/js/wire.js")]
extern "C" {
    #[wasm_bindgen(js_name = flattenProfile)]
    fn flatten_profile(profile: &JsValue, lang: &JsValue, at: usize, cap: usize) -> i32;
    #[wasm_bindgen(js_name = flattenSettings)]
    fn flatten_settings(settings: &JsValue, at: usize, cap: usize) -> i32;
    #[wasm_bindgen(js_name = takeError)]
    fn take_error() -> String;
    #[wasm_bindgen(js_name = setTable)]
    fn set_table(joined: &str, memory: &JsValue);
    #[wasm_bindgen(js_name = decodeFindings)]
    fn decode_findings(units: usize, len: usize, texts: usize, texts_len: usize) -> JsValue;
}

thread_local! {
    static TABLE_SENT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Where JS writes the input; reused from call to call.
    static INPUT: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    /// The encoding of the last call's findings, reused (JS reads it in place).
    static ENCODED: std::cell::RefCell<wire::Encoded> = std::cell::RefCell::new(wire::Encoded::default());
}

/// Lets `flatten` write its input into the reused buffer (growing it when JS
/// asks for more), decodes it and hands the values to `then`; `Err` carries
/// JS's message for bad input.
fn with_input<T>(
    flatten: impl Fn(usize, usize) -> i32,
    then: impl FnOnce(&wire::Values) -> Result<T, String>,
) -> Result<T, String> {
    init();
    INPUT.with_borrow_mut(|buf| {
        if buf.is_empty() {
            buf.resize(1024, 0);
        }
        loop {
            // JS writes through the address (a view of wasm memory it keeps).
            match flatten(buf.as_mut_ptr() as usize, buf.len()) {
                -1 => return Err(take_error()),
                n if n < 0 => buf.resize(n.unsigned_abs() as usize, 0),
                n => return then(&wire::Values::decode(&buf[..n as usize])?),
            }
        }
    })
}

/// Hands js/wire.js the table and the module's memory, once.
fn init() {
    if !TABLE_SENT.replace(true) {
        set_table(&wire::table(), &wasm_bindgen::memory());
    }
}

/// Findings as plain JS objects, messages rendered in `lang`; `input` is
/// the values js/wire.js wrote for this call (texts found there go back as
/// references to JS's own strings), or nothing.
fn findings_to_js(findings: &[Finding], lang: Lang, input: &[&str]) -> JsValue {
    init();
    ENCODED.with_borrow_mut(|out| {
        wire::encode(findings, lang, input, out);
        decode_findings(out.units.as_ptr() as usize, out.units.len(), out.texts.as_ptr() as usize, out.texts.len())
    })
}

/// Validates a whole profile; returns every finding.
#[wasm_bindgen(js_name = validateProfile, unchecked_return_type = "Finding[]")]
pub fn validate_profile(
    #[wasm_bindgen(unchecked_param_type = "Profile")] profile: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Lang | undefined")] lang_tag: JsValue,
) -> Result<JsValue, JsError> {
    // The language travels with the profile: one crossing, not two.
    // Findings are encoded while the input is still there to refer to.
    with_input(
        |at, cap| flatten_profile(&profile, &lang_tag, at, cap),
        |values| {
            let (tag, profile) = wire::parse_profile(values)?;
            let findings = profile_findings(profile);
            Ok(parse_lang(Some(tag).filter(|t| !t.is_empty()))
                .map(|lang| findings_to_js(&findings, lang, values.all())))
        },
    )
    .map_err(|e| JsError::new(&format!("not a profile: {e}")))?
    .map_err(|e| JsError::new(&e))
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
    Ok(findings_to_js(&findings, lang, &[]))
}

/// Validates a settings document (profiles and tenants).
#[wasm_bindgen(js_name = validateSettings, unchecked_return_type = "Finding[]")]
pub fn validate_settings_js(
    #[wasm_bindgen(unchecked_param_type = "Settings")] settings: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Lang | undefined")] lang_tag: Option<String>,
) -> Result<JsValue, JsError> {
    let lang = lang(lang_tag)?;
    with_input(
        |at, cap| flatten_settings(&settings, at, cap),
        |values| Ok(findings_to_js(&settings_findings(&wire::parse_settings(values)?), lang, values.all())),
    )
    .map_err(|e| JsError::new(&format!("not a settings document: {e}")))
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

#[cfg(test)]
mod tests {
    use mailsetup_core::Code;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    /// Every template, with every parameter it names, renders in JS as in
    /// the core; `{subject}` comes from the table where no parameter gives it.
    #[wasm_bindgen_test]
    fn every_template_renders_as_in_the_core() {
        for &code in Code::ALL {
            for field in ["email", "smtp.host", "pop_before_smtp.host", "smtp.port", "tenants[0].email"] {
                for lang in [Lang::De, Lang::En] {
                    let template = code.template(lang);
                    let mut f = Finding::new(code, field);
                    for key in template.split('{').skip(1).filter_map(|r| r.split_once('}').map(|(k, _)| k)) {
                        if key != "subject" && !f.params.contains_key(key) {
                            f.params.insert(key.to_string(), format!("«{key}» ü😀"));
                        }
                    }
                    let js = findings_to_js(std::slice::from_ref(&f), lang, &[]);
                    let got = js_sys::Reflect::get(&js_sys::Array::from(&js).get(0), &"message".into()).unwrap();
                    assert_eq!(got.as_string().unwrap(), f.rendered(lang).message, "{code:?} {field} {lang:?}");
                }
            }
        }
    }
}
