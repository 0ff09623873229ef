//! The Rust half of the package's wire format (the JS half, and why it
//! exists, is in `js/wire.js`).
//!
//! JS → Rust: a profile or settings document flattened into one string, each
//! value prefixed by its length in UTF-16 code units as two chars of 15 bits.
//! Rust → JS: findings in one string; a text is either one char `k > 0`
//! (entry `k - 1` of [`table`], sent once) or `0`, the length, and the text.
//! Messages are not sent: each finding names its template and the subject
//! its `{subject}` stands for, both in the table, and JS fills in the
//! parameters (sending the rendered text, and decoding it, took longer
//! than everything else).

use mailsetup_core::finding::{Code, Finding, Pairs, SUBJECTS, Severity};
use mailsetup_core::validate::{PROFILE_FIELDS, Settings, Tenant};
use mailsetup_core::{AuthKind, Lang, Profile, Security, Server};

const SEVERITIES: [&str; 3] = ["info", "warning", "error"];

/// Parameter keys findings use; any other key still works, as text.
const PARAM_KEYS: &[&str] = &[
    "suggestion",
    "char",
    "octets",
    "part",
    "detail",
    "scheme",
    "port",
    "standard",
    "security",
    "expected",
    "security_label",
    "expected_label",
    "default",
    "name",
    "first",
    "id",
    "tenant",
    "profile",
    "tenant_email",
    "profile_email",
];

/// The table of texts sent once: codes, severities, field names, parameter
/// keys, message templates (per code, German then English), subjects (the
/// same).
pub fn table() -> String {
    let mut all: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    all.extend(SEVERITIES);
    all.extend(PROFILE_FIELDS);
    all.extend(PARAM_KEYS);
    all.extend(Code::ALL.iter().flat_map(|c| [c.template(Lang::De), c.template(Lang::En)]));
    all.extend(SUBJECTS.iter().flatten());
    debug_assert!(all.iter().all(|t| !t.contains('\n')), "table entries are separated by newlines");
    all.join("\n")
}

fn severity_index(s: Severity) -> usize {
    match s {
        Severity::Info => 0,
        Severity::Warning => 1,
        Severity::Error => 2,
    }
}

fn push_token(out: &mut String, index: usize) {
    // Table indexes are small (far below the surrogate range).
    out.push(char::from_u32(index as u32 + 1).expect("table index is a valid char"));
}

fn push_len(out: &mut String, units: usize) {
    let units = u32::try_from(units).unwrap_or(u32::MAX) & 0x3FFF_FFFF;
    for part in [units >> 15, units & 0x7FFF] {
        out.push(char::from_u32(part).expect("15 bits are a valid char"));
    }
}

fn utf16_len(s: &str) -> usize {
    if s.is_ascii() { s.len() } else { s.chars().map(char::len_utf16).sum() }
}

fn push_text(out: &mut String, s: &str) {
    out.push('\0');
    push_len(out, utf16_len(s));
    out.push_str(s);
}

fn push_known(out: &mut String, s: &str, offset: usize, known: &[&str]) {
    match known.iter().position(|k| *k == s) {
        Some(i) => push_token(out, offset + i),
        None => push_text(out, s),
    }
}

/// Offsets of the table's parts.
const FIELDS_AT: usize = Code::ALL.len() + SEVERITIES.len();
const KEYS_AT: usize = FIELDS_AT + PROFILE_FIELDS.len();
const TEMPLATES_AT: usize = KEYS_AT + PARAM_KEYS.len();
const SUBJECTS_AT: usize = TEMPLATES_AT + 2 * Code::ALL.len();

fn push_pairs(out: &mut String, pairs: &Pairs, keys_at: usize, keys: &[&str]) {
    let n = pairs.len().min(0x7FFF);
    out.push(char::from_u32(n as u32).expect("15 bits are a valid char"));
    for (k, v) in pairs.iter().take(n) {
        push_known(out, k, keys_at, keys);
        push_text(out, v);
    }
}

/// Encodes findings; messages are to be rendered in `lang`.
pub fn encode(findings: &[Finding], lang: Lang) -> String {
    let mut out = String::with_capacity(findings.len() * 24);
    for f in findings {
        let code = Code::ALL.iter().position(|c| *c == f.code).expect("every code is in Code::ALL");
        push_token(&mut out, code);
        push_token(&mut out, Code::ALL.len() + severity_index(f.severity));
        push_known(&mut out, &f.field, FIELDS_AT, PROFILE_FIELDS);
        push_pairs(&mut out, &f.params, KEYS_AT, PARAM_KEYS);
        match &f.fix {
            None => out.push('\0'),
            Some(fix) => {
                out.push('\u{1}');
                push_pairs(&mut out, &fix.set, FIELDS_AT, PROFILE_FIELDS);
            }
        }
        push_token(&mut out, TEMPLATES_AT + 2 * code + lang as usize);
        match f.subject() {
            Some(s) => push_token(&mut out, SUBJECTS_AT + 2 * s + lang as usize),
            None => out.push('\0'),
        }
    }
    out
}

/// Reads the values of a flattened profile or settings document.
struct Reader<'a> {
    rest: &'a str,
}

impl<'a> Reader<'a> {
    fn next(&mut self) -> Result<&'a str, String> {
        let mut chars = self.rest.chars();
        let (Some(hi), Some(lo)) = (chars.next(), chars.next()) else {
            return Err("internal error: flattened value missing".into());
        };
        let mut units = ((hi as usize) << 15) | lo as usize;
        let body = chars.as_str();
        // ASCII (the common case) needs no walk: one unit per byte.
        let end = if body.len() >= units && body.as_bytes()[..units].is_ascii() {
            units
        } else {
            let mut end = 0;
            for c in body.chars() {
                if units == 0 {
                    break;
                }
                units = units.checked_sub(c.len_utf16()).ok_or("internal error: bad length")?;
                end += c.len_utf8();
            }
            if units != 0 {
                return Err("internal error: flattened value cut short".into());
            }
            end
        };
        let (value, rest) = body.split_at(end);
        self.rest = rest;
        Ok(value)
    }

    fn count(&mut self) -> Result<usize, String> {
        self.next()?.parse().map_err(|_| "internal error: bad count".to_string())
    }
}

fn server(r: &mut Reader, path: &str) -> Result<Server, String> {
    let host = r.next()?.to_string();
    let port = match r.next()? {
        "" => 0,
        p => p.parse().map_err(|_| format!("`{path}.port` must be a whole number"))?,
    };
    let security = match r.next()? {
        "" | "starttls" => Security::Starttls,
        "tls" => Security::Tls,
        "none" => Security::None,
        other => return Err(format!("`{path}.security` must be \"tls\", \"starttls\" or \"none\", not {other:?}")),
    };
    Ok(Server { host, port, security, username: r.next()?.to_string() })
}

fn profile(r: &mut Reader) -> Result<Profile, String> {
    let name = r.next()?.to_string();
    let email = r.next()?.to_string();
    let auth = match r.next()? {
        "" | "password" => AuthKind::Password,
        "oauth2" => AuthKind::Oauth2,
        other => return Err(format!("`auth` must be \"password\" or \"oauth2\", not {other:?}")),
    };
    let smtp = server(r, "smtp")?;
    let pop_before_smtp = match r.next()? {
        "" => None,
        _ => Some(server(r, "pop_before_smtp")?),
    };
    Ok(Profile { name, email, auth, smtp, pop_before_smtp })
}

/// A profile from `flattenProfile` (js/wire.js).
pub fn parse_profile(flat: &str) -> Result<Profile, String> {
    profile(&mut Reader { rest: flat })
}

/// A settings document from `flattenSettings` (js/wire.js).
pub fn parse_settings(flat: &str) -> Result<Settings, String> {
    let mut r = Reader { rest: flat };
    let profiles = (0..r.count()?)
        .map(|i| profile(&mut r).map_err(|e| format!("profiles[{i}]: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let tenants = (0..r.count()?)
        .map(|_| {
            let (id, name, email) = (r.next()?.to_string(), r.next()?.to_string(), r.next()?.to_string());
            let profile = Some(r.next()?.to_string()).filter(|p| !p.is_empty());
            Ok(Tenant { id, name, email, profile })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Settings { profiles, tenants })
}
