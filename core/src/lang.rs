//! The languages messages are rendered in.

use serde::{Deserialize, Serialize};

/// A language for user-facing messages. German is the default: our users are
/// German practices, and the vocabulary follows the vendor guide they know.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// German (default).
    #[default]
    De,
    /// English.
    En,
}

impl Lang {
    /// Parses a language tag such as `de`, `en`, `en-GB`; `None` for others.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("de") {
            Some(Lang::De)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        for (tag, want) in [
            ("de", Some(Lang::De)),
            ("DE", Some(Lang::De)),
            ("de-AT", Some(Lang::De)),
            ("en_GB", Some(Lang::En)),
            ("En", Some(Lang::En)),
            ("", None),
            ("fr", None),
            ("deu", None),
        ] {
            assert_eq!(Lang::parse(tag), want, "{tag:?}");
        }
    }
}
