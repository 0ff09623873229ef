//! Profiles and settings documents read from JS objects, field by field.
//!
//! The path of settings documents, and of profiles whose values
//! `boundary` cannot take (a value of the wrong type): its errors name the
//! field. Written by hand because serde-wasm-bindgen's deserializer, for the
//! same job, brings the float formatting of serde's error messages into the
//! module (about 14 KB of its 150 KB budget, BENCHMARKS.md). The rules are the JSON model's
//! (`mailsetup_core::profile`): a missing or `null` text is empty, a
//! missing port 0, a missing encryption STARTTLS; anything of another type
//! is an error that names the field. A new field of the model is one line
//! here.

use mailsetup_core::{AuthKind, Profile, Security, Server, Settings, Tenant};
use wasm_bindgen::JsValue;

type Result<T> = std::result::Result<T, String>;

/// `obj[key]`.
fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn is_object(v: &JsValue) -> bool {
    v.is_object() && !js_sys::Array::is_array(v)
}

fn text(obj: &JsValue, path: &str, key: &'static str) -> Result<String> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(String::new());
    }
    v.as_string().ok_or_else(|| format!("`{path}{key}` must be a string"))
}

fn port(obj: &JsValue, path: &str) -> Result<u32> {
    let v = get(obj, "port");
    if v.is_undefined() || v.is_null() {
        return Ok(0);
    }
    match v.as_f64() {
        Some(n) if n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n) => Ok(n as u32),
        _ => Err(format!("`{path}port` must be a whole number")),
    }
}

fn choice<T: Copy>(obj: &JsValue, path: &str, key: &'static str, default: T, words: &[(&str, T)]) -> Result<T> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(default);
    }
    let word = v.as_string();
    words.iter().find(|(w, _)| Some(*w) == word.as_deref()).map(|(_, t)| *t).ok_or_else(|| {
        let all: Vec<String> = words.iter().map(|(w, _)| format!("\"{w}\"")).collect();
        format!("`{path}{key}` must be one of {}", all.join(", "))
    })
}

fn server(v: &JsValue, path: &str) -> Result<Server> {
    if !is_object(v) {
        return Err(format!("`{}` must be an object", path.trim_end_matches('.')));
    }
    let security = [("tls", Security::Tls), ("starttls", Security::Starttls), ("none", Security::None)];
    Ok(Server {
        host: text(v, path, "host")?,
        port: port(v, path)?,
        security: choice(v, path, "security", Security::Starttls, &security)?,
        username: text(v, path, "username")?,
    })
}

fn profile_at(v: &JsValue, path: &str) -> Result<Profile> {
    if !is_object(v) {
        return Err(if path.is_empty() {
            "expected an object".into()
        } else {
            format!("`{}` must be an object", path.trim_end_matches('.'))
        });
    }
    let smtp = get(v, "smtp");
    if smtp.is_undefined() {
        return Err(format!("`{path}smtp` is missing"));
    }
    let pop = get(v, "pop_before_smtp");
    Ok(Profile {
        name: text(v, path, "name")?,
        email: text(v, path, "email")?,
        auth: choice(
            v,
            path,
            "auth",
            AuthKind::Password,
            &[("password", AuthKind::Password), ("oauth2", AuthKind::Oauth2)],
        )?,
        smtp: server(&smtp, &format!("{path}smtp."))?,
        pop_before_smtp: if pop.is_undefined() || pop.is_null() {
            None
        } else {
            Some(server(&pop, &format!("{path}pop_before_smtp."))?)
        },
        oauth_provider: String::new(),
    })
}

/// A profile.
pub fn profile(v: &JsValue) -> Result<Profile> {
    profile_at(v, "")
}

fn list<T>(doc: &JsValue, key: &'static str, item: impl Fn(&JsValue, &str) -> Result<T>) -> Result<Vec<T>> {
    let v = get(doc, key);
    if v.is_undefined() || v.is_null() {
        return Ok(Vec::new());
    }
    if !js_sys::Array::is_array(&v) {
        return Err(format!("`{key}` must be an array"));
    }
    js_sys::Array::from(&v).iter().enumerate().map(|(i, x)| item(&x, &format!("{key}[{i}]."))).collect()
}

fn tenant(v: &JsValue, path: &str) -> Result<Tenant> {
    if !is_object(v) {
        return Err(format!("`{}` must be an object", path.trim_end_matches('.')));
    }
    let id = get(v, "id");
    let profile = get(v, "profile");
    Ok(Tenant {
        id: id.as_string().ok_or_else(|| format!("`{path}id` must be a string"))?,
        name: text(v, path, "name")?,
        email: text(v, path, "email")?,
        profile: if profile.is_undefined() || profile.is_null() {
            None
        } else {
            Some(profile.as_string().ok_or_else(|| format!("`{path}profile` must be a string or null"))?)
        },
    })
}

/// A settings document (profiles and tenants).
pub fn settings(v: &JsValue) -> Result<Settings> {
    if !is_object(v) {
        return Err("expected an object".into());
    }
    Ok(Settings { profiles: list(v, "profiles", profile_at)?, tenants: list(v, "tenants", tenant)? })
}
