//! Searching typed text for ASCII delimiters, byte by byte.
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

/// The last position of `b` in `s`.
pub(crate) fn rfind(s: &str, b: u8) -> Option<usize> {
    s.bytes().rposition(|x| x == b)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_the_std_searches() {
        for s in ["", " ", "\t a@b.de \t", "a@b@c", "ü@ö.de", " \u{a0}x\u{a0} ", "x\r\n", "::1", "@"] {
            assert_eq!(trim_blanks(s), s.trim_matches([' ', '\t']), "{s:?}");
            for b in [b'@', b':', b'.', b'x'] {
                assert_eq!(find(s, b), s.find(char::from(b)), "{s:?} {b}");
                assert_eq!(rfind(s, b), s.rfind(char::from(b)), "{s:?} {b}");
            }
        }
    }
}
