//! The demo model: offline, always compiled in, the default when no
//! provider is configured. It streams a fixed, deterministic reply about
//! the user's message word by word at a chat-like pace, and counts its own
//! tokens (words), so the whole chat works with no keys. The UI labels it
//! "Demo model (offline)"; it never poses as a real model.

use super::{ChatProvider, ChatRequest, DeltaStream, Role};
use crate::chat::stream::{Delta, Usage};
use std::time::Duration;

/// The demo model's id in the catalogue.
pub const MODEL_ID: &str = "demo";

/// Words per second when not configured otherwise.
pub const DEFAULT_PACE: Duration = Duration::from_millis(40);

#[derive(Debug)]
pub struct Demo {
    /// The pause before each word.
    pub pace: Duration,
}

impl Default for Demo {
    fn default() -> Self {
        Demo { pace: DEFAULT_PACE }
    }
}

/// The reply to `request`: the same words for the same conversation.
pub fn reply(request: &ChatRequest) -> String {
    let last = request
        .turns
        .iter()
        .rev()
        .find(|t| t.role == Role::User)
        .map(|t| t.text.trim())
        .unwrap_or_default();
    let words = last.split_whitespace().count();
    let quoted: String = last.chars().take(80).collect();
    let ellipsis = if last.chars().count() > 80 { "…" } else { "" };
    format!(
        "This is the **demo model**, running offline: no AI provider is configured yet, so I can only describe \
         what you sent. Your message had {words} word{s}:\n\n> {quoted}{ellipsis}\n\nTo talk to a real model, set \
         `OPENAI_API_KEY`, `ANTHROPIC_API_KEY` or `GEMINI_API_KEY` (or point `OPENAI_API_BASE` at Ollama) and \
         list models in `CHAT_MODELS`.",
        s = if words == 1 { "" } else { "s" },
    )
}

/// Tokens, as the demo counts them: words.
fn count(text: &str) -> u64 {
    text.split_whitespace().count() as u64
}

impl ChatProvider for Demo {
    fn stream(&self, request: ChatRequest) -> DeltaStream {
        let text = reply(&request);
        let input =
            request.system.as_deref().map_or(0, count) + request.turns.iter().map(|t| count(&t.text)).sum::<u64>();
        let mut deltas: Vec<Delta> = text.split_inclusive(' ').map(|w| Delta::Text(w.to_owned())).collect();
        deltas.push(Delta::Usage(Usage {
            input_tokens: Some(input),
            output_tokens: Some(count(&text)),
        }));
        deltas.push(Delta::Done);
        let pace = self.pace;
        Box::pin(futures::stream::unfold(
            deltas.into_iter(),
            move |mut rest| async move {
                let next = rest.next()?;
                if matches!(next, Delta::Text(_)) {
                    tokio::time::sleep(pace).await;
                }
                Some((Ok(next), rest))
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::provider::Turn;
    use crate::chat::stream::Reply;
    use futures::StreamExt;

    fn ask(text: &str) -> ChatRequest {
        ChatRequest {
            model: MODEL_ID.into(),
            system: Some("Be brief.".into()),
            turns: vec![Turn {
                role: Role::User,
                text: text.into(),
            }],
            max_output_tokens: 100,
        }
    }

    #[tokio::test]
    async fn the_demo_streams_the_same_reply_word_by_word_with_its_own_usage() {
        let demo = Demo { pace: Duration::ZERO };
        let deltas: Vec<_> = demo.stream(ask("hello there")).collect().await;
        let texts = deltas.iter().filter(|d| matches!(d, Ok(Delta::Text(_)))).count();
        assert!(texts > 10, "word by word, got {texts} pieces");
        let mut reply = Reply::default();
        for d in deltas {
            reply.apply(d.expect("the demo never fails"));
        }
        assert!(reply.done);
        assert_eq!(reply.text, super::reply(&ask("hello there")));
        assert!(reply.text.contains("2 words") && reply.text.contains("> hello there"));
        assert_eq!(reply.usage.input_tokens, Some(4));
        assert_eq!(
            reply.usage.output_tokens,
            Some(reply.text.split_whitespace().count() as u64)
        );
    }
}
