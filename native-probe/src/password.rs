//! Where the password comes from: never argv.

use std::io::{BufRead, IsTerminal};

use mailsetup_core::Password;

/// The environment variable that may hold the password.
pub const ENV: &str = "MAILPROBE_PASSWORD";

/// Reads the password from stdin (first line), else from [`ENV`], else by a
/// prompt on a terminal.
pub fn obtain(from_stdin: bool) -> Result<Password, String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
        // Only the line ending is removed: spaces may be part of a password.
        let trimmed_len = line.trim_end_matches(['\r', '\n']).len();
        line.truncate(trimmed_len);
        return Ok(Password::new(line));
    }
    if let Ok(p) = std::env::var(ENV) {
        return Ok(Password::new(p));
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password("Kennwort / password: ")
            .map(Password::new)
            .map_err(|e| format!("cannot read the password: {e}"));
    }
    Err(format!("no password: pass --password-stdin, set {ENV}, or run on a terminal"))
}
