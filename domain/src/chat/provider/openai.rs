//! OpenAI-compatible Chat Completions (`POST {base}chat/completions`):
//! OpenAI, Ollama, vLLM, LM Studio, OpenRouter, Groq. The key is optional
//! (local servers take none); usage is asked for with
//! `stream_options.include_usage`.

use super::{ChatProvider, ChatRequest, DeltaStream, Role, SseReader};
use crate::chat::stream::openai::Format;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use std::time::Duration;

#[derive(Debug)]
pub struct OpenAiCompatible {
    /// Ends with `/`, e.g. `https://api.openai.com/v1/`.
    pub base: String,
    pub key: Option<SecretString>,
    pub http: reqwest::Client,
    pub idle: Duration,
}

/// The request body.
pub fn body(request: &ChatRequest) -> Value {
    let mut messages = Vec::new();
    if let Some(system) = &request.system {
        messages.push(json!({"role": "system", "content": system}));
    }
    for turn in &request.turns {
        let role = match turn.role {
            Role::User => "user",
            Role::Assistant => "assistant",
        };
        messages.push(json!({"role": role, "content": turn.text}));
    }
    json!({
        "model": request.model,
        "messages": messages,
        "stream": true,
        "stream_options": {"include_usage": true},
        "max_completion_tokens": request.max_output_tokens,
    })
}

impl ChatProvider for OpenAiCompatible {
    fn stream(&self, request: ChatRequest) -> DeltaStream {
        let mut http = self
            .http
            .post(format!("{}chat/completions", self.base))
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .json(&body(&request));
        if let Some(key) = &self.key {
            http = http.bearer_auth(key.expose_secret());
        }
        SseReader::<Format>::stream(http, self.idle)
    }
}
