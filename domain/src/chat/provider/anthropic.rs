//! Anthropic Messages (`POST {base}v1/messages`, `anthropic-version:
//! 2023-06-01`): the system prompt is a top-level field and `max_tokens` is
//! required.

use super::{ChatProvider, ChatRequest, DeltaStream, Role, SseReader};
use crate::chat::stream::anthropic::Format;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use std::time::Duration;

pub const API_VERSION: &str = "2023-06-01";

#[derive(Debug)]
pub struct Anthropic {
    /// Ends with `/`, e.g. `https://api.anthropic.com/`.
    pub base: String,
    pub key: SecretString,
    pub http: reqwest::Client,
    pub idle: Duration,
}

/// The request body.
pub fn body(request: &ChatRequest) -> Value {
    let messages: Vec<Value> = request
        .turns
        .iter()
        .map(|turn| {
            let role = match turn.role {
                Role::User => "user",
                Role::Assistant => "assistant",
            };
            json!({"role": role, "content": turn.text})
        })
        .collect();
    let mut body = json!({
        "model": request.model,
        "max_tokens": request.max_output_tokens,
        "messages": messages,
        "stream": true,
    });
    if let Some(system) = &request.system {
        body["system"] = json!(system);
    }
    body
}

impl ChatProvider for Anthropic {
    fn stream(&self, request: ChatRequest) -> DeltaStream {
        let http = self
            .http
            .post(format!("{}v1/messages", self.base))
            .header("x-api-key", self.key.expose_secret())
            .header("anthropic-version", API_VERSION)
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .json(&body(&request));
        SseReader::<Format>::stream(http, self.idle)
    }
}
