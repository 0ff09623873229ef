//! A profile in as one string, which `encodeProfile` in `js/boundary.js`
//! writes as UTF-8 straight into a buffer of ours; its findings out as one
//! UTF-8 buffer (`decodeFindings` there).
//!
//! A text is its length in UTF-16 code units (what JS's `String.length`
//! counts, and slices by), a comma, and the text. Nothing is escaped, so
//! any text, NUL and commas included, goes through as typed. A profile is
//! the language tag, its name, address, auth word, then host, port,
//! security word and user name of the SMTP server and, when set, of the
//! POP3 server; a word left out is empty and takes the model's default.
//!
//! Findings come back the same way, except that every number is written
//! in base 64 (the digits `0` to `o`, so that nearly every one is one or
//! two characters), in two parts (see [`findings`]): a
//! text with a character beyond ASCII is left out of the first, its length
//! followed by `!` instead of the comma, and stands in the second.
//! A finding is its code, severity, field and message, then the number of
//! params and a comma, the params as key, value, key, value, and the same
//! for the fix (0 for none). A code, severity, field or key that is one of
//! [`names`] is its place there and a `#`, with no text.
//!
//! Written by hand because every general route measured slower than
//! validator.js on the keystroke call (BENCHMARKS.md): serde-wasm-bindgen
//! crosses once per property, JSON text pays for `JSON.stringify` and
//! `JSON.parse` on top of serde. For the same reason the profile is
//! borrowed from the string, not copied, and written into our buffer by
//! JS, not built as a JS string that the glue then copies.

use mailsetup_core::finding::Pairs;
use mailsetup_core::{AuthKind, Code, Field, Finding, Lang, ProfileRef, Security, ServerRef, Severity};

/// `PARAMS`, and `key_name` matching them (a `match` measured faster than
/// a search of the list, and is smaller).
macro_rules! params {
    ($($name:literal),* $(,)?) => {
        /// The names of parameters, first in [`names`].
        const PARAMS: &[&str] = &[$($name),*];

        /// The place of a parameter's or field's name in [`names`].
        fn key_name(key: &str) -> Option<usize> {
            Some(match key {
                $($name => const { place($name) },)*
                _ => return field_name(key),
            })
        }
    };
}

/// The place of `name` in `PARAMS`, at compile time.
const fn place(name: &str) -> usize {
    let mut i = 0;
    while i < PARAMS.len() {
        let (p, n) = (PARAMS[i].as_bytes(), name.as_bytes());
        let mut k = 0;
        while p.len() == n.len() && k < n.len() && p[k] == n[k] {
            k += 1;
        }
        if p.len() == n.len() && k == n.len() {
            return i;
        }
        i += 1;
    }
    panic!("not a parameter")
}

// The names that texts of a finding are sent as when they are one of them:
// its place in the list and a `#` (JS is given the list once, before it
// reads the first findings). A key sliced from the buffer costs V8 a
// string-table look-up and a slow property store on every call, and a
// code, severity or field name a string of its own; these strings are made
// once. A text missing here goes as text, only slower.
//
// First the names of parameters (the keys of the core's `Finding::with`),
// then of fields (a fix's keys, and a finding's field), severities, codes.
params! {
    "char", "default", "detail", "expected", "expected_label", "first", "id", "name", "octets", "part", "port",
    "profile", "profile_email", "provider", "scheme", "security", "security_label", "standard", "suggestion", "tenant",
    "tenant_email", "tld",
}
const SEVERITIES: [Severity; 3] = [Severity::Info, Severity::Warning, Severity::Error];
const FIRST_FIELD: usize = PARAMS.len();
const FIRST_SEVERITY: usize = FIRST_FIELD + Field::ALL.len();
const FIRST_CODE: usize = FIRST_SEVERITY + SEVERITIES.len();

/// The place of a field's name in [`names`].
fn field_name(field: &str) -> Option<usize> {
    field.parse::<Field>().ok().map(|f| FIRST_FIELD + f as usize)
}

/// Every name, `,` between them, for `setNames` in `js/boundary.js`.
#[inline(never)] // once
pub fn names() -> String {
    let mut out = String::new();
    for p in PARAMS {
        out.push_str(p);
        out.push(',');
    }
    for f in Field::ALL {
        out.push_str(f.as_str());
        out.push(',');
    }
    for s in SEVERITIES {
        out.push_str(s.as_str());
        out.push(',');
    }
    for c in Code::ALL {
        out.push_str(c.as_str());
        out.push(',');
    }
    out.pop();
    out
}

/// What `write` (`encodeProfile`) wrote into the buffer it is given: it
/// returns the length written, a larger length than the buffer's when
/// that is too short, or a negative number when a value has the wrong
/// type (`None`).
pub fn written(mut write: impl FnMut(&mut [u8]) -> i32) -> Option<String> {
    let mut buffer = vec![0; 256];
    let mut n = usize::try_from(write(&mut buffer)).ok()?;
    if n > buffer.len() {
        buffer.resize(n, 0);
        n = usize::try_from(write(&mut buffer)).ok()?;
    }
    buffer.truncate(n);
    String::from_utf8(buffer).ok()
}

/// The texts of an encoded string, in order, and how many there are (at
/// most twelve, a profile's); `None` when it is malformed (the JS side
/// wrote it, so only a bug makes it so).
fn texts(s: &str) -> Option<([&str; 12], usize)> {
    // What people type is mostly ASCII, where a unit is a byte.
    let ascii = s.is_ascii();
    let mut out = [""; 12];
    let mut n = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let comma = rest.bytes().position(|b| b == b',')?;
        let units: usize = rest[..comma].parse().ok()?;
        rest = &rest[comma + 1..];
        let bytes = if ascii { units } else { utf8_len_of(rest, units)? };
        let (text, after) = rest.split_at_checked(bytes)?;
        *out.get_mut(n)? = text;
        n += 1;
        rest = after;
    }
    Some((out, n))
}

/// How many bytes of `s` its first `units` UTF-16 units take; `None` when
/// `s` is shorter or the count ends inside a character.
fn utf8_len_of(s: &str, units: usize) -> Option<usize> {
    let mut counted = 0;
    let mut bytes = 0;
    let mut chars = s.chars();
    while counted < units {
        let c = chars.next()?;
        counted += c.len_utf16();
        bytes += c.len_utf8();
    }
    (counted == units).then_some(bytes)
}

fn server<'a>(t: &[&'a str]) -> Option<ServerRef<'a>> {
    Some(ServerRef {
        host: t[0],
        port: t[1].parse().ok()?,
        security: match t[2] {
            "" | "starttls" => Security::Starttls,
            "tls" => Security::Tls,
            "none" => Security::None,
            _ => return None,
        },
        username: t[3],
    })
}

/// What an encoded profile says: the language tag as given, and the
/// profile; `None` sends the caller to the field reader, which names what
/// is wrong.
pub fn profile(s: &str) -> Option<(&str, ProfileRef<'_>)> {
    let (t, n) = texts(s)?;
    if n != 8 && n != 12 {
        return None;
    }
    let profile = ProfileRef {
        name: t[1],
        email: t[2],
        auth: match t[3] {
            "" | "password" => AuthKind::Password,
            "oauth2" => AuthKind::Oauth2,
            _ => return None,
        },
        smtp: server(&t[4..8])?,
        pop_before_smtp: if n == 12 { Some(server(&t[8..12])?) } else { None },
    };
    Some((t[0], profile))
}

/// Findings as `decodeFindings` reads them, while they are written: the
/// texts that are ASCII, with every text's length, and the others.
struct Encoded {
    /// Lengths, and the ASCII texts: ASCII only, so bytes.
    ascii: Vec<u8>,
    /// The texts with a character beyond ASCII, one after another.
    other: String,
}

/// The last digit of `n` in base 64, as `decodeFindings` reads it: `0` to
/// `o` (ASCII 48 to 111; every end mark is below).
fn digit(n: usize) -> u8 {
    b'0' + (n % 64) as u8
}

impl Encoded {
    /// `n` and `end` (`,`: a text in `ascii` follows; `!`: the next `n`
    /// units of `other`; `#`: the name at `n`; after a count: `,`).
    #[inline(never)] // called for every number; one copy keeps the package small
    fn number(&mut self, n: usize, end: u8) {
        // One or two digits for nearly every number, written at once with
        // one capacity check.
        match n {
            0..64 => self.ascii.extend_from_slice(&[digit(n), end]),
            64..4096 => self.ascii.extend_from_slice(&[digit(n / 64), digit(n), end]),
            _ => {
                self.digits(n);
                self.ascii.push(end);
            }
        }
    }

    /// `n`'s digits (no `fmt`).
    fn digits(&mut self, n: usize) {
        if n >= 64 {
            self.digits(n / 64);
        }
        self.ascii.push(digit(n));
    }

    /// `t`, after its length.
    #[inline(never)] // called for every text; one copy keeps the package small
    fn put(&mut self, t: &str) {
        if t.is_ascii() {
            self.number(t.len(), b',');
            self.ascii.extend_from_slice(t.as_bytes());
        } else {
            self.number(utf16_len(t.as_bytes()), b'!');
            self.other.push_str(t);
        }
    }

    /// `t` as the name at `place`, or as text when it is none.
    fn put_named(&mut self, t: &str, place: Option<usize>) {
        match place {
            Some(i) => self.number(i, b'#'),
            None => self.put(t),
        }
    }

    /// The number of `pairs` and a comma, then each key and value.
    #[inline(always)] // as written out at both calls: the smaller package
    fn pairs(&mut self, pairs: &Pairs) {
        self.number(pairs.len(), b',');
        for (k, v) in pairs.iter() {
            self.put_named(k, key_name(k));
            self.put(v);
        }
    }

    /// `f`'s message in `lang`, rendered where it stays: in `other`, even
    /// when it is ASCII (moving it would cost more than decoding it there).
    fn render(&mut self, f: &Finding, lang: Lang) {
        let start = self.other.len();
        f.render_into(lang, &mut self.other);
        let units = utf16_len(&self.other.as_bytes()[start..]);
        self.number(units, b'!');
    }
}

/// Findings in the format `decodeFindings` reads. A finding's message is
/// the one it holds, as the core's `validate_*` render them; one not yet
/// rendered (`validate::profile_findings`) is rendered here, in `lang`.
///
/// One buffer and where its ASCII part ends: first every length with the
/// texts that are ASCII, then the other texts. `TextDecoder` in Node goes
/// through ASCII several times faster than through anything else, and a
/// German message has umlauts and quotation marks; so the ASCII comes
/// first, in one run, and is decoded fast. `ascii` is a buffer to reuse
/// (the profile's, once it has been read).
pub fn findings(findings: &[Finding], lang: Lang, mut ascii: Vec<u8>) -> (Vec<u8>, usize) {
    // Written without `fmt`: its machinery was a fifth of the call's time.
    ascii.clear();
    ascii.reserve(128 * findings.len());
    let mut out = Encoded { ascii, other: String::with_capacity(128 * findings.len()) };
    for f in findings {
        out.number(FIRST_CODE + f.code.index(), b'#');
        out.number(FIRST_SEVERITY + f.severity as usize, b'#');
        out.put_named(&f.field, field_name(&f.field));
        if f.message.is_empty() {
            out.render(f, lang);
        } else {
            out.put(&f.message);
        }
        out.pairs(&f.params);
        // No fix and a fix of no pairs mean the same: nothing to set.
        match &f.fix {
            None => out.number(0, b','),
            Some(fix) => out.pairs(&fix.set),
        }
    }
    let ascii_end = out.ascii.len();
    out.ascii.extend_from_slice(out.other.as_bytes());
    (out.ascii, ascii_end)
}

/// What JS's `String.length` says of the UTF-8 text `bytes`: every lead
/// byte starts one unit, and a four-byte one (beyond the BMP) a second.
fn utf16_len(bytes: &[u8]) -> usize {
    // Eight bytes at a time: a byte-by-byte loop over the messages was the
    // largest single cost of a call in wasm. A continuation byte is
    // 10xxxxxx (top bit set, the next one clear); a four-byte lead is
    // 11110xxx (the top four set).
    const TOP: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut continuation = 0;
    let mut four = 0;
    for chunk in &mut chunks {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        continuation += (w & !(w << 1) & TOP).count_ones() as usize;
        four += (w & (w << 1) & (w << 2) & (w << 3) & TOP).count_ones() as usize;
    }
    for &b in chunks.remainder() {
        continuation += usize::from(b & 0xC0 == 0x80);
        four += usize::from(b >= 0xF0);
    }
    bytes.len() - continuation + four
}

// Run by `wasm-pack test` (the test command builds this crate for wasm only).
#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn encode(values: &[&str]) -> String {
        values.iter().map(|v| format!("{},{v}", v.encode_utf16().count())).collect()
    }

    #[test]
    fn texts_are_split_by_utf16_length_whatever_they_contain() {
        let values = ["a|b,c", "", "müller", "𝔘\u{0}x", "é"];
        let encoded = encode(&values);
        let (t, n) = texts(&encoded).unwrap();
        assert_eq!(t[..n], values);
    }

    #[test]
    fn utf16_length_is_what_js_counts() {
        for t in ["", "abc", "müller", "𝔘", "a😀ß€\u{0}", "Die E-Mail-Adresse „info@gmx.dee“ 😀 ü"] {
            assert_eq!(utf16_len(t.as_bytes()), t.encode_utf16().count(), "{t:?}");
        }
    }

    #[test]
    fn a_profile_too_long_for_the_first_buffer_is_written_again() {
        let long = "ü".repeat(200);
        let mut offered = Vec::new();
        let got = written(|into| {
            offered.push(into.len());
            if into.len() < long.len() {
                return 500;
            }
            into[..long.len()].copy_from_slice(long.as_bytes());
            400
        });
        assert_eq!(got.as_deref(), Some(&*long));
        assert_eq!(offered, [256, 500]);
        assert_eq!(written(|_| -1), None, "a value of the wrong type");
        assert_eq!(
            written(|into| {
                into[0] = 0xFF;
                1
            }),
            None,
            "not UTF-8"
        );
    }

    #[test]
    fn every_name_is_sent_as_its_place_in_the_list() {
        let list = names();
        let names: Vec<&str> = list.split(',').collect();
        for key in PARAMS.iter().copied().chain(Field::ALL.iter().map(|f| f.as_str())) {
            assert_eq!(key_name(key).map(|i| names[i]), Some(key));
        }
        for f in Field::ALL {
            assert_eq!(field_name(f.as_str()).map(|i| names[i]), Some(f.as_str()));
        }
        for s in SEVERITIES {
            assert_eq!(names[FIRST_SEVERITY + s as usize], s.as_str());
        }
        for c in Code::ALL {
            assert_eq!(names[FIRST_CODE + c.index()], c.as_str());
        }
        assert_eq!(names.len(), FIRST_CODE + Code::ALL.len(), "no name holds a comma");
        for other in ["", "profiles[0].email", "Port", "smtp.host.", "char "] {
            assert_eq!(key_name(other), None, "{other:?}");
        }
    }

    /// The names stay the keys the core gives: every parameter key of the
    /// findings for the e-mail corpus with varied servers, and of a settings
    /// document's, is one, as is every field of a profile's findings.
    #[test]
    fn the_keys_the_core_gives_are_names() {
        use mailsetup_core::{Settings, validate::profile_findings, validate_settings};

        let corpus = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpora/isemail.jsonl"));
        let hosts = ["smtp.gmx.net", " mail.gmx.net.", "smtp://x.de:587", "smtp..x.de", "[::1]", "", "127.0.0.1:25"];
        let mut findings = Vec::new();
        for (i, line) in corpus.lines().enumerate() {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let server = |k: usize| ServerRef {
                host: hosts[(i + k) % hosts.len()],
                port: [465, 587, 25, 70000, 0, 110, 995][(i + k) % 7],
                security: [Security::Tls, Security::Starttls, Security::None][(i + k) % 3],
                username: ["", " u ", "info@x.de"][(i + k) % 3],
            };
            let profile = ProfileRef {
                name: ["Praxis", " ", "\u{1}"][i % 3],
                email: value["input"].as_str().unwrap(),
                auth: [AuthKind::Password, AuthKind::Oauth2][i % 2],
                smtp: server(0),
                pop_before_smtp: (i % 2 == 0).then(|| server(1)),
            };
            for f in profile_findings(profile) {
                assert!(field_name(&f.field).is_some(), "{f:?}");
                assert!(f.fix.iter().flat_map(|x| x.set.iter()).all(|(k, _)| key_name(k).is_some()), "{f:?}");
                findings.push(f);
            }
        }
        let doc = r#"{"profiles": [
            {"name": "A", "email": "a@b.de", "auth": "password", "smtp": {"host": "smtp.b.de", "port": 465, "security": "tls", "username": ""}, "pop_before_smtp": null},
            {"name": "A", "email": "a@b.de", "auth": "password", "smtp": {"host": "smtp.b.de", "port": 465, "security": "tls", "username": ""}, "pop_before_smtp": null}],
          "tenants": [{"id": "1", "name": "N", "email": "n@b.de", "profile": "A"}, {"id": "1", "name": "", "email": "", "profile": null},
                      {"id": "2", "name": "S", "email": "A@b.de", "profile": "A"}, {"id": "3", "name": "O", "email": "x@y.de", "profile": "Nope"}]}"#;
        let settings: Settings = serde_json::from_str(doc).unwrap();
        findings.extend(validate_settings(&settings, Lang::De));
        let mut seen = std::collections::BTreeSet::new();
        for f in &findings {
            for (key, _) in f.params.iter() {
                assert!(key_name(key).is_some(), "{key:?} is no name: add it to the list ({f:?})");
                seen.insert(key);
            }
        }
        assert!(seen.len() >= 20, "the inputs give most of the keys: {seen:?}");
    }

    #[test]
    fn malformed_strings_are_refused_not_guessed() {
        let thirteen = encode(&["a"; 13]);
        for bad in ["3,ab", "1,ab1", "x,a", "1,𝔘", "2,𝔘x", "1", &thirteen] {
            assert_eq!(texts(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_profile_reads_with_the_models_defaults() {
        let encoded = encode(&["de", "P", "a@b.de", "", "h", "0", "", ""]);
        let (lang, p) = profile(&encoded).unwrap();
        assert_eq!((lang, p.auth, p.smtp.security, p.smtp.port), ("de", AuthKind::Password, Security::Starttls, 0));
        assert!(p.pop_before_smtp.is_none());
        let encoded = encode(&["en", "P", "a@b.de", "oauth2", "h", "465", "tls", "u", "p", "995", "tls", "v"]);
        let (_, p) = profile(&encoded).unwrap();
        assert_eq!(p.pop_before_smtp.unwrap().port, 995);
        assert!(profile(&encode(&["de", "P", "a@b.de", "", "h", "0", "ssl", ""])).is_none());
    }
}
