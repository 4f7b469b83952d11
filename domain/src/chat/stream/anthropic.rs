//! Anthropic Messages streams: typed events. `message_start` carries the
//! input tokens, `content_block_delta` with a `text_delta` carries text,
//! `message_delta` the output tokens so far, `message_stop` the end, and
//! `error` (e.g. `overloaded_error`) an error; `ping` is ignored.

use super::{Delta, EventFormat, StreamError, Usage, json, sse};

#[derive(Debug, Default)]
pub struct Format;

impl EventFormat for Format {
    fn read(&mut self, event: &sse::Event) -> Result<Vec<Delta>, StreamError> {
        let v = json(&event.data)?;
        let kind = v
            .get("type")
            .and_then(|t| t.as_str())
            .or(event.kind.as_deref())
            .unwrap_or_default();
        Ok(match kind {
            "message_start" => v.pointer("/message/usage").map(usage).into_iter().collect(),
            "content_block_delta" => v
                .pointer("/delta/text")
                .and_then(|t| t.as_str())
                .filter(|_| v.pointer("/delta/type").and_then(|t| t.as_str()) == Some("text_delta"))
                .map(|t| vec![Delta::Text(t.to_owned())])
                .unwrap_or_default(),
            "message_delta" => v.get("usage").map(usage).into_iter().collect(),
            "message_stop" => vec![Delta::Done],
            "error" => {
                return Err(StreamError {
                    kind: v
                        .pointer("/error/type")
                        .and_then(|t| t.as_str())
                        .unwrap_or("error")
                        .to_owned(),
                    message: v
                        .pointer("/error/message")
                        .and_then(|m| m.as_str())
                        .unwrap_or_default()
                        .to_owned(),
                });
            }
            _ => Vec::new(),
        })
    }
}

/// Anthropic's usage, made to mean what [`Usage`] means: its
/// `input_tokens` leaves out the tokens read from and written to the
/// prompt cache, so they are added back.
fn usage(u: &serde_json::Value) -> Delta {
    let count = |key: &str| u.get(key).and_then(|n| n.as_u64());
    let (read, write) = (count("cache_read_input_tokens"), count("cache_creation_input_tokens"));
    Delta::Usage(Usage {
        input_tokens: count("input_tokens")
            .map(|n| n.saturating_add(read.unwrap_or(0)).saturating_add(write.unwrap_or(0))),
        output_tokens: count("output_tokens"),
        cached_tokens: read,
        cache_write_tokens: write,
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::{Reply, decode_all};
    use super::*;

    pub const STREAM: &str = concat!(
        "event: message_start\n",
        "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-x\",\"stop_reason\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n",
        "event: content_block_start\n",
        "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        "event: ping\n",
        "data: {\"type\":\"ping\"}\n\n",
        "event: content_block_delta\n",
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Bonjour\"}}\n\n",
        "event: content_block_delta\n",
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" à tous ✓\"}}\n\n",
        "event: content_block_stop\n",
        "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
        "event: message_delta\n",
        "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":9}}\n\n",
        "event: message_stop\n",
        "data: {\"type\":\"message_stop\"}\n\n",
    );

    #[test]
    fn text_usage_from_start_and_delta_and_done() {
        let reply = decode_all::<Format>(&[STREAM.as_bytes()]).expect("parses");
        assert_eq!(
            reply,
            Reply {
                text: "Bonjour à tous ✓".into(),
                usage: Usage {
                    input_tokens: Some(25),
                    output_tokens: Some(9),
                    ..Usage::default()
                },
                done: true,
            }
        );
    }

    #[test]
    fn an_error_event_is_an_error() {
        let err = decode_all::<Format>(&[
            b"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
        ])
        .expect_err("an error");
        assert_eq!(
            (err.kind.as_str(), err.message.as_str()),
            ("overloaded_error", "Overloaded")
        );
    }
}
