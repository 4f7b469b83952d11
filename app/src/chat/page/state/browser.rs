//! What only the browser can do; on the server these are never called
//! (effects and event handlers do not run there).

use super::{Chat, Message, Refusal};
use leptos::html::{Div, Textarea};
use leptos::prelude::*;
#[cfg(feature = "hydrate")]
use wire::chat::ErrorKind;

#[cfg(feature = "hydrate")]
pub type Abort = web_sys::AbortController;
#[cfg(not(feature = "hydrate"))]
pub type Abort = ();

/// Where [`Abort`] is kept: on the browser's one thread; on the server in
/// thread-safe storage, since a render may end on another thread than it
/// began (thread-local storage then aborts the process when dropped).
#[cfg(feature = "hydrate")]
pub type AbortStorage = LocalStorage;
#[cfg(not(feature = "hydrate"))]
pub type AbortStorage = SyncStorage;

#[cfg(feature = "hydrate")]
pub fn abort(abort: &Abort) {
    abort.abort();
}
#[cfg(not(feature = "hydrate"))]
pub fn abort(_: &Abort) {}

/// Streams the reply into `reply`, following the conversation it starts.
#[cfg(feature = "hydrate")]
pub async fn stream(chat: Chat, request: crate::chat::ReplyRequest, reply: &Message) -> Result<(), Refusal> {
    use super::ReplyState;
    use crate::chat::client::{StreamFailure, stream_reply};
    use wire::chat::{Delta, Failure, ReplyEvent, Started};
    let Ok(controller) = web_sys::AbortController::new() else {
        reply.state.set(ReplyState::Failed(ErrorKind::Network, String::new()));
        return Ok(());
    };
    chat.abort.set_value(Some(controller.clone()));
    let result = stream_reply(&request, &controller.signal(), |event| match event {
        ReplyEvent::Start(Started {
            conversation_id,
            trimmed,
            ..
        }) => {
            chat.trimmed.set(trimmed);
            if chat.current.get_untracked().is_none() {
                show_in_address(Some(&conversation_id));
                chat.current.set(Some(conversation_id));
            }
            chat.load_list();
        }
        ReplyEvent::Delta(Delta { text }) => reply.text.update(|t| t.push_str(&text)),
        ReplyEvent::Done(done) => {
            reply
                .usage
                .set(Some((done.input_tokens + done.output_tokens, done.credits)));
            reply.state.set(ReplyState::Completed);
            chat.sending.set(false);
        }
        ReplyEvent::Error(Failure { error, message }) => {
            reply.state.set(ReplyState::Failed(error, message));
            chat.sending.set(false);
        }
        ReplyEvent::Title(_) => chat.load_list(),
    })
    .await;
    let still_streaming = reply.state.with_untracked(|s| *s == ReplyState::Streaming);
    match result {
        Err(StreamFailure::Refused(error)) => return Err(Refusal(error)),
        Err(StreamFailure::Aborted) if still_streaming => reply.state.set(ReplyState::Stopped),
        Err(StreamFailure::Network) if still_streaming => {
            reply.state.set(ReplyState::Failed(ErrorKind::Network, String::new()));
        }
        Ok(()) if still_streaming => reply
            .state
            .set(ReplyState::Failed(ErrorKind::Interrupted, String::new())),
        _ => {}
    }
    Ok(())
}
#[cfg(not(feature = "hydrate"))]
pub async fn stream(_: Chat, _: crate::chat::ReplyRequest, _: &Message) -> Result<(), Refusal> {
    Ok(())
}

/// Puts the open conversation in the address bar (without navigating).
pub fn show_in_address(id: Option<&str>) {
    #[cfg(feature = "hydrate")]
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let url = match id {
            Some(id) => format!("{}?c={id}", wire::chat::CHAT_PATH),
            None => wire::chat::CHAT_PATH.to_owned(),
        };
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// Whether the thread is scrolled (nearly) to its end.
pub fn near_end(thread: NodeRef<Div>) -> bool {
    thread
        .try_get_untracked()
        .flatten()
        .is_none_or(|el| el.scroll_height() - el.scroll_top() - el.client_height() < 48)
}

/// Scrolls the thread to its end once the page has been laid out (if
/// the user is still on it by then).
pub fn scroll_to_end(thread: NodeRef<Div>) {
    request_animation_frame(move || {
        if let Some(el) = thread.try_get_untracked().flatten() {
            el.set_scroll_top(el.scroll_height());
        }
    });
}

/// Puts the focus back in the composer (after a reply, after opening a
/// conversation), unless the user has moved it elsewhere meanwhile: only
/// from nowhere (the page itself, a button that went away) or from within
/// the composer (Stop).
pub fn focus(composer: NodeRef<Textarea>) {
    let Some(el) = composer.try_get_untracked().flatten() else {
        return;
    };
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let active = document().active_element();
        let body = document().body().map(|b| b.unchecked_into::<web_sys::Element>());
        let form = el.closest("form").ok().flatten();
        let elsewhere = active.is_some_and(|a| {
            a.is_connected() && Some(&a) != body.as_ref() && !form.as_ref().is_some_and(|f| f.contains(Some(&a)))
        });
        if elsewhere {
            return;
        }
    }
    let _ = el.focus();
}

/// Copies `text`; `copied` says whether it worked, for a moment.
pub fn copy(text: String, copied: RwSignal<Option<bool>>) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        let ok = match web_sys::window() {
            Some(w) => wasm_bindgen_futures::JsFuture::from(w.navigator().clipboard().write_text(&text))
                .await
                .is_ok(),
            None => false,
        };
        // The page may be gone by now (try_: then nothing to show).
        copied.try_set(Some(ok));
        set_timeout(move || _ = copied.try_set(None), std::time::Duration::from_millis(1500));
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (text, copied);
}
