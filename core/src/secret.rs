//! A password that cannot leak through `Debug`, `Display` or serialization.

use zeroize::Zeroizing;

/// A password, held only for the length of one test.
///
/// It has no `Display`, no `Serialize`, and its `Debug` prints nothing of the
/// value; the memory is overwritten when it is dropped. It is not `Clone`:
/// a run hands the one copy from step to step.
pub struct Password(Zeroizing<String>);

impl Password {
    /// Wraps a password.
    pub fn new(value: String) -> Self {
        Password(Zeroizing::new(value))
    }

    /// The password, for the few places that must put it on the wire (inside TLS).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// An OAuth 2.0 access token, held like a password: no `Display`, no
/// `Serialize`, nothing of it in `Debug`, wiped when dropped, not `Clone`.
pub struct AccessToken(Zeroizing<String>);

impl AccessToken {
    /// Wraps a token.
    pub fn new(value: String) -> Self {
        AccessToken(Zeroizing::new(value))
    }

    /// The token, for the one place that must put it on the wire (inside TLS).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// The SASL XOAUTH2 message (Google's and Microsoft's):
/// `user=<user>^Aauth=Bearer <token>^A^A`.
pub fn xoauth2_message(user: &str, token: &AccessToken) -> Zeroizing<Vec<u8>> {
    let mut raw = Zeroizing::new(Vec::with_capacity(user.len() + token.expose().len() + 24));
    raw.extend_from_slice(b"user=");
    raw.extend_from_slice(user.as_bytes());
    raw.extend_from_slice(b"\x01auth=Bearer ");
    raw.extend_from_slice(token.expose().as_bytes());
    raw.extend_from_slice(b"\x01\x01");
    raw
}

/// The SASL OAUTHBEARER message (RFC 7628 3.1): the GS2 header with the
/// user (`,` and `=` escaped as RFC 5801 asks), host, port and the token.
pub fn oauthbearer_message(user: &str, host: &str, port: u16, token: &AccessToken) -> Zeroizing<Vec<u8>> {
    let user = user.replace('=', "=3D").replace(',', "=2C");
    let mut raw = Zeroizing::new(Vec::with_capacity(user.len() + host.len() + token.expose().len() + 48));
    raw.extend_from_slice(format!("n,a={user},\x01host={host}\x01port={port}\x01auth=Bearer ").as_bytes());
    raw.extend_from_slice(token.expose().as_bytes());
    raw.extend_from_slice(b"\x01\x01");
    raw
}

/// The SASL PLAIN message (RFC 4616), `\0user\0password`, in memory that
/// is wiped when dropped.
pub fn plain_message(user: &str, password: &Password) -> Zeroizing<Vec<u8>> {
    let pw = password.expose().as_bytes();
    let mut raw = Zeroizing::new(Vec::with_capacity(user.len() + pw.len() + 2));
    raw.push(0);
    raw.extend_from_slice(user.as_bytes());
    raw.push(0);
    raw.extend_from_slice(pw);
    raw
}

/// `prefix`, `data` in base64 and CRLF: a protocol line that carries a
/// credential, built in place in memory that is wiped when dropped (no
/// intermediate string holds the encoding).
pub fn base64_line(prefix: &str, data: &[u8]) -> Zeroizing<Vec<u8>> {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD as B64;
    let n = base64::encoded_len(data.len(), true).unwrap_or(0);
    let mut line = Zeroizing::new(vec![0u8; prefix.len() + n + 2]);
    line[..prefix.len()].copy_from_slice(prefix.as_bytes());
    let written = B64.encode_slice(data, &mut line[prefix.len()..prefix.len() + n]).unwrap_or(0);
    line.truncate(prefix.len() + written);
    line.extend_from_slice(b"\r\n");
    line
}

/// What a server must never get shown back: a password, and every form of
/// it a dialogue sends (the AUTH PLAIN blob, the AUTH LOGIN lines), in case
/// a server echoes them (`535 … pass=<password>`). Every server text goes
/// through [`Redactor::redact`] before it is kept anywhere (issue #13).
#[derive(Default)]
pub struct Redactor {
    /// Longest first, so that a longer form is replaced whole.
    needles: Vec<Zeroizing<String>>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} forms)", self.needles.len())
    }
}

/// What replaces a secret in server text.
pub const REDACTED: &str = "<redacted>";

impl Redactor {
    /// The forms of `user` + `password` that a login sends.
    pub fn for_login(user: &str, password: &Password) -> Self {
        use base64::Engine as _;
        use base64::engine::general_purpose::STANDARD as B64;
        let pw = password.expose();
        if pw.is_empty() {
            return Redactor::default();
        }
        let mut blob = Zeroizing::new(Vec::with_capacity(user.len() + pw.len() + 2));
        blob.push(0);
        blob.extend_from_slice(user.as_bytes());
        blob.push(0);
        blob.extend_from_slice(pw.as_bytes());
        let mut needles = vec![
            Zeroizing::new(pw.to_string()),
            Zeroizing::new(B64.encode(pw.as_bytes())),
            Zeroizing::new(B64.encode(&*blob)),
            // AUTH LOGIN's user line: not a secret alone, but a server that
            // echoes what it got must not show half of the pair either.
            Zeroizing::new(B64.encode(user.as_bytes())),
        ];
        needles.retain(|n| !n.is_empty());
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        Redactor { needles }
    }

    /// The forms of an access token that an OAuth login sends: the token,
    /// and each SASL message in base64.
    pub fn for_token(token: &AccessToken, messages: &[&[u8]]) -> Self {
        use base64::Engine as _;
        use base64::engine::general_purpose::STANDARD as B64;
        if token.expose().is_empty() {
            return Redactor::default();
        }
        let mut needles = vec![Zeroizing::new(token.expose().to_string()), Zeroizing::new(B64.encode(token.expose()))];
        needles.extend(messages.iter().map(|m| Zeroizing::new(B64.encode(m))));
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        Redactor { needles }
    }

    /// `text` with every form replaced by [`REDACTED`].
    pub fn redact(&self, text: String) -> String {
        if !self.needles.iter().any(|n| text.contains(n.as_str())) {
            return text;
        }
        let mut out = Zeroizing::new(text);
        for n in &self.needles {
            if out.contains(n.as_str()) {
                *out = out.replace(n.as_str(), REDACTED);
            }
        }
        std::mem::take(&mut *out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_lines_are_built_in_place() {
        let m = plain_message("info@praxis.de", &Password::new("geheim".into()));
        assert_eq!(&m[..], b"\0info@praxis.de\0geheim");
        assert_eq!(&base64_line("AUTH PLAIN ", &m)[..], b"AUTH PLAIN AGluZm9AcHJheGlzLmRlAGdlaGVpbQ==\r\n");
        assert_eq!(&base64_line("", b"")[..], b"\r\n");
    }

    #[test]
    fn echoed_forms_of_the_password_are_redacted() {
        let r = Redactor::for_login("info@praxis.de", &Password::new("geheim".into()));
        let cases = [
            ("535 5.7.8 pass=geheim rejected", "535 5.7.8 pass=<redacted> rejected"),
            ("535 you sent AGluZm9AcHJheGlzLmRlAGdlaGVpbQ==", "535 you sent <redacted>"),
            ("334 Z2VoZWlt?", "334 <redacted>?"),
            ("334 aW5mb0BwcmF4aXMuZGU=", "334 <redacted>"),
            ("250 nothing to hide", "250 nothing to hide"),
        ];
        for (text, want) in cases {
            assert_eq!(r.redact(text.into()), want);
        }
        assert!(!format!("{r:?}").contains("geheim"));
    }

    #[test]
    fn debug_prints_nothing_of_the_value() {
        let p = Password::new("hunter2".into());
        assert_eq!(format!("{p:?}"), "Password(<redacted>)");
        assert!(!format!("{p:#?}").contains("hunter2"));
    }
}
