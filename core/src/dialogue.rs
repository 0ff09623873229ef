//! What the driver sees of a protocol dialogue (SMTP or POP3): bytes in,
//! actions out. One driver loop in the probe runs either.

use crate::observe::{Failure, Stage, Transcript};

/// What the driver must do next.
#[derive(Debug, PartialEq, Eq)]
pub enum Action {
    /// Write these bytes. They may hold a credential, so the buffer is
    /// wiped when the driver drops it.
    Send(zeroize::Zeroizing<Vec<u8>>),
    /// Perform the TLS handshake now, then call `handle_tls_established`.
    StartTls,
    /// Close the connection; the dialogue is over.
    Close,
}

/// A client dialogue as a pure state machine.
pub trait Dialogue {
    /// The next thing the driver must do.
    fn poll_action(&mut self) -> Option<Action>;
    /// Bytes from the server.
    fn handle_input(&mut self, data: &[u8]);
    /// The server closed the connection.
    fn handle_eof(&mut self);
    /// The TLS handshake asked for by [`Action::StartTls`] succeeded.
    fn handle_tls_established(&mut self);
    /// Whether the dialogue is over.
    fn is_done(&self) -> bool;
    /// The failure, if it failed.
    fn failure(&self) -> Option<&Failure>;
    /// The stage it is in.
    fn stage(&self) -> Stage;
    /// Takes the transcript out.
    fn take_transcript(&mut self) -> Transcript;
}

/// Test support: plays a scripted server against a dialogue.
#[cfg(test)]
pub(crate) mod script {
    use super::{Action, Dialogue};

    /// Steps: what the server sends (`<tls>` and `<eof>` are events), then
    /// what the dialogue must do (`>line` sent, `TLS`, `CLOSE`).
    pub(crate) type Script<'a> = &'a [(&'a str, &'a [&'a str])];

    pub(crate) fn play<D: Dialogue>(mut d: D, script: Script) -> D {
        for (server, expected) in script {
            match *server {
                "<tls>" => d.handle_tls_established(),
                "<eof>" => d.handle_eof(),
                bytes => d.handle_input(bytes.as_bytes()),
            }
            let got: Vec<String> = std::iter::from_fn(|| d.poll_action())
                .map(|a| match a {
                    Action::Send(b) => format!(">{}", String::from_utf8(b.to_vec()).unwrap().trim_end()),
                    Action::StartTls => "TLS".into(),
                    Action::Close => "CLOSE".into(),
                })
                .collect();
            assert_eq!(got, *expected, "after the server sent {server:?}");
        }
        d
    }
}
