//! Writing to stdout without panicking: `println!` panics when the reader
//! has gone (`mailprobe validate … | head`) or the disk is full.

use std::io::Write;

/// Why output could not be written.
#[derive(Debug)]
pub enum OutputError {
    /// The reader closed the pipe: end quietly.
    Closed,
    /// Anything else (a full disk, say): worth one line on stderr.
    Failed(std::io::Error),
}

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutputError::Closed => f.write_str("the output was closed"),
            OutputError::Failed(e) => write!(f, "cannot write the output: {e}"),
        }
    }
}

impl std::error::Error for OutputError {}

impl From<std::io::Error> for OutputError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe { OutputError::Closed } else { OutputError::Failed(e) }
    }
}

/// Writes `text` and a line end to stdout, and flushes.
pub fn line(text: &str) -> Result<(), OutputError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}
