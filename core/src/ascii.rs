//! Searching typed text and templates for ASCII delimiters, by bytes.
//!
//! Why not `str::find(char)` and `trim_matches`: for a single character they
//! set up a searcher (and `memchr`) first, which for values as short as a
//! host name or an address costs more than the search itself; validation
//! runs on every keystroke. Slicing at these positions is always on a
//! character boundary: the bytes looked for are ASCII, which never occurs
//! inside a UTF-8 sequence.

/// The first position of `b` in `s`.
pub(crate) fn find(s: &str, b: u8) -> Option<usize> {
    s.bytes().position(|x| x == b)
}

/// [`find`] for longer texts, eight bytes at a time: a message's template,
/// where searching byte by byte took 7 % of a `validateProfile` call in wasm
/// (`bench/ab.mjs`: 0.92–0.93 of before on the corpus).
pub(crate) fn find_long(s: &str, b: u8) -> Option<usize> {
    let (words, rest) = words(s.as_bytes());
    for (at, word) in words {
        // A byte equal to `b` becomes zero; the lowest byte with its top
        // bit set in `zero` is the first such (a borrow only runs upwards).
        let x = word ^ (ONES * u64::from(b));
        let zero = x.wrapping_sub(ONES) & !x & (ONES << 7);
        if zero != 0 {
            return Some(at + zero.trailing_zeros() as usize / 8);
        }
    }
    rest.iter().position(|&x| x == b).map(|i| s.len() - rest.len() + i)
}

/// A one in every byte of a word.
const ONES: u64 = 0x0101_0101_0101_0101;

/// The words of eight bytes of `b` (the first byte lowest) with where each
/// starts, and the bytes after the last word.
fn words(b: &[u8]) -> (impl Iterator<Item = (usize, u64)> + '_, &[u8]) {
    let chunks = b.chunks_exact(8);
    let rest = chunks.remainder();
    let words = chunks.enumerate().map(|(i, chunk)| {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        (8 * i, u64::from_le_bytes(word))
    });
    (words, rest)
}

/// The last position of `b` in `s`.
pub(crate) fn rfind(s: &str, b: u8) -> Option<usize> {
    s.bytes().rposition(|x| x == b)
}

/// The parts of `s` between the bytes `b`, as `str::split` with an ASCII
/// character gives them.
pub(crate) fn split(s: &str, b: u8) -> impl Iterator<Item = &str> + Clone {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        match find(r, b) {
            Some(i) => {
                rest = Some(&r[i + 1..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// `s` split at the first `b` into what is before and after it.
pub(crate) fn split_once(s: &str, b: u8) -> Option<(&str, &str)> {
    find(s, b).map(|i| (&s[..i], &s[i + 1..]))
}

/// Whether `s` has the byte `b`.
pub(crate) fn contains(s: &str, b: u8) -> bool {
    find(s, b).is_some()
}

/// `s` split at the last `b` into what is before and after it.
pub(crate) fn rsplit_once(s: &str, b: u8) -> Option<(&str, &str)> {
    rfind(s, b).map(|i| (&s[..i], &s[i + 1..]))
}

/// `s` without spaces and tabs at either end (CR, LF and other control
/// characters stay: in a typed value they are an error, not whitespace).
pub(crate) fn trim_blanks(s: &str) -> &str {
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    let bytes = s.as_bytes();
    let start = bytes.iter().position(|b| !blank(b)).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|b| !blank(b)).map_or(start, |i| i + 1);
    &s[start..end]
}

/// Whether `s` has a control character (`char::is_control`: C0, DEL and
/// C1), by bytes: C1 characters are `C2 80`…`C2 9F` in UTF-8, and a byte
/// below `0x80` is a whole character: no character of the address needs
/// decoding for this.
///
/// Eight bytes at a time while they are printable ASCII (a byte by byte
/// test of every field was 4 % of validating a profile).
pub(crate) fn has_control(s: &str) -> bool {
    let b = s.as_bytes();
    let (mut words, rest) = words(b);
    // The top bit of a byte is set in the first term by a byte below 0x20,
    // in the second by 0x7f, in the third beyond ASCII (and in the first
    // two, through a borrow, by some bytes above such a byte: the test byte
    // by byte from there then decides).
    let at = words
        .find(|(_, x)| (x.wrapping_sub(ONES * 0x20) | (x ^ (ONES * 0x7f)).wrapping_sub(ONES) | x) & (ONES << 7) != 0)
        .map_or(b.len() - rest.len(), |(at, _)| at);
    let b = &b[at..];
    b.iter().enumerate().any(|(i, &x)| x < 0x20 || x == 0x7f || (x == 0xc2 && b.get(i + 1).is_some_and(|n| *n < 0xa0)))
}

/// The first character of `s` for which `ok` is false, testing ASCII
/// characters by `ascii[byte]` and decoding only from the first byte
/// beyond ASCII on (most addresses have none).
pub(crate) fn find_not(s: &str, ascii: &[bool; 128], ok: impl Fn(char) -> bool) -> Option<char> {
    match s.bytes().position(|b| b >= 0x80 || !ascii[usize::from(b)]) {
        None => None,
        Some(i) if s.as_bytes()[i] < 0x80 => Some(char::from(s.as_bytes()[i])),
        // A byte beyond ASCII starts a character (the ones before are ASCII).
        Some(i) => s[i..].chars().find(|&c| !ok(c)),
    }
}

/// `s` as a URL query value or form field: everything but RFC 3986's
/// unreserved characters percent-encoded.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 15)]));
        }
    }
    out
}

/// A percent-encoded query value decoded (`+` is a space, as forms have
/// it); `None` when it is not UTF-8 or an escape is broken.
pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_the_std_searches() {
        for s in ["", " ", "\t a@b.de \t", "a@b@c", "ü@ö.de", " \u{a0}x\u{a0} ", "x\r\n", "::1", "@", "a..b.", ".x"] {
            assert_eq!(trim_blanks(s), s.trim_matches([' ', '\t']), "{s:?}");
            for b in [b'@', b':', b'.', b'x'] {
                let c = char::from(b);
                assert_eq!(find(s, b), s.find(c), "{s:?} {b}");
                assert_eq!(find_long(s, b), s.find(c), "{s:?} {b}");
                assert_eq!(rfind(s, b), s.rfind(c), "{s:?} {b}");
                assert_eq!(split(s, b).collect::<Vec<_>>(), s.split(c).collect::<Vec<_>>(), "{s:?} {b}");
                assert_eq!(split_once(s, b), s.split_once(c), "{s:?} {b}");
                assert_eq!(contains(s, b), s.contains(c), "{s:?} {b}");
            }
        }
    }

    #[test]
    fn eight_at_a_time_as_the_std_search() {
        // The byte looked for at every place, before, in and after words of
        // eight; among bytes one less and one more than it (where the word
        // trick borrows), a second match after the first, and UTF-8.
        for filler in ['z', '|', 'ü', '😀'] {
            for len in 0..26 {
                for at in 0..=len {
                    let s: String = (0..len).map(|i| if i == at { '{' } else { filler }).chain(['{', 'z']).collect();
                    assert_eq!(find_long(&s, b'{'), s.find('{'), "{s:?}");
                    assert_eq!(find_long(&s, b'|'), s.find('|'), "{s:?}");
                }
            }
        }
        for s in ["", "Der Port {port} ist {x}", "zzzzzzzz", "\u{7f}\u{0}{z{", "\0\0\0\0\0\0\0\0{"] {
            assert_eq!(find_long(s, b'{'), s.find('{'), "{s:?}");
            assert_eq!(find_long(s, 0), s.find('\0'), "{s:?}");
        }
    }

    #[test]
    fn control_characters_by_bytes_as_by_chars() {
        let mut all: Vec<char> = (0..0x300).filter_map(char::from_u32).collect();
        all.extend(['\u{2028}', '\u{feff}', '\u{10ffff}', 'ü', '😀']);
        for c in all {
            for s in [format!("{c}"), format!("a{c}b"), format!("ü{c}"), format!("{c}\u{c2}")] {
                assert_eq!(has_control(&s), s.chars().any(char::is_control), "{s:?}");
            }
            // At every place of words of eight, after and before printable
            // ASCII, and after bytes it could borrow from.
            for before in 0..18 {
                for filler in [" ", "~", "!", "ü"] {
                    let s = format!("{}{c}{}", filler.repeat(before), " ".repeat(17 - before));
                    assert_eq!(has_control(&s), s.chars().any(char::is_control), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn find_not_as_by_chars() {
        let mut ascii = [false; 128];
        for b in b'a'..=b'z' {
            ascii[usize::from(b)] = true;
        }
        let ok = |c: char| c.is_ascii_lowercase() || (!c.is_ascii() && c.is_alphabetic());
        for s in ["", "abc", "abC", "äbc", "abä€", "ab€", "ab\u{a0}", "a.b", "üö-"] {
            assert_eq!(find_not(s, &ascii, ok), s.chars().find(|&c| !ok(c)), "{s:?}");
        }
    }
}
