//! The shape of the preset tables (generated and curated).

use crate::profile::Security;

/// A curated provider row.
#[derive(Debug)]
pub(crate) struct P {
    pub id: &'static str,
    pub short: &'static str,
    pub smtp: &'static [S],
    pub pop3: &'static [S],
    pub enable: Option<Enable>,
    pub doc: Option<&'static str>,
}

/// A provider, from either table.
#[derive(Debug)]
pub(crate) struct Row {
    pub id: &'static str,
    pub short: &'static str,
    pub smtp: Vec<S>,
    pub pop3: Vec<S>,
    pub enable: Option<Enable>,
    pub doc: Option<&'static str>,
    pub curated: bool,
}

impl From<&'static P> for Row {
    fn from(p: &'static P) -> Row {
        Row {
            id: p.id,
            short: p.short,
            smtp: p.smtp.to_vec(),
            pop3: p.pop3.to_vec(),
            enable: p.enable.clone(),
            doc: p.doc,
            curated: true,
        }
    }
}

fn servers(col: &'static str) -> Vec<S> {
    crate::ascii::split(col, b' ')
        .filter(|s| !s.is_empty())
        .filter_map(|s| {
            let mut f = crate::ascii::split(s, b',');
            let host = f.next()?;
            let port = f.next()?.parse().ok()?;
            let security = match f.next()? {
                "T" => Security::Tls,
                "S" => Security::Starttls,
                _ => Security::None,
            };
            let username = f.next()?;
            let flags = f.next().unwrap_or("");
            Some(S { host, port, security, username, password: crate::ascii::contains(flags, b'p'), oauth2: crate::ascii::contains(flags, b'o') })
        })
        .collect()
}

/// The user-name template of the first SMTP server in a line of the
/// generated table: [`Row::parse`]'s answer for `smtp[0].username`.
pub(crate) fn first_smtp_username(line: &'static str) -> Option<&'static str> {
    let smtp = crate::ascii::split(line, b'\t').nth(2)?;
    let first = crate::ascii::split(smtp, b' ').find(|s| !s.is_empty())?;
    crate::ascii::split(first, b',').nth(3)
}

impl Row {
    /// Parses one line of the generated table (format in `ispdb.rs`).
    pub fn parse(line: &'static str) -> Option<Row> {
        let mut c = crate::ascii::split(line, b'\t');
        let id = c.next()?;
        let short = c.next()?;
        let smtp = servers(c.next()?);
        let pop3 = servers(c.next()?);
        let (url, de, en) = (c.next()?, c.next()?, c.next()?);
        let doc = c.next().filter(|d| !d.is_empty());
        let enable = (!url.is_empty() || !de.is_empty()).then_some(Enable { url, de, en });
        Some(Row { id, short, smtp, pop3, enable, doc, curated: false })
    }
}

/// A server row.
#[derive(Clone, Debug)]
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
#[derive(Clone, Debug)]
pub(crate) struct Enable {
    pub url: &'static str,
    pub de: &'static str,
    pub en: &'static str,
}
