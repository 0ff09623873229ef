//! Validation: every problem in a profile at once, as [`Finding`]s.
//!
//! Nothing here touches the network; it is fast enough to run on every
//! keystroke in the browser.

mod email;
mod host;
mod idna2008;
mod port;
mod settings;

pub use email::{EmailCheck, check_email};
pub use host::{HostCheck, HostRole, check_host};
pub use port::{check_port, check_port_security, parse_port};
pub use settings::validate_settings;

use crate::finding::{Code, Finding, Text, localize};
use crate::lang::Lang;
use crate::profile::{Profile, ProfileRef, ServerRef};

/// Every finding of a profile, messages rendered in `lang`: errors first
/// within each field, in field order.
pub fn validate_profile(profile: &Profile, lang: Lang) -> Vec<Finding> {
    let mut out = profile_findings(profile.borrowed());
    localize(&mut out, lang);
    out
}

/// A profile's findings with their messages not yet rendered: for a
/// caller that renders them straight into its own output
/// ([`Finding::render_into`]), as the wasm package does on every keystroke.
pub fn profile_findings(profile: ProfileRef) -> Vec<Finding> {
    // Room for what a profile typically has, so the list does not grow
    // step by step.
    let mut out = Vec::with_capacity(6);
    profile_findings_into(profile, &mut out);
    out
}

/// [`profile_findings`] appended to `out`.
pub(crate) fn profile_findings_into(profile: ProfileRef, out: &mut Vec<Finding>) {
    out.extend(name_finding(profile.name));
    let domain = email_into(profile.email, "email".into(), out);
    server(profile.smtp, profile.email, domain.as_deref(), None, out);
    if let Some(pop) = profile.pop_before_smtp {
        // An empty POP3 user name means the SMTP one.
        let smtp_user = Some(profile.smtp.username.trim()).filter(|u| !u.is_empty());
        server(pop, profile.email, domain.as_deref(), Some(smtp_user), out);
    }
}

/// Every field name a profile's findings use, as static texts (no
/// allocation per finding); the names of [`crate::Field`], in its order.
pub(crate) const PROFILE_FIELDS: &[&str] = &[
    "name",
    "email",
    "auth",
    "password",
    "smtp.host",
    "smtp.port",
    "smtp.security",
    "smtp.username",
    "pop_before_smtp.host",
    "pop_before_smtp.port",
    "pop_before_smtp.security",
    "pop_before_smtp.username",
];

/// The field named `name` next to `field`: `smtp.host` → `smtp.port`.
pub(crate) fn sibling(field: &str, name: &str) -> Text {
    // A profile's own fields are static texts (no allocation); they are
    // told apart by their prefix, as this runs for many findings.
    let known = [(false, "smtp."), (true, "pop_before_smtp.")]
        .into_iter()
        .find(|(_, prefix)| field.starts_with(prefix))
        .and_then(|(pop, prefix)| fields(pop).into_iter().find(|f| f[prefix.len()..] == *name));
    match known {
        Some(f) => Text::Borrowed(f),
        None => match crate::ascii::rsplit_once(field, b'.') {
            None => Text::Owned(name.to_string()),
            Some((prefix, _)) => Text::Owned(format!("{prefix}.{name}")),
        },
    }
}

/// Appends the address's findings to `out` (plus a typo suggestion for a
/// usable address whose findings offer no fix of their own); returns the
/// address's domain in A-label form when it is usable.
fn email_into<'a>(value: &'a str, field: Text, out: &mut Vec<Finding>) -> Option<std::borrow::Cow<'a, str>> {
    let start = out.len();
    let domain = email::check_into(value, &field, out);
    if let Some(d) = &domain
        && let Some(s) = crate::suggest::suggest_for(value, d)
            && !out[start..].iter().any(|f| f.fix.is_some()) {
                out.push(
                    Finding::new(Code::DomainTypo, field.clone()).with("suggestion", s.domain).fix(field, s.address),
                );
            }
    domain
}

/// A server's fields: host, port, security, user name.
fn fields(pop: bool) -> [&'static str; 4] {
    let f = &PROFILE_FIELDS[if pop { 8 } else { 4 }..][..4];
    [f[0], f[1], f[2], f[3]]
}

/// `pop` is `None` for the SMTP server, and for POP3 the SMTP user name
/// (which an empty POP3 user name stands for) if there is one.
fn server(s: ServerRef, email: &str, domain: Option<&str>, pop: Option<Option<&str>>, out: &mut Vec<Finding>) {
    let smtp_user = pop.flatten();
    let pop = pop.is_some();
    let role = if pop { HostRole::Pop3 } else { HostRole::Smtp };
    let [host, port, _, username] = fields(pop);
    host::check_into(s.host, &host.into(), role, false, out);
    match u16::try_from(s.port) {
        Ok(p) => {
            port::port_into(p, port, role, out);
            port::port_security_into(p, s.security, port, role, out);
        }
        Err(_) => out.push(port::invalid(port, role)),
    }
    if s.username.trim().is_empty() {
        // The default comes from the address, so it is shown only for a
        // usable one: from `Praxis Lange <info@praxis-lange.de>` it would
        // offer that whole text as the user name. The address's own
        // findings come first; once it is fixed, the default shows.
        if let Some(user) = smtp_user {
            out.push(
                Finding::new(Code::UsernameDefault, username)
                    .with("default", user.to_string())
                    .fix(username, user.to_string()),
            );
        } else if let Some(d) = domain {
            let default = crate::presets::default_username_for(email, d);
            out.push(
                Finding::new(Code::UsernameDefault, username).with("default", default.clone()).fix(username, default),
            );
        }
    } else {
        out.extend(typed_username_finding(s.username, username));
    }
}

/// The profile name's finding: missing, or with a control character.
fn name_finding(name: &str) -> Option<Finding> {
    if name.trim().is_empty() { Some(Finding::new(Code::NameEmpty, "name")) } else { control(name, "name") }
}

/// A user name that was typed in (not empty): a control or invisible
/// character, else spaces around it.
fn typed_username_finding(value: &str, field: &'static str) -> Option<Finding> {
    control(value, field)
        .or_else(|| invisible(value, &field.into()))
        .or_else(|| (value.len() != value.trim().len()).then(|| Finding::new(Code::Trimmed, field)))
}

/// Issue #13: a control character (CR, LF, …) in a free-text value, with
/// the value without them as the fix.
fn control(value: &str, field: &'static str) -> Option<Finding> {
    if !crate::ascii::has_control(value) {
        return None;
    }
    let clean: String = value.chars().filter(|c| !c.is_control()).collect();
    Some(Finding::new(Code::ControlChar, field).fix(field, clean))
}

/// Issue #13: the first invisible, format or bidi character in `value`
/// (see [`crate::sanitize::is_disguise`]), with the value without any of
/// them as the fix.
pub(crate) fn invisible(value: &str, field: &Text) -> Option<Finding> {
    if value.is_ascii() {
        return None;
    }
    let first = value.chars().find(|&c| crate::sanitize::is_disguise(c))?;
    let clean: String = value.chars().filter(|&c| !crate::sanitize::is_disguise(c)).collect();
    Some(
        Finding::new(Code::InvisibleChar, field.clone())
            .with("char", format!("U+{:04X}", first as u32))
            .with("suggestion", clean.clone())
            .fix(field.clone(), clean),
    )
}

/// One field as typed, e.g. on every keystroke, messages rendered in
/// `lang`. (`auth` and the security fields are choices: never a finding.)
pub fn validate_field(field: crate::Field, value: &str, lang: Lang) -> Vec<Finding> {
    let mut out = field_findings(field.as_str(), value).unwrap_or_default();
    localize(&mut out, lang);
    out
}

/// One field's findings, messages not rendered; `None` for a name that is
/// no typed field.
fn field_findings(field: &str, value: &str) -> Option<Vec<Finding>> {
    let role = if field.starts_with("pop_before_smtp.") { HostRole::Pop3 } else { HostRole::Smtp };
    let field: &'static str = PROFILE_FIELDS.iter().find(|f| **f == field)?;
    let out = match field {
        "name" => name_finding(value).into_iter().collect(),
        "email" => {
            let mut out = Vec::new();
            email_into(value, field.into(), &mut out);
            out
        }
        "smtp.host" | "pop_before_smtp.host" => host::host_findings(value, field, role),
        "smtp.port" | "pop_before_smtp.port" => match parse_port(value, field, role) {
            Ok(p) => check_port(p, field, role),
            Err(f) => vec![f],
        },
        "smtp.username" | "pop_before_smtp.username" => typed_username_finding(value, field).into_iter().collect(),
        "password" => {
            if value.is_empty() {
                vec![Finding::new(Code::Empty, field)]
            } else if value != value.trim() {
                vec![Finding::new(Code::PasswordSpaces, field)]
            } else {
                vec![]
            }
        }
        _ => return None,
    };
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Security, Server};

    fn profile() -> Profile {
        Profile {
            name: "Praxis Müller".into(),
            email: "info@praxis-mueller.de".into(),
            auth: crate::profile::AuthKind::Password,
            smtp: Server {
                host: "smtp.example.de".into(),
                port: 587,
                security: Security::Starttls,
                username: "info@praxis-mueller.de".into(),
            },
            pop_before_smtp: None,
            oauth_provider: String::new(),
        }
    }

    fn validate(p: &Profile) -> Vec<Finding> {
        validate_profile(p, Lang::De)
    }

    fn codes(p: &Profile) -> Vec<(&'static str, String)> {
        validate(p).into_iter().map(|f| (f.code.as_str(), f.field.into_owned())).collect()
    }

    #[test]
    fn a_good_profile_has_no_findings() {
        assert_eq!(codes(&profile()), vec![]);
    }

    #[test]
    fn all_problems_at_once() {
        let mut p = profile();
        p.name = " ".into();
        p.email = "info.praxis.de".into();
        p.smtp.host = "smtp://mail.gmx.net:587".into();
        p.smtp.port = 70000;
        let got = codes(&p);
        assert_eq!(
            got,
            vec![
                ("name_empty", "name".to_string()),
                ("email_missing_at", "email".to_string()),
                ("host_is_url", "smtp.host".to_string()),
                ("port_invalid", "smtp.port".to_string()),
            ]
        );
    }

    #[test]
    fn english_rendering() {
        let mut p = profile();
        p.smtp.port = 0;
        let f = validate_profile(&p, Lang::En);
        assert_eq!(f[0].message, "Please enter a port (standard: 465 / 587).");
    }

    #[test]
    fn username_default_follows_the_preset() {
        let mut p = profile();
        p.smtp.username = String::new();
        for (email, default) in [
            ("praxis@web.de", "praxis"),
            ("praxis@gmx.de", "praxis@gmx.de"),
            ("info@praxis-mueller.de", "info@praxis-mueller.de"),
        ] {
            p.email = email.into();
            let f = validate(&p).into_iter().find(|f| f.code == Code::UsernameDefault).unwrap();
            assert_eq!(&f.params["default"], default, "{email}");
        }
    }

    #[test]
    fn no_username_default_from_an_unusable_address() {
        let mut p = profile();
        p.smtp.username = String::new();
        for email in ["Praxis Lange <info@praxis-lange.de>", "mailto:info@praxis.de", "info@", "", "info praxis.de"] {
            p.email = email.into();
            let codes: Vec<_> = validate(&p).into_iter().map(|f| f.code).collect();
            assert!(!codes.contains(&Code::UsernameDefault), "{email:?}: {codes:?}");
        }
        // A usable address with a warning still has its default (trimmed).
        p.email = " \"info\"@praxis.de ".into();
        let f = validate(&p).into_iter().find(|f| f.code == Code::UsernameDefault).unwrap();
        assert_eq!(&f.params["default"], "\"info\"@praxis.de");
    }

    /// Issue #13: a line break in a user name would start another POP3 or
    /// SMTP command; invisible and bidi characters make a value look right
    /// while the server gets another one.
    #[test]
    fn control_and_invisible_characters_are_errors_with_a_fix() {
        let cases: &[(&str, &str, &str, &str)] = &[
            (
                "pop_before_smtp.username",
                "info@praxis.de\r\nDELE 1\r\nQUIT",
                "control_char",
                "info@praxis.deDELE 1QUIT",
            ),
            ("smtp.username", "info\u{AD}@praxis.de", "invisible_char", "info@praxis.de"),
            ("name", "Praxis\u{1b}]0;x\u{7}", "control_char", "Praxis]0;x"),
            ("email", "\u{202E}ofni@praxis-mueller.de", "invisible_char", "ofni@praxis-mueller.de"),
            ("email", "info\u{00AD}@praxis-mueller.de", "invisible_char", "info@praxis-mueller.de"),
            ("smtp.host", "smtp\u{200B}.praxis.de", "invisible_char", "smtp.praxis.de"),
        ];
        for (field, value, code, fixed) in cases {
            let f = validate_field(field.parse().unwrap(), value, Lang::De);
            let hit = f.iter().find(|f| f.code.as_str() == *code).unwrap_or_else(|| panic!("{value:?}: {f:?}"));
            assert_eq!(hit.severity, crate::Severity::Error);
            assert_eq!(hit.fix.as_ref().unwrap().set.get(field), Some(*fixed), "{value:?}");
            assert!(!hit.message.contains('\u{202E}') || hit.message.contains('\u{2068}'), "{}", hit.message);
        }
        let mut p = profile();
        p.pop_before_smtp = Some(Server {
            host: "pop.praxis.de".into(),
            port: 995,
            security: Security::Tls,
            username: "info@praxis.de\r\nDELE 1".into(),
        });
        assert!(codes(&p).contains(&("control_char", "pop_before_smtp.username".to_string())));
    }

    #[test]
    fn choices_have_no_findings_as_typed() {
        assert!(validate_field(crate::Field::SmtpSecurity, "ssl", Lang::De).is_empty());
    }
}
