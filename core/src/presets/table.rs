//! The shape of the preset tables (generated and curated).

use crate::profile::Security;

/// A provider row.
#[derive(Debug)]
pub(crate) struct P {
    pub id: &'static str,
    #[allow(dead_code, reason = "kept from the ISPDB for fidelity; the short name is what users know")]
    pub name: &'static str,
    pub short: &'static str,
    pub smtp: &'static [S],
    pub pop3: &'static [S],
    pub enable: Option<Enable>,
    pub doc: Option<&'static str>,
}

/// A server row.
#[derive(Debug)]
pub(crate) struct S {
    pub host: &'static str,
    pub port: u16,
    pub security: Security,
    /// `%EMAILADDRESS%`, `%EMAILLOCALPART%`, or a template containing them.
    pub username: &'static str,
    pub password: bool,
    pub oauth2: bool,
}

/// A step the user must take first (ISPDB `<enable>`).
#[derive(Debug)]
pub(crate) struct Enable {
    pub url: &'static str,
    pub de: &'static str,
    pub en: &'static str,
}
