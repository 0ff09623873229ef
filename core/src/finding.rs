//! Findings: what validation says about a profile, as data.
//!
//! A finding has a stable [`Code`], a [`Severity`], the field it concerns
//! (named as in the profile JSON, e.g. `smtp.port`), parameters, an optional
//! one-click fix, and a message rendered from the code in German or English.
//! The code and parameters are the contract; the wording may improve.

use std::borrow::Cow;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::lang::Lang;

/// Text in a finding: usually a `&'static str` (field names, parameter
/// keys, fixed values), owned only when it comes from the input: findings
/// are built on every keystroke, and an allocation per field name and
/// parameter would cost more than the checks.
pub type Text = Cow<'static, str>;

/// How serious a finding is.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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

impl Severity {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Key → value pairs in insertion order, serialized as a JSON object. A
/// finding has at most a handful, so a vector beats a map; and mostly one
/// or two, kept inline (a heap vector per parameter list and per fix
/// would be a fifth of validation's time).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pairs(smallvec::SmallVec<[(Text, Text); 2]>);

impl Pairs {
    /// The value for `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| &**v)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key`, replacing an earlier value.
    pub fn insert(&mut self, key: impl Into<Text>, value: impl Into<Text>) {
        let (key, value) = (key.into(), value.into());
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// The pairs, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (&**k, &**v))
    }

    /// How many pairs there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::ops::Index<&str> for Pairs {
    type Output = str;

    fn index(&self, key: &str) -> &str {
        self.get(key).unwrap_or_else(|| panic!("no key {key:?}"))
    }
}

impl Serialize for Pairs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Pairs {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Pairs".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "object", "additionalProperties": {"type": "string"}})
    }
}

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PairsVisitor;
        impl<'de> Visitor<'de> for PairsVisitor {
            type Value = Pairs;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of strings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
                let mut out = Pairs::default();
                while let Some((k, v)) = map.next_entry::<String, String>()? {
                    out.insert(k, v);
                }
                Ok(out)
            }
        }
        d.deserialize_map(PairsVisitor)
    }
}

/// A change the user can apply with one click.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// Field name → new value (as the user would type it).
    pub set: Pairs,
}

/// One problem or hint about one field.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable code.
    pub code: Code,
    /// How serious it is.
    pub severity: Severity,
    /// The field, as in the profile JSON (`email`, `smtp.host`, `tenants[2].email`…).
    pub field: Text,
    /// Values the message refers to.
    pub params: Pairs,
    /// A suggested change, if there is an unambiguous one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fix: Option<Box<Fix>>,
    /// The message, rendered in the requested language. Every finding the
    /// crate's public functions hand out has it (`validate_*`).
    pub message: String,
}

impl Finding {
    /// A finding with its default severity. The message is rendered once, by
    /// [`localize`], when all findings are known, or straight into an output
    /// buffer by [`Finding::render_into`].
    pub fn new(code: Code, field: impl Into<Text>) -> Self {
        Finding {
            code,
            severity: code.severity(),
            field: field.into(),
            params: Pairs::default(),
            fix: None,
            message: String::new(),
        }
    }

    /// Adds a parameter (each key once: findings are built in one place each).
    pub fn with(mut self, key: &'static str, value: impl Into<Text>) -> Self {
        debug_assert!(!self.params.contains_key(key), "parameter {key} twice");
        self.params.0.push((Text::Borrowed(key), value.into()));
        self
    }

    /// Adds a field change to the fix.
    pub fn fix(mut self, field: impl Into<Text>, value: impl Into<Text>) -> Self {
        self.fix.get_or_insert_with(Box::default).set.insert(field, value);
        self
    }

    /// Overrides the severity (some codes are an error in one place, a warning in another).
    pub fn severity(mut self, s: Severity) -> Self {
        self.severity = s;
        self
    }

    /// Puts `prefix` before the field and the fix's fields (a profile's
    /// findings inside a settings document: `smtp.host` → `profiles[0].smtp.host`).
    pub(crate) fn prefix_fields(&mut self, prefix: &str) {
        self.field = format!("{prefix}{}", self.field).into();
        if let Some(fix) = &mut self.fix {
            for (k, _) in &mut fix.set.0 {
                *k = format!("{prefix}{k}").into();
            }
        }
    }

    /// Appends the message in `lang` to `out`.
    pub fn render_into(&self, lang: Lang, out: &mut String) {
        fill_into(self.code.template(lang), out, |key| match self.params.get(key) {
            Some(v) => Some(v),
            None if key == "subject" => self.subject().map(|i| SUBJECTS[i][lang as usize]),
            None => None,
        });
    }

    /// Renders the message in `lang`.
    pub fn render(&mut self, lang: Lang) {
        self.message = self.message(lang);
    }

    /// The message in `lang`, whatever the finding holds.
    pub fn message(&self, lang: Lang) -> String {
        let mut message = String::with_capacity(self.code.template(lang).len() + 16);
        self.render_into(lang, &mut message);
        message
    }

    /// The finding with its message rendered in `lang`.
    pub fn rendered(mut self, lang: Lang) -> Self {
        self.render(lang);
        self
    }
}

/// Whether any of `findings` is an error (a value the probe will not use).
pub fn has_error(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

/// Renders every finding in `lang`.
pub fn localize(findings: &mut [Finding], lang: Lang) {
    for f in findings {
        f.render(lang);
    }
}

/// How a message names the field it is about ("Der Port", …), German and
/// English: what `{subject}` in a template stands for when the finding
/// has no `subject` parameter of its own.
const SUBJECTS: &[[&str; 2]] = &[
    ["Der Wert", "The value"],
    ["Die Domain nach dem @-Zeichen", "The domain after the @ sign"],
    ["Die E-Mail-Adresse", "The e-mail address"],
    ["Der Server (SMTP)", "The outgoing server (SMTP)"],
    ["Der Posteingangsserver (POP3)", "The incoming server (POP3)"],
    ["Der Port", "The port"],
    ["Der Benutzername", "The user name"],
    ["Das Kennwort", "The password"],
    ["Die Profilbezeichnung", "The profile name"],
];

/// The entry of [`SUBJECTS`] for `field`; `part` names a part of the
/// field's value (`domain`: the part after the @).
fn subject_index(field: &str, part: Option<&str>) -> usize {
    // Byte searches (see `crate::ascii`): this runs for most messages.
    let last = crate::ascii::rsplit_once(field, b'.').map_or(field, |(_, l)| l);
    match (last, part) {
        ("email", Some("domain")) => 1,
        ("email", _) => 2,
        // `pop_before_smtp.host`, also inside a settings document.
        ("host", _) if field.ends_with("pop_before_smtp.host") => 4,
        ("host", _) => 3,
        ("port", _) => 5,
        ("username", _) => 6,
        ("password", _) => 7,
        ("name", _) => 8,
        _ => 0,
    }
}

impl Finding {
    /// The entry of [`SUBJECTS`] that `{subject}` in this finding's message
    /// stands for; `None` when the message has no `{subject}` or the
    /// finding names it in a parameter.
    pub fn subject(&self) -> Option<usize> {
        (self.code.has_subject() && !self.params.contains_key("subject"))
            .then(|| subject_index(&self.field, self.params.get("part")))
    }
}

/// `template` with each `{key}` replaced by its value in `params`.
pub(crate) fn fill(template: &str, params: &std::collections::BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    fill_into(template, &mut out, |k| params.get(k).map(String::as_str));
    out
}

/// Appends `template` to `out` with each `{key}` replaced by its value;
/// unknown keys stay visible. A value that could turn the text around it
/// (see [`needs_isolation`]) is isolated (FSI … PDI), so that an unclosed
/// right-to-left override in a typed value cannot reverse the rest of the
/// message (issue #13).
pub(crate) fn fill_into<'a>(template: &str, out: &mut String, value: impl Fn(&str) -> Option<&'a str>) {
    let mut rest = template;
    // Byte searches (see `crate::ascii`): `str::find` set up a searcher per
    // call, which cost more than the rest of filling in a message.
    while let Some(start) = crate::ascii::find_long(rest, b'{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match crate::ascii::find(after, b'}').and_then(|end| Some((end, value(&after[..end])?))) {
            Some((end, v)) if needs_isolation(v) => {
                out.push('\u{2068}');
                out.push_str(v);
                out.push('\u{2069}');
                rest = &after[end + 1..];
            }
            Some((end, v)) => {
                out.push_str(v);
                rest = &after[end + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

/// Whether `value` holds a bidi control or a right-to-left letter: such a
/// value is isolated when it is put into a message.
pub fn needs_isolation(value: &str) -> bool {
    !value.is_ascii()
        && value.chars().any(|c| {
            matches!(c,
                '\u{0590}'..='\u{08FF}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' |
                '\u{2066}'..='\u{2069}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}' |
                '\u{10800}'..='\u{10FFF}' | '\u{1E800}'..='\u{1EFFF}')
        })
}

/// `haystack.contains(needle)`, usable in constants.
const fn contains(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    let mut i = 0;
    while i + n.len() <= h.len() {
        let mut j = 0;
        while j < n.len() && h[i + j] == n[j] {
            j += 1;
        }
        if j == n.len() {
            return true;
        }
        i += 1;
    }
    false
}

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, $sev:ident,
        de: $de:literal, en: $en:literal; )*) => {
        /// A stable finding code. Its snake_case name is the JSON contract.
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[doc = $doc])* #[serde(rename = $name)] $variant, )*
        }

        impl Code {
            /// Every code, for documentation and tests.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// Its position in [`Code::ALL`].
            pub fn index(self) -> usize {
                self as usize
            }

            /// The stable name.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The usual severity.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }

            /// Whether the template has `{subject}` (both languages agree;
            /// a test checks it). Computed at compile time: it is asked
            /// for every finding sent to the wizard.
            pub fn has_subject(self) -> bool {
                match self { $(Code::$variant => const { contains($de, "{subject}") },)* }
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
    /// No client ID for the profile's OAuth 2.0 provider (issue #15).
    OauthClientMissing = "oauth_client_missing", Error,
        de: "Keine Client-ID für {provider} (oauth2-clients.json).",
        en: "No client ID for {provider} (oauth2-clients.json).";
    /// A POP3 port that is neither 110 nor 995 or does not match the security.
    PopPortSecurityMismatch = "pop_port_security_mismatch", Warning,
        de: "POP3-Port {port} wird üblicherweise mit {expected_label} verwendet, nicht mit {security_label}.",
        en: "POP3 port {port} is normally used with {expected_label}, not with {security_label}.";
    /// Issue #12: the last label is all digits (`example.0`, `192.168.0`):
    /// no top-level domain is, and a resolver may read it as an IP address.
    DomainNumericTld = "domain_numeric_tld", Error,
        de: "{subject} endet auf „.{tld}“, und eine Domain-Endung besteht nie nur aus Ziffern. Prüfen Sie die Schreibweise.",
        en: "{subject} ends in “.{tld}”, and a domain ending is never digits only. Check the spelling.";
    /// Issue #12: only digits and dots, but no IPv4 address (`256.0.0.0`,
    /// `192.168.0.9999`).
    HostInvalidIp = "host_invalid_ip", Error,
        de: "{subject} sieht wie eine IP-Adresse aus, ist aber keine: Eine IP-Adresse hat vier Zahlen von 0 bis 255, z. B. 192.168.0.10.",
        en: "{subject} looks like an IP address but is none: an IP address has four numbers from 0 to 255, for example 192.168.0.10.";
    /// Issue #13: a control character (a line break, say) in a name or user
    /// name. It would end a protocol line early and start another command.
    ControlChar = "control_char", Error,
        de: "{subject} enthält ein unsichtbares Steuerzeichen (z. B. einen Zeilenumbruch). Bitte tippen Sie den Wert neu ein.",
        en: "{subject} contains an invisible control character (such as a line break). Please type it again.";
    /// Issue #13: an invisible, format or bidi character (a soft hyphen
    /// pasted from Word or PDF, a right-to-left override): the value looks
    /// right but is not what the server gets.
    InvisibleChar = "invisible_char", Error,
        de: "{subject} enthält ein unsichtbares Zeichen ({char}), z. B. aus einem kopierten Text. Mit „übernehmen“ wird es entfernt: {suggestion}",
        en: "{subject} contains an invisible character ({char}), for example from copied text. “Apply” removes it: {suggestion}";
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
            let (de, en) = (c.template(Lang::De).contains("{subject}"), c.template(Lang::En).contains("{subject}"));
            assert_eq!(de, en, "{}: {{subject}} in one language only", c.as_str());
            assert_eq!(c.has_subject(), de, "{}", c.as_str());
        }
        for (i, c) in Code::ALL.iter().enumerate() {
            assert_eq!(c.index(), i, "{}", c.as_str());
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
    fn values_that_could_turn_the_message_around_are_isolated() {
        let f = Finding::new(Code::TenantUnassigned, "tenants[0].profile").with("tenant", "\u{202E}Nord");
        assert_eq!(f.rendered(Lang::En).message, "The tenant “\u{2068}\u{202E}Nord\u{2069}” has no profile assigned.");
        let f = Finding::new(Code::TenantUnassigned, "tenants[0].profile").with("tenant", "Physio Süd");
        assert_eq!(f.rendered(Lang::En).message, "The tenant “Physio Süd” has no profile assigned.");
    }

    #[test]
    fn fill_leaves_unknown_placeholders_visible() {
        let mut out = String::new();
        fill_into("{a} {b} {", &mut out, |k| (k == "a").then_some("1"));
        assert_eq!(out, "1 {b} {");
    }

    #[test]
    fn the_domain_part_of_an_address_is_named_in_both_languages() {
        let f = Finding::new(Code::Empty, "email").with("part", "domain");
        assert_eq!(
            f.clone().rendered(Lang::De).message,
            "Die Domain nach dem @-Zeichen fehlt. Bitte tragen Sie sie ein."
        );
        assert_eq!(f.rendered(Lang::En).message, "The domain after the @ sign is missing. Please enter it.");
    }

    #[test]
    fn pairs_keep_order_replace_and_serialize_as_an_object() {
        let mut p = Pairs::default();
        p.insert("b", "1");
        p.insert("a", String::from("2"));
        p.insert("b", "3");
        assert_eq!(p.iter().collect::<Vec<_>>(), vec![("b", "3"), ("a", "2")]);
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, r#"{"b":"3","a":"2"}"#);
        assert_eq!(serde_json::from_str::<Pairs>(&json).unwrap(), p);
    }
}
