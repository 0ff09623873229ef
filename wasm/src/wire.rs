//! The Rust half of the package's wire format (the JS half, and why it
//! exists, is in `js/wire.js`).
//!
//! JS → Rust: JS writes a profile or settings document straight into a
//! buffer in wasm memory: per value, its length in bytes (four bytes of
//! seven bits each, low first, so that they are ASCII) and its UTF-8, which
//! validation then reads in place.
//! Rust → JS: findings as 16-bit units that JS reads in place. A text is
//! one unit `k > 0` (entry `k - 1` of the [`table`], sent once), or `0`
//! and a reference into the input JS wrote for this call (value, start,
//! length: JS slices a string it already has), or `0`, `OWN_TEXT` and a
//! length into the call's own texts, one string for all (making a JS
//! string from wasm memory cost about 0.15 µs each time). Messages are not
//! sent: each finding names its template and the subject its `{subject}`
//! stands for, both in the table, and JS fills in the parameters (sending
//! rendered messages cost more than all the rest).

use mailsetup_core::finding::{ASCII_CHARS, Code, Finding, Pairs, STATIC_VALUES, SUBJECTS, Severity, Text};
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
/// same), and the core's static parameter and fix values (`STATIC_VALUES`:
/// sent as a token, not as text, as making a JS string from wasm memory is
/// the dearest part of a text; a value made for the finding, a port number
/// say, is never looked up there but goes back as a reference into the
/// input or as text).
pub fn table() -> String {
    let mut all: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    all.extend(SEVERITIES.map(Severity::as_str));
    all.extend(PROFILE_FIELDS);
    all.extend(PARAM_KEYS);
    all.extend(Code::ALL.iter().flat_map(|c| [c.template(Lang::De), c.template(Lang::En)]));
    all.extend(SUBJECTS.iter().flatten());
    all.extend(STATIC_VALUES);
    all.extend((0..ASCII_CHARS.len()).map(|i| &ASCII_CHARS[i..i + 1]));
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
    /// Tokens, counts and references.
    pub units: Vec<u16>,
    /// The texts that are neither in the table nor in the input, one after
    /// the other.
    pub texts: String,
    /// Static texts already looked up (see [`Encoded::lookup`]).
    seen: Vec<Seen>,
    /// The key of the finding being encoded (see [`Shared`]).
    key: Vec<usize>,
    /// The input value of the finding's own field, when known: its texts
    /// are searched for there first.
    home: Option<usize>,
    /// Findings already sent whole (see [`Shared`]).
    shared: Shared,
}

/// Findings made of static texts only (nothing from the input, nothing
/// made for them: "the port must be 1–65535", "quoted local part") are sent
/// whole once, with a number, and from then on as that number: JS keeps
/// the object it built the first time (frozen, so no caller can change it
/// for the next) and hands it out again. Building a finding's objects and
/// its message is most of what JS spends per finding, and more than half
/// the findings of the e-mail corpus are like this. A finding is known
/// again by its code, severity and language and the addresses and lengths
/// of its texts (a `&'static str` always holds the same text), before it is
/// encoded: a repeat costs neither JS nor the encoder anything.
///
/// Units: `SHARED_NEW`, the number, then the finding as usual; or
/// `SHARED`, the number. A finding's encoding starts with its code's
/// token, which is far below both. The numbers are bounded (`SHARED_MAX`):
/// past that, findings are sent whole every time, as before.
#[derive(Debug, Default)]
struct Shared {
    /// The keys of the shared findings, one after the other.
    keys: Vec<usize>,
    /// Per number: where its key starts in `keys`, and its length.
    spans: Vec<(u32, u32)>,
    /// Open addressing by a hash of the key: number + 1, or 0 for a free
    /// slot.
    slots: Vec<u16>,
}

const SHARED: u16 = u16::MAX - 2;
const SHARED_NEW: u16 = u16::MAX - 1;
/// At most this many shared findings (a finding of static texts can name
/// each code, field and static value: the combinations that occur are far
/// fewer).
const SHARED_MAX: usize = 2048;
/// Twice as many slots as numbers, a power of two.
const SHARED_SLOTS: usize = 2 * SHARED_MAX;

/// What tells a finding of static texts from another: its code, severity
/// and language, and each text's address and length (field, parameters,
/// fix), in order. `None` when a text is not static. The subject and the
/// template follow from these.
fn static_key(f: &Finding, lang: Lang, key: &mut Vec<usize>) -> Option<()> {
    fn text(t: &Text, key: &mut Vec<usize>) -> Option<()> {
        let Text::Borrowed(s) = t else { return None };
        key.extend([s.as_ptr() as usize, s.len()]);
        Some(())
    }
    fn pairs(p: &Pairs, key: &mut Vec<usize>) -> Option<()> {
        key.push(p.len());
        p.texts().try_for_each(|(k, v)| text(k, key).and_then(|()| text(v, key)))
    }
    key.clear();
    key.push(f.code.index() | severity_index(f.severity) << 16 | (lang as usize) << 24);
    text(&f.field, key)?;
    pairs(&f.params, key)?;
    match &f.fix {
        None => key.push(usize::MAX),
        Some(fix) => pairs(&fix.set, key)?,
    }
    Some(())
}

impl Shared {
    /// Where `key` is or would go: its slot, and its number when it is there.
    fn find(&mut self, key: &[usize]) -> (usize, Option<u16>) {
        if self.slots.is_empty() {
            self.slots.resize(SHARED_SLOTS, 0);
        }
        // FNV-1a over the words.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &w in key {
            h = (h ^ w as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
        let mut slot = (h ^ (h >> 32)) as usize % SHARED_SLOTS;
        loop {
            match self.slots[slot] {
                0 => return (slot, None),
                n => {
                    let (start, len) = self.spans[usize::from(n - 1)];
                    // Word by word: a slice comparison is a call to a byte
                    // loop in wasm, dearer than the dozen words of a key.
                    let known = &self.keys[start as usize..][..len as usize];
                    if known.len() == key.len() && known.iter().zip(key).all(|(a, b)| a == b) {
                        return (slot, Some(n - 1));
                    }
                }
            }
            slot = (slot + 1) % SHARED_SLOTS;
        }
    }

    /// Gives `key` the next number at `slot` (from [`Shared::find`]);
    /// `None` when the table is full.
    fn add(&mut self, slot: usize, key: &[usize]) -> Option<u16> {
        if self.spans.len() >= SHARED_MAX {
            return None;
        }
        let n = self.spans.len() as u16;
        self.spans.push((self.keys.len() as u32, key.len() as u32));
        self.keys.extend_from_slice(key);
        self.slots[slot] = n + 1;
        Some(n)
    }
}

/// A static text's address and length, the table part it was looked up in,
/// and its index there (`NOT_KNOWN` when it is not in it).
#[derive(Clone, Copy, Debug, Default)]
struct Seen {
    address: usize,
    len: usize,
    offset: usize,
    index: usize,
}

const NOT_KNOWN: usize = usize::MAX;

/// Slots for static texts; a finding names a handful, and they repeat.
const SEEN_SLOTS: usize = 128;

/// Marks a text of `Encoded::texts` (not of the input) after a `0` unit.
const OWN_TEXT: u16 = u16::MAX;

/// The index of `s` in `known`, by content (length and first byte before
/// the bytes: a byte comparison is a call to a byte loop in wasm).
fn position(s: &str, known: &[&str]) -> Option<usize> {
    let first = s.as_bytes().first();
    known.iter().position(|k| k.len() == s.len() && k.as_bytes().first() == first && *k == s)
}

impl Encoded {
    /// A text: `0`, then the value index `j`, the start and the length (in
    /// UTF-16 units) of where it is found in the input JS wrote (JS slices
    /// its own string: no new string from wasm memory); or `0`, `OWN_TEXT`
    /// and its length (two units) in `texts`. Only a text made for this
    /// finding (`Cow::Owned`) is looked for in the input: a static one is
    /// not from there.
    fn push_text(&mut self, s: &Text, input: &[&str]) {
        if let Text::Owned(o) = s {
            if let Some((j, start, len)) = find_in(o, input, self.home) {
                self.units.extend([0, j, start, len]);
                return;
            }
        }
        let units = if s.is_ascii() { s.len() } else { s.encode_utf16().count() };
        let units = u32::try_from(units).unwrap_or(u32::MAX);
        self.units.extend([0, OWN_TEXT, (units >> 16) as u16, units as u16]);
        self.texts.push_str(s);
    }

    /// The index of `s` in `known` (the table part at `offset`). A static
    /// text is looked up once and then found by its address: searching the
    /// lists for every key and value was a third of the time a profile
    /// took in wasm. Only a `&'static str` may be remembered by address:
    /// the memory of a `String` is reused for other text.
    fn lookup(&mut self, s: &Text, offset: usize, known: &[&str]) -> Option<usize> {
        let Text::Borrowed(b) = s else { return position(s, known) };
        if self.seen.is_empty() {
            self.seen.resize(SEEN_SLOTS, Seen::default());
        }
        let address = b.as_ptr() as usize;
        let slot = (address ^ (address >> 7) ^ offset) % SEEN_SLOTS;
        let seen = self.seen[slot];
        if seen.address == address && seen.len == b.len() && seen.offset == offset {
            return (seen.index != NOT_KNOWN).then_some(seen.index);
        }
        let found = position(b, known);
        self.seen[slot] = Seen { address, len: b.len(), offset, index: found.unwrap_or(NOT_KNOWN) };
        found
    }

    fn push_known(&mut self, s: &Text, offset: usize, known: &[&str], input: &[&str]) {
        match self.lookup(s, offset, known) {
            Some(i) => push_token(&mut self.units, offset + i),
            None => self.push_text(s, input),
        }
    }

    fn push_pairs(&mut self, pairs: &Pairs, keys_at: usize, keys: &[&str], input: &[&str]) {
        let n = pairs.len().min(usize::from(u16::MAX));
        self.units.push(n as u16);
        for (k, v) in pairs.texts().take(n) {
            self.push_known(k, keys_at, keys, input);
            match v {
                // A character named by a finding: its place in the table
                // is where it is in `ASCII_CHARS`.
                Text::Borrowed(c) => match char_index(c) {
                    Some(i) => push_token(&mut self.units, CHARS_AT + i),
                    None => self.push_known(v, VALUES_AT, STATIC_VALUES, input),
                },
                Text::Owned(_) => self.push_text(v, input),
            }
        }
    }
}

/// Where `s` occurs in one of the input values (a whole value first, then
/// within `home`, the finding's own field, then within any): (value index,
/// start, length) in UTF-16 units, each below `OWN_TEXT`. Texts are short and so is the
/// input, so a plain search does; an empty text is not worth a reference.
fn find_in(s: &str, input: &[&str], home: Option<usize>) -> Option<(u16, u16, u16)> {
    let needle = s.as_bytes();
    let (&first, _) = needle.split_first()?;
    // A whole value first (the user-name default is mostly the address as
    // typed, a port number the port), lengths before bytes: most texts
    // found are one, and a search inside every value cost more than all
    // the rest of the encoding.
    let whole = input.iter().position(|v| v.len() == needle.len() && v.as_bytes() == needle);
    // A plain search: std's `find` sets up a two-way searcher first, which
    // for texts and values this short costs more than it saves.
    let search = |j: usize| {
        let hay = input.get(j)?.as_bytes();
        let start = (0..(hay.len() + 1).checked_sub(needle.len())?)
            .find(|&i| hay[i] == first && &hay[i..i + needle.len()] == needle)?;
        Some((j, start))
    };
    // Then the finding's own field (a URL's parts are in the host field;
    // searching the address before it cost more than the rest of the
    // encoding), then every value.
    let (j, start) = whole
        .map(|j| (j, 0))
        .or_else(|| home.and_then(search))
        .or_else(|| (0..input.len()).filter(|j| Some(*j) != home).find_map(search))?;
    let v = input[j];
    let (start, len) = if v.is_ascii() {
        (start, s.len())
    } else {
        // A match of whole UTF-8 sequences starts on a character boundary.
        (v.get(..start)?.encode_utf16().count(), s.encode_utf16().count())
    };
    let small = |n: usize| u16::try_from(n).ok().filter(|n| *n < OWN_TEXT);
    Some((small(j)?, small(start)?, small(len)?))
}

/// Offsets of the table's parts.
const FIELDS_AT: usize = Code::ALL.len() + SEVERITIES.len();
const KEYS_AT: usize = FIELDS_AT + PROFILE_FIELDS.len();
const TEMPLATES_AT: usize = KEYS_AT + PARAM_KEYS.len();
const SUBJECTS_AT: usize = TEMPLATES_AT + 2 * Code::ALL.len();
const VALUES_AT: usize = SUBJECTS_AT + 2 * SUBJECTS.len();
const CHARS_AT: usize = VALUES_AT + STATIC_VALUES.len();
// A finding's first unit is its code's token or a shared finding's marker.
const _: () = assert!(CHARS_AT + ASCII_CHARS.len() < SHARED as usize);

/// Where `c` is in `ASCII_CHARS`, when it is a slice of it (by address:
/// a character typed is another text, not in the table).
fn char_index(c: &'static str) -> Option<usize> {
    let i = (c.as_ptr() as usize).checked_sub(ASCII_CHARS.as_ptr() as usize)?;
    (c.len() == 1 && i < ASCII_CHARS.len()).then_some(i)
}

/// The values JS wrote for a call, in order (texts of findings found there
/// are sent as references), and per entry of `PROFILE_FIELDS` the value
/// that field came from, where there is one.
#[derive(Clone, Copy, Debug)]
pub struct Input<'v, 'a> {
    /// The values, in the order JS wrote them.
    pub values: &'v [&'a str],
    /// Per entry of `PROFILE_FIELDS`, the index of its value in `values`.
    pub homes: &'v [Option<usize>],
}

#[cfg(test)]
impl Input<'_, '_> {
    /// No input (findings that did not come from js/wire.js).
    pub const NONE: Input<'static, 'static> = Input { values: &[], homes: &[] };
}

/// [`Input::homes`] of a profile: the values as [`parse_profile`] reads
/// them (the language tag first; the POP3 server's after its flag).
pub const PROFILE_HOMES: [Option<usize>; 12] =
    [Some(1), Some(7), Some(2), None, Some(5), Some(4), Some(3), Some(6), Some(11), Some(10), Some(9), Some(12)];
const _: () = assert!(PROFILE_HOMES.len() == PROFILE_FIELDS.len());

/// [`Input::homes`] of one field as [`parse_field`] reads it (tag, name,
/// value); all `None` for a name that is not a profile's field.
pub fn field_homes(field: &str) -> [Option<usize>; PROFILE_HOMES.len()] {
    let mut homes = [None; PROFILE_HOMES.len()];
    if let Some(i) = PROFILE_FIELDS.iter().position(|f| *f == field) {
        homes[i] = Some(2);
    }
    homes
}

/// Encodes findings into `out` (cleared first); messages are to be
/// rendered in `lang`.
pub fn encode(findings: &[Finding], lang: Lang, input: &Input, out: &mut Encoded) {
    out.units.clear();
    out.texts.clear();
    let mut key = std::mem::take(&mut out.key);
    for f in findings {
        if static_key(f, lang, &mut key).is_none() {
            out.push_finding(f, lang, input);
            continue;
        }
        match out.shared.find(&key) {
            (_, Some(n)) => out.units.extend([SHARED, n]),
            (slot, None) => {
                let start = out.units.len();
                out.push_finding(f, lang, input);
                if let Some(n) = out.shared.add(slot, &key) {
                    drop(out.units.splice(start..start, [SHARED_NEW, n]));
                }
            }
        }
    }
    out.key = key;
}

impl Encoded {
    /// One finding, whole.
    fn push_finding(&mut self, f: &Finding, lang: Lang, input: &Input) {
        let (homes, input) = (input.homes, input.values);
        let code = f.code.index();
        push_token(&mut self.units, code);
        push_token(&mut self.units, Code::ALL.len() + severity_index(f.severity));
        match self.lookup(&f.field, FIELDS_AT, PROFILE_FIELDS) {
            Some(i) => {
                push_token(&mut self.units, FIELDS_AT + i);
                self.home = homes.get(i).copied().flatten();
            }
            None => {
                self.home = None;
                self.push_text(&f.field, input);
            }
        }
        self.push_pairs(&f.params, KEYS_AT, PARAM_KEYS, input);
        match &f.fix {
            None => self.units.push(0),
            Some(fix) => {
                self.units.push(1);
                self.push_pairs(&fix.set, FIELDS_AT, PROFILE_FIELDS, input);
            }
        }
        push_token(&mut self.units, TEMPLATES_AT + 2 * code + lang as usize);
        match f.subject() {
            Some(s) => push_token(&mut self.units, SUBJECTS_AT + 2 * s + lang as usize),
            None => self.units.push(0),
        }
    }
}

/// The values JS wrote: per value, its length in bytes (four bytes of seven
/// bits each, low first) and its UTF-8, which validation reads in place.
#[derive(Debug)]
pub struct Values<'a> {
    values: Vec<&'a str>,
}

impl<'a> Values<'a> {
    /// Splits `bytes` as js/wire.js writes them.
    pub fn decode(bytes: &'a [u8]) -> Result<Values<'a>, String> {
        // The lengths are ASCII bytes, so the whole input is UTF-8 and is
        // checked in one go (a check per value showed in the benchmark).
        let text = std::str::from_utf8(bytes).map_err(|_| "internal error: not UTF-8")?;
        let mut values = Vec::with_capacity(16);
        let mut at = 0;
        while at < bytes.len() {
            let [a, b, c, d] =
                *bytes.get(at..at + 4).and_then(|l| l.first_chunk()).ok_or("internal error: stray byte")?;
            let n = usize::from(a) | usize::from(b) << 7 | usize::from(c) << 14 | usize::from(d) << 21;
            values.push(text.get(at + 4..at + 4 + n).ok_or("internal error: value cut short")?);
            at += 4 + n;
        }
        Ok(Values { values })
    }

    /// The values, in the order JS wrote them.
    pub fn all(&self) -> &[&'a str] {
        &self.values
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

// A server's values and a profile's come in the order js/wire.js writes
// them (see `profile` there): what changes least first.
fn server<'a>(r: &mut Reader<'_, 'a>, path: &str) -> Result<ServerRef<'a>, String> {
    let security = match r.next()? {
        "" | "starttls" => Security::Starttls,
        "tls" => Security::Tls,
        "none" => Security::None,
        other => return Err(format!("`{path}.security` must be \"tls\", \"starttls\" or \"none\", not {other:?}")),
    };
    let port = match r.next()? {
        "" => 0,
        p => p.parse().map_err(|_| format!("`{path}.port` must be a whole number"))?,
    };
    let host = r.next()?;
    Ok(ServerRef { host, port, security, username: r.next()? })
}

fn profile<'a>(r: &mut Reader<'_, 'a>) -> Result<ProfileRef<'a>, String> {
    let name = r.next()?;
    let auth = match r.next()? {
        "" | "password" => AuthKind::Password,
        "oauth2" => AuthKind::Oauth2,
        other => return Err(format!("`auth` must be \"password\" or \"oauth2\", not {other:?}")),
    };
    let smtp = server(r, "smtp")?;
    let email = r.next()?;
    let pop_before_smtp = match r.next()? {
        "" => None,
        _ => Some(server(r, "pop_before_smtp")?),
    };
    Ok(ProfileRef { name, email, auth, smtp, pop_before_smtp })
}

/// The language tag and a profile, as js/wire.js writes them.
pub fn parse_profile<'a>(values: &Values<'a>) -> Result<(&'a str, ProfileRef<'a>), String> {
    let mut r = values.reader();
    let lang = r.next()?;
    Ok((lang, profile(&mut r)?))
}

/// The language tag and a settings document, as js/wire.js writes them.
pub fn parse_settings<'a>(values: &Values<'a>) -> Result<(&'a str, Settings), String> {
    let mut r = values.reader();
    let lang = r.next()?;
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
    Ok((lang, Settings { profiles, tenants }))
}

/// The language tag, a field's name and its value, as js/wire.js writes them.
pub fn parse_field<'a>(values: &Values<'a>) -> Result<(&'a str, &'a str, &'a str), String> {
    let mut r = values.reader();
    Ok((r.next()?, r.next()?, r.next()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// A finding of static texts only goes whole with a new number the
    /// first time and as that number after; one with a text made for it
    /// always whole.
    #[wasm_bindgen_test]
    fn static_findings_are_sent_once() {
        let port = Finding::new(Code::Port25, "smtp.port");
        let typo =
            Finding::new(Code::DomainTypo, "email").with("suggestion", "gmx.de").fix("email", "a@gmx.de".to_string());
        let mut out = Encoded::default();
        encode(&[port.clone(), typo.clone()], Lang::De, &Input::NONE, &mut out);
        let first = out.units.clone();
        assert_eq!(first[..2], [SHARED_NEW, 0]);
        encode(&[port.clone(), typo.clone()], Lang::De, &Input::NONE, &mut out);
        assert_eq!(out.units[..2], [SHARED, 0]);
        assert_eq!(out.units[2..], first[first.len() - (out.units.len() - 2)..], "the typo finding goes whole again");
        // In English it is another finding (another template).
        encode(&[port], Lang::En, &Input::NONE, &mut out);
        assert_eq!(out.units[..2], [SHARED_NEW, 1]);
    }

    /// The table of shared findings stops taking new ones when full; those
    /// it has keep their numbers.
    #[wasm_bindgen_test]
    fn shared_findings_are_bounded() {
        let mut shared = Shared::default();
        let mut number = |key: &[usize]| match shared.find(key) {
            (_, Some(n)) => Some((n, false)),
            (slot, None) => shared.add(slot, key).map(|n| (n, true)),
        };
        for i in 0..SHARED_MAX {
            assert_eq!(number(&[7, i, 1]), Some((i as u16, true)));
        }
        assert_eq!(number(&[7, SHARED_MAX, 1]), None);
        for i in [0, 1, SHARED_MAX - 1] {
            assert_eq!(number(&[7, i, 1]), Some((i as u16, false)));
        }
    }

    /// `PROFILE_HOMES` names, for each field of a profile, the value
    /// `parse_profile` reads it from.
    #[wasm_bindgen_test]
    fn profile_homes_are_where_the_fields_are_read() {
        let values: Vec<String> = (0..13).map(|i| format!("{i}")).collect();
        let mut values: Vec<&str> = values.iter().map(String::as_str).collect();
        (values[2], values[3], values[8], values[9]) = ("password", "tls", "1", "starttls");
        let (_, p) = parse_profile(&Values { values: values.clone() }).unwrap();
        let pop = p.pop_before_smtp.unwrap();
        let read = [
            p.name,
            p.email,
            "password",
            "",
            p.smtp.host,
            "4",
            "tls",
            p.smtp.username,
            pop.host,
            "10",
            "starttls",
            pop.username,
        ];
        for (i, field) in PROFILE_FIELDS.iter().enumerate() {
            match PROFILE_HOMES[i] {
                Some(j) => assert_eq!(values[j], read[i], "{field}"),
                None => assert_eq!(*field, "password"),
            }
        }
        assert_eq!((p.smtp.port, pop.port), (4, 10));
    }
}
