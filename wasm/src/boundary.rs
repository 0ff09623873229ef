//! One string each way: profiles in (`encodeProfile` in `js/boundary.js`),
//! findings out (`decodeFindings` there).
//!
//! The format, both ways: `len,len,…,|` and then the texts one after
//! another, each length in UTF-16 code units (what JS's `String.length`
//! counts, and slices by). Nothing is escaped, so any text, NUL and the
//! separators included, goes through as typed. A profile is its name,
//! address, auth word, then host, port, security word and user name of the
//! SMTP server and, when set, of the POP3 server; a word left out is empty
//! and takes the model's default. A finding is its code, severity, field,
//! message, the number of params and their pairs, then the number of fix
//! pairs (empty for no fix) and those pairs.
//!
//! Written by hand because every general route measured slower than
//! validator.js on the keystroke call (BENCHMARKS.md): serde-wasm-bindgen
//! crosses once per property, JSON text pays for `JSON.stringify` and
//! `JSON.parse` on top of serde.

use mailsetup_core::{AuthKind, Finding, Profile, Security, Server};

/// The texts of an encoded string, in order; `None` when it is malformed
/// (the JS side wrote it, so only a bug makes it so).
fn texts(s: &str) -> Option<Vec<&str>> {
    let (head, mut body) = s.split_once('|')?;
    let mut out = Vec::with_capacity(11);
    for len in head.split_terminator(',') {
        let units: usize = len.parse().ok()?;
        let mut counted = 0;
        let mut bytes = 0;
        let mut chars = body.chars();
        while counted < units {
            let c = chars.next()?;
            counted += c.len_utf16();
            bytes += c.len_utf8();
        }
        if counted != units {
            return None;
        }
        out.push(&body[..bytes]);
        body = &body[bytes..];
    }
    body.is_empty().then_some(out)
}

fn server(t: &[&str]) -> Option<Server> {
    Some(Server {
        host: t[0].to_owned(),
        port: t[1].parse().ok()?,
        security: match t[2] {
            "" | "starttls" => Security::Starttls,
            "tls" => Security::Tls,
            "none" => Security::None,
            _ => return None,
        },
        username: t[3].to_owned(),
    })
}

/// The profile `encodeProfile` wrote; `None` sends the caller to the field
/// reader, which names what is wrong.
pub fn profile(s: &str) -> Option<Profile> {
    let t = texts(s)?;
    if t.len() != 7 && t.len() != 11 {
        return None;
    }
    Some(Profile {
        name: t[0].to_owned(),
        email: t[1].to_owned(),
        auth: match t[2] {
            "" | "password" => AuthKind::Password,
            "oauth2" => AuthKind::Oauth2,
            _ => return None,
        },
        smtp: server(&t[3..7])?,
        pop_before_smtp: if t.len() == 11 { Some(server(&t[7..11])?) } else { None },
        // Not validated (the CLI and the service check it); kept by the page as typed.
        oauth_provider: String::new(),
    })
}

/// What JS's `String.length` says of `t`: every UTF-8 lead byte starts one
/// unit, and a four-byte one (a character beyond the BMP) a second.
fn utf16_len(t: &str) -> usize {
    t.bytes().map(|b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0)).sum()
}

fn push_decimal(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[i..].iter().map(|&d| char::from(d)));
}

/// A finding's number of params or fix pairs, as text.
fn count(n: usize) -> std::borrow::Cow<'static, str> {
    const SMALL: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    SMALL.get(n).map_or_else(|| n.to_string().into(), |&s| s.into())
}

/// Findings in the format `decodeFindings` reads.
pub fn findings(findings: &[Finding]) -> String {
    let mut head = String::with_capacity(32 * findings.len());
    let mut body = String::with_capacity(160 * findings.len());
    // Written without `fmt`: its machinery was a fifth of the call's time.
    let mut put = |t: &str| {
        let units = utf16_len(t);
        push_decimal(&mut head, units);
        head.push(',');
        body.push_str(t);
    };
    for f in findings {
        put(f.code.as_str());
        put(f.severity.as_str());
        put(&f.field);
        put(&f.message);
        put(&count(f.params.len()));
        for (k, v) in f.params.iter() {
            put(k);
            put(v);
        }
        match &f.fix {
            None => put(""),
            Some(fix) => {
                put(&count(fix.set.len()));
                for (k, v) in fix.set.iter() {
                    put(k);
                    put(v);
                }
            }
        }
    }
    head.push('|');
    head.push_str(&body);
    head
}

// Run by `wasm-pack test` (the test command builds this crate for wasm only).
#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn encode(values: &[&str]) -> String {
        let head: String = values.iter().map(|v| format!("{},", v.encode_utf16().count())).collect();
        format!("{head}|{}", values.concat())
    }

    #[test]
    fn texts_are_split_by_utf16_length_whatever_they_contain() {
        let values = ["a|b,c", "", "müller", "𝔘\u{0}x", "é"];
        assert_eq!(texts(&encode(&values)).unwrap(), values);
    }

    #[test]
    fn utf16_length_is_what_js_counts() {
        for t in ["", "abc", "müller", "𝔘", "a😀ß€\u{0}"] {
            assert_eq!(utf16_len(t), t.encode_utf16().count(), "{t:?}");
        }
    }

    #[test]
    fn malformed_strings_are_refused_not_guessed() {
        for bad in ["", "3,|ab", "1,|ab", "x,|a", "1,|𝔘", "2,|𝔘x"] {
            assert_eq!(texts(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_profile_reads_with_the_models_defaults() {
        let p = profile(&encode(&["P", "a@b.de", "", "h", "0", "", ""])).unwrap();
        assert_eq!((p.auth, p.smtp.security, p.smtp.port), (AuthKind::Password, Security::Starttls, 0));
        assert!(p.pop_before_smtp.is_none());
        let p = profile(&encode(&["P", "a@b.de", "oauth2", "h", "465", "tls", "u", "p", "995", "tls", "v"])).unwrap();
        assert_eq!(p.pop_before_smtp.unwrap().port, 995);
        assert!(profile(&encode(&["P", "a@b.de", "", "h", "0", "ssl", ""])).is_none());
    }
}
