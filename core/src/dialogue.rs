//! What the driver sees of a protocol dialogue (SMTP or POP3): bytes in,
//! actions out. One driver loop in the probe runs either.

use crate::observe::{Failure, Stage, Transcript};

/// What the driver must do next.
#[derive(Debug, PartialEq, Eq)]
pub enum Action {
    /// Write these bytes.
    Send(Vec<u8>),
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
