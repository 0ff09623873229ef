//! The Rust half of the package's wire format (the JS half, and why it
//! exists, is in `js/wire.js`).
//!
//! JS → Rust: JS writes a profile or settings document straight into a
//! buffer in wasm memory: per value, its length in bytes (four, little
//! endian) and its UTF-8, which validation then reads in place.
//! Rust → JS: findings as 16-bit units that JS reads in place, plus one
//! string with every text that is not in the [`table`] (sent once): making
//! a JS string per text from wasm memory cost about 0.25 µs each. A text is
//! one unit `k > 0` (entry `k - 1` of the table) or `0` and its length in
//! two units: the next that many UTF-16 units of the string. Messages are
//! not sent: each finding names its template and the subject its
//! `{subject}` stands for, both in the table, and JS fills in the
//! parameters (sending rendered messages cost more than all the rest).

use mailsetup_core::finding::{Code, Finding, Pairs, SUBJECTS, Severity};
use mailsetup_core::validate::{PROFILE_FIELDS, Settings, Tenant};
use mailsetup_core::{AuthKind, Lang, Profile, ProfileRef, Security, ServerRef};

const SEVERITIES: [Severity; 3] = [Severity::Info, Severity::Warning, Severity::Error];

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
    all.extend(SEVERITIES.map(Severity::as_str));
    all.extend(PROFILE_FIELDS);
    all.extend(PARAM_KEYS);
    all.extend(Code::ALL.iter().flat_map(|c| [c.template(Lang::De), c.template(Lang::En)]));
    all.extend(SUBJECTS.iter().flatten());
    debug_assert!(all.iter().all(|t| !t.contains('\n')), "table entries are separated by newlines");
    all.join("\n")
}

fn severity_index(s: Severity) -> usize {
    SEVERITIES.iter().position(|x| *x == s).expect("every severity is listed")
}

fn push_token(out: &mut Vec<u16>, index: usize) {
    // Table indexes are small.
    out.push(u16::try_from(index + 1).expect("table index fits 16 bits"));
}

/// Where findings are encoded: the units, and the texts not in the table.
#[derive(Debug, Default)]
pub struct Encoded {
    /// Tokens, counts and lengths.
    pub units: Vec<u16>,
    /// The texts, one after the other.
    pub texts: String,
}

impl Encoded {
    fn push_text(&mut self, s: &str) {
        let units = if s.is_ascii() { s.len() } else { s.encode_utf16().count() };
        let units = u32::try_from(units).unwrap_or(u32::MAX);
        self.units.extend([0, (units >> 16) as u16, units as u16]);
        self.texts.push_str(s);
    }

    fn push_known(&mut self, s: &str, offset: usize, known: &[&str]) {
        match known.iter().position(|k| *k == s) {
            Some(i) => push_token(&mut self.units, offset + i),
            None => self.push_text(s),
        }
    }

    fn push_pairs(&mut self, pairs: &Pairs, keys_at: usize, keys: &[&str]) {
        let n = pairs.len().min(usize::from(u16::MAX));
        self.units.push(n as u16);
        for (k, v) in pairs.iter().take(n) {
            self.push_known(k, keys_at, keys);
            self.push_text(v);
        }
    }
}

/// Offsets of the table's parts.
const FIELDS_AT: usize = Code::ALL.len() + SEVERITIES.len();
const KEYS_AT: usize = FIELDS_AT + PROFILE_FIELDS.len();
const TEMPLATES_AT: usize = KEYS_AT + PARAM_KEYS.len();
const SUBJECTS_AT: usize = TEMPLATES_AT + 2 * Code::ALL.len();

/// Encodes findings into `out` (cleared first); messages are to be
/// rendered in `lang`.
pub fn encode(findings: &[Finding], lang: Lang, out: &mut Encoded) {
    out.units.clear();
    out.texts.clear();
    for f in findings {
        let code = f.code.index();
        push_token(&mut out.units, code);
        push_token(&mut out.units, Code::ALL.len() + severity_index(f.severity));
        out.push_known(&f.field, FIELDS_AT, PROFILE_FIELDS);
        out.push_pairs(&f.params, KEYS_AT, PARAM_KEYS);
        match &f.fix {
            None => out.units.push(0),
            Some(fix) => {
                out.units.push(1);
                out.push_pairs(&fix.set, FIELDS_AT, PROFILE_FIELDS);
            }
        }
        push_token(&mut out.units, TEMPLATES_AT + 2 * code + lang as usize);
        match f.subject() {
            Some(s) => push_token(&mut out.units, SUBJECTS_AT + 2 * s + lang as usize),
            None => out.units.push(0),
        }
    }
}

/// The values JS wrote: per value, its length in bytes (four bytes, little
/// endian) and its UTF-8, which validation reads in place.
#[derive(Debug)]
pub struct Values<'a> {
    values: Vec<&'a str>,
}

impl<'a> Values<'a> {
    /// Splits `bytes` as js/wire.js writes them.
    pub fn decode(bytes: &'a [u8]) -> Result<Values<'a>, String> {
        let mut values = Vec::with_capacity(16);
        let mut rest = bytes;
        while let [a, b, c, d, tail @ ..] = rest {
            let n = u32::from_le_bytes([*a, *b, *c, *d]) as usize;
            let value = tail.get(..n).ok_or("internal error: value cut short")?;
            values.push(std::str::from_utf8(value).map_err(|_| "internal error: not UTF-8")?);
            rest = &tail[n..];
        }
        if !rest.is_empty() {
            return Err("internal error: stray byte".into());
        }
        Ok(Values { values })
    }

    fn reader(&self) -> Reader<'_, 'a> {
        Reader { values: self.values.iter() }
    }
}

/// Hands out the values in order.
struct Reader<'v, 'a> {
    values: std::slice::Iter<'v, &'a str>,
}

impl<'a> Reader<'_, 'a> {
    fn next(&mut self) -> Result<&'a str, String> {
        self.values.next().copied().ok_or_else(|| "internal error: value missing".to_string())
    }

    fn count(&mut self) -> Result<usize, String> {
        self.next()?.parse().map_err(|_| "internal error: bad count".to_string())
    }
}

fn server<'a>(r: &mut Reader<'_, 'a>, path: &str) -> Result<ServerRef<'a>, String> {
    let host = r.next()?;
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
    Ok(ServerRef { host, port, security, username: r.next()? })
}

fn profile<'a>(r: &mut Reader<'_, 'a>) -> Result<ProfileRef<'a>, String> {
    let name = r.next()?;
    let email = r.next()?;
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
    Ok(ProfileRef { name, email, auth, smtp, pop_before_smtp })
}

/// The language tag `flattenProfile` put first, and the profile after it.
pub fn parse_profile<'a>(values: &Values<'a>) -> Result<(&'a str, ProfileRef<'a>), String> {
    let mut r = values.reader();
    let lang = r.next()?;
    Ok((lang, profile(&mut r)?))
}

/// A settings document from `flattenSettings` (js/wire.js).
pub fn parse_settings(values: &Values) -> Result<Settings, String> {
    let mut r = values.reader();
    let profiles = (0..r.count()?)
        .map(|i| profile(&mut r).map(Profile::from).map_err(|e| format!("profiles[{i}]: {e}")))
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
