//! A bounded line buffer for line-based protocols (SMTP, POP3).

/// Why the server's bytes could not be split into lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineTooLong;

impl std::fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a line longer than the limit")
    }
}

impl std::error::Error for LineTooLong {}

/// Collects server bytes and hands out complete lines. Memory stays bounded:
/// a line longer than `max_line` is an error, whatever arrives after it.
#[derive(Debug)]
pub struct LineBuffer {
    buf: Vec<u8>,
    max_line: usize,
}

impl LineBuffer {
    /// A buffer whose lines may be at most `max_line` bytes (without CRLF).
    pub fn new(max_line: usize) -> Self {
        LineBuffer { buf: Vec::new(), max_line }
    }

    /// Appends bytes from the server.
    pub fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// The next complete line without its line ending (CRLF, or a bare LF,
    /// which some servers send), `Ok(None)` when none is complete yet.
    pub fn next_line(&mut self) -> Result<Option<Vec<u8>>, LineTooLong> {
        match self.buf.iter().position(|&b| b == b'\n') {
            Some(pos) => {
                let mut line: Vec<u8> = self.buf.drain(..=pos).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                if line.len() > self.max_line {
                    return Err(LineTooLong);
                }
                Ok(Some(line))
            }
            None if self.buf.len() > self.max_line + 1 => Err(LineTooLong),
            None => Ok(None),
        }
    }

    /// Bytes received but not yet handed out as lines.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// Forgets everything received so far.
    pub fn clear(&mut self) {
        self.buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_crlf_and_lf_and_bounds_length() {
        let mut b = LineBuffer::new(8);
        b.push(b"220 a\r\n250");
        assert_eq!(b.next_line().unwrap().unwrap(), b"220 a");
        assert_eq!(b.next_line().unwrap(), None);
        b.push(b" b\n");
        assert_eq!(b.next_line().unwrap().unwrap(), b"250 b");
        b.push(&[b'x'; 20]);
        assert_eq!(b.next_line(), Err(LineTooLong));
    }
}
