//! The conversation list: new, search, rename and delete.

use super::LoadFailed;
use super::state::{Chat, Load};
use crate::chat::conversations::{ConversationSummary, delete_conversation, rename_conversation};
use crate::components::use_hydrated;
use crate::error::AppError;
use crate::i18n::Key;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The conversation list: a column beside the thread on wide screens, a
/// drawer on a phone (opened by `opener`; closed by its close button,
/// Escape or a tap beside it, and focus goes back to `opener`).
#[component]
pub(super) fn ConversationList(chat: Chat, opener: NodeRef<leptos::html::Button>) -> impl IntoView {
    let locale = chat.locale;
    let hydrated = use_hydrated();
    let closer = NodeRef::<leptos::html::Button>::new();
    let close = move || {
        chat.list_open.set(false);
        if let Some(button) = opener.get_untracked() {
            let _ = button.focus();
        }
    };
    // Opened: focus moves into the drawer.
    Effect::new(move |_| {
        if chat.list_open.get() {
            request_animation_frame(move || {
                if let Some(button) = closer.get_untracked() {
                    let _ = button.focus();
                }
            });
        }
    });
    // Search as the user types, once they pause.
    let typed = StoredValue::new(0u64);
    let on_search = move |ev| {
        chat.search.set(event_target_value(&ev));
        let n = typed.get_value() + 1;
        typed.set_value(n);
        set_timeout(
            move || {
                // (Gone, if the user has left the page meanwhile.)
                if typed.try_get_value() == Some(n) {
                    chat.load_list();
                }
            },
            std::time::Duration::from_millis(250),
        );
    };
    let editing = RwSignal::new(None::<(String, String)>);
    let confirming = RwSignal::new(None::<String>);
    let row_error = RwSignal::new(None::<(String, String)>);

    view! {
        <Show when=move || chat.list_open.get()>
            <div
                class="fixed inset-0 z-30 bg-primary-950/50 md:hidden"
                aria-hidden="true"
                data-testid="drawer-backdrop"
                on:click=move |_| close()
            ></div>
        </Show>
        <aside
            id="conversation-list"
            class=move || {
                if chat.list_open.get() {
                    "fixed inset-y-0 left-0 z-40 flex w-[85vw] max-w-xs flex-col gap-2 overflow-y-auto bg-primary-50 p-3 shadow-xl dark:bg-primary-950 md:static md:z-auto md:w-72 md:max-w-none md:border-r md:border-primary-200 md:shadow-none md:dark:border-primary-800"
                } else {
                    "hidden w-72 flex-col gap-2 overflow-y-auto border-r border-primary-200 p-3 dark:border-primary-800 md:flex"
                }
            }
            role=move || chat.list_open.get().then_some("dialog")
            aria-modal=move || chat.list_open.get().then_some("true")
            aria-label=locale.t(Key::ChatConversations)
            data-testid="conversation-list"
            on:keydown=move |ev| {
                if ev.key() == "Escape" && chat.list_open.get_untracked() {
                    ev.stop_propagation();
                    close();
                }
            }
        >
            <div class="flex items-center justify-between md:hidden">
                <h2 class="font-semibold">{locale.t(Key::ChatConversations)}</h2>
                <button
                    type="button"
                    node_ref=closer
                    class="btn-icon"
                    aria-label=locale.t(Key::ChatCloseConversations)
                    data-testid="close-conversations"
                    on:click=move |_| close()
                >
                    <span aria-hidden="true">"✕"</span>
                </button>
            </div>
            <button
                type="button"
                class="btn-primary w-full"
                data-testid="new-chat"
                disabled=move || !hydrated.get()
                on:click=move |_| chat.open(None)
            >
                {locale.t(Key::ChatNew)}
            </button>
            <label class="sr-only" for="chat-search">{locale.t(Key::ChatSearch)}</label>
            <input
                id="chat-search"
                type="search"
                class="input py-1 text-sm"
                placeholder=locale.t(Key::ChatSearch)
                data-testid="chat-search"
                prop:value=move || chat.search.get()
                on:input=on_search
            />
            {move || match chat.list_load.get() {
                Load::Loading => view! { <p class="text-sm">{locale.t(Key::Loading)}</p> }.into_any(),
                Load::Failed => view! { <LoadFailed retry=move || chat.load_list() locale /> }.into_any(),
                Load::Ready if chat.conversations.with(Vec::is_empty) => {
                    let key = if chat.search.with(|s| s.trim().is_empty()) {
                        Key::ChatNoConversations
                    } else {
                        Key::ChatNoMatches
                    };
                    view! { <p class="px-1 text-sm text-primary-800 dark:text-primary-200">{locale.t(key)}</p> }.into_any()
                }
                Load::Ready => ().into_any(),
            }}
            <ul class="flex flex-col gap-1">
                <For each=move || chat.conversations.get() key=|c| (c.id.clone(), c.title.clone(), c.snippet.clone()) let:c>
                    <ConversationRow chat c editing confirming row_error />
                </For>
            </ul>
        </aside>
    }
}

#[component]
fn ConversationRow(
    chat: Chat,
    c: ConversationSummary,
    editing: RwSignal<Option<(String, String)>>,
    confirming: RwSignal<Option<String>>,
    row_error: RwSignal<Option<(String, String)>>,
) -> impl IntoView {
    let locale = chat.locale;
    let id = StoredValue::new(c.id.clone());
    let title = c.title.clone();
    let is_current = move || chat.current.with(|cur| cur.as_deref() == Some(id.get_value().as_str()));
    let is_editing = move || editing.with(|e| e.as_ref().is_some_and(|(eid, _)| *eid == id.get_value()));
    let is_confirming = move || confirming.with(|c| c.as_deref() == Some(id.get_value().as_str()));
    let error = move || {
        row_error.with(|e| {
            e.as_ref()
                .filter(|(eid, _)| *eid == id.get_value())
                .map(|(_, m)| m.clone())
        })
    };
    let save = move || {
        let Some((eid, value)) = editing.get_untracked() else {
            return;
        };
        // Not cancelled with the page, unlike loads (`Chat::spawn`): a
        // rename the user asked for goes through even if they leave at
        // once; what it updates on the page may be gone by then (`try_`).
        spawn_local(async move {
            let result = rename_conversation(eid.clone(), value).await;
            if !chat.is_open() {
                return;
            }
            match result {
                Ok(()) => {
                    editing.try_set(None);
                    row_error.try_set(None);
                    chat.load_list();
                }
                Err(e) => _ = row_error.try_set(Some((eid, e.message(locale)))),
            }
        });
    };
    let delete = move || {
        let eid = id.get_value();
        // As a rename: goes through even if the user leaves at once.
        spawn_local(async move {
            let result = delete_conversation(eid.clone()).await;
            if !chat.is_open() {
                return;
            }
            match result {
                Ok(()) | Err(AppError::NotFound) => {
                    confirming.try_set(None);
                    if chat.current.try_get_untracked().flatten().as_deref() == Some(eid.as_str()) {
                        chat.open(None);
                    }
                    chat.load_list();
                }
                Err(e) => _ = row_error.try_set(Some((eid, e.message(locale)))),
            }
        });
    };
    let start_edit = {
        let title = title.clone();
        move |_| {
            confirming.set(None);
            row_error.set(None);
            editing.set(Some((id.get_value(), title.clone())));
        }
    };

    // In a search: the words around the match in one of its messages.
    let snippet = c.snippet.as_deref().map(|s| {
        wire::chat::snippet_parts(s)
            .into_iter()
            .map(|(text, matched)| {
                if matched {
                    view! { <mark class="rounded-sm bg-accent-200 px-0.5 text-primary-950 dark:bg-accent-300">{text}</mark> }.into_any()
                } else {
                    text.into_any()
                }
            })
            .collect_view()
    });
    view! {
        <li class="group flex flex-col gap-1" data-testid="conversation">
            <Show
                when=is_editing
                fallback=move || {
                    let title = title.clone();
                    view! {
                        <div class=move || {
                            if is_current() {
                                "flex items-center gap-1 rounded-lg bg-primary-200 dark:bg-primary-800"
                            } else {
                                "flex items-center gap-1 rounded-lg hover:bg-primary-100 dark:hover:bg-primary-900"
                            }
                        }>
                            <button
                                type="button"
                                class="min-w-0 flex-1 truncate px-2 py-2 text-left text-sm"
                                aria-current=move || is_current().then_some("page")
                                on:click=move |_| chat.open(Some(id.get_value()))
                            >
                                {title.clone()}
                            </button>
                            <button
                                type="button"
                                class="rounded px-1.5 py-1 text-sm text-primary-800 hover:bg-accent-200 dark:text-primary-200 dark:hover:bg-primary-800"
                                title=locale.t(Key::ChatRenameNamed).replace("{title}", &title)
                                aria-label=locale.t(Key::ChatRenameNamed).replace("{title}", &title)
                                on:click=start_edit.clone()
                            >
                                "✎"
                            </button>
                            <button
                                type="button"
                                class="rounded px-1.5 py-1 text-sm text-primary-800 hover:bg-red-200 dark:text-primary-200 dark:hover:bg-red-900"
                                title=locale.t(Key::ChatDeleteNamed).replace("{title}", &title)
                                aria-label=locale.t(Key::ChatDeleteNamed).replace("{title}", &title)
                                on:click=move |_| {
                                    editing.set(None);
                                    row_error.set(None);
                                    confirming.set(Some(id.get_value()));
                                }
                            >
                                "✕"
                            </button>
                        </div>
                    }
                }
            >
                <form
                    class="flex flex-col gap-1"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        save();
                    }
                >
                    <input
                        class="input py-1 text-sm"
                        aria-label=locale.t(Key::ChatTitleLabel)
                        maxlength="100"
                        autofocus
                        prop:value=move || editing.with(|e| e.as_ref().map(|(_, v)| v.clone()).unwrap_or_default())
                        on:input=move |ev| {
                            let value = event_target_value(&ev);
                            editing.update(|e| {
                                if let Some((_, v)) = e {
                                    *v = value;
                                }
                            });
                        }
                        on:keydown=move |ev| {
                            if ev.key() == "Escape" {
                                editing.set(None);
                                row_error.set(None);
                            }
                        }
                    />
                    <div class="flex gap-1">
                        <button type="submit" class="btn-primary px-2 py-1 text-sm">{locale.t(Key::ChatSave)}</button>
                        <button
                            type="button"
                            class="btn-secondary px-2 py-1 text-sm"
                            on:click=move |_| {
                                editing.set(None);
                                row_error.set(None);
                            }
                        >
                            {locale.t(Key::ChatCancel)}
                        </button>
                    </div>
                </form>
            </Show>
            <Show when=is_confirming>
                <div class="flex flex-col gap-1 rounded-lg border border-red-300 p-2 text-sm dark:border-red-800" role="alert">
                    <p>{locale.t(Key::ChatDeleteConfirm)}</p>
                    <div class="flex gap-1">
                        <button type="button" class="btn-danger px-2 py-1 text-sm" on:click=move |_| delete()>
                            {locale.t(Key::ChatDelete)}
                        </button>
                        <button type="button" class="btn-secondary px-2 py-1 text-sm" on:click=move |_| confirming.set(None)>
                            {locale.t(Key::ChatCancel)}
                        </button>
                    </div>
                </div>
            </Show>
            <p class="field-error px-1" role="alert">{error}</p>
            {snippet.map(|parts| view! {
                <p class="line-clamp-2 px-2 text-xs text-primary-800 dark:text-primary-200" data-testid="search-snippet">{parts}</p>
            })}
        </li>
    }
}
