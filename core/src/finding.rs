//! Findings: what validation says about a profile, as data.
//!
//! A finding has a stable [`Code`], a [`Severity`], the field it concerns
//! (named as in the profile JSON, e.g. `smtp.port`), parameters, an optional
//! one-click fix, and a message rendered from the code in German or English.
//! The code and parameters are the contract; the wording may improve.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::lang::Lang;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something we did for the user, or a hint.
    Info,
    /// Unusual or risky, but it may work.
    Warning,
    /// Will not work; must be fixed.
    Error,
}

/// A change the user can apply with one click.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// Field name → new value (as the user would type it).
    pub set: BTreeMap<String, String>,
}

/// One problem or hint about one field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable code.
    pub code: Code,
    /// How serious it is.
    pub severity: Severity,
    /// The field, as in the profile JSON (`email`, `smtp.host`, `tenants[2].email`…).
    pub field: String,
    /// Values the message refers to.
    pub params: BTreeMap<String, String>,
    /// A suggested change, if there is an unambiguous one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fix: Option<Fix>,
    /// The message, rendered in the requested language.
    pub message: String,
}

impl Finding {
    /// A finding with its default severity. The message is rendered once, by
    /// [`localize`], when all findings are known (rendering per parameter
    /// showed up in the benchmark).
    pub fn new(code: Code, field: impl Into<String>) -> Self {
        Finding {
            code,
            severity: code.severity(),
            field: field.into(),
            params: BTreeMap::new(),
            fix: None,
            message: String::new(),
        }
    }

    /// Adds a parameter.
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.params.insert(key.to_owned(), value.into());
        self
    }

    /// Adds a field change to the fix.
    pub fn fix(mut self, field: &str, value: impl Into<String>) -> Self {
        self.fix.get_or_insert_with(Fix::default).set.insert(field.to_owned(), value.into());
        self
    }

    /// Overrides the severity (some codes are an error in one place, a warning in another).
    pub fn severity(mut self, s: Severity) -> Self {
        self.severity = s;
        self
    }

    /// Renders the message in `lang`.
    pub fn render(&mut self, lang: Lang) {
        let template = self.code.template(lang);
        self.message = if template.contains("{subject}") && !self.params.contains_key("subject") {
            let mut params = self.params.clone();
            params.insert("subject".into(), subject(&self.field, lang).into());
            fill(template, &params)
        } else {
            fill(template, &self.params)
        };
    }

    /// The finding with its message rendered in `lang`.
    pub fn rendered(mut self, lang: Lang) -> Self {
        self.render(lang);
        self
    }
}

/// Renders every finding in `lang`.
pub fn localize(findings: &mut [Finding], lang: Lang) {
    for f in findings {
        f.render(lang);
    }
}

/// What the field is called in a sentence ("Der SMTP-Server", …).
fn subject(field: &str, lang: Lang) -> &'static str {
    let last = field.rsplit('.').next().unwrap_or(field);
    let pop = field.starts_with("pop_before_smtp");
    match (lang, last, pop) {
        (Lang::De, "email", _) => "Die E-Mail-Adresse",
        (Lang::En, "email", _) => "The e-mail address",
        (Lang::De, "host", false) => "Der Server (SMTP)",
        (Lang::En, "host", false) => "The outgoing server (SMTP)",
        (Lang::De, "host", true) => "Der Posteingangsserver (POP3)",
        (Lang::En, "host", true) => "The incoming server (POP3)",
        (Lang::De, "port", _) => "Der Port",
        (Lang::En, "port", _) => "The port",
        (Lang::De, "username", _) => "Der Benutzername",
        (Lang::En, "username", _) => "The user name",
        (Lang::De, "password", _) => "Das Kennwort",
        (Lang::En, "password", _) => "The password",
        (Lang::De, "name", _) => "Die Profilbezeichnung",
        (Lang::En, "name", _) => "The profile name",
        (Lang::De, _, _) => "Der Wert",
        (Lang::En, _, _) => "The value",
    }
}

/// Replaces `{key}` with the parameter's value; unknown keys stay visible.
pub(crate) fn fill(template: &str, params: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if params.contains_key(&after[..end]) => {
                out.push_str(&params[&after[..end]]);
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, $sev:ident,
        de: $de:literal, en: $en:literal; )*) => {
        /// A stable finding code. Its snake_case name is the JSON contract.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[doc = $doc])* #[serde(rename = $name)] $variant, )*
        }

        impl Code {
            /// Every code, for documentation and tests.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable name.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The usual severity.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }

            /// The message template in `lang`.
            pub fn template(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $( (Code::$variant, Lang::De) => $de, (Code::$variant, Lang::En) => $en, )*
                }
            }
        }
    };
}

codes! {
    /// The profile has no name.
    NameEmpty = "name_empty", Error,
        de: "Bitte geben Sie eine Profilbezeichnung ein, z. B. den Namen der Praxis.",
        en: "Please enter a profile name, for example the name of the practice.";
    /// A required value is missing.
    Empty = "empty", Error,
        de: "{subject} fehlt. Bitte tragen Sie sie ein.",
        en: "{subject} is missing. Please enter it.";
    /// Leading or trailing spaces were removed.
    Trimmed = "trimmed", Info,
        de: "{subject} enthielt Leerzeichen am Anfang oder Ende; sie werden ignoriert.",
        en: "{subject} had spaces at the start or end; they are ignored.";
    /// The address has no `@`.
    EmailMissingAt = "email_missing_at", Error,
        de: "Der E-Mail-Adresse fehlt das @-Zeichen, z. B. info@praxis.de.",
        en: "The e-mail address lacks the @ sign, for example info@practice.com.";
    /// The part before the `@` is empty.
    EmailLocalEmpty = "email_local_empty", Error,
        de: "Vor dem @-Zeichen fehlt der Name des Postfachs, z. B. info@….",
        en: "The mailbox name before the @ sign is missing, for example info@….";
    /// The part before the `@` is longer than 64 bytes.
    EmailLocalTooLong = "email_local_too_long", Error,
        de: "Der Teil vor dem @-Zeichen ist zu lang ({octets} Bytes, höchstens 64).",
        en: "The part before the @ sign is too long ({octets} bytes, at most 64).";
    /// The whole address is longer than 254 bytes.
    EmailTooLong = "email_too_long", Error,
        de: "Die E-Mail-Adresse ist zu lang ({octets} Bytes, höchstens 254).",
        en: "The e-mail address is too long ({octets} bytes, at most 254).";
    /// A character not allowed in the part before the `@`.
    EmailLocalInvalidChar = "email_local_invalid_char", Error,
        de: "Das Zeichen „{char}“ ist vor dem @-Zeichen nicht erlaubt.",
        en: "The character “{char}” is not allowed before the @ sign.";
    /// A dot at the start or end, or two dots in a row, before the `@`.
    EmailLocalDots = "email_local_dots", Error,
        de: "Vor dem @-Zeichen darf ein Punkt nicht am Anfang oder Ende und nicht doppelt stehen.",
        en: "Before the @ sign a dot may not come first, last or twice in a row.";
    /// A quoted local part (`"a b"@x.de`): legal, but rarely what is meant.
    EmailQuoted = "email_quoted", Warning,
        de: "Die Adresse enthält Anführungszeichen. Das ist erlaubt, aber ungewöhnlich – bitte prüfen Sie die Schreibweise.",
        en: "The address contains quotes. That is allowed but unusual – please check the spelling.";
    /// Control characters (e.g. line breaks) in the address.
    EmailControlChar = "email_control_char", Error,
        de: "Die E-Mail-Adresse enthält ein unsichtbares Steuerzeichen (z. B. einen Zeilenumbruch). Bitte tippen Sie sie neu ein.",
        en: "The e-mail address contains an invisible control character (such as a line break). Please type it again.";
    /// An address literal (`a@[192.0.2.1]`).
    EmailAddressLiteral = "email_address_literal", Warning,
        de: "Die Adresse verwendet eine IP-Adresse statt einer Domain. Das ist ungewöhnlich – bitte prüfen Sie sie.",
        en: "The address uses an IP address instead of a domain. That is unusual – please check it.";
    /// `Name <address>` typed into the address field.
    EmailDisplayName = "email_display_name", Error,
        de: "Bitte tragen Sie nur die Adresse ein, ohne Namen und spitze Klammern: {suggestion}",
        en: "Please enter only the address, without name and angle brackets: {suggestion}";
    /// `mailto:address` typed into the address field.
    EmailMailto = "email_mailto", Error,
        de: "Bitte tragen Sie die Adresse ohne „mailto:“ ein: {suggestion}",
        en: "Please enter the address without “mailto:”: {suggestion}";
    /// The domain is a known provider's, misspelt.
    DomainTypo = "domain_typo", Warning,
        de: "Meinten Sie {suggestion}?",
        en: "Did you mean {suggestion}?";
    /// The domain has no dot (`info@praxis`).
    DomainDotless = "domain_dotless", Warning,
        de: "{subject} enthält keinen Punkt (z. B. „.de“). Bitte prüfen Sie die Schreibweise.",
        en: "{subject} has no dot (such as “.com”). Please check the spelling.";
    /// A character not allowed in a host or domain name.
    DomainInvalidChar = "domain_invalid_char", Error,
        de: "{subject} enthält das unzulässige Zeichen „{char}“.",
        en: "{subject} contains the character “{char}”, which is not allowed.";
    /// Two dots in a row, or a dot at the start.
    DomainEmptyLabel = "domain_empty_label", Error,
        de: "{subject} enthält zwei Punkte hintereinander oder beginnt mit einem Punkt.",
        en: "{subject} contains two dots in a row or starts with a dot.";
    /// A label longer than 63 bytes.
    DomainLabelTooLong = "domain_label_too_long", Error,
        de: "Ein Teil von {subject} ist zu lang (höchstens 63 Zeichen zwischen zwei Punkten).",
        en: "A part of {subject} is too long (at most 63 characters between dots).";
    /// The name is longer than 253 bytes.
    DomainTooLong = "domain_too_long", Error,
        de: "{subject} ist zu lang (höchstens 253 Zeichen).",
        en: "{subject} is too long (at most 253 characters).";
    /// A label starts or ends with a hyphen.
    DomainHyphen = "domain_hyphen", Error,
        de: "In {subject} darf ein Bindestrich nicht am Anfang oder Ende eines Namensteils stehen.",
        en: "In {subject} a hyphen may not start or end a part of the name.";
    /// The name is not a valid internationalized domain name.
    DomainIdnaInvalid = "domain_idna_invalid", Error,
        de: "{subject} ist kein gültiger Domainname ({detail}).",
        en: "{subject} is not a valid domain name ({detail}).";
    /// A URL was typed into a host field.
    HostIsUrl = "host_is_url", Error,
        de: "Bitte tragen Sie nur den Servernamen ein, ohne „{scheme}://“: {suggestion}",
        en: "Please enter only the server name, without “{scheme}://”: {suggestion}";
    /// `host:port` typed into a host field.
    HostHasPort = "host_has_port", Error,
        de: "Bitte tragen Sie den Port ({port}) in das Feld „Port“ ein und hier nur den Servernamen: {suggestion}",
        en: "Please put the port ({port}) into the “Port” field and only the server name here: {suggestion}";
    /// Characters that look like others (full-width letters, a full-width dot…).
    DomainNotNormalized = "domain_not_normalized", Error,
        de: "{subject} enthält Sonderformen von Zeichen (z. B. breite Buchstaben). Gemeint ist wohl: {suggestion}",
        en: "{subject} contains special forms of characters (such as full-width letters). You probably mean: {suggestion}";
    /// A trailing dot was removed.
    HostTrailingDot = "host_trailing_dot", Info,
        de: "Der Punkt am Ende von {subject} wird ignoriert.",
        en: "The dot at the end of {subject} is ignored.";
    /// An IP address instead of a host name.
    HostIpLiteral = "host_ip_literal", Warning,
        de: "{subject} ist eine IP-Adresse. Das Zertifikat des Servers lautet meist auf einen Namen; tragen Sie besser den Servernamen Ihres Anbieters ein.",
        en: "{subject} is an IP address. The server's certificate is usually issued for a name; better enter your provider's server name.";
    /// `localhost`.
    HostLocalhost = "host_localhost", Warning,
        de: "„localhost“ ist dieser Computer selbst, nicht der Server Ihres Anbieters.",
        en: "“localhost” is this computer itself, not your provider's server.";
    /// Port 0 or missing.
    PortMissing = "port_missing", Error,
        de: "Bitte tragen Sie einen Port ein (Standard-Port: {standard}).",
        en: "Please enter a port (standard: {standard}).";
    /// The port is not a number from 1 to 65535.
    PortInvalid = "port_invalid", Error,
        de: "Der Port muss eine Zahl von 1 bis 65535 sein (Standard-Port: {standard}).",
        en: "The port must be a number from 1 to 65535 (standard: {standard}).";
    /// Port and encryption do not fit together (465 + STARTTLS, 587 + TLS).
    PortSecurityMismatch = "port_security_mismatch", Warning,
        de: "Port {port} wird üblicherweise mit {expected_label} verwendet, nicht mit {security_label}.",
        en: "Port {port} is normally used with {expected_label}, not with {security_label}.";
    /// Port 25 is often blocked.
    Port25 = "port_25", Warning,
        de: "Port 25 ist für den Austausch zwischen Mailservern gedacht und wird von vielen Anbietern und Internetzugängen gesperrt. Verwenden Sie besser 465 oder 587.",
        en: "Port 25 is meant for traffic between mail servers and is blocked by many providers and internet connections. Better use 465 or 587.";
    /// No encryption.
    SecurityNone = "security_none", Warning,
        de: "Ohne Verschlüsselung würde das Kennwort lesbar übertragen. Der Test sendet es so nicht; wählen Sie SSL/TLS oder STARTTLS.",
        en: "Without encryption the password would travel readable. The test will not send it that way; choose SSL/TLS or STARTTLS.";
    /// The user name is empty: the address will be used.
    UsernameDefault = "username_default", Info,
        de: "Kein Benutzername eingetragen: Es wird {default} verwendet.",
        en: "No user name entered: {default} will be used.";
    /// Spaces at the start or end of the password.
    PasswordSpaces = "password_spaces", Warning,
        de: "Das Kennwort beginnt oder endet mit einem Leerzeichen. Prüfen Sie, ob das beabsichtigt ist.",
        en: "The password starts or ends with a space. Check whether that is intended.";
    /// OAuth 2.0 is chosen; the wizard cannot test it yet.
    Oauth2Unsupported = "oauth2_unsupported", Warning,
        de: "Die Anmeldung über OAuth 2.0 kann dieser Assistent noch nicht einrichten oder testen.",
        en: "This wizard cannot yet set up or test sign-in through OAuth 2.0.";
    /// A POP3 port that is neither 110 nor 995 or does not match the security.
    PopPortSecurityMismatch = "pop_port_security_mismatch", Warning,
        de: "POP3-Port {port} wird üblicherweise mit {expected_label} verwendet, nicht mit {security_label}.",
        en: "POP3 port {port} is normally used with {expected_label}, not with {security_label}.";
    /// Two profiles with the same name.
    ProfileNameDuplicate = "profile_name_duplicate", Error,
        de: "Es gibt schon ein Profil „{name}“ (Nr. {first}). Bitte wählen Sie einen anderen Namen.",
        en: "There already is a profile “{name}” (no. {first}). Please choose another name.";
    /// Two tenants with the same id.
    TenantIdDuplicate = "tenant_id_duplicate", Error,
        de: "Die Mandanten-Nummer {id} kommt doppelt vor.",
        en: "The tenant id {id} occurs twice.";
    /// A tenant without profile.
    TenantUnassigned = "tenant_unassigned", Error,
        de: "Dem Mandanten „{tenant}“ ist kein Profil zugewiesen.",
        en: "The tenant “{tenant}” has no profile assigned.";
    /// A tenant assigned to a profile that does not exist.
    TenantUnknownProfile = "tenant_unknown_profile", Error,
        de: "Dem Mandanten „{tenant}“ ist das Profil „{profile}“ zugewiesen, das es nicht gibt.",
        en: "The tenant “{tenant}” is assigned the profile “{profile}”, which does not exist.";
    /// Tenant and profile addresses differ.
    TenantAddressMismatch = "tenant_address_mismatch", Error,
        de: "Die Adresse des Mandanten „{tenant}“ ({tenant_email}) muss mit der Adresse des Profils „{profile}“ ({profile_email}) übereinstimmen.",
        en: "The address of the tenant “{tenant}” ({tenant_email}) must equal the address of the profile “{profile}” ({profile_email}).";
    /// Tenant and profile addresses differ only in case before the @.
    TenantAddressCase = "tenant_address_case", Warning,
        de: "Die Adressen von Mandant „{tenant}“ ({tenant_email}) und Profil „{profile}“ ({profile_email}) unterscheiden sich nur in Groß-/Kleinschreibung. Das funktioniert meist, aber schreiben Sie sie besser gleich.",
        en: "The addresses of tenant “{tenant}” ({tenant_email}) and profile “{profile}” ({profile_email}) differ only in upper/lower case. That usually works, but better write them the same.";

}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_both_languages_and_a_unique_name() {
        let mut names = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(names.insert(c.as_str()), "duplicate code {}", c.as_str());
            assert!(!c.template(Lang::De).is_empty());
            assert!(!c.template(Lang::En).is_empty());
            assert_ne!(c.template(Lang::De), c.template(Lang::En), "{} untranslated", c.as_str());
        }
    }

    #[test]
    fn serialized_code_is_its_stable_name() {
        let f = Finding::new(Code::PortMissing, "smtp.port").with("standard", "465 / 587").rendered(Lang::De);
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["code"], "port_missing");
        assert_eq!(v["severity"], "error");
        assert_eq!(v["field"], "smtp.port");
        assert_eq!(v["message"], "Bitte tragen Sie einen Port ein (Standard-Port: 465 / 587).");
    }

    #[test]
    fn fill_leaves_unknown_placeholders_visible() {
        let mut p = BTreeMap::new();
        p.insert("a".to_string(), "1".to_string());
        assert_eq!(fill("{a} {b} {", &p), "1 {b} {");
    }
}
