//! Google Gemini `streamGenerateContent?alt=sse`: each `data:` event is a
//! `GenerateContentResponse` whose `candidates[0].content.parts[].text`
//! carries text and whose `usageMetadata` (repeated, cumulative) carries the
//! token counts; a `finishReason` on the candidate ends the reply. Errors
//! come as `{"error": {"code", "message", "status"}}`.

use super::{Delta, EventFormat, StreamError, Usage, json, sse};

#[derive(Debug, Default)]
pub struct Format;

impl EventFormat for Format {
    fn read(&mut self, event: &sse::Event) -> Result<Vec<Delta>, StreamError> {
        let v = json(&event.data)?;
        if let Some(err) = v.get("error") {
            return Err(StreamError {
                kind: err.get("status").and_then(|s| s.as_str()).unwrap_or("error").to_owned(),
                message: err
                    .get("message")
                    .and_then(|m| m.as_str())
                    .unwrap_or_default()
                    .to_owned(),
            });
        }
        let mut out = Vec::new();
        let candidate = v.pointer("/candidates/0");
        let text: String = candidate
            .and_then(|c| c.pointer("/content/parts"))
            .and_then(|p| p.as_array())
            .into_iter()
            .flatten()
            .filter(|part| part.get("thought").and_then(|t| t.as_bool()) != Some(true))
            .filter_map(|part| part.get("text").and_then(|t| t.as_str()))
            .collect();
        if !text.is_empty() {
            out.push(Delta::Text(text));
        }
        if let Some(usage) = v.get("usageMetadata") {
            let count = |key: &str| usage.get(key).and_then(|n| n.as_u64());
            // Thinking models bill their thoughts as output, counted apart.
            let output = match (count("candidatesTokenCount"), count("thoughtsTokenCount")) {
                (None, None) => None,
                (answer, thoughts) => Some(answer.unwrap_or(0).saturating_add(thoughts.unwrap_or(0))),
            };
            // `promptTokenCount` includes the cached part.
            out.push(Delta::Usage(Usage {
                input_tokens: count("promptTokenCount"),
                output_tokens: output,
                cached_tokens: count("cachedContentTokenCount"),
                cache_write_tokens: None,
            }));
        }
        if candidate.and_then(|c| c.get("finishReason")).is_some() {
            out.push(Delta::Done);
        }
        Ok(out)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::{Reply, decode_all};
    use super::*;

    pub const STREAM: &str = concat!(
        "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hola\"}],\"role\": \"model\"},\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 7,\"candidatesTokenCount\": 1,\"totalTokenCount\": 8},\"modelVersion\": \"gemini-x\"}\r\n\r\n",
        "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \", mundo ✓\"}],\"role\": \"model\"},\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 7,\"candidatesTokenCount\": 4,\"totalTokenCount\": 11},\"modelVersion\": \"gemini-x\"}\r\n\r\n",
        "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"\"}],\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 7,\"candidatesTokenCount\": 5,\"totalTokenCount\": 12},\"modelVersion\": \"gemini-x\"}\r\n\r\n",
    );

    #[test]
    fn text_cumulative_usage_and_the_finish_reason() {
        let reply = decode_all::<Format>(&[STREAM.as_bytes()]).expect("parses");
        assert_eq!(
            reply,
            Reply {
                text: "Hola, mundo ✓".into(),
                usage: Usage {
                    input_tokens: Some(7),
                    output_tokens: Some(5),
                    ..Usage::default()
                },
                done: true,
            }
        );
    }

    #[test]
    fn a_thinking_models_thoughts_count_as_output() {
        let reply = decode_all::<Format>(&[concat!(
            "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"42\"}],\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": 0}],",
            "\"usageMetadata\": {\"promptTokenCount\": 9,\"candidatesTokenCount\": 1,\"thoughtsTokenCount\": 120,\"totalTokenCount\": 130}}\r\n\r\n"
        )
        .as_bytes()])
        .expect("parses");
        assert_eq!(reply.text, "42");
        assert_eq!(
            reply.usage,
            Usage {
                input_tokens: Some(9),
                output_tokens: Some(121),
                ..Usage::default()
            }
        );
    }

    #[test]
    fn an_error_payload_is_an_error() {
        let err = decode_all::<Format>(&[
            b"data: {\"error\": {\"code\": 429, \"message\": \"Resource has been exhausted\", \"status\": \"RESOURCE_EXHAUSTED\"}}\r\n\r\n",
        ])
        .expect_err("an error");
        assert_eq!(err.kind, "RESOURCE_EXHAUSTED");
    }
}
