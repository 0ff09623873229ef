//! Ports and their fit with the chosen encryption.

use crate::finding::{Code, Finding, Text};
use crate::profile::Security;
use crate::validate::HostRole;

fn standard(role: HostRole) -> &'static str {
    match role {
        HostRole::Pop3 => "110 / 995",
        _ => "465 / 587",
    }
}

pub(crate) fn invalid(field: impl Into<Text>, role: HostRole) -> Finding {
    Finding::new(Code::PortInvalid, field).with("standard", standard(role))
}

/// Parses a port as typed into the form.
// A finding keeps its few parameters inline, so it is large; it is
// returned once per call, not passed along.
#[allow(clippy::result_large_err)]
pub fn parse_port(value: &str, field: impl Into<Text>, role: HostRole) -> Result<u16, Finding> {
    let field = field.into();
    let v = value.trim();
    if v.is_empty() {
        return Err(Finding::new(Code::PortMissing, field).with("standard", standard(role)));
    }
    // Digits only: `u32::from_str` would take `+465`, and the form must
    // not read `0x1D1` or `4.65e2` as 465 either.
    if !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(field, role));
    }
    match v.parse::<u32>() {
        Ok(0) => Err(Finding::new(Code::PortMissing, field).with("standard", standard(role))),
        Ok(p) => u16::try_from(p).map_err(|_| invalid(field, role)),
        Err(_) => Err(invalid(field, role)),
    }
}

/// Checks the port alone.
pub fn check_port(port: u16, field: impl Into<Text>, role: HostRole) -> Vec<Finding> {
    let mut out = Vec::new();
    port_into(port, field, role, &mut out);
    out
}

/// [`check_port`] with the findings appended to `out`.
pub(crate) fn port_into(port: u16, field: impl Into<Text>, role: HostRole, out: &mut Vec<Finding>) {
    match (port, role) {
        (0, _) => out.push(Finding::new(Code::PortMissing, field).with("standard", standard(role))),
        (25, HostRole::Smtp) => out.push(Finding::new(Code::Port25, field)),
        _ => {}
    }
}

/// Checks that port and encryption fit (465 ↔ TLS, 587 ↔ STARTTLS; 995 ↔ TLS, 110 ↔ STLS).
/// Findings name the security field next to `port_field` (`smtp.port` → `smtp.security`).
pub fn check_port_security(port: u16, security: Security, port_field: &str, role: HostRole) -> Vec<Finding> {
    let mut out = Vec::new();
    port_security_into(port, security, port_field, role, &mut out);
    out
}

/// [`check_port_security`] with the findings appended to `out`.
pub(crate) fn port_security_into(
    port: u16,
    security: Security,
    port_field: &str,
    role: HostRole,
    out: &mut Vec<Finding>,
) {
    let security_field = || super::sibling(port_field, "security");
    if security == Security::None {
        out.push(Finding::new(Code::SecurityNone, security_field()));
    }
    // The port as text is static (a standard port): no allocation.
    let expected = match (role, port) {
        (HostRole::Pop3, 995) => Some((Security::Tls, "995")),
        (HostRole::Smtp, 465) => Some((Security::Tls, "465")),
        (HostRole::Pop3, 110) => Some((Security::Starttls, "110")),
        (HostRole::Smtp, 587) => Some((Security::Starttls, "587")),
        _ => None,
    };
    if let Some((exp, port)) = expected
        && exp != security && security != Security::None {
            let code = if role == HostRole::Pop3 { Code::PopPortSecurityMismatch } else { Code::PortSecurityMismatch };
            let field = security_field();
            out.push(
                Finding::new(code, field.clone())
                    .with("port", port)
                    .with("security", security.as_str())
                    .with("expected", exp.as_str())
                    .with("security_label", label(security))
                    .with("expected_label", label(exp))
                    .fix(field, exp.as_str()),
            );
        }
}

fn label(s: Security) -> &'static str {
    match s {
        Security::Tls => "SSL/TLS",
        Security::Starttls => "STARTTLS",
        Security::None => "—",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let cases: &[(&str, Result<u16, &str>)] = &[
            ("587", Ok(587)),
            (" 465 ", Ok(465)),
            ("", Err("port_missing")),
            ("0", Err("port_missing")),
            ("70000", Err("port_invalid")),
            ("abc", Err("port_invalid")),
            ("-1", Err("port_invalid")),
        ];
        for (input, want) in cases {
            let got = parse_port(input, "smtp.port", HostRole::Smtp).map_err(|f| f.code.as_str());
            assert_eq!(&got, want, "{input:?}");
        }
    }

    #[test]
    fn security_table() {
        let cases: &[(u16, Security, HostRole, &[&str])] = &[
            (465, Security::Tls, HostRole::Smtp, &[]),
            (587, Security::Starttls, HostRole::Smtp, &[]),
            (465, Security::Starttls, HostRole::Smtp, &["port_security_mismatch"]),
            (587, Security::Tls, HostRole::Smtp, &["port_security_mismatch"]),
            (587, Security::None, HostRole::Smtp, &["security_none"]),
            (2525, Security::Starttls, HostRole::Smtp, &[]),
            (995, Security::Starttls, HostRole::Pop3, &["pop_port_security_mismatch"]),
            (110, Security::Starttls, HostRole::Pop3, &[]),
        ];
        for (port, sec, role, want) in cases {
            let got: Vec<_> =
                check_port_security(*port, *sec, "smtp.port", *role).iter().map(|f| f.code.as_str()).collect();
            assert_eq!(&got, want, "{port} {sec:?}");
        }
    }

    #[test]
    fn mismatch_offers_the_fix() {
        let f = check_port_security(465, Security::Starttls, "smtp.port", HostRole::Smtp)[0]
            .clone()
            .rendered(crate::Lang::De);
        assert_eq!(f.field, "smtp.security");
        assert_eq!(&f.fix.as_ref().unwrap().set["smtp.security"], "tls");
        assert_eq!(f.message, "Port 465 wird üblicherweise mit SSL/TLS verwendet, nicht mit STARTTLS.");
    }
}
