//! The test message of `send-test`, built with lettre: well-formed headers
//! (Date, Message-ID, an RFC 2047 UTF-8 subject) and a German text.

use lettre::message::{Mailbox, Message, header::ContentType};
use mailsetup_core::Lang;

/// Builds the message from and to `address`.
pub fn test_message(address: &str, profile_name: &str, lang: Lang) -> Result<Vec<u8>, String> {
    let mailbox: Mailbox = address.trim().parse().map_err(|e| format!("{address}: {e}"))?;
    let (subject, body) = match lang {
        Lang::De => (
            "Testnachricht – E-Mail-Versand eingerichtet ✓".to_string(),
            format!(
                "Guten Tag,\r\n\r\ndiese Nachricht bestätigt, dass der E-Mail-Versand über das Profil „{profile_name}“ \
                 funktioniert. Sie wurde vom Einrichtungsassistenten an die Adresse des Profils gesendet.\r\n\r\n\
                 Sie müssen nichts weiter tun.\r\n"
            ),
        ),
        Lang::En => (
            "Test message – e-mail sending set up ✓".to_string(),
            format!(
                "Hello,\r\n\r\nthis message confirms that sending e-mail through the profile “{profile_name}” works. \
                 The setup wizard sent it to the profile's own address.\r\n\r\nThere is nothing else to do.\r\n"
            ),
        ),
    };
    // A Message-ID on the sender's domain, not this computer's name.
    let domain = address.trim().rsplit_once('@').map_or("localhost", |(_, d)| d);
    let mut random = [0u8; 16];
    getrandom::fill(&mut random).map_err(|e| format!("no randomness for the Message-ID: {e}"))?;
    let id: String = random.iter().map(|b| format!("{b:02x}")).collect();
    let msg = Message::builder()
        .message_id(Some(format!("<{id}.mailsetup@{domain}>")))
        .from(mailbox.clone())
        .to(mailbox)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| e.to_string())?;
    Ok(msg.formatted())
}
