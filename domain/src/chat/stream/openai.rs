//! OpenAI-compatible Chat Completions streams (OpenAI, Ollama, vLLM, LM
//! Studio, OpenRouter, Groq): `data: {chunk}` events whose
//! `choices[0].delta.content` carries text, a last chunk with `usage` when
//! the request asked for `stream_options.include_usage`, then `data: [DONE]`.

use super::{Delta, EventFormat, StreamError, Usage, json, sse};

#[derive(Debug, Default)]
pub struct Format;

impl EventFormat for Format {
    fn read(&mut self, event: &sse::Event) -> Result<Vec<Delta>, StreamError> {
        if event.data.trim() == "[DONE]" {
            return Ok(vec![Delta::Done]);
        }
        let v = json(&event.data)?;
        if let Some(err) = v.get("error") {
            return Err(StreamError {
                kind: err
                    .get("type")
                    .or_else(|| err.get("code"))
                    .and_then(|t| t.as_str())
                    .unwrap_or("error")
                    .to_owned(),
                message: err
                    .get("message")
                    .and_then(|m| m.as_str())
                    .unwrap_or_default()
                    .to_owned(),
            });
        }
        let mut out = Vec::new();
        if let Some(text) = v.pointer("/choices/0/delta/content").and_then(|c| c.as_str())
            && !text.is_empty()
        {
            out.push(Delta::Text(text.to_owned()));
        }
        if let Some(usage) = v.get("usage").filter(|u| !u.is_null()) {
            // `prompt_tokens` includes the cached part.
            out.push(Delta::Usage(Usage {
                input_tokens: usage.get("prompt_tokens").and_then(|n| n.as_u64()),
                output_tokens: usage.get("completion_tokens").and_then(|n| n.as_u64()),
                cached_tokens: usage
                    .pointer("/prompt_tokens_details/cached_tokens")
                    .and_then(|n| n.as_u64()),
                cache_write_tokens: None,
            }));
        }
        Ok(out)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::{Reply, decode_all};
    use super::*;

    pub const STREAM: &str = concat!(
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}],\"usage\":null}\n\n",
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null}],\"usage\":null}\n\n",
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\", wörld ✓\"},\"finish_reason\":null}],\"usage\":null}\n\n",
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n",
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":4,\"total_tokens\":16}}\n\n",
        "data: [DONE]\n\n",
    );

    #[test]
    fn text_usage_and_done() {
        let reply = decode_all::<Format>(&[STREAM.as_bytes()]).expect("parses");
        assert_eq!(
            reply,
            Reply {
                text: "Hello, wörld ✓".into(),
                usage: Usage {
                    input_tokens: Some(12),
                    output_tokens: Some(4),
                    ..Usage::default()
                },
                done: true,
            }
        );
    }

    #[test]
    fn an_error_payload_is_an_error() {
        let err = decode_all::<Format>(&[
            b"data: {\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}\n\n",
        ])
        .expect_err("an error");
        assert_eq!(
            (err.kind.as_str(), err.message.as_str()),
            ("requests", "Rate limit reached")
        );
    }

    #[test]
    fn a_stream_cut_short_has_text_but_is_not_done() {
        let cut = &STREAM[..STREAM.find("wörld").unwrap_or(0)];
        let reply = decode_all::<Format>(&[cut.as_bytes()]).expect("parses");
        assert_eq!(reply.text, "Hello");
        assert!(!reply.done);
        assert_eq!(reply.usage, Usage::default());
    }
}
