//! A password that cannot leak through `Debug`, `Display` or serialization.

use zeroize::Zeroizing;

/// A password, held only for the length of one test.
///
/// It has no `Display`, no `Serialize`, and its `Debug` prints nothing of the
/// value; the memory is overwritten when it is dropped.
#[derive(Clone)]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_prints_nothing_of_the_value() {
        let p = Password::new("hunter2".into());
        assert_eq!(format!("{p:?}"), "Password(<redacted>)");
        assert!(!format!("{p:#?}").contains("hunter2"));
    }
}
