//! The thread: the open conversation's messages, replies rendered as they stream.

use super::LoadFailed;
use super::state::browser;
use super::state::{Chat, Load, Message, ReplyState};
use crate::chat::markdown_view::Markdown;
use crate::i18n::{Key, Locale};
use leptos::prelude::*;
use wire::chat::ErrorKind;

/// What an error kind tells the user.
fn failure_text(locale: Locale, kind: ErrorKind) -> &'static str {
    locale.t(kind.key())
}

#[component]
pub(super) fn Thread(chat: Chat) -> impl IntoView {
    let locale = chat.locale;
    // Follow a growing reply while the user is at the bottom.
    // When a reply ends its actions (Copy, Regenerate) appear under it:
    // scroll them into view too, so they never hide behind the composer.
    Effect::new(move |_| {
        let grown = chat.messages.with(|all| all.last().map(|m| m.text.with(String::len)));
        chat.sending.track();
        if grown.is_some() && chat.stick.get_untracked() {
            browser::scroll_to_end(chat.thread);
        }
    });
    let last_key = move || chat.messages.with(|all| all.last().map(|m| m.key));

    view! {
        <div class="relative min-h-0 flex-1">
            <div
                node_ref=chat.thread
                // `relative`: screen-reader-only labels inside are placed
                // (and clipped) here, not below the page where they would
                // make the whole page scroll.
                class="relative h-full overflow-y-auto px-3 py-4"
                data-testid="thread"
                on:scroll=move |_| chat.stick.set(browser::near_end(chat.thread))
            >
                <div class="mx-auto flex max-w-3xl flex-col gap-4">
                    {move || match chat.thread_load.get() {
                        Load::Loading => view! { <p class="text-sm">{locale.t(Key::Loading)}</p> }.into_any(),
                        Load::Failed => {
                            view! {
                                <LoadFailed retry=move || chat.open(chat.current.get_untracked()) locale />
                            }
                                .into_any()
                        }
                        Load::Ready if chat.messages.with(Vec::is_empty) => {
                            view! {
                                <div class="flex flex-col items-center gap-2 py-16 text-center" data-testid="chat-empty">
                                    <crate::pages::Welcome />
                                    <h2 class="text-2xl font-semibold">{locale.t(Key::ChatEmptyTitle)}</h2>
                                    <p class="text-primary-800 dark:text-primary-200">{locale.t(Key::ChatEmptyBody)}</p>
                                </div>
                            }
                                .into_any()
                        }
                        Load::Ready => ().into_any(),
                    }}
                    <For each=move || chat.messages.get() key=|m| m.key let:m>
                        <MessageItem chat m last_key />
                    </For>
                </div>
            </div>
            <Show when=move || !chat.stick.get() && chat.sending.get()>
                <button
                    type="button"
                    class="btn-secondary absolute bottom-3 left-1/2 -translate-x-1/2 bg-white px-3 py-1 text-sm shadow dark:bg-primary-900"
                    on:click=move |_| {
                        chat.stick.set(true);
                        browser::scroll_to_end(chat.thread);
                    }
                >
                    {locale.t(Key::ChatJumpToLatest)}
                </button>
            </Show>
        </div>
    }
}

#[component]
fn MessageItem(
    chat: Chat,
    m: Message,
    last_key: impl Fn() -> Option<u64> + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let locale = chat.locale;
    if m.from_user {
        return view! {
            <div class="flex justify-end" data-testid="message-user">
                <div class="max-w-[85%] whitespace-pre-wrap break-words rounded-2xl bg-primary-700 px-4 py-2 text-white dark:bg-primary-700">
                    <span class="sr-only">{locale.t(Key::ChatYou)}": "</span>
                    {m.text.get_untracked()}
                </div>
            </div>
        }
        .into_any();
    }
    let key = m.key;
    let is_last = move || last_key() == Some(key);
    let state = m.state.clone();
    let text = m.text.clone();
    let state_name = {
        let state = state.clone();
        move || state.with(|s| s.name())
    };
    let streaming = {
        let state = state.clone();
        move || state.with(|s| *s == ReplyState::Streaming)
    };
    let empty_while_streaming = {
        let (text, streaming) = (text.clone(), streaming.clone());
        move || streaming() && text.with(String::is_empty)
    };
    let failure = {
        let state = state.clone();
        move || match state.get() {
            ReplyState::Failed(kind, detail) => Some((failure_text(locale, kind), detail)),
            _ => None,
        }
    };
    let stopped = {
        let state = state.clone();
        move || state.with(|s| *s == ReplyState::Stopped)
    };
    let can_regenerate = {
        let streaming = streaming.clone();
        move || is_last() && !streaming() && !chat.sending.get()
    };
    let copy_text = text.clone();
    let usage = m.usage.clone();
    let spent = move || {
        usage.get().map(|(tokens, credits)| {
            let tokens = tokens.to_string();
            match (credits, crate::credits::use_balance()) {
                (Some(credits), Some(balance)) => locale
                    .t(Key::ChatMessageUsage)
                    .replace("{tokens}", &tokens)
                    .replace("{credits}", &balance.units.format(credits, locale)),
                _ => locale.t(Key::ChatMessageTokens).replace("{tokens}", &tokens),
            }
        })
    };

    view! {
        <article class="flex flex-col gap-2" data-testid="message-assistant" data-state=state_name>
            <span class="sr-only">{locale.t(Key::ChatAssistant)}</span>
            <div class="prose-chat min-w-0 break-words">
                <Markdown text=Signal::derive({
                    let text = text.clone();
                    move || text.get()
                }) />
            </div>
            <Show when=empty_while_streaming.clone()>
                <p class="animate-pulse text-primary-800 dark:text-primary-200" aria-live="polite">
                    {locale.t(Key::ChatWriting)}
                </p>
            </Show>
            <Show when=stopped.clone()>
                <p class="text-sm italic text-primary-800 dark:text-primary-200">{locale.t(Key::ChatStopped)}</p>
            </Show>
            {
                let (failure, can_regenerate) = (failure.clone(), can_regenerate.clone());
                move || {
                failure()
                    .map(|(text, detail)| {
                        view! {
                            <div class="alert-error flex flex-col gap-1" role="alert" data-testid="reply-error">
                                <p>{text}</p>
                                {(!detail.is_empty()).then(|| view! { <p class="font-normal">{detail}</p> })}
                                <Show when=can_regenerate.clone()>
                                    <button
                                        type="button"
                                        class="btn-secondary self-start px-3 py-1 text-sm"
                                        on:click=move |_| chat.send(true)
                                    >
                                        {locale.t(Key::ChatRetry)}
                                    </button>
                                </Show>
                            </div>
                        }
                    })
                }
            }
            <div class="flex gap-2 text-sm" class:hidden=streaming.clone()>
                <CopyButton text=copy_text locale />
                <Show when={
                    let can = can_regenerate.clone();
                    let failure = failure.clone();
                    move || can() && failure().is_none()
                }>
                    <button
                        type="button"
                        class="rounded px-2 py-1 text-primary-800 hover:bg-accent-200 dark:text-primary-200 dark:hover:bg-primary-800"
                        on:click=move |_| chat.send(true)
                    >
                        {locale.t(Key::ChatRegenerate)}
                    </button>
                </Show>
                <span class="ml-auto self-center text-xs text-primary-800 dark:text-primary-200" data-testid="message-usage">
                    {spent}
                </span>
            </div>
        </article>
    }
    .into_any()
}

/// Copies `text` to the clipboard, saying whether it worked.
#[component]
pub fn CopyButton(text: ArcRwSignal<String>, locale: Locale) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    view! {
        <button
            type="button"
            class="rounded px-2 py-1 text-primary-800 hover:bg-accent-200 dark:text-primary-200 dark:hover:bg-primary-800"
            on:click=move |_| browser::copy(text.get_untracked(), copied)
        >
            {move || match copied.get() {
                None => locale.t(Key::ChatCopy),
                Some(true) => locale.t(Key::ChatCopied),
                Some(false) => locale.t(Key::ChatCopyFailed),
            }}
        </button>
    }
}
