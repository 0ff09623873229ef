//! The parts of IDNA2008 (RFC 5891/5892) that UTS 46 processing does not
//! check: the DISALLOWED exceptions and the CONTEXTO rules. Without them a
//! label such as `xn--l-fda` (a lone MIDDLE DOT) would pass. Written by hand
//! because the `idna` crate implements UTS 46 only; the rules are short and
//! fixed by RFC 5892 Appendix A.

/// RFC 5892 §2.6: code points that are DISALLOWED whatever their properties.
fn exception_disallowed(c: char) -> bool {
    matches!(c, '\u{0640}' | '\u{07FA}' | '\u{302E}' | '\u{302F}' | '\u{3031}'..='\u{3035}' | '\u{303B}')
}

fn is_greek(c: char) -> bool {
    matches!(c, '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}')
}

fn is_hebrew(c: char) -> bool {
    matches!(c, '\u{0590}'..='\u{05FF}' | '\u{FB1D}'..='\u{FB4F}')
}

fn is_hiragana_katakana_han(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{309F}' | '\u{30A0}'..='\u{30FA}' | '\u{30FC}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' |
        '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}')
}

/// RFC 5892 §2.1: only letters, digits and combining marks are PVALID.
/// Without the General_Category data (5.7 KB of the wasm budget), a
/// character is refused when it lies in a block of symbols or punctuation:
/// what UTS 46 lets through there (©, §, arrows, emoji…) is DISALLOWED in
/// IDNA2008. The letters of those blocks are mapped away by UTS 46 before
/// this check, but for two lower-case ones; combining marks lie in their
/// scripts' blocks and stay allowed.
fn letter_digit(c: char) -> bool {
    matches!(c, '\u{214E}' | '\u{2184}')
        || !matches!(c,
            '\u{00A1}'..='\u{00BF}' | '\u{00D7}' | '\u{00F7}' | '\u{02C2}'..='\u{02C5}' | '\u{02D2}'..='\u{02DF}' |
            '\u{2010}'..='\u{2BFF}' | '\u{2E00}'..='\u{2E7F}' | '\u{3001}'..='\u{3004}' | '\u{3008}'..='\u{3020}' |
            '\u{3030}' | '\u{303D}'..='\u{303F}' | '\u{FE10}'..='\u{FE19}' | '\u{FE30}'..='\u{FE6B}' |
            '\u{FF01}'..='\u{FF0F}' | '\u{1F000}'..='\u{1FAFF}')
}

/// Checks one U-label; returns the offending code point.
pub(crate) fn check_label(label: &str) -> Result<(), char> {
    let chars: Vec<char> = label.chars().collect();
    let arabic_indic = chars.iter().any(|c| ('\u{0660}'..='\u{0669}').contains(c));
    let extended_arabic_indic = chars.iter().any(|c| ('\u{06F0}'..='\u{06F9}').contains(c));
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        let ok = match c {
            c if exception_disallowed(c) => false,
            // MIDDLE DOT only between two 'l' (Catalan l·l).
            '\u{00B7}' => before == Some('l') && after == Some('l'),
            // GREEK LOWER NUMERAL SIGN (KERAIA) must be followed by Greek.
            '\u{0375}' => after.is_some_and(is_greek),
            // HEBREW GERESH / GERSHAYIM must follow Hebrew.
            '\u{05F3}' | '\u{05F4}' => before.is_some_and(is_hebrew),
            // KATAKANA MIDDLE DOT needs Hiragana, Katakana or Han in the label.
            '\u{30FB}' => chars.iter().any(|&x| x != '\u{30FB}' && is_hiragana_katakana_han(x)),
            // The two sets of Arabic-Indic digits must not mix.
            '\u{0660}'..='\u{0669}' | '\u{06F0}'..='\u{06F9}' => !(arabic_indic && extended_arabic_indic),
            // RFC 5892 §2.1: otherwise only letters, digits and combining
            // marks (LetterDigits) are PVALID; symbols and punctuation such
            // as © are DISALLOWED, though UTS 46 lets them through. (The
            // joiners are CONTEXTJ, which UTS 46 checks.)
            '-' | '\u{200C}' | '\u{200D}' => true,
            // §2.6: exceptions that are PVALID whatever their category.
            '\u{00DF}' | '\u{03C2}' | '\u{06FD}' | '\u{06FE}' | '\u{0F0B}' | '\u{3007}' => true,
            c => letter_digit(c),
        };
        if !ok {
            return Err(c);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases: &[(&str, bool)] = &[
            ("müller", true),
            ("l·l", true),
            ("a·l", false),
            ("·l", false),
            ("l·", false),
            ("\u{0375}α", true),
            ("\u{0375}a", false),
            ("א\u{05F3}", true),
            ("\u{05F3}", false),
            ("def\u{30FB}abc", false),
            ("カ\u{30FB}", true),
            ("a\u{0640}b", false),
            ("\u{0660}\u{06F0}", false),
            ("\u{0660}\u{0661}", true),
        ];
        for (label, ok) in cases {
            assert_eq!(check_label(label).is_ok(), *ok, "{label:?}");
        }
    }
}
