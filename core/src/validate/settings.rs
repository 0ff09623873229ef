//! The settings document: profiles and tenants ("Mandanten"), and the rule
//! that a profile's address must equal the address of each tenant it serves.

use std::collections::BTreeMap;

use super::profile_findings;
use crate::finding::{Code, Finding, localize};
use crate::lang::Lang;
use crate::profile::Settings;

/// `(local part, domain in the form it is compared in)`, if the address splits.
fn split(address: &str) -> Option<(&str, String)> {
    let (l, d) = crate::domain::split_address(address)?;
    Some((l, crate::domain::to_ascii(d)?.into_owned()))
}

/// Validates the whole document: every profile, and every tenant against
/// its profile. Fields are named `profiles[0].smtp.host`, `tenants[1].profile`…
pub fn validate_settings(doc: &Settings, lang: Lang) -> Vec<Finding> {
    let mut out = settings_findings(doc);
    localize(&mut out, lang);
    out
}

/// [`validate_settings`] with the messages not yet rendered.
pub(crate) fn settings_findings(doc: &Settings) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut by_name: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, p) in doc.profiles.iter().enumerate() {
        for mut f in profile_findings(p.borrowed()) {
            f.prefix_fields(&format!("profiles[{i}]."));
            out.push(f);
        }
        let name = p.name.trim();
        if name.is_empty() {
            continue;
        }
        if let Some(first) = by_name.get(name) {
            out.push(
                Finding::new(Code::ProfileNameDuplicate, format!("profiles[{i}].name"))
                    .with("name", name.to_string())
                    .with("first", (first + 1).to_string()),
            );
        } else {
            by_name.insert(name, i);
        }
    }
    let mut ids: BTreeMap<&str, usize> = BTreeMap::new();
    for (j, t) in doc.tenants.iter().enumerate() {
        let tname = if t.name.trim().is_empty() { t.id.clone() } else { t.name.trim().to_string() };
        if ids.insert(t.id.as_str(), j).is_some() {
            out.push(Finding::new(Code::TenantIdDuplicate, format!("tenants[{j}].id")).with("id", t.id.clone()));
        }
        let field = format!("tenants[{j}].profile");
        let Some(pname) = t.profile.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
            out.push(Finding::new(Code::TenantUnassigned, field).with("tenant", tname));
            continue;
        };
        let Some(&pi) = by_name.get(pname) else {
            out.push(
                Finding::new(Code::TenantUnknownProfile, field)
                    .with("tenant", tname)
                    .with("profile", pname.to_string()),
            );
            continue;
        };
        let profile_email = doc.profiles[pi].email.trim();
        match (split(&t.email), split(profile_email)) {
            (Some((tl, td)), Some((pl, pd))) if td == pd && tl == pl => {}
            // Case-only differences are recognized in ASCII; others count as a mismatch.
            (Some((tl, td)), Some((pl, pd))) if td == pd && tl.eq_ignore_ascii_case(pl) => out.push(
                Finding::new(Code::TenantAddressCase, format!("tenants[{j}].email"))
                    .with("tenant", tname)
                    .with("tenant_email", t.email.trim().to_string())
                    .with("profile", pname.to_string())
                    .with("profile_email", profile_email.to_string()),
            ),
            _ => out.push(
                Finding::new(Code::TenantAddressMismatch, format!("tenants[{j}].email"))
                    .with("tenant", tname)
                    .with("tenant_email", t.email.trim().to_string())
                    .with("profile", pname.to_string())
                    .with("profile_email", profile_email.to_string()),
            ),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(json: &str) -> Settings {
        serde_json::from_str(json).unwrap()
    }

    const PROFILES: &str = r#"[
      {"name": "Praxis", "email": "info@praxis-müller.de", "smtp": {"host": "smtp.gmx.net", "port": 465, "security": "tls", "username": "u"}},
      {"name": "Filiale", "email": "filiale@praxis.de", "smtp": {"host": "smtp.gmx.net", "port": 465, "security": "tls", "username": "u"}}
    ]"#;

    fn codes(tenants: &str) -> Vec<(String, String)> {
        let d = doc(&format!(r#"{{"profiles": {PROFILES}, "tenants": {tenants}}}"#));
        validate_settings(&d, Lang::De)
            .into_iter()
            .map(|f| (f.code.as_str().to_string(), f.field.into_owned()))
            .collect()
    }

    #[test]
    fn tenants_table() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            (r#"[{"id": "1", "email": "info@praxis-müller.de", "profile": "Praxis"}]"#, &[]),
            // Domain compared after IDNA and case-insensitively.
            (r#"[{"id": "1", "email": "info@XN--PRAXIS-MLLER-KLB.de", "profile": "Praxis"}]"#, &[]),
            (
                r#"[{"id": "1", "email": "Info@praxis-müller.de", "profile": "Praxis"}]"#,
                &[("tenant_address_case", "tenants[0].email")],
            ),
            (
                r#"[{"id": "1", "email": "info@andere.de", "profile": "Praxis"}]"#,
                &[("tenant_address_mismatch", "tenants[0].email")],
            ),
            (r#"[{"id": "1", "email": "info@praxis.de"}]"#, &[("tenant_unassigned", "tenants[0].profile")]),
            (
                r#"[{"id": "1", "email": "info@praxis.de", "profile": "Nope"}]"#,
                &[("tenant_unknown_profile", "tenants[0].profile")],
            ),
            (
                r#"[{"id": "1", "email": "filiale@praxis.de", "profile": "Filiale"}, {"id": "1", "email": "info@praxis-müller.de", "profile": "Praxis"}]"#,
                &[("tenant_id_duplicate", "tenants[1].id")],
            ),
        ];
        for (tenants, want) in cases {
            let want: Vec<(String, String)> = want.iter().map(|(c, f)| (c.to_string(), f.to_string())).collect();
            assert_eq!(codes(tenants), want, "{tenants}");
        }
    }

    #[test]
    fn duplicate_profile_names_and_nested_fields() {
        let d = doc(r#"{"profiles": [
            {"name": "A", "email": "a@b.de", "smtp": {"host": "smtp.b.de", "port": 587, "security": "starttls", "username": "x"}},
            {"name": "A", "email": "a@b", "smtp": {"host": "smtp.b.de", "port": 587, "security": "starttls", "username": "x"}}
        ]}"#);
        let got: Vec<(String, String)> = validate_settings(&d, Lang::En)
            .into_iter()
            .map(|f| (f.code.as_str().into(), f.field.into_owned()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("domain_dotless".to_string(), "profiles[1].email".to_string()),
                ("profile_name_duplicate".to_string(), "profiles[1].name".to_string()),
            ]
        );
    }

    #[test]
    fn mismatch_message_names_both_addresses() {
        let d = doc(&format!(
            r#"{{"profiles": {PROFILES}, "tenants": [{{"id": "7", "name": "Physio Nord", "email": "nord@praxis.de", "profile": "Praxis"}}]}}"#
        ));
        let f = &validate_settings(&d, Lang::De)[0];
        assert_eq!(
            f.message,
            "Die Adresse des Mandanten „Physio Nord“ (nord@praxis.de) muss mit der Adresse des Profils „Praxis“ (info@praxis-müller.de) übereinstimmen."
        );
    }

    #[test]
    fn a_profile_fix_names_the_profile_fields_in_the_document() {
        let d = doc(r#"{"profiles": [
            {"name": "A", "email": "a@b.de", "smtp": {"host": "smtp://smtp.b.de:587", "port": 465, "security": "tls", "username": "x"}}
        ]}"#);
        let f = validate_settings(&d, Lang::De).into_iter().find(|f| f.code == Code::HostIsUrl).unwrap();
        assert_eq!(f.field, "profiles[0].smtp.host");
        let set: Vec<_> = f.fix.as_ref().unwrap().set.iter().collect();
        assert_eq!(set, vec![("profiles[0].smtp.host", "smtp.b.de"), ("profiles[0].smtp.port", "587")]);
    }
}
