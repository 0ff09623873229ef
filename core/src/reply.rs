//! SMTP replies (RFC 5321 §4.2) with their enhanced status codes (RFC 3463),
//! parsed from hostile bytes with hard limits.

use serde::{Deserialize, Serialize};

use crate::lines::{LineBuffer, LineTooLong};
use crate::sanitize::server_text;

/// Longest reply line accepted (RFC 5321 allows 512 octets; real servers
/// send a little more, a hostile one sends megabytes).
pub const MAX_LINE: usize = 2000;
/// Most lines in one multi-line reply.
pub const MAX_LINES: usize = 100;

/// An enhanced status code such as `5.7.8`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnhancedCode {
    /// 2, 4 or 5.
    pub class: u8,
    /// Subject, e.g. 7 for security.
    pub subject: u16,
    /// Detail.
    pub detail: u16,
}

impl EnhancedCode {
    fn parse(s: &str) -> Option<Self> {
        let mut parts = s.splitn(3, '.');
        let class: u8 = parts.next()?.parse().ok()?;
        let subject_s = parts.next()?;
        let detail_s = parts.next()?;
        if !matches!(class, 2 | 4 | 5)
            || subject_s.is_empty()
            || subject_s.len() > 3
            || !subject_s.bytes().all(|b| b.is_ascii_digit())
            || detail_s.is_empty()
            || detail_s.len() > 3
            || !detail_s.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        Some(EnhancedCode { class, subject: subject_s.parse().ok()?, detail: detail_s.parse().ok()? })
    }

    /// Whether it equals `class.subject.detail`.
    pub fn is(&self, class: u8, subject: u16, detail: u16) -> bool {
        self.class == class && self.subject == subject && self.detail == detail
    }
}

impl std::fmt::Display for EnhancedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

impl Serialize for EnhancedCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for EnhancedCode {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "EnhancedCode".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "pattern": "^[245]\\.[0-9]{1,3}\\.[0-9]{1,3}$", "description": "An enhanced status code (RFC 3463), e.g. 5.7.8."})
    }
}

impl<'de> Deserialize<'de> for EnhancedCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        EnhancedCode::parse(&s).ok_or_else(|| serde::de::Error::custom("not an enhanced status code"))
    }
}

/// A complete reply. Lines are kept apart, never joined; their text is
/// sanitized (see [`crate::sanitize`]).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// The three-digit reply code.
    pub code: u16,
    /// The enhanced status code, if the server sent one.
    pub enhanced: Option<EnhancedCode>,
    /// The text of each line, after the code and separator (sanitized).
    pub lines: Vec<String>,
}

impl Reply {
    /// 2xx.
    pub fn is_positive(&self) -> bool {
        (200..300).contains(&self.code)
    }

    /// All text, lower-cased, for keyword checks.
    pub fn text_lower(&self) -> String {
        self.lines.join("\n").to_lowercase()
    }
}

/// Why bytes from the server are not a valid reply.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplyError {
    /// A line longer than [`MAX_LINE`].
    LineTooLong,
    /// More than [`MAX_LINES`] lines in one reply.
    TooManyLines,
    /// A line that does not start with a three-digit code and a separator.
    Malformed(String),
    /// A multi-line reply whose lines carry different codes.
    InconsistentCode,
}

impl ReplyError {
    /// A short English description for transcripts and the verdict's detail.
    pub fn describe(&self) -> String {
        match self {
            ReplyError::LineTooLong => format!("reply line longer than {MAX_LINE} bytes"),
            ReplyError::TooManyLines => format!("reply with more than {MAX_LINES} lines"),
            ReplyError::Malformed(l) => format!("malformed reply line: {l}"),
            ReplyError::InconsistentCode => "multi-line reply with differing codes".into(),
        }
    }
}

impl std::fmt::Display for ReplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl std::error::Error for ReplyError {}

/// Assembles replies from server bytes.
#[derive(Debug)]
pub struct ReplyParser {
    lines: LineBuffer,
    partial: Vec<String>,
    code: Option<u16>,
    raw: Vec<String>,
}

impl Default for ReplyParser {
    fn default() -> Self {
        ReplyParser { lines: LineBuffer::new(MAX_LINE), partial: Vec::new(), code: None, raw: Vec::new() }
    }
}

impl ReplyParser {
    /// Appends server bytes.
    pub fn push(&mut self, data: &[u8]) {
        self.lines.push(data);
    }

    /// Bytes received that are not part of a returned reply.
    pub fn pending(&self) -> usize {
        self.lines.pending() + self.partial.len()
    }

    /// Forgets everything buffered.
    pub fn clear(&mut self) {
        self.lines.clear();
        self.partial.clear();
        self.raw.clear();
        self.code = None;
    }

    /// The raw (sanitized) lines of the last returned reply, for transcripts.
    pub fn take_raw(&mut self) -> Vec<String> {
        std::mem::take(&mut self.raw)
    }

    /// The next complete reply, if one is complete.
    pub fn next_reply(&mut self) -> Option<Result<Reply, ReplyError>> {
        loop {
            let line = match self.lines.next_line() {
                Ok(Some(l)) => l,
                Ok(None) => return None,
                Err(LineTooLong) => return Some(Err(ReplyError::LineTooLong)),
            };
            let text = server_text(&line, MAX_LINE);
            self.raw.push(text.clone());
            let b = &line;
            let code_ok = b.len() >= 3 && b[..3].iter().all(u8::is_ascii_digit) && (b'2'..=b'5').contains(&b[0]);
            let sep = b.get(3).copied();
            if !code_ok || !matches!(sep, None | Some(b' ') | Some(b'-')) {
                return Some(Err(ReplyError::Malformed(server_text(&line, 80))));
            }
            let code = u16::from(b[0] - b'0') * 100 + u16::from(b[1] - b'0') * 10 + u16::from(b[2] - b'0');
            if self.code.is_some_and(|c| c != code) {
                return Some(Err(ReplyError::InconsistentCode));
            }
            self.code = Some(code);
            self.partial.push(if b.len() > 4 { server_text(&b[4..], MAX_LINE) } else { String::new() });
            if self.partial.len() > MAX_LINES {
                return Some(Err(ReplyError::TooManyLines));
            }
            if sep != Some(b'-') {
                let lines = std::mem::take(&mut self.partial);
                self.code = None;
                let enhanced = lines.iter().find_map(|l| {
                    let first = l.split(' ').next()?;
                    EnhancedCode::parse(first).filter(|e| u16::from(e.class) == code / 100)
                });
                return Some(Ok(Reply { code, enhanced, lines }));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(input: &[u8]) -> Vec<Result<Reply, ReplyError>> {
        let mut p = ReplyParser::default();
        p.push(input);
        let mut out = Vec::new();
        while let Some(r) = p.next_reply() {
            let stop = r.is_err();
            out.push(r);
            if stop {
                break;
            }
        }
        out
    }

    #[test]
    fn multi_line_keeps_lines_and_enhanced_code() {
        let r = parse_all(b"535-5.7.8 Username and Password not accepted.\r\n535 5.7.8 Learn more at\r\n");
        let r = r[0].as_ref().unwrap();
        assert_eq!(r.code, 535);
        assert_eq!(r.enhanced.unwrap().to_string(), "5.7.8");
        assert_eq!(r.lines, vec!["5.7.8 Username and Password not accepted.", "5.7.8 Learn more at"]);
    }

    #[test]
    fn hostile_table() {
        let cases: &[(&[u8], ReplyError)] = &[
            (b"hello\r\n", ReplyError::Malformed("hello".into())),
            (b"2500 x\r\n", ReplyError::Malformed("2500 x".into())),
            (b"250-a\r\n251 b\r\n", ReplyError::InconsistentCode),
            (b"600 x\r\n", ReplyError::Malformed("600 x".into())),
        ];
        for (input, want) in cases {
            assert_eq!(parse_all(input)[0].as_ref().unwrap_err(), want);
        }
        let long = vec![b'2'; MAX_LINE + 10];
        assert_eq!(parse_all(&long)[0].as_ref().unwrap_err(), &ReplyError::LineTooLong);
        let endless = b"250-x\r\n".repeat(MAX_LINES + 5);
        assert_eq!(parse_all(&endless)[0].as_ref().unwrap_err(), &ReplyError::TooManyLines);
    }

    #[test]
    fn bare_code_and_mismatched_enhanced_class() {
        let r = parse_all(b"250\r\n550 2.1.0 odd\r\n");
        assert_eq!(r[0].as_ref().unwrap().lines, vec![""]);
        assert_eq!(r[1].as_ref().unwrap().enhanced, None);
    }
}
