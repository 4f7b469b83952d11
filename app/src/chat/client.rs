//! The browser's side of `POST /api/chat/reply`: posts the message with
//! `fetch`, reads the response body as it arrives and decodes its
//! Server-Sent Events with the same decoder the server uses on providers.
//! (`EventSource` cannot POST a body.) Aborting the request closes the
//! connection, which the server sees at once and answers by stopping the
//! model.

use crate::error::AppError;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wire::chat::{ReplyEvent, ReplyRequest};
use wire::sse;

/// Why the stream could not be read to its end.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamFailure {
    /// The server refused the message (with its reason).
    Refused(AppError),
    /// The server could not be reached, or the connection broke.
    Network,
    /// The user stopped it.
    Aborted,
}

fn decode(event: &sse::Event) -> Option<ReplyEvent> {
    ReplyEvent::decode(event.kind.as_deref()?, &event.data)
}

/// Posts `body` and calls `on_event` for each event until the stream ends.
pub async fn stream_reply(
    body: &ReplyRequest,
    signal: &web_sys::AbortSignal,
    mut on_event: impl FnMut(ReplyEvent),
) -> Result<(), StreamFailure> {
    let failure = |_| {
        if signal.aborted() {
            StreamFailure::Aborted
        } else {
            StreamFailure::Network
        }
    };
    let window = web_sys::window().ok_or(StreamFailure::Network)?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    let headers = js_sys::Object::new();
    for (name, value) in [("Content-Type", "application/json"), ("Accept", "text/event-stream")] {
        js_sys::Reflect::set(&headers, &name.into(), &value.into()).map_err(failure)?;
    }
    init.set_headers(&headers);
    let json = serde_json::to_string(body).map_err(|_| StreamFailure::Network)?;
    init.set_body(&json.into());
    init.set_signal(Some(signal));
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(super::REPLY_PATH, &init))
        .await
        .map_err(failure)?
        .unchecked_into();
    if !response.ok() {
        let status = response.status();
        let text = match response.text() {
            Ok(p) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()),
            Err(_) => None,
        };
        let error = text
            .and_then(|t| serde_json::from_str::<AppError>(&t).ok())
            .unwrap_or(if status >= 500 {
                AppError::Internal
            } else {
                AppError::NotFound
            });
        return Err(StreamFailure::Refused(error));
    }
    let reader: web_sys::ReadableStreamDefaultReader = response
        .body()
        .ok_or(StreamFailure::Network)?
        .get_reader()
        .unchecked_into();
    let mut decoder = sse::Decoder::default();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(failure)?;
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .map_err(failure)?
            .as_bool()
            .unwrap_or(true);
        if done {
            for event in decoder.finish().events.iter().filter_map(decode) {
                on_event(event);
            }
            return Ok(());
        }
        let bytes: js_sys::Uint8Array = js_sys::Reflect::get(&chunk, &"value".into())
            .map_err(failure)?
            .unchecked_into();
        for event in decoder.push(&bytes.to_vec()) {
            if let Some(e) = decode(&event) {
                on_event(e);
            }
        }
    }
}
