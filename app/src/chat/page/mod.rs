//! The chat page: the conversation list (new, search, rename, delete), the
//! thread with replies streamed as they are written, and the composer.
//!
//! Everything on it is the signed-in user's own data, loaded by the browser
//! after hydration (the server renders the frame and a loading state), so
//! no page render waits on the database. The open conversation's id is in
//! the address (`/chat?c=…`), so a reload or a shared tab reopens it.

mod composer;
mod list;
mod state;
mod thread;

pub use thread::CopyButton;
pub use wire::chat::MAX_MESSAGE_CHARS;

use crate::i18n::{Key, Locale, use_locale};
use composer::{Composer, ModelPicker};
use leptos::prelude::*;
use leptos_meta::Title;
use list::ConversationList;
use state::Chat;
use thread::Thread;

/// The chat page.
#[component]
pub fn ChatPage() -> impl IntoView {
    let locale = use_locale();
    // No model on this instance (`CHAT_DEMO_MODEL=off` and none in
    // `CHAT_MODELS`): say so instead of a composer that cannot answer.
    if !crate::components::use_setup().offers("chat") {
        return view! {
            <Title text=locale.t(Key::ChatTitle) />
            <div class="mx-auto w-full max-w-2xl px-4 py-12" data-testid="chat-not-set-up">
                <p role="status" class="rounded-lg border border-primary-200 bg-white p-4 text-primary-900 dark:border-primary-800 dark:bg-primary-900 dark:text-primary-100">
                    {locale.t(Key::ChatNotSetUp)}
                </p>
            </div>
        }
        .into_any();
    }
    let initial = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("c"));
    let chat = Chat::new(locale, initial);
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| {
        chat.load_list();
        chat.load_models();
        chat.open(chat.current.get_untracked());
    });
    // Leaving the page stops the reply being streamed. Only in the browser:
    // nothing streams during a server render, and the render's clean-up may
    // run on another thread, outside its arena, where reading the page's
    // state aborts the process (see the test
    // `every_page_rendered_many_times_at_once_leaves_the_server_up`).
    #[cfg(feature = "hydrate")]
    on_cleanup(move || chat.stop());
    let title = move || {
        let id = chat.current.get()?;
        chat.conversations
            .with(|list| list.iter().find(|c| c.id == id).map(|c| c.title.clone()))
    };

    // The tab's title follows the open conversation, in the browser. A
    // server render has loaded no conversation, so its title is the page's;
    // it must not be a closure over the page's signals there: leptos_meta
    // reads it after the render, outside the render's arena.
    #[cfg(feature = "hydrate")]
    let tab_title = TextProp::from(move || title().unwrap_or_else(|| locale.t(Key::ChatTitle).to_owned()));
    #[cfg(not(feature = "hydrate"))]
    let tab_title = TextProp::from(locale.t(Key::ChatTitle));

    // The conversations drawer (phones): the button that opens it gets
    // focus back when it closes.
    let opener = NodeRef::<leptos::html::Button>::new();

    view! {
        <Title text=tab_title />
        // Fills the screen below the header (no footer, no page scroll):
        // the thread scrolls inside itself, the composer stays in view.
        <div class="mx-auto flex min-h-0 w-full max-w-6xl flex-1" data-testid="chat" data-fill-screen="">
            <ConversationList chat opener />
            <section class="flex min-w-0 flex-1 flex-col">
                <div class="flex flex-wrap items-center gap-2 border-b border-primary-200 px-3 py-2 dark:border-primary-800">
                    <button
                        type="button"
                        node_ref=opener
                        class="btn-secondary px-3 py-1 text-sm md:hidden"
                        aria-controls="conversation-list"
                        aria-expanded=move || chat.list_open.get().to_string()
                        data-testid="open-conversations"
                        on:click=move |_| chat.list_open.set(true)
                    >
                        {locale.t(Key::ChatConversations)}
                    </button>
                    // On a phone the title has a line of its own (below the
                    // buttons); a long one is cut, and the full text is its tooltip.
                    <h1
                        class="order-last w-full min-w-0 truncate font-semibold md:order-none md:w-auto md:flex-1"
                        data-testid="chat-title"
                        title=move || title().unwrap_or_else(|| locale.t(Key::ChatNew).to_owned())
                    >
                        {move || title().unwrap_or_else(|| locale.t(Key::ChatNew).to_owned())}
                    </h1>
                    <div class="ml-auto min-w-0">
                        <ModelPicker chat />
                    </div>
                </div>
                <Thread chat />
                <Composer chat />
            </section>
        </div>
    }
    .into_any()
}

/// Says a list or thread did not load, with a retry (shared by both).
#[component]
fn LoadFailed(retry: impl Fn() + Send + Sync + Copy + 'static, locale: Locale) -> impl IntoView {
    view! {
        <div class="alert-error flex flex-wrap items-center gap-2" role="alert">
            <span>{locale.t(Key::ChatLoadFailed)}</span>
            <button type="button" class="link" on:click=move |_| retry()>{locale.t(Key::ChatRetry)}</button>
        </div>
    }
}
