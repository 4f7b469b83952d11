//! The model providers behind one trait, [`ChatProvider`]: each turns a
//! [`ChatRequest`] into a stream of [`Delta`]s (text, token usage, the end)
//! or a [`ChatError`]. One file per provider: [`openai`] (any
//! OpenAI-compatible Chat Completions API: OpenAI, Ollama, vLLM, LM Studio,
//! OpenRouter, Groq), [`anthropic`], [`gemini`], and the offline [`demo`]
//! model. The HTTP providers share [`SseReader`]: the response must start,
//! and then keep sending, within the idle timeout; dropping the stream
//! closes the connection, which is how a client that goes away cancels the
//! upstream request.

pub mod anthropic;
pub mod demo;
pub mod gemini;
pub mod openai;

use super::stream::{Delta, EventFormat, StreamError, sse};
use futures::Stream;
use std::collections::VecDeque;
use std::pin::Pin;
use std::time::Duration;

/// Who said a turn of the conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    User,
    Assistant,
}

/// One turn of the conversation so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Turn {
    pub role: Role,
    pub text: String,
}

/// A reply to ask for.
#[derive(Clone, Debug)]
pub struct ChatRequest {
    /// The provider's own model id.
    pub model: String,
    /// The deployment-wide instructions, if any.
    pub system: Option<String>,
    /// The conversation, oldest first, ending with the user's new message.
    pub turns: Vec<Turn>,
    pub max_output_tokens: u32,
}

/// Why a reply could not be (fully) streamed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChatError {
    #[error("the model provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the model provider refused the request ({status}): {message}")]
    Refused { status: u16, message: String },
    #[error("the model provider reported an error: {0}")]
    Provider(#[from] StreamError),
    #[error("the model provider sent nothing for {0:?}")]
    IdleTimeout(Duration),
    #[error("the model provider's stream ended before the reply was complete")]
    Interrupted,
}

/// A reply as it streams.
pub type DeltaStream = Pin<Box<dyn Stream<Item = Result<Delta, ChatError>> + Send>>;

/// A model provider.
pub trait ChatProvider: Send + Sync + std::fmt::Debug {
    /// Starts streaming the reply to `request`. Nothing is sent upstream
    /// until the stream is polled; dropping it cancels the request.
    fn stream(&self, request: ChatRequest) -> DeltaStream;
}

/// The HTTP client for model APIs: no redirects, a bounded connect time and
/// no overall timeout (a long reply is fine; silence is bounded by the idle
/// timeout instead).
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .tcp_nodelay(true)
        .build()
        .expect("a client with static settings builds")
}

/// Reads one provider's server-sent events from an HTTP response into deltas.
pub struct SseReader<F> {
    request: Option<reqwest::RequestBuilder>,
    response: Option<reqwest::Response>,
    decoder: sse::Decoder,
    format: F,
    idle: Duration,
    queued: VecDeque<Result<Delta, ChatError>>,
    /// A `Done` or an error is queued: nothing more is read.
    ended: bool,
}

impl<F: EventFormat + Send + 'static> SseReader<F> {
    /// A stream of `request`'s reply, read with `idle` as the longest silence.
    pub fn stream(request: reqwest::RequestBuilder, idle: Duration) -> DeltaStream {
        let reader = SseReader {
            request: Some(request),
            response: None,
            decoder: sse::Decoder::default(),
            format: F::default(),
            idle,
            queued: VecDeque::new(),
            ended: false,
        };
        Box::pin(futures::stream::unfold(reader, |mut r| async move {
            let item = r.next().await?;
            Some((item, r))
        }))
    }

    async fn next(&mut self) -> Option<Result<Delta, ChatError>> {
        loop {
            if let Some(item) = self.queued.pop_front() {
                return Some(item);
            }
            if self.ended {
                return None;
            }
            if let Some(request) = self.request.take() {
                match start(request, self.idle).await {
                    Ok(response) => self.response = Some(response),
                    Err(e) => self.end_with(e),
                }
                continue;
            }
            let response = self.response.as_mut()?;
            match tokio::time::timeout(self.idle, response.chunk()).await {
                Err(_) => self.end_with(ChatError::IdleTimeout(self.idle)),
                Ok(Err(e)) => self.end_with(ChatError::Unreachable(e.without_url().to_string())),
                Ok(Ok(Some(bytes))) => {
                    let events = self.decoder.push(&bytes);
                    self.read(events);
                }
                Ok(Ok(None)) => {
                    let ended = self.decoder.finish();
                    self.read(ended.events);
                    if !self.ended {
                        self.end_with(ChatError::Interrupted);
                    }
                }
            }
        }
    }

    fn read(&mut self, events: Vec<sse::Event>) {
        for event in events {
            if self.ended {
                return;
            }
            match self.format.read(&event) {
                Ok(deltas) => {
                    for delta in deltas {
                        let done = delta == Delta::Done;
                        self.queued.push_back(Ok(delta));
                        if done {
                            self.ended = true;
                        }
                    }
                }
                Err(e) => self.end_with(e.into()),
            }
        }
    }

    fn end_with(&mut self, error: ChatError) {
        self.queued.push_back(Err(error));
        self.ended = true;
        self.response = None;
    }
}

/// Sends the request; a status other than 2xx is the provider refusing it.
async fn start(request: reqwest::RequestBuilder, idle: Duration) -> Result<reqwest::Response, ChatError> {
    let response = tokio::time::timeout(idle, request.send())
        .await
        .map_err(|_| ChatError::IdleTimeout(idle))?
        .map_err(|e| ChatError::Unreachable(e.without_url().to_string()))?;
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let body = tokio::time::timeout(idle, response.text())
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    Err(ChatError::Refused {
        status: status.as_u16(),
        message: error_message(&body),
    })
}

/// The message in a provider's JSON error body (`{"error": {"message"}}` or
/// `{"message"}`), else the start of the body.
fn error_message(body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    parsed
        .as_ref()
        .and_then(|v| v.pointer("/error/message").or_else(|| v.get("message")))
        .and_then(|m| m.as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| body.chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_messages_come_from_each_providers_body() {
        assert_eq!(
            error_message(r#"{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error"}}"#),
            "Incorrect API key provided."
        );
        assert_eq!(
            error_message(r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#),
            "invalid x-api-key"
        );
        assert_eq!(
            error_message("<html>502 Bad Gateway</html>"),
            "<html>502 Bad Gateway</html>"
        );
    }
}
