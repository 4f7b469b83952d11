//! Fake model APIs that stream the way the real ones do: OpenAI-compatible
//! Chat Completions (`data:` chunks, a `usage` chunk when asked for with
//! `stream_options.include_usage`, `data: [DONE]`), Anthropic Messages
//! (typed events from `message_start` to `message_stop`) and Gemini
//! `streamGenerateContent?alt=sse` (`GenerateContentResponse` events with
//! cumulative `usageMetadata`, `\r\n` line ends).
//!
//! The reply echoes the last user message, one word per chunk at the
//! configured pace. What that message says steers the fake: `[words N]`
//! makes the reply exactly N words of filler instead of the echo (1000
//! words at the default 20 ms pace stream for about 20 s), `[stall]` stops
//! sending halfway and keeps the connection open, `[overloaded]` sends the
//! provider's in-stream error after two words. A request for a title (the
//! system prompt the app sends for one) gets "About" and the first words of
//! the conversation, as a model would answer it (`[slow-title]` in the
//! first message adds 100 words of filler to it). A wrong key gets the
//! provider's 401 body. The fake counts streams that are open and streams
//! whose client went away before the end (and when), for cancellation tests.

use super::Fakes;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

pub const OPENAI_KEY: &str = "sk-app-test-openai";
pub const ANTHROPIC_KEY: &str = "sk-ant-app-test";
pub const GEMINI_KEY: &str = "AIzaAppTestGeminiKey";

/// Rate cards for the fake models (credits per million tokens): cheap, and
/// payable from the free quota the tests' servers grant ([`QUOTA`]), so a
/// chat test needs no grant; the credits tests set their own balances.
pub const PRICES: &str = "fake-gpt|in=1000|out=2000|cached=100|quota,fake-claude|in=3000|out=15000|cached=300|write=3750|quota,\
                          fake-gemini|in=300|out=2500|cached=75|quota,demo|free";

/// The free quota of the tests' servers, per 30 days.
pub const QUOTA: &str = "1000000";

/// A catalogue with one model on each fake API, then the demo model.
pub const MODELS: &str = "fake-gpt|openai|128000|Fake GPT,fake-claude|anthropic|200000|Fake Claude,\
                          fake-gemini|gemini|1000000|Fake Gemini,demo|demo|8192|Demo model (offline)";

/// What the fake model APIs have seen.
#[derive(Default)]
pub struct Llm {
    /// Delay before each chunk.
    pub pace: Option<Duration>,
    /// Streams being sent now.
    pub open: usize,
    /// Streams whose client disconnected before the last chunk, with when.
    pub abandoned: Vec<Instant>,
    /// The last request body each API received.
    pub last_request: Option<Value>,
    /// Requests the model APIs received.
    pub requests: usize,
}

const DEFAULT_PACE: Duration = Duration::from_millis(20);

pub(super) fn router() -> Router<Fakes> {
    Router::new()
        .route("/openai/v1/chat/completions", post(openai))
        .route("/anthropic/v1/messages", post(anthropic))
        .route("/gemini/v1beta/models/{call}", post(gemini))
}

#[derive(Clone, Copy, PartialEq)]
enum Api {
    OpenAi,
    Anthropic,
    Gemini,
}

/// What the fake will send: words of text, then the end or an error or a stall.
struct Plan {
    words: Vec<String>,
    input_tokens: u64,
    /// Of the input, read from the prompt cache (`[cached N]`).
    cached_tokens: u64,
    /// Cut at the request's `max_tokens` (a word is a token here).
    truncated: bool,
    ending: Ending,
}

#[derive(Clone, Copy, PartialEq)]
enum Ending {
    Done,
    Stall,
    Error,
}

fn plan(last_user_text: &str, all_text: &str, max_tokens: Option<u64>) -> Plan {
    let ending = if last_user_text.contains("[stall]") {
        Ending::Stall
    } else if last_user_text.contains("[overloaded]") {
        Ending::Error
    } else {
        Ending::Done
    };
    let mut words: Vec<String> = match words_marker(last_user_text) {
        _ if all_text.contains(TITLE_REQUEST) => {
            let mut title = title_for(last_user_text);
            if last_user_text.contains("[slow-title]") {
                title.extend(filler(100));
            }
            title
        }
        Some(n) => filler(n),
        None => {
            let reply = format!("You said: {}", last_user_text.trim());
            reply.split_inclusive(' ').map(str::to_owned).collect()
        }
    };
    match ending {
        Ending::Stall => words.truncate(words.len().div_ceil(2)),
        Ending::Error => words.truncate(2),
        Ending::Done => {}
    }
    // A model stops at `max_tokens`, unless `[overrun]` plays one that does not.
    let cap = max_tokens
        .filter(|_| !last_user_text.contains("[overrun]"))
        .map_or(usize::MAX, |m| usize::try_from(m).unwrap_or(usize::MAX));
    let truncated = words.len() > cap;
    words.truncate(cap);
    let input_tokens = all_text.split_whitespace().count() as u64;
    Plan {
        words,
        input_tokens,
        cached_tokens: marker(last_user_text, "[cached ").map_or(0, |n| (n as u64).min(input_tokens)),
        truncated,
        ending,
    }
}

/// How the app's request for a conversation title begins (its system prompt).
const TITLE_REQUEST: &str = "You write titles for conversations.";

/// A title for the conversation the app quotes as `User: … Assistant: …`: the
/// first four words of the user's message, markers left out.
fn title_for(request: &str) -> Vec<String> {
    let message = request.strip_prefix("User:").unwrap_or(request);
    let words = message
        .split_whitespace()
        .take_while(|w| *w != "Assistant:")
        .filter(|w| !w.starts_with('[') && !w.ends_with(']'))
        .take(4);
    std::iter::once("About").chain(words).map(|w| format!("{w} ")).collect()
}

/// Longest reply `[words N]` asks for.
const MAX_WORDS: usize = 100_000;

/// N of a `[words N]` marker (at most [`MAX_WORDS`]).
fn words_marker(text: &str) -> Option<usize> {
    marker(text, "[words ").map(|n| n.min(MAX_WORDS))
}

/// N of a `<opening>N]` marker.
fn marker(text: &str, opening: &str) -> Option<usize> {
    let rest = &text[text.find(opening)? + opening.len()..];
    let (n, _) = rest.split_once(']')?;
    n.trim().parse::<usize>().ok()
}

/// `n` words of lorem ipsum, each but the last followed by a space.
fn filler(n: usize) -> Vec<String> {
    const LOREM: [&str; 8] = [
        "lorem",
        "ipsum",
        "dolor",
        "sit",
        "amet",
        "consectetur",
        "adipiscing",
        "elit",
    ];
    (0..n)
        .map(|i| {
            let word = LOREM[i % LOREM.len()];
            if i + 1 < n { format!("{word} ") } else { word.to_owned() }
        })
        .collect()
}

fn unauthorized(api: Api) -> Response {
    let body = match api {
        Api::OpenAi => {
            json!({"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}})
        }
        Api::Anthropic => {
            json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}})
        }
        Api::Gemini => {
            json!({"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT"}})
        }
    };
    let status = if api == Api::Gemini {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::UNAUTHORIZED
    };
    (status, Json(body)).into_response()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

/// `POST /openai/v1/chat/completions` with `stream: true`.
async fn openai(State(fakes): State<Fakes>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if header(&headers, "authorization") != format!("Bearer {OPENAI_KEY}") {
        return unauthorized(Api::OpenAi);
    }
    if body["stream"] != true {
        return (StatusCode::BAD_REQUEST, "this fake only streams").into_response();
    }
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let text_of = |m: &Value| m["content"].as_str().unwrap_or_default().to_owned();
    let last_user = messages
        .iter()
        .rev()
        .find(|m| m["role"] == "user")
        .map(text_of)
        .unwrap_or_default();
    let all: String = messages.iter().map(text_of).collect::<Vec<_>>().join(" ");
    let include_usage = body.pointer("/stream_options/include_usage") == Some(&Value::Bool(true));
    let model = body["model"].as_str().unwrap_or_default().to_owned();
    let max_tokens = body["max_completion_tokens"].as_u64().or(body["max_tokens"].as_u64());
    let plan = plan(&last_user, &all, max_tokens);
    let chunk = |delta: Value, finish: Value| {
        json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_764_000_000, "model": model,
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], "usage": null})
    };
    let mut events = vec![chunk(json!({"role": "assistant", "content": ""}), Value::Null).to_string()];
    events.extend(
        plan.words
            .iter()
            .map(|w| chunk(json!({"content": w}), Value::Null).to_string()),
    );
    match plan.ending {
        Ending::Done => {
            let finish = if plan.truncated { "length" } else { "stop" };
            events.push(chunk(json!({}), json!(finish)).to_string());
            if include_usage {
                let out = plan.words.len() as u64;
                events.push(
                    json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_764_000_000, "model": model,
                           "choices": [], "usage": {"prompt_tokens": plan.input_tokens, "completion_tokens": out, "total_tokens": plan.input_tokens + out,
                                                    "prompt_tokens_details": {"cached_tokens": plan.cached_tokens}}})
                    .to_string(),
                );
            }
            events.push("[DONE]".to_owned());
        }
        Ending::Error => events.push(
            json!({"error": {"message": "The server is overloaded.", "type": "server_error", "code": null}})
                .to_string(),
        ),
        Ending::Stall => {}
    }
    let frames = events.into_iter().map(|e| format!("data: {e}\n\n")).collect();
    fakes.record_request(body);
    fakes.stream(frames, plan.ending == Ending::Stall)
}

/// `POST /anthropic/v1/messages` with `stream: true`.
async fn anthropic(State(fakes): State<Fakes>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if header(&headers, "x-api-key") != ANTHROPIC_KEY {
        return unauthorized(Api::Anthropic);
    }
    if header(&headers, "anthropic-version").is_empty()
        || body["stream"] != true
        || body["max_tokens"].as_u64().is_none()
    {
        let err = json!({"type": "error", "error": {"type": "invalid_request_error", "message": "anthropic-version, stream and max_tokens are required"}});
        return (StatusCode::BAD_REQUEST, Json(err)).into_response();
    }
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let text_of = |m: &Value| match &m["content"] {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts.iter().filter_map(|p| p["text"].as_str()).collect(),
        _ => String::new(),
    };
    let last_user = messages
        .iter()
        .rev()
        .find(|m| m["role"] == "user")
        .map(text_of)
        .unwrap_or_default();
    let system = body["system"].as_str().unwrap_or_default().to_owned();
    let all = format!(
        "{system} {}",
        messages.iter().map(text_of).collect::<Vec<_>>().join(" ")
    );
    let model = body["model"].as_str().unwrap_or_default().to_owned();
    let plan = plan(&last_user, &all, body["max_tokens"].as_u64());
    // Anthropic's `input_tokens` leaves out what was read from the cache.
    let usage = json!({"input_tokens": plan.input_tokens - plan.cached_tokens, "cache_read_input_tokens": plan.cached_tokens,
                       "cache_creation_input_tokens": 0, "output_tokens": 1});
    let mut events = vec![
        (
            "message_start",
            json!({"type": "message_start", "message": {"id": "msg_fake", "type": "message", "role": "assistant", "content": [], "model": model, "stop_reason": null, "stop_sequence": null, "usage": usage}}),
        ),
        (
            "content_block_start",
            json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        ),
        ("ping", json!({"type": "ping"})),
    ];
    events.extend(plan.words.iter().map(|w| {
        (
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": w}}),
        )
    }));
    match plan.ending {
        Ending::Done => {
            events.push(("content_block_stop", json!({"type": "content_block_stop", "index": 0})));
            let stop = if plan.truncated { "max_tokens" } else { "end_turn" };
            events.push(("message_delta", json!({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": null}, "usage": {"output_tokens": plan.words.len()}})));
            events.push(("message_stop", json!({"type": "message_stop"})));
        }
        Ending::Error => events.push((
            "error",
            json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
        )),
        Ending::Stall => {}
    }
    let frames = events
        .into_iter()
        .map(|(kind, data)| format!("event: {kind}\ndata: {data}\n\n"))
        .collect();
    fakes.record_request(body);
    fakes.stream(frames, plan.ending == Ending::Stall)
}

/// `POST /gemini/v1beta/models/{model}:streamGenerateContent?alt=sse`.
async fn gemini(
    State(fakes): State<Fakes>,
    Path(call): Path<String>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if header(&headers, "x-goog-api-key") != GEMINI_KEY {
        return unauthorized(Api::Gemini);
    }
    let Some((model, "streamGenerateContent")) = call.split_once(':') else {
        return (StatusCode::NOT_FOUND, "unknown method").into_response();
    };
    if !uri.query().unwrap_or_default().split('&').any(|p| p == "alt=sse") {
        return (
            StatusCode::BAD_REQUEST,
            "this fake only streams server-sent events (alt=sse)",
        )
            .into_response();
    }
    let contents = body["contents"].as_array().cloned().unwrap_or_default();
    let text_of = |c: &Value| {
        c["parts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["text"].as_str())
            .collect::<String>()
    };
    let last_user = contents
        .iter()
        .rev()
        .find(|c| c["role"] == "user")
        .map(text_of)
        .unwrap_or_default();
    let system = body.pointer("/systemInstruction").map(text_of).unwrap_or_default();
    let all = format!(
        "{system} {}",
        contents.iter().map(text_of).collect::<Vec<_>>().join(" ")
    );
    let plan = plan(
        &last_user,
        &all,
        body.pointer("/generationConfig/maxOutputTokens")
            .and_then(Value::as_u64),
    );
    let n = plan.words.len();
    let mut events: Vec<Value> = plan
        .words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let mut candidate = json!({"content": {"parts": [{"text": w}], "role": "model"}, "index": 0});
            if i + 1 == n && plan.ending == Ending::Done {
                candidate["finishReason"] = json!(if plan.truncated { "MAX_TOKENS" } else { "STOP" });
            }
            json!({"candidates": [candidate],
                   "usageMetadata": {"promptTokenCount": plan.input_tokens, "candidatesTokenCount": i + 1, "totalTokenCount": plan.input_tokens + i as u64 + 1,
                                     "cachedContentTokenCount": plan.cached_tokens},
                   "modelVersion": model})
        })
        .collect();
    if plan.ending == Ending::Error {
        events.push(json!({"error": {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}}));
    }
    let frames = events.into_iter().map(|e| format!("data: {e}\r\n\r\n")).collect();
    fakes.record_request(body);
    fakes.stream(frames, plan.ending == Ending::Stall)
}

/// Counts an open stream; on drop before the end, records the abandonment.
struct Open {
    fakes: Fakes,
    finished: bool,
}

impl Open {
    fn finish(&mut self) {
        self.finished = true;
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        let mut s = self.fakes.lock();
        s.llm.open -= 1;
        if !self.finished {
            s.llm.abandoned.push(Instant::now());
        }
    }
}

impl Fakes {
    fn record_request(&self, body: Value) {
        let mut s = self.lock();
        s.llm.last_request = Some(body);
        s.llm.requests += 1;
    }

    /// Sends `frames` one at a time at the pace; a stalled stream then waits forever.
    fn stream(&self, frames: VecDeque<String>, stall: bool) -> Response {
        let pace = {
            let mut s = self.lock();
            s.llm.open += 1;
            s.llm.pace.unwrap_or(DEFAULT_PACE)
        };
        let open = Open {
            fakes: self.clone(),
            finished: false,
        };
        let body = futures::stream::unfold((frames, open), move |(mut frames, mut open)| async move {
            tokio::time::sleep(pace).await;
            match frames.pop_front() {
                Some(frame) => Some((Ok::<_, std::convert::Infallible>(Bytes::from(frame)), (frames, open))),
                None if stall => {
                    std::future::pending::<()>().await;
                    None
                }
                None => {
                    open.finish();
                    None
                }
            }
        });
        Response::builder()
            .header(header::CONTENT_TYPE, "text/event-stream")
            .header(header::CACHE_CONTROL, "no-cache")
            .body(Body::from_stream(body))
            .expect("static headers")
    }

    /// Sets the delay before each streamed chunk (default 20 ms).
    pub fn set_llm_pace(&self, pace: Duration) {
        self.lock().llm.pace = Some(pace);
    }

    /// Streams open now, and when each abandoned one was noticed.
    pub fn llm_streams(&self) -> (usize, Vec<Instant>) {
        let s = self.lock();
        (s.llm.open, s.llm.abandoned.clone())
    }

    /// How many requests the fake model APIs received.
    pub fn llm_requests(&self) -> usize {
        self.lock().llm.requests
    }

    /// The last body a fake model API received.
    pub fn last_llm_request(&self) -> Option<Value> {
        self.lock().llm.last_request.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_request_gets_a_title() {
        let p = plan(
            "User: how do [words 9] masts keep boats upright?\n\nAssistant: lorem",
            "You write titles for conversations. Reply with …",
            None,
        );
        assert_eq!(p.words.concat(), "About how do masts keep ");
    }

    #[test]
    fn the_reply_echoes_the_last_message() {
        let p = plan("tell me about masts", "tell me about masts", None);
        assert_eq!(p.words.concat(), "You said: tell me about masts");
        assert_eq!(p.words.len(), 6);
        assert!(p.ending == Ending::Done);
    }

    #[test]
    fn a_words_marker_sets_the_length_of_the_reply() {
        let p = plan("[words 1000] go", "[words 1000] go", None);
        assert_eq!(p.words.len(), 1000);
        let text = p.words.concat();
        assert_eq!(
            text.split(' ').count(),
            1000,
            "one space between words, none at the end"
        );
        assert!(text.starts_with("lorem ipsum"));
        assert_eq!(plan("[words 1]", "", None).words, vec!["lorem".to_owned()]);
        assert!(plan("[words 0]", "", None).words.is_empty());
        assert_eq!(plan("[words many]", "", None).words.concat(), "You said: [words many]");
    }

    #[test]
    fn a_reply_stops_at_max_tokens_unless_it_overruns_and_cached_tokens_are_reported() {
        let p = plan("[words 100] go [cached 3]", "[words 100] go [cached 3]", Some(40));
        assert_eq!(p.words.len(), 40);
        assert!(p.truncated);
        assert_eq!(p.cached_tokens, 3);
        let p = plan("[words 100] [overrun]", "[words 100] [overrun]", Some(40));
        assert_eq!(p.words.len(), 100);
        assert!(!p.truncated);
    }

    #[test]
    fn markers_combine() {
        let p = plan("[words 10] [stall]", "", None);
        assert_eq!(p.words.len(), 5);
        assert!(p.ending == Ending::Stall);
        let p = plan("[overloaded] [words 10]", "", None);
        assert_eq!(p.words.len(), 2);
        assert!(p.ending == Ending::Error);
    }
}
