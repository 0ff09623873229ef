//! WebAssembly bindings of `mailsetup-core` for the setup wizard.
//!
//! Glue only: read the input, call the core, hand back plain JS objects (no
//! `Map`s). Bad input is a thrown `Error` with a specific message, never a
//! panic. Profiles and findings cross the boundary through a small wire
//! format (`wire.rs`, `js/wire.js`); presets and suggestions through
//! serde-wasm-bindgen.
#![forbid(unsafe_code)]

mod wire;

use mailsetup_core::validate::{field_findings, profile_findings_into, settings_findings};
use mailsetup_core::{Finding, Lang};
use serde::Serialize;
use std::cell::{Cell, RefCell};
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
/** Findings are values: read them, do not change them (one that depends on no input text is one frozen object, handed out again by later calls). */
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

// Profiles come in and findings go out through js/wire.js, which is also
// where `validateProfile`, `validateSettings` and `validateField` live
// (the package's entry, `mailsetup.js`, exports them from there). Reading
// a JS object from Rust, and building one, costs a crossing per field and
// per property; and a function wasm-bindgen exports pays for its JS values
// on the way in and out (the externref table, a result array). So JS
// writes the input into wasm memory, calls `wire_validate` with numbers
// only, and reads the findings' encoding from memory: one crossing.
#[wasm_bindgen(module = "/js/wire.js")]
extern "C" {
    #[wasm_bindgen(js_name = setTable)]
    fn set_table(joined: &str, memory: &JsValue, exports: &JsValue, result: usize);
    #[wasm_bindgen(js_name = validateProfile, catch)]
    fn js_validate_profile(profile: &JsValue, lang: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = validateSettings, catch)]
    fn js_validate_settings(settings: &JsValue, lang: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = validateField, catch)]
    fn js_validate_field(field: &JsValue, value: &JsValue, lang: &JsValue) -> Result<JsValue, JsValue>;
    #[cfg(test)]
    #[wasm_bindgen(js_name = decodeFindings)]
    fn decode_findings(units: usize, len: usize, texts: usize, texts_len: usize) -> JsValue;
}

thread_local! {
    static TABLE_SENT: Cell<bool> = const { Cell::new(false) };
    /// Where JS writes the input; reused from call to call.
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    /// The encoding of the last call's findings, reused (JS reads it in place).
    static ENCODED: RefCell<wire::Encoded> = RefCell::new(wire::Encoded::default());
    /// The findings of the call being encoded, kept for its room.
    static FINDINGS: RefCell<Vec<Finding>> = const { RefCell::new(Vec::new()) };
    /// The last call's error message.
    static ERROR: RefCell<String> = const { RefCell::new(String::new()) };
    /// Where JS finds the last call's result: the units' address and count
    /// and the texts' address and length, or the error's address and length.
    static RESULT: Cell<[u32; 4]> = const { Cell::new([0; 4]) };
}

/// Hands js/wire.js the table, the module's memory, its exports (the raw
/// `wire_*` functions) and where results are; once. The package's entry
/// calls it right after instantiating the module.
#[wasm_bindgen(js_name = wireInit, skip_typescript)]
pub fn init() {
    if !TABLE_SENT.replace(true) {
        let result = RESULT.with(|r| r.as_ptr() as usize);
        set_table(&wire::table(), &wasm_bindgen::memory(), &wasm_bindgen::exports(), result);
    }
}

/// The input buffer, at least `cap` bytes; its address (js/wire.js).
#[wasm_bindgen(skip_typescript)]
pub fn wire_input(cap: usize) -> usize {
    INPUT.with_borrow_mut(|buf| {
        if buf.len() < cap {
            buf.resize(cap, 0);
        }
        buf.as_mut_ptr() as usize
    })
}

/// What the input holds (js/wire.js writes the language tag first).
const PROFILE: u32 = 0;
const SETTINGS: u32 = 1;
const FIELD: u32 = 2;

/// Validates the first `len` bytes of the input, written by js/wire.js, as
/// `kind`; 0 when the findings are encoded, 1 when there is an error
/// message instead (the result block says where either is).
#[wasm_bindgen(skip_typescript)]
pub fn wire_validate(kind: u32, len: usize) -> u32 {
    let outcome = INPUT.with_borrow(|buf| {
        let values = wire::Values::decode(buf.get(..len).ok_or("internal error: input cut short")?)?;
        let field_homes;
        let (tag, findings, homes) = match kind {
            PROFILE => {
                let (tag, profile) = wire::parse_profile(&values).map_err(|e| format!("not a profile: {e}"))?;
                (tag, Input::Profile(profile), &wire::PROFILE_HOMES[..])
            }
            SETTINGS => {
                let (tag, settings) =
                    wire::parse_settings(&values).map_err(|e| format!("not a settings document: {e}"))?;
                (tag, Input::Settings(settings), &[][..])
            }
            FIELD => {
                let (tag, field, value) = wire::parse_field(&values)?;
                field_homes = wire::field_homes(field);
                (tag, Input::Field(field, value), &field_homes[..])
            }
            _ => return Err(format!("internal error: unknown kind {kind}")),
        };
        // A bad language tag is reported before any validation is done.
        let lang = parse_lang(Some(tag).filter(|t| !t.is_empty()))?;
        FINDINGS.with_borrow_mut(|list| {
            list.clear();
            match findings {
                Input::Profile(p) => profile_findings_into(p, list),
                Input::Settings(s) => list.extend(settings_findings(&s)),
                Input::Field(field, value) => {
                    list.extend(field_findings(field, value).ok_or_else(|| format!("unknown field {field:?}"))?)
                }
            }
            ENCODED.with_borrow_mut(|out| {
                wire::encode(list, lang, &wire::Input { values: values.all(), homes }, out);
                RESULT.set([
                    out.units.as_ptr() as u32,
                    out.units.len() as u32,
                    out.texts.as_ptr() as u32,
                    out.texts.len() as u32,
                ]);
            });
            // The owned texts go now; the list's room stays for the next call.
            list.clear();
            Ok::<(), String>(())
        })
    });
    match outcome {
        Ok(()) => 0,
        Err(e) => ERROR.with_borrow_mut(|error| {
            *error = e;
            RESULT.set([error.as_ptr() as u32, error.len() as u32, 0, 0]);
            1
        }),
    }
}

/// What `wire_validate` validates, once the language is known to be good.
enum Input<'a> {
    Profile(mailsetup_core::ProfileRef<'a>),
    Settings(mailsetup_core::validate::Settings),
    Field(&'a str, &'a str),
}

/// Findings as plain JS objects, messages rendered in `lang`, as
/// js/wire.js decodes them (for the tests of the rendering).
#[cfg(test)]
fn findings_to_js(findings: &[Finding], lang: Lang) -> JsValue {
    init();
    ENCODED.with_borrow_mut(|out| {
        wire::encode(findings, lang, &wire::Input::NONE, out);
        decode_findings(out.units.as_ptr() as usize, out.units.len(), out.texts.as_ptr() as usize, out.texts.len())
    })
}

// The package's validation as Rust code sees it: the very functions the
// package's entry exports from js/wire.js. `Err` is the `Error` JS throws.

/// `validateProfile`: every finding of a profile.
pub fn validate_profile(profile: &JsValue, lang: &JsValue) -> Result<JsValue, JsValue> {
    init();
    js_validate_profile(profile, lang)
}

/// `validateField`: one field as typed (`email`, `smtp.host`, `smtp.port`, …).
pub fn validate_field(field: &JsValue, value: &JsValue, lang: &JsValue) -> Result<JsValue, JsValue> {
    init();
    js_validate_field(field, value, lang)
}

/// `validateSettings`: a settings document (profiles and tenants).
pub fn validate_settings(settings: &JsValue, lang: &JsValue) -> Result<JsValue, JsValue> {
    init();
    js_validate_settings(settings, lang)
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
                    let js = findings_to_js(std::slice::from_ref(&f), lang);
                    let got = js_sys::Reflect::get(&js_sys::Array::from(&js).get(0), &"message".into()).unwrap();
                    assert_eq!(got.as_string().unwrap(), f.rendered(lang).message, "{code:?} {field} {lang:?}");
                }
            }
        }
    }
}
