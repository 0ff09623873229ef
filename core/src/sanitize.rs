//! Server text is hostile: it may hold control characters, ANSI escapes or
//! bidi overrides meant to disguise what a user reads. Everything a server
//! sends passes through [`server_text`] before it is shown or stored.

/// Bidirectional formatting characters (Trojan Source, CVE-2021-42574) and
/// other invisible or line-breaking characters that could disguise text:
/// the soft hyphen (pasted from Word or PDF), the line and paragraph
/// separators, tag characters, deprecated format characters, interlinear
/// annotation marks and the fillers that render as nothing.
pub fn is_disguise(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' |
        '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' |
        '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' |
        '\u{FFF9}'..='\u{FFFB}' | '\u{E0000}'..='\u{E007F}')
}

/// Whether `c` must never reach a terminal or a page raw: a control
/// character (C0, DEL, C1) or a disguising one ([`is_disguise`]).
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_disguise(c)
}

/// User text for a terminal: every unsafe character ([`is_unsafe`]) is
/// shown as `<U+XXXX>`, so that an escape sequence in a profile name
/// neither runs nor hides.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
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
            // Issue #13: the characters a sanitizer of server text must also cover.
            (
                "a\u{00AD}b\u{2028}c\u{2029}d\u{E0041}e\u{206A}f\u{FFF9}g\u{180E}h\u{034F}i\u{3164}j".as_bytes(),
                "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e\u{FFFD}f\u{FFFD}g\u{FFFD}h\u{FFFD}i\u{FFFD}j",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(server_text(input, 100), *want);
        }
        assert_eq!(server_text(b"abcdef", 3), "abc…");
    }

    #[test]
    fn visible_shows_what_would_hide() {
        assert_eq!(visible("Praxis Müller"), "Praxis Müller");
        assert_eq!(visible("\u{1b}]0;x\u{7}\u{1b}[2J"), "<U+001B>]0;x<U+0007><U+001B>[2J");
        assert_eq!(visible("\u{202E}ofni"), "<U+202E>ofni");
        assert_eq!(visible("info\u{AD}@x"), "info<U+00AD>@x");
    }
}
