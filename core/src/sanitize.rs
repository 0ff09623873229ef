//! Server text is hostile: it may hold control characters, ANSI escapes or
//! bidi overrides meant to disguise what a user reads. Everything a server
//! sends passes through [`server_text`] before it is shown or stored.

/// Bidirectional formatting characters (Trojan Source, CVE-2021-42574) and
/// other invisible format characters that could disguise text.
fn is_disguise(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' |
        '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Decodes server bytes as UTF-8 (lossily) and replaces every control,
/// escape and bidi character with U+FFFD. Tabs become spaces. The result is
/// cut at `max_chars` characters (with "…").
pub fn server_text(bytes: &[u8], max_chars: usize) -> String {
    let decoded = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(decoded.len().min(max_chars * 4));
    for (n, c) in decoded.chars().enumerate() {
        if n == max_chars {
            out.push('…');
            break;
        }
        out.push(match c {
            '\t' => ' ',
            c if c.is_control() || is_disguise(c) => '\u{FFFD}',
            c => c,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases: &[(&[u8], &str)] = &[
            (b"250 ok", "250 ok"),
            (b"535 \x1b[31mred\x1b[0m", "535 \u{FFFD}[31mred\u{FFFD}[0m"),
            ("x\u{202E}gnp.exe".as_bytes(), "x\u{FFFD}gnp.exe"),
            (b"a\tb\x00c\x7f", "a b\u{FFFD}c\u{FFFD}"),
            (b"\xff\xfeok", "\u{FFFD}\u{FFFD}ok"),
            ("Grüße".as_bytes(), "Grüße"),
        ];
        for (input, want) in cases {
            assert_eq!(server_text(input, 100), *want);
        }
        assert_eq!(server_text(b"abcdef", 3), "abc…");
    }
}
