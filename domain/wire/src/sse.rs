//! Server-Sent Events (the WHATWG `text/event-stream` format), decoded
//! from bytes as they arrive: lines end with `\n`, `\r\n` or `\r`; `data:`
//! lines join with `\n`; a blank line ends an event; `:` starts a comment.
//! Only whole lines are decoded, so a chunk boundary inside a multi-byte
//! character (or between `\r` and `\n`) changes nothing. As in browsers,
//! an event the stream ends in the middle of is not dispatched.

/// One event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Event {
    /// The `event:` field, if any.
    pub kind: Option<String>,
    pub data: String,
}

/// Longest line kept while waiting for its end (a misbehaving upstream
/// cannot make the buffer grow without bound); the event holding a longer
/// line is dropped.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// What the end of a stream completed, and whether it cut an event short.
#[derive(Debug, PartialEq, Eq)]
pub struct Ended {
    pub events: Vec<Event>,
    pub cut: bool,
}

#[derive(Debug, Default)]
pub struct Decoder {
    buf: Vec<u8>,
    kind: Option<String>,
    data: Vec<String>,
    has_data: bool,
    /// The rest of an over-long line is being skipped.
    skip_line: bool,
    /// The current event lost a line and is dropped at its end.
    drop_event: bool,
}

impl Decoder {
    /// Feeds `bytes`; returns the events they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Event> {
        self.buf.extend_from_slice(bytes);
        let mut events = Vec::new();
        let mut start = 0;
        let mut i = 0;
        while i < self.buf.len() {
            match self.buf[i] {
                b'\n' => {
                    let line = self.buf[start..i].to_vec();
                    self.end_of_line(&line, &mut events);
                    i += 1;
                    start = i;
                }
                b'\r' => {
                    // `\r\n` counts once; a trailing `\r` waits for the next chunk.
                    if i + 1 == self.buf.len() {
                        break;
                    }
                    let line = self.buf[start..i].to_vec();
                    self.end_of_line(&line, &mut events);
                    i += if self.buf[i + 1] == b'\n' { 2 } else { 1 };
                    start = i;
                }
                _ => i += 1,
            }
        }
        self.buf.drain(..start);
        if self.buf.len() > MAX_LINE_BYTES {
            self.buf.clear();
            self.skip_line = true;
            self.drop_event = true;
        }
        events
    }

    /// The end of the stream. A `\r` held back in case `\n` followed
    /// ends its line after all; an event the stream did not finish (no
    /// blank line after it) is dropped and reported.
    pub fn finish(&mut self) -> Ended {
        let mut events = Vec::new();
        if let Some(line) = self.buf.strip_suffix(b"\r").map(<[u8]>::to_vec) {
            self.buf.clear();
            self.end_of_line(&line, &mut events);
        }
        let cut = self.has_data || self.kind.is_some() || !self.buf.is_empty() || self.skip_line;
        *self = Self::default();
        Ended { events, cut }
    }

    fn end_of_line(&mut self, line: &[u8], events: &mut Vec<Event>) {
        if std::mem::take(&mut self.skip_line) {
            return;
        }
        self.line(line, events);
    }

    fn line(&mut self, line: &[u8], events: &mut Vec<Event>) {
        if line.is_empty() {
            if self.has_data && !std::mem::take(&mut self.drop_event) {
                events.push(Event {
                    kind: self.kind.take(),
                    data: std::mem::take(&mut self.data).join("\n"),
                });
            }
            self.kind = None;
            self.data.clear();
            self.has_data = false;
            self.drop_event = false;
            return;
        }
        let line = String::from_utf8_lossy(line);
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line.as_ref(), ""),
        };
        match field {
            "data" => {
                self.data.push(value.to_owned());
                self.has_data = true;
            }
            "event" => self.kind = Some(value.to_owned()),
            // `id` and `retry` matter to browsers reconnecting, not to us.
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(chunks: &[&[u8]]) -> Vec<Event> {
        let mut d = Decoder::default();
        let mut out = Vec::new();
        for c in chunks {
            out.extend(d.push(c));
        }
        out.extend(d.finish().events);
        out
    }

    fn ev(kind: Option<&str>, data: &str) -> Event {
        Event {
            kind: kind.map(str::to_owned),
            data: data.to_owned(),
        }
    }

    #[test]
    fn events_fields_comments_and_line_endings() {
        let stream = b": keep-alive\n\nevent: ping\ndata: {}\n\ndata: a\r\ndata:b\r\r";
        assert_eq!(all(&[stream]), [ev(Some("ping"), "{}"), ev(None, "a\nb")]);
    }

    #[test]
    fn an_event_the_stream_ends_inside_is_dropped_and_reported() {
        let mut d = Decoder::default();
        assert_eq!(d.push(b"data: whole\n\ndata: half"), [ev(None, "whole")]);
        assert_eq!(
            d.finish(),
            Ended {
                events: vec![],
                cut: true
            }
        );
        assert_eq!(d.push(b"data: x\n"), []);
        assert_eq!(d.push(b"\r"), [], "a last `\\r` may be half of `\\r\\n`");
        assert_eq!(
            d.finish(),
            Ended {
                events: vec![ev(None, "x")],
                cut: false
            },
            "at the end it is a line end"
        );
    }

    #[test]
    fn an_over_long_line_drops_its_event_and_the_next_one_is_read() {
        let mut d = Decoder::default();
        let mut events = d.push(b"data: {\"text\":\"");
        events.extend(d.push(&vec![b'x'; MAX_LINE_BYTES + 1]));
        events.extend(d.push(b"\"}\n\ndata: next\n\n"));
        assert_eq!(events, [ev(None, "next")]);
        assert!(!d.finish().cut);
    }

    #[test]
    fn a_split_inside_a_character_or_a_crlf_changes_nothing() {
        let stream = "data: héllo ✓\r\n\r\n".as_bytes();
        let whole = all(&[stream]);
        for cut in 0..=stream.len() {
            assert_eq!(all(&[&stream[..cut], &stream[cut..]]), whole, "cut at {cut}");
        }
        assert_eq!(whole, [ev(None, "héllo ✓")]);
    }

    #[test]
    fn an_event_without_data_is_not_dispatched() {
        assert_eq!(all(&[b"event: x\n\n"]), []);
    }
}
