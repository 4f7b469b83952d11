//! Google Gemini (`POST {base}v1beta/models/{model}:streamGenerateContent?alt=sse`,
//! key in `x-goog-api-key`): the assistant's role is `model` and the system
//! prompt is `systemInstruction`.

use super::{ChatProvider, ChatRequest, DeltaStream, Role, SseReader};
use crate::chat::stream::gemini::Format;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use std::time::Duration;

#[derive(Debug)]
pub struct Gemini {
    /// Ends with `/`, e.g. `https://generativelanguage.googleapis.com/`.
    pub base: String,
    pub key: SecretString,
    pub http: reqwest::Client,
    pub idle: Duration,
}

/// The request body.
pub fn body(request: &ChatRequest) -> Value {
    let contents: Vec<Value> = request
        .turns
        .iter()
        .map(|turn| {
            let role = match turn.role {
                Role::User => "user",
                Role::Assistant => "model",
            };
            json!({"role": role, "parts": [{"text": turn.text}]})
        })
        .collect();
    let mut body = json!({
        "contents": contents,
        "generationConfig": {"maxOutputTokens": request.max_output_tokens},
    });
    if let Some(system) = &request.system {
        body["systemInstruction"] = json!({"parts": [{"text": system}]});
    }
    body
}

impl ChatProvider for Gemini {
    fn stream(&self, request: ChatRequest) -> DeltaStream {
        let http = self
            .http
            .post(format!(
                "{}v1beta/models/{}:streamGenerateContent?alt=sse",
                self.base, request.model
            ))
            .header("x-goog-api-key", self.key.expose_secret())
            .json(&body(&request));
        SseReader::<Format>::stream(http, self.idle)
    }
}
