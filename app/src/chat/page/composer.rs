//! The composer: the message box, the model picker, send and stop.

use super::MAX_MESSAGE_CHARS;
use super::state::{Chat, Short};
use crate::components::use_hydrated;
use crate::i18n::Key;
use leptos::prelude::*;

#[component]
pub(super) fn ModelPicker(chat: Chat) -> impl IntoView {
    let locale = chat.locale;
    let hydrated = use_hydrated();
    view! {
        <label class="flex items-center gap-2 text-sm">
            <span class="sr-only sm:not-sr-only">{locale.t(Key::ChatModel)}</span>
            <select
                class="input w-44 max-w-full py-1 text-sm"
                data-testid="model-picker"
                disabled=move || !hydrated.get() || chat.models.with(Vec::is_empty)
                prop:value=move || chat.model.get()
                on:change=move |ev| chat.model.set(event_target_value(&ev))
            >
                <For each=move || chat.models.get() key=|m| m.id.clone() let:m>
                    <option value=m.id.clone()>
                        {if m.id == crate::chat::DEMO_MODEL_ID { locale.t(Key::ChatDemoModel).to_owned() } else { m.name }}
                    </option>
                </For>
            </select>
        </label>
    }
}

#[component]
pub(super) fn Composer(chat: Chat) -> impl IntoView {
    let locale = chat.locale;
    let hydrated = use_hydrated();
    let count = move || chat.draft.with(|d| d.trim().chars().count());
    let over = move || count() > MAX_MESSAGE_CHARS;
    let can_send = move || hydrated.get() && !chat.sending.get() && count() > 0 && !over();
    let counter = move || {
        locale
            .t(Key::ChatCharCount)
            .replace("{count}", &count().to_string())
            .replace("{max}", &MAX_MESSAGE_CHARS.to_string())
    };
    view! {
        <form
            class="border-t border-primary-200 px-3 py-3 dark:border-primary-800"
            data-testid="composer"
            on:submit=move |ev| {
                ev.prevent_default();
                chat.send(false);
            }
        >
            <div class="mx-auto flex max-w-3xl flex-col gap-1">
                <label for="chat-message" class="sr-only">{locale.t(Key::ChatMessageLabel)}</label>
                <div class="flex items-end gap-2">
                    <textarea
                        id="chat-message"
                        node_ref=chat.composer
                        class="input max-h-[40dvh] min-h-[2.75rem] min-w-0 flex-1 resize-y"
                        rows="2"
                        placeholder=locale.t(Key::ChatPlaceholder)
                        aria-invalid=move || over().to_string()
                        aria-describedby="chat-count chat-refusal"
                        prop:value=move || chat.draft.get()
                        on:input=move |ev| {
                            chat.draft.set(event_target_value(&ev));
                            chat.refusal.set(None);
                        }
                        on:keydown=move |ev| {
                            if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                                ev.prevent_default();
                                if can_send() {
                                    chat.send(false);
                                }
                            }
                        }
                    ></textarea>
                    <Show
                        when=move || chat.sending.get()
                        fallback=move || {
                            view! {
                                <button type="submit" class="btn-primary" data-testid="send" disabled=move || !can_send()>
                                    {locale.t(Key::ChatSend)}
                                </button>
                            }
                        }
                    >
                        <button type="button" class="btn-secondary" data-testid="stop" on:click=move |_| chat.stop()>
                            {locale.t(Key::ChatStop)}
                        </button>
                    </Show>
                </div>
                <Show when=move || { chat.trimmed.get() > 0 }>
                    <p class="text-xs text-primary-800 dark:text-primary-200" data-testid="history-trimmed">
                        {move || locale.t(Key::ChatHistoryTrimmed).replace("{count}", &chat.trimmed.get().to_string())}
                    </p>
                </Show>
                <div class="flex flex-wrap justify-between gap-x-3 gap-y-1 text-xs">
                    // (Phones send with their keyboard's own key.)
                    <p class="hidden text-primary-800 md:block dark:text-primary-200">{locale.t(Key::ChatKeysHint)}</p>
                    <p id="chat-refusal" class="field-error" role="alert">
                        {move || {
                            if over() {
                                Some(locale.t(Key::ErrMessageTooLong).to_owned())
                            } else {
                                chat.refusal.get()
                            }
                        }}
                    </p>
                    {move || {
                        let short = chat.out_of_credits.get().filter(|_| chat.refusal.with(Option::is_some) && !over())?;
                        Some(view! {
                            <p class="text-sm" data-testid="out-of-credits">
                                {match short {
                                    Short::Credits => view! { <crate::credits::GetCredits /> }.into_any(),
                                    Short::Cap => view! {
                                        <a href=wire::paths::WALLET_PATH class="link font-medium" data-testid="change-cap">
                                            {locale.t(Key::CreditsCapReachedLink)}
                                        </a>
                                    }
                                        .into_any(),
                                }}
                            </p>
                        })
                    }}
                    <p class="text-primary-800 dark:text-primary-200" data-testid="estimate">
                        {move || estimate(chat)}
                    </p>
                    <p
                        id="chat-count"
                        data-testid="char-count"
                        class=move || {
                            if over() {
                                "ml-auto font-semibold text-red-700 dark:text-red-300"
                            } else {
                                "ml-auto text-primary-800 dark:text-primary-200"
                            }
                        }
                    >
                        {counter}
                    </p>
                </div>
            </div>
        </form>
    }
}

/// What the next message may cost, when the chosen model is charged: a
/// typical figure and the most it can be (what is held for it; never more
/// than the balance, as the reply is shortened to fit).
fn estimate(chat: Chat) -> Option<String> {
    let locale = chat.locale;
    let balance = crate::credits::use_balance().filter(|b| b.enforced)?;
    let model = chat.model.get();
    let (pricing, window) = chat.models.with(|all| {
        all.iter()
            .find(|m| m.id == model)
            .and_then(|m| m.pricing.map(|p| (p, m.context_window)))
    })?;
    // Bytes, as the server's ceiling counts them.
    let draft = chat.draft.with(|d| d.trim().len());
    let (chars, turns) = chat.messages.with(|all| {
        (
            all.iter().map(|m| m.text.with_untracked(String::len)).sum::<usize>() + draft,
            all.len() + 1,
        )
    });
    /// A reply of a few paragraphs.
    const TYPICAL_REPLY_TOKENS: u32 = 300;
    let worst = pricing.worst(chars, turns, window).min(balance.available.max(0));
    let typical = pricing.typical(chars, turns, TYPICAL_REPLY_TOKENS).min(worst);
    Some(
        locale
            .t(Key::ChatEstimate)
            .replace("{estimate}", &balance.units.format(typical, locale))
            .replace("{worst}", &balance.units.format(worst, locale)),
    )
}
