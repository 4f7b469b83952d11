//! Reading the providers' streaming replies: Server-Sent Events decoded from
//! bytes that may be split anywhere ([`sse`]), then each provider's event
//! format turned into text deltas and token usage ([`openai`],
//! [`anthropic`], [`gemini`]). Pure code: the HTTP calls that feed it live
//! with each provider. The browser reads the app's own reply stream with the
//! same [`sse`] decoder (it lives in `wire`, built for both sides).

pub mod anthropic;
pub mod gemini;
pub mod openai;

pub use wire::sse;

/// Tokens a reply used, as the provider reported them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// All of the prompt, including what was read from or written to the
    /// provider's prompt cache (each provider's count made to mean this).
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    /// Of the input, read from the prompt cache (priced apart).
    pub cached_tokens: Option<u64>,
    /// Of the input, written to the prompt cache (priced apart).
    pub cache_write_tokens: Option<u64>,
}

impl Usage {
    /// `self` with the fields `later` reports replacing the ones it had.
    fn update(self, later: Usage) -> Usage {
        Usage {
            input_tokens: later.input_tokens.or(self.input_tokens),
            output_tokens: later.output_tokens.or(self.output_tokens),
            cached_tokens: later.cached_tokens.or(self.cached_tokens),
            cache_write_tokens: later.cache_write_tokens.or(self.cache_write_tokens),
        }
    }
}

/// What one provider event means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delta {
    /// More reply text.
    Text(String),
    /// Token counts (cumulative: later ones replace earlier ones).
    Usage(Usage),
    /// The reply is complete.
    Done,
}

/// The provider reported an error inside the stream.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct StreamError {
    /// The provider's error type (`overloaded_error`, `rate_limit_exceeded`…).
    pub kind: String,
    pub message: String,
}

/// The text, usage and end of a whole stream: what the parsers' deltas add up to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reply {
    pub text: String,
    pub usage: Usage,
    pub done: bool,
}

impl Reply {
    pub fn apply(&mut self, delta: Delta) {
        match delta {
            Delta::Text(t) => self.text.push_str(&t),
            Delta::Usage(u) => self.usage = self.usage.update(u),
            Delta::Done => self.done = true,
        }
    }
}

/// One provider's event format.
pub trait EventFormat: Default {
    /// The deltas one event carries, or the error it reports.
    fn read(&mut self, event: &sse::Event) -> Result<Vec<Delta>, StreamError>;
}

/// Decodes a whole stream delivered in `chunks` with format `F` (tests and
/// the fake providers use this; the live path feeds chunks as they come).
pub fn decode_all<F: EventFormat>(chunks: &[&[u8]]) -> Result<Reply, StreamError> {
    let mut decoder = sse::Decoder::default();
    let mut format = F::default();
    let mut reply = Reply::default();
    let mut events = Vec::new();
    for chunk in chunks {
        events.extend(decoder.push(chunk));
    }
    events.extend(decoder.finish().events);
    for event in &events {
        for delta in format.read(event)? {
            reply.apply(delta);
        }
    }
    Ok(reply)
}

fn json(data: &str) -> Result<serde_json::Value, StreamError> {
    serde_json::from_str(data).map_err(|e| StreamError {
        kind: "invalid_event".into(),
        message: format!("not JSON: {e}"),
    })
}

#[cfg(test)]
mod split_tests {
    //! The same stream split at arbitrary byte boundaries gives the same
    //! text and usage, for every provider's format.
    use super::*;
    use proptest::prelude::*;

    fn split<'a>(bytes: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
        let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
        points.sort_unstable();
        let mut out = Vec::new();
        let mut last = 0;
        for p in points {
            out.push(&bytes[last..p]);
            last = p;
        }
        out.push(&bytes[last..]);
        out
    }

    fn check<F: EventFormat>(stream: &str, cuts: &[usize]) -> Result<(), TestCaseError> {
        let whole = decode_all::<F>(&[stream.as_bytes()]).expect("the stream parses");
        let pieces = split(stream.as_bytes(), cuts);
        prop_assert_eq!(decode_all::<F>(&pieces).expect("the split stream parses"), whole);
        Ok(())
    }

    proptest! {
        #[test]
        fn openai_splits_anywhere(cuts in proptest::collection::vec(any::<usize>(), 0..40)) {
            check::<openai::Format>(openai::tests::STREAM, &cuts)?;
        }

        #[test]
        fn anthropic_splits_anywhere(cuts in proptest::collection::vec(any::<usize>(), 0..40)) {
            check::<anthropic::Format>(anthropic::tests::STREAM, &cuts)?;
        }

        #[test]
        fn gemini_splits_anywhere(cuts in proptest::collection::vec(any::<usize>(), 0..40)) {
            check::<gemini::Format>(gemini::tests::STREAM, &cuts)?;
        }
    }
}
