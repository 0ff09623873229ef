//! The fields of a profile, as findings, fixes and `validate_field` name them.

use std::fmt;
use std::str::FromStr;

macro_rules! fields {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, )*) => {
        /// A field of a profile. Its `Display` is the name in the JSON
        /// contract (`smtp.host`); a finding inside a settings document
        /// names it with a prefix (`profiles[0].smtp.host`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Field {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Field {
            /// Every field, in the order of the form.
            pub const ALL: &'static [Field] = &[$(Field::$variant),*];

            /// The name in the JSON contract.
            pub fn as_str(self) -> &'static str {
                match self { $(Field::$variant => $name,)* }
            }
        }

        impl FromStr for Field {
            type Err = UnknownField;

            fn from_str(s: &str) -> Result<Field, UnknownField> {
                match s {
                    $($name => Ok(Field::$variant),)*
                    _ => Err(UnknownField(s.to_string())),
                }
            }
        }
    };
}

fields! {
    /// The profile name ("Profilbezeichnung").
    Name = "name",
    /// The sender address.
    Email = "email",
    /// The authentication method.
    Auth = "auth",
    /// The password (never stored).
    Password = "password",
    /// The outgoing server.
    SmtpHost = "smtp.host",
    /// Its port.
    SmtpPort = "smtp.port",
    /// Its encryption.
    SmtpSecurity = "smtp.security",
    /// Its login name.
    SmtpUsername = "smtp.username",
    /// The incoming server of POP-before-SMTP.
    PopHost = "pop_before_smtp.host",
    /// Its port.
    PopPort = "pop_before_smtp.port",
    /// Its encryption.
    PopSecurity = "pop_before_smtp.security",
    /// Its login name.
    PopUsername = "pop_before_smtp.username",
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is no field of a profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownField(pub String);

impl fmt::Display for UnknownField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown field \"{}\" (the fields: ", self.0)?;
        for (i, field) in Field::ALL.iter().enumerate() {
            write!(f, "{}{field}", if i == 0 { "" } else { ", " })?;
        }
        f.write_str(")")
    }
}

impl std::error::Error for UnknownField {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in Field::ALL {
            assert_eq!(f.to_string().parse::<Field>(), Ok(*f));
        }
        assert_eq!(crate::validate::PROFILE_FIELDS, Field::ALL.iter().map(|f| f.as_str()).collect::<Vec<_>>());
        let e = "smtp.hostname".parse::<Field>().unwrap_err();
        assert!(e.to_string().starts_with("unknown field \"smtp.hostname\" (the fields: name, email"), "{e}");
    }
}
