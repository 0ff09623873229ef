//! "Did you mean gmx.de?": domains within a small edit distance of a
//! well-known provider domain.

use serde::{Deserialize, Serialize};

use crate::presets::is_known_domain;

/// Domains our users have, most common first (ties go to the earlier one).
/// Every entry is a real mail domain, so none of them is ever "corrected".
const POPULAR: &[&str] = &[
    "gmx.de",
    "web.de",
    "t-online.de",
    "gmail.com",
    "gmx.net",
    "googlemail.com",
    "outlook.de",
    "outlook.com",
    "hotmail.de",
    "hotmail.com",
    "yahoo.de",
    "yahoo.com",
    "icloud.com",
    "freenet.de",
    "mailbox.org",
    "posteo.de",
    "ionos.de",
    "1und1.de",
    "arcor.de",
    "vodafone.de",
    "online.de",
    "aol.com",
    "live.de",
    "gmx.at",
    "gmx.ch",
    "me.com",
    "mail.de",
    "email.de",
    "kabelmail.de",
    "ewe.net",
    "magenta.de",
    "aol.de",
    "live.com",
    "msn.com",
    "gmx.com",
    "web.com",
];

/// A suggested correction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The suggested domain.
    pub domain: String,
    /// The address with that domain.
    pub address: String,
}

/// Longest candidate plus slack; candidates are short, so the rows of the
/// distance table live on the stack (an allocation per candidate would cost
/// more than the distance itself).
const MAX_CAND: usize = 24;

/// Optimal string alignment distance (Levenshtein plus adjacent
/// transpositions: `gmial` → `gmail` is one step), bounded: returns
/// `max + 1` as soon as the distance must exceed `max`. `b` must be shorter
/// than [`MAX_CAND`].
fn distance(a: &[u8], b: &[u8], max: usize) -> usize {
    if a.len().abs_diff(b.len()) > max || b.len() >= MAX_CAND {
        return max + 1;
    }
    let mut rows = [[0u8; MAX_CAND]; 3];
    for (j, v) in rows[0].iter_mut().enumerate().take(b.len() + 1) {
        *v = j as u8;
    }
    for i in 1..=a.len() {
        let (cur, prev, prev2) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        rows[cur][0] = i.min(255) as u8;
        let mut row_min = rows[cur][0];
        for j in 1..=b.len() {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[prev][j] + 1).min(rows[cur][j - 1] + 1).min(rows[prev][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[prev2][j - 2] + 1);
            }
            rows[cur][j] = d;
            row_min = row_min.min(d);
        }
        if usize::from(row_min) > max {
            return max + 1;
        }
    }
    usize::from(rows[a.len() % 3][b.len()])
}

/// Letters a–z, digits, and one bucket for the rest.
const fn letter_counts(s: &[u8]) -> [u8; 37] {
    let mut c = [0u8; 37];
    let mut k = 0;
    while k < s.len() {
        let b = s[k];
        let i = match b {
            b'a'..=b'z' => b - b'a',
            b'0'..=b'9' => 26 + b - b'0',
            _ => 36,
        } as usize;
        c[i] = c[i].saturating_add(1);
        k += 1;
    }
    c
}

/// [`letter_counts`] of every [`POPULAR`] domain, computed at compile time.
const POPULAR_COUNTS: [[u8; 37]; POPULAR.len()] = {
    let mut out = [[0u8; 37]; POPULAR.len()];
    let mut i = 0;
    while i < POPULAR.len() {
        out[i] = letter_counts(POPULAR[i].as_bytes());
        i += 1;
    }
    out
};

/// Which of the 37 buckets occur at all, as bits.
const fn letter_set(counts: &[u8; 37]) -> u64 {
    let mut set = 0u64;
    let mut i = 0;
    while i < 37 {
        if counts[i] > 0 {
            set |= 1 << i;
        }
        i += 1;
    }
    set
}

/// [`letter_set`] of every [`POPULAR`] domain.
const POPULAR_SETS: [u64; POPULAR.len()] = {
    let mut out = [0u64; POPULAR.len()];
    let mut i = 0;
    while i < POPULAR.len() {
        out[i] = letter_set(&POPULAR_COUNTS[i]);
        i += 1;
    }
    out
};

/// Bit `i` of entry `n` is set when `POPULAR[i]` is `n` bytes long: the
/// candidates of a length are found without looking at the others.
const POPULAR_BY_LEN: [u64; MAX_CAND] = {
    assert!(POPULAR.len() <= 64, "one bit per popular domain");
    let mut out = [0u64; MAX_CAND];
    let mut i = 0;
    while i < POPULAR.len() {
        assert!(POPULAR[i].len() < MAX_CAND, "a popular domain is shorter than MAX_CAND");
        out[POPULAR[i].len()] |= 1 << i;
        i += 1;
    }
    out
};

/// The indexes of the popular domains `len - max ..= len + max` bytes long,
/// in [`POPULAR`]'s order (the earlier, more common one first).
fn popular_near_len(len: usize, max: usize) -> impl Iterator<Item = usize> {
    let hi = (len + max).min(MAX_CAND - 1);
    let mut bits = (len.saturating_sub(max)..=hi).fold(0, |m, n| m | POPULAR_BY_LEN[n]);
    std::iter::from_fn(move || {
        let i = (bits != 0).then(|| bits.trailing_zeros() as usize)?;
        bits &= bits - 1;
        Some(i)
    })
}

/// A weaker lower bound than [`bag_distance`] at the cost of two bit
/// counts: every letter one side has and the other lacks takes an edit.
fn set_distance(a: u64, b: u64) -> usize {
    (a & !b).count_ones().max((b & !a).count_ones()) as usize
}

/// A lower bound of the edit distance (each edit changes the multiset of
/// characters by at most one on each side): one pass over two count
/// arrays rules out most candidates before the distance table.
/// Only the buckets in `buckets` (those either side has: the letter sets
/// ORed) are looked at, a dozen or so of the 37.
fn bag_distance(a: &[u8; 37], b: &[u8; 37], buckets: u64) -> usize {
    let (mut more, mut less) = (0usize, 0usize);
    let mut bits = buckets;
    while bits != 0 {
        let i = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        more += usize::from(a[i].saturating_sub(b[i]));
        less += usize::from(b[i].saturating_sub(a[i]));
    }
    more.max(less)
}

/// Whether `domain` is one of [`POPULAR`] (only those of its length are
/// compared: asked for every address).
fn is_popular(domain: &str) -> bool {
    popular_near_len(domain.len(), 0).any(|i| POPULAR[i] == domain)
}

/// A suggestion for the address's domain, or `None` when the domain is
/// known itself or nothing is close.
pub fn suggest_domain(address: &str) -> Option<Suggestion> {
    let trimmed = address.trim();
    let typed = crate::ascii::rsplit_once(trimmed, b'@').map_or(trimmed, |(_, d)| d);
    let domain = crate::domain::of(typed)?;
    suggest_for(trimmed, &domain)
}

/// Like [`suggest_domain`], for a caller that already has the domain in
/// lower-case A-label form (validation does).
pub(crate) fn suggest_for(address: &str, domain: &str) -> Option<Suggestion> {
    let trimmed = address.trim();
    let (local, typed) = match crate::ascii::rsplit_once(trimmed, b'@') {
        Some((local, typed)) => (Some(local), typed),
        None => (None, trimmed),
    };
    let with_address = |d: &str| Suggestion {
        domain: d.to_string(),
        // Pieces pushed, not `format!`: its machinery cost more than the
        // rest of a suggestion.
        address: local.map_or_else(
            || d.to_string(),
            |l| {
                let mut a = String::with_capacity(l.len() + 1 + d.len());
                a.push_str(l);
                a.push('@');
                a.push_str(d);
                a
            },
        ),
    };
    // Known, but typed differently (a trailing dot, say): offer the clean form.
    if typed.trim().ends_with('.') && (is_popular(domain) || is_known_domain(domain)) {
        return Some(with_address(domain));
    }
    // Most of our users' domains are popular ones, typed right: no search.
    if is_popular(domain) {
        return None;
    }
    let max = if domain.len() <= 7 { 1 } else { 2 };
    // The earlier (more common) candidate wins a tie.
    let mut near = popular_near_len(domain.len(), max).peekable();
    // None of a near length: nothing to count letters for.
    near.peek()?;
    let counts = letter_counts(domain.as_bytes());
    let set = letter_set(&counts);
    let mut best: Option<(usize, &str)> = None;
    for i in near {
        let cand = POPULAR[i];
        let other = POPULAR_SETS[i];
        if set_distance(set, other) > max || bag_distance(&counts, &POPULAR_COUNTS[i], set | other) > max {
            continue;
        }
        let d = distance(domain.as_bytes(), cand.as_bytes(), max);
        if d <= max && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    // A known domain is never "corrected", however close to another it is
    // (gmx.at, mail.de). Checked last: most domains are near no candidate.
    if best.is_some_and(|(d, _)| d == 0) || (best.is_some() && is_known_domain(domain)) {
        return None;
    }
    best.map(|(_, d)| with_address(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("info@gmx.dee", Some("info@gmx.de")),
            ("info@gmial.com", Some("info@gmail.com")),
            ("info@t-onlne.de", Some("info@t-online.de")),
            ("info@web.de.", Some("info@web.de")),
            ("info@wbe.de", Some("info@web.de")),
            ("info@GMX.DEE", Some("info@gmx.de")),
            ("info@hotmial.de", Some("info@hotmail.de")),
            ("info@yaho.de", Some("info@yahoo.de")),
            ("gmx.dee", Some("gmx.de")),
            // Known domains are never "corrected".
            ("info@gmx.de", None),
            ("info@mail.de", None),
            ("info@gmx.at", None),
            ("info@strato.de", None),
            ("info@posteo.de", None),
            // Custom domains far from any provider.
            ("info@praxis-mueller.de", None),
            ("info@physio-berlin.de", None),
            ("", None),
        ];
        for (input, want) in cases {
            assert_eq!(suggest_domain(input).map(|s| s.address).as_deref(), *want, "{input}");
        }
    }

    #[test]
    fn bag_and_set_distance_are_lower_bounds() {
        let words = [
            "gmx.de",
            "gmx.dee",
            "gmial.com",
            "gmail.com",
            "web.de",
            "wbe.de",
            "t-onlne.de",
            "t-online.de",
            "praxis.de",
            "a",
            "",
        ];
        for a in words {
            for b in words {
                let d = distance(a.as_bytes(), b.as_bytes(), 20);
                let (ca, cb) = (letter_counts(a.as_bytes()), letter_counts(b.as_bytes()));
                let (sa, sb) = (letter_set(&ca), letter_set(&cb));
                let bag = bag_distance(&ca, &cb, sa | sb);
                assert!(bag <= d, "{a} {b}");
                assert!(set_distance(sa, sb) <= bag, "{a} {b}");
                // The buckets neither side has add nothing.
                assert_eq!(bag, bag_distance(&ca, &cb, (1 << 37) - 1), "{a} {b}");
            }
        }
    }

    #[test]
    fn distance_table() {
        let cases =
            [("gmail", "gmial", 1), ("abc", "abc", 0), ("kitten", "sitting", 3), ("", "ab", 2), ("ca", "abc", 3)];
        for (a, b, d) in cases {
            assert_eq!(distance(a.as_bytes(), b.as_bytes(), 5), d, "{a} {b}");
        }
        assert_eq!(distance(b"aaaaaa", b"bbbbbb", 2), 3);
    }
}
