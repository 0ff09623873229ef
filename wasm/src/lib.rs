//! WebAssembly bindings of `mailsetup-core` for the setup wizard.
//!
//! Glue only: deserialize, call the core, serialize. Every function takes
//! plain JS values and returns plain JS objects (no `Map`s), and reports bad
//! input as a thrown `Error` with a specific message instead of panicking.
#![forbid(unsafe_code)]

use mailsetup_core::validate::{Settings, Tenant, validate_field, validate_in, validate_settings};
use mailsetup_core::{AuthKind, Lang, Profile, Security, Server};
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

// The profile is read field by field: it is validated on every keystroke,
// and serde-wasm-bindgen's generic walk over the object was a large part of
// the time in the benchmark. Same rules as the serde derive: missing
// optional fields take their defaults, wrong types are errors.
fn field(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn string_field(obj: &JsValue, key: &str, path: &str) -> Result<String, String> {
    let v = field(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(String::new());
    }
    v.as_string().ok_or_else(|| format!("`{path}{key}` must be a string"))
}

fn server_from_js(obj: &JsValue, path: &str) -> Result<Server, String> {
    if !obj.is_object() {
        return Err(format!("`{path}` must be an object"));
    }
    let path = format!("{path}.");
    let port = match field(obj, "port") {
        v if v.is_undefined() || v.is_null() => 0,
        v => match v.as_f64() {
            Some(n) if n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n) => n as u32,
            _ => return Err(format!("`{path}port` must be a whole number")),
        },
    };
    let security = match string_field(obj, "security", &path)?.as_str() {
        "" | "starttls" => Security::Starttls,
        "tls" => Security::Tls,
        "none" => Security::None,
        other => return Err(format!("`{path}security` must be \"tls\", \"starttls\" or \"none\", not {other:?}")),
    };
    Ok(Server {
        host: string_field(obj, "host", &path)?,
        port,
        security,
        username: string_field(obj, "username", &path)?,
    })
}

fn profile_from_js(v: &JsValue) -> Result<Profile, String> {
    if !v.is_object() {
        return Err("expected an object".into());
    }
    let smtp = field(v, "smtp");
    if smtp.is_undefined() {
        return Err("missing field `smtp`".into());
    }
    let pop = field(v, "pop_before_smtp");
    let auth = match string_field(v, "auth", "")?.as_str() {
        "" | "password" => AuthKind::Password,
        "oauth2" => AuthKind::Oauth2,
        other => return Err(format!("`auth` must be \"password\" or \"oauth2\", not {other:?}")),
    };
    Ok(Profile {
        name: string_field(v, "name", "")?,
        email: string_field(v, "email", "")?,
        auth,
        smtp: server_from_js(&smtp, "smtp")?,
        pop_before_smtp: if pop.is_undefined() || pop.is_null() {
            None
        } else {
            Some(server_from_js(&pop, "pop_before_smtp")?)
        },
    })
}

fn settings_from_js(v: &JsValue) -> Result<Settings, String> {
    if !v.is_object() {
        return Err("expected an object".into());
    }
    let list = |key: &str| -> Result<Vec<JsValue>, String> {
        let a = field(v, key);
        if a.is_undefined() || a.is_null() {
            return Ok(Vec::new());
        }
        if !js_sys::Array::is_array(&a) {
            return Err(format!("`{key}` must be an array"));
        }
        Ok(js_sys::Array::from(&a).iter().collect())
    };
    let profiles = list("profiles")?
        .iter()
        .enumerate()
        .map(|(i, p)| profile_from_js(p).map_err(|e| format!("profiles[{i}]: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let tenants = list("tenants")?
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let path = format!("tenants[{i}].");
            if !t.is_object() {
                return Err(format!("`tenants[{i}]` must be an object"));
            }
            let profile = string_field(t, "profile", &path)?;
            Ok(Tenant {
                id: string_field(t, "id", &path)?,
                name: string_field(t, "name", &path)?,
                email: string_field(t, "email", &path)?,
                profile: Some(profile).filter(|p| !p.is_empty()),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Settings { profiles, tenants })
}

/// Validates a whole profile; returns every finding.
#[wasm_bindgen(js_name = validateProfile, unchecked_return_type = "Finding[]")]
pub fn validate_profile(
    #[wasm_bindgen(unchecked_param_type = "Profile")] profile: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Lang | undefined")] lang_tag: Option<String>,
) -> Result<JsValue, JsError> {
    let lang = lang(lang_tag)?;
    let profile = profile_from_js(&profile).map_err(|e| JsError::new(&format!("not a profile: {e}")))?;
    to_js(&validate_in(&profile, lang))
}

/// Validates one field as typed (`email`, `smtp.host`, `smtp.port`, …).
#[wasm_bindgen(js_name = validateField, unchecked_return_type = "Finding[]")]
pub fn validate_field_js(
    field: &str,
    value: &str,
    #[wasm_bindgen(unchecked_param_type = "Lang | undefined")] lang_tag: Option<String>,
) -> Result<JsValue, JsError> {
    let lang = lang(lang_tag)?;
    let findings =
        validate_field(field, value, lang).ok_or_else(|| JsError::new(&format!("unknown field {field:?}")))?;
    to_js(&findings)
}

/// Validates a settings document (profiles and tenants).
#[wasm_bindgen(js_name = validateSettings, unchecked_return_type = "Finding[]")]
pub fn validate_settings_js(
    #[wasm_bindgen(unchecked_param_type = "Settings")] settings: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Lang | undefined")] lang_tag: Option<String>,
) -> Result<JsValue, JsError> {
    let lang = lang(lang_tag)?;
    let doc = settings_from_js(&settings).map_err(|e| JsError::new(&format!("not a settings document: {e}")))?;
    to_js(&validate_settings(&doc, lang))
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
