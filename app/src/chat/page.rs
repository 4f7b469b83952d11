//! The chat page: the conversation list (new, search, rename, delete), the
//! thread with replies streamed as they are written, and the composer.
//!
//! Everything on it is the signed-in user's own data, loaded by the browser
//! after hydration (the server renders the frame and a loading state), so
//! no page render waits on the database. The open conversation's id is in
//! the address (`/chat?c=…`), so a reload or a shared tab reopens it.

use super::conversations::{
    ConversationSummary, MessageView, ModelChoice, chat_models, conversation_messages, delete_conversation,
    list_conversations, rename_conversation,
};
use super::markdown_view::Markdown;
use crate::components::use_hydrated;
use crate::error::AppError;
use crate::i18n::{Key, Locale, use_locale};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

/// Longest message, in characters (the server enforces the same limit).
pub const MAX_MESSAGE_CHARS: usize = 16_000;

/// How a list or thread is loading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Load {
    Loading,
    Ready,
    Failed,
}

/// Where an assistant reply stands.
#[derive(Clone, Debug, PartialEq, Eq)]
enum ReplyState {
    Streaming,
    Completed,
    Stopped,
    /// The error kind (`idle_timeout`, `unreachable`, `network`…) and the
    /// provider's own message, if any.
    Failed(String, String),
}

impl ReplyState {
    fn name(&self) -> &'static str {
        match self {
            ReplyState::Streaming => "streaming",
            ReplyState::Completed => "completed",
            ReplyState::Stopped => "stopped",
            ReplyState::Failed(..) => "failed",
        }
    }

    fn from_saved(m: &MessageView) -> Self {
        match m.outcome.as_deref() {
            Some("stopped") => ReplyState::Stopped,
            Some("failed") => ReplyState::Failed(m.error.clone().unwrap_or_default(), String::new()),
            // Saved as still streaming (its server went away mid-reply), or
            // closed as interrupted since.
            Some("streaming" | "interrupted") => ReplyState::Failed("interrupted".into(), String::new()),
            _ => ReplyState::Completed,
        }
    }
}

/// One message in the thread; its text and state change as a reply streams.
#[derive(Clone)]
struct Message {
    key: u64,
    from_user: bool,
    text: ArcRwSignal<String>,
    state: ArcRwSignal<ReplyState>,
}

/// The page's state, shared by its parts.
#[derive(Clone, Copy)]
struct Chat {
    locale: Locale,
    conversations: RwSignal<Vec<ConversationSummary>>,
    list_load: RwSignal<Load>,
    /// Bumped per list request; an older answer is ignored.
    list_generation: StoredValue<u64>,
    search: RwSignal<String>,
    current: RwSignal<Option<String>>,
    messages: RwSignal<Vec<Message>>,
    thread_load: RwSignal<Load>,
    next_key: StoredValue<u64>,
    models: RwSignal<Vec<ModelChoice>>,
    model: RwSignal<String>,
    draft: RwSignal<String>,
    /// Why the last message was not accepted (shown by the composer).
    refusal: RwSignal<Option<String>>,
    sending: RwSignal<bool>,
    /// Counts sends, so a reply whose stream ends late (the title comes
    /// after `done`) leaves a newer send's state alone.
    sends: StoredValue<u64>,
    /// The reply being streamed, to stop it.
    abort: StoredValue<Option<browser::Abort>, LocalStorage>,
    /// Follow the reply as it grows (off once the user scrolls up).
    stick: RwSignal<bool>,
    thread: NodeRef<leptos::html::Div>,
    composer: NodeRef<leptos::html::Textarea>,
    /// The conversation list is open on a narrow screen.
    list_open: RwSignal<bool>,
    /// Older messages the last reply did not see (the model's context is full).
    trimmed: RwSignal<u32>,
}

impl Chat {
    fn new(locale: Locale, current: Option<String>) -> Self {
        Chat {
            locale,
            conversations: RwSignal::new(Vec::new()),
            list_load: RwSignal::new(Load::Loading),
            list_generation: StoredValue::new(0),
            search: RwSignal::new(String::new()),
            current: RwSignal::new(current),
            messages: RwSignal::new(Vec::new()),
            thread_load: RwSignal::new(Load::Loading),
            next_key: StoredValue::new(0),
            models: RwSignal::new(Vec::new()),
            model: RwSignal::new(String::new()),
            draft: RwSignal::new(String::new()),
            refusal: RwSignal::new(None),
            trimmed: RwSignal::new(0),
            sending: RwSignal::new(false),
            sends: StoredValue::new(0),
            abort: StoredValue::new_local(None),
            stick: RwSignal::new(true),
            thread: NodeRef::new(),
            composer: NodeRef::new(),
            list_open: RwSignal::new(false),
        }
    }

    fn message(self, from_user: bool, text: String, state: ReplyState) -> Message {
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        Message {
            key,
            from_user,
            text: ArcRwSignal::new(text),
            state: ArcRwSignal::new(state),
        }
    }

    /// (Re)loads the conversation list for the current search.
    fn load_list(self) {
        let generation = self.list_generation.get_value() + 1;
        self.list_generation.set_value(generation);
        let query = self.search.get_untracked();
        spawn_local(async move {
            let result = list_conversations(query).await;
            if self.list_generation.get_value() != generation {
                return;
            }
            match result {
                Ok(list) => {
                    self.conversations.set(list);
                    self.list_load.set(Load::Ready);
                }
                Err(_) => self.list_load.set(Load::Failed),
            }
        });
    }

    fn load_models(self) {
        spawn_local(async move {
            if let Ok(models) = chat_models().await {
                if self.model.get_untracked().is_empty()
                    && let Some(first) = models.first()
                {
                    self.model.set(first.id.clone());
                }
                self.models.set(models);
                self.pick_conversation_model();
            }
        });
    }

    /// The open conversation's model, when it is still offered.
    fn pick_conversation_model(self) {
        let Some(id) = self.current.get_untracked() else { return };
        let model = self
            .conversations
            .with_untracked(|list| list.iter().find(|c| c.id == id).map(|c| c.model.clone()));
        if let Some(model) = model
            && self.models.with_untracked(|m| m.iter().any(|m| m.id == model))
        {
            self.model.set(model);
        }
    }

    /// Opens conversation `id` (or a new one), stopping a reply in progress.
    fn open(self, id: Option<String>) {
        self.stop();
        self.list_open.set(false);
        self.refusal.set(None);
        self.trimmed.set(0);
        browser::show_in_address(id.as_deref());
        self.current.set(id.clone());
        self.stick.set(true);
        let Some(id) = id else {
            self.messages.set(Vec::new());
            self.thread_load.set(Load::Ready);
            browser::focus(self.composer);
            return;
        };
        self.pick_conversation_model();
        self.thread_load.set(Load::Loading);
        spawn_local(async move {
            let result = conversation_messages(id.clone()).await;
            if self.current.get_untracked().as_deref() != Some(id.as_str()) {
                return;
            }
            match result {
                Ok(saved) => {
                    let messages = saved
                        .iter()
                        .map(|m| self.message(m.role == "user", m.content.clone(), ReplyState::from_saved(m)))
                        .collect();
                    self.messages.set(messages);
                    self.thread_load.set(Load::Ready);
                    if let Some(model) = saved.iter().rev().find_map(|m| m.model.clone())
                        && self.models.with_untracked(|all| all.iter().any(|m| m.id == model))
                    {
                        self.model.set(model);
                    }
                    browser::scroll_to_end(self.thread);
                }
                Err(AppError::NotFound) => {
                    // Deleted elsewhere, or never this user's: start afresh.
                    self.open(None);
                    self.load_list();
                }
                Err(_) => self.thread_load.set(Load::Failed),
            }
        });
    }

    /// Stops the reply being streamed, if any.
    fn stop(self) {
        if let Some(abort) = self.abort.get_value() {
            browser::abort(&abort);
        }
    }

    /// Sends the draft, or (`regenerate`) asks for the last reply again.
    fn send(self, regenerate: bool) {
        if self.sending.get_untracked() {
            return;
        }
        let text = self.draft.get_untracked().trim().to_owned();
        if !regenerate && (text.is_empty() || text.chars().count() > MAX_MESSAGE_CHARS) {
            return;
        }
        self.refusal.set(None);
        let mut removed = None;
        self.messages.update(|all| {
            if regenerate && all.last().is_some_and(|m| !m.from_user) {
                removed = all.pop();
            }
        });
        let sent = (!regenerate).then(|| self.message(true, text.clone(), ReplyState::Completed));
        let reply = self.message(false, String::new(), ReplyState::Streaming);
        self.messages.update(|all| {
            all.extend(sent.clone());
            all.push(reply.clone());
        });
        if !regenerate {
            self.draft.set(String::new());
        }
        self.sending.set(true);
        self.sends.update_value(|n| *n += 1);
        let this_send = self.sends.get_value();
        self.stick.set(true);
        browser::scroll_to_end(self.thread);
        let model = self.model.get_untracked();
        let request = super::ReplyRequest {
            conversation_id: self.current.get_untracked(),
            text: text.clone(),
            model: (!model.is_empty()).then_some(model),
            regenerate,
        };
        spawn_local(async move {
            let outcome = browser::stream(self, request, &reply).await;
            if self.sends.get_value() == this_send {
                self.abort.set_value(None);
                self.sending.set(false);
            }
            match outcome {
                Ok(()) => {}
                Err(Refusal(error)) => {
                    // Nothing was saved: take the message back, keep its text.
                    self.messages.update(|all| {
                        all.retain(|m| m.key != reply.key && Some(m.key) != sent.as_ref().map(|s| s.key));
                        all.extend(removed);
                    });
                    if !regenerate && self.draft.get_untracked().is_empty() {
                        self.draft.set(text);
                    }
                    self.refusal.set(Some(error.message(self.locale)));
                }
            }
            self.load_list();
            browser::focus(self.composer);
        });
    }
}

/// The server refused the message; nothing was saved.
struct Refusal(AppError);

/// What an error kind tells the user.
fn failure_text(locale: Locale, kind: &str) -> &'static str {
    locale.t(match kind {
        "idle_timeout" => Key::ChatErrIdleTimeout,
        "unreachable" => Key::ChatErrUnreachable,
        "refused" => Key::ChatErrRefused,
        "provider" => Key::ChatErrProvider,
        "network" => Key::ChatErrNetwork,
        _ => Key::ChatErrInterrupted,
    })
}

/// The chat page.
#[component]
pub fn ChatPage() -> impl IntoView {
    let locale = use_locale();
    let initial = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("c"));
    let chat = Chat::new(locale, initial);
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| {
        chat.load_list();
        chat.load_models();
        chat.open(chat.current.get_untracked());
    });
    on_cleanup(move || chat.stop());
    let title = move || {
        let id = chat.current.get()?;
        chat.conversations
            .with(|list| list.iter().find(|c| c.id == id).map(|c| c.title.clone()))
    };

    view! {
        <Title text=move || title().unwrap_or_else(|| locale.t(Key::ChatTitle).to_owned()) />
        <div class="mx-auto flex h-[calc(100dvh-4.5rem)] min-h-[28rem] w-full max-w-6xl" data-testid="chat">
            <ConversationList chat />
            <section class="flex min-w-0 flex-1 flex-col">
                <div class="flex items-center gap-2 border-b border-indigo-200 px-3 py-2 dark:border-indigo-800">
                    <button
                        type="button"
                        class="btn-secondary px-3 py-1 text-sm md:hidden"
                        aria-expanded=move || chat.list_open.get().to_string()
                        on:click=move |_| chat.list_open.update(|o| *o = !*o)
                    >
                        {locale.t(Key::ChatConversations)}
                    </button>
                    <h1 class="min-w-0 flex-1 truncate font-semibold" data-testid="chat-title">
                        {move || title().unwrap_or_else(|| locale.t(Key::ChatNew).to_owned())}
                    </h1>
                    <ModelPicker chat />
                </div>
                <Thread chat />
                <Composer chat />
            </section>
        </div>
    }
}

#[component]
fn ModelPicker(chat: Chat) -> impl IntoView {
    let locale = chat.locale;
    let hydrated = use_hydrated();
    view! {
        <label class="flex items-center gap-2 text-sm">
            <span class="sr-only sm:not-sr-only">{locale.t(Key::ChatModel)}</span>
            <select
                class="input max-w-[11rem] py-1 text-sm"
                data-testid="model-picker"
                disabled=move || !hydrated.get() || chat.models.with(Vec::is_empty)
                prop:value=move || chat.model.get()
                on:change=move |ev| chat.model.set(event_target_value(&ev))
            >
                <For each=move || chat.models.get() key=|m| m.id.clone() let:m>
                    <option value=m.id.clone()>
                        {if m.id == super::DEMO_MODEL_ID { locale.t(Key::ChatDemoModel).to_owned() } else { m.name }}
                    </option>
                </For>
            </select>
        </label>
    }
}

#[component]
fn ConversationList(chat: Chat) -> impl IntoView {
    let locale = chat.locale;
    let hydrated = use_hydrated();
    // Search as the user types, once they pause.
    let typed = StoredValue::new(0u64);
    let on_search = move |ev| {
        chat.search.set(event_target_value(&ev));
        let n = typed.get_value() + 1;
        typed.set_value(n);
        set_timeout(
            move || {
                if typed.get_value() == n {
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
        <aside
            class=move || {
                if chat.list_open.get() {
                    "fixed inset-x-0 bottom-0 top-[4.5rem] z-30 flex flex-col gap-2 overflow-y-auto bg-indigo-50 p-3 dark:bg-indigo-950 md:static md:w-72 md:border-r md:border-indigo-200 md:dark:border-indigo-800"
                } else {
                    "hidden w-72 flex-col gap-2 overflow-y-auto border-r border-indigo-200 p-3 dark:border-indigo-800 md:flex"
                }
            }
            data-testid="conversation-list"
        >
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
                    view! { <p class="px-1 text-sm text-indigo-800 dark:text-indigo-200">{locale.t(key)}</p> }.into_any()
                }
                Load::Ready => ().into_any(),
            }}
            <ul class="flex flex-col gap-1">
                <For each=move || chat.conversations.get() key=|c| (c.id.clone(), c.title.clone()) let:c>
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
        spawn_local(async move {
            match rename_conversation(eid.clone(), value).await {
                Ok(()) => {
                    editing.set(None);
                    row_error.set(None);
                    chat.load_list();
                }
                Err(e) => row_error.set(Some((eid, e.message(locale)))),
            }
        });
    };
    let delete = move || {
        let eid = id.get_value();
        spawn_local(async move {
            match delete_conversation(eid.clone()).await {
                Ok(()) | Err(AppError::NotFound) => {
                    confirming.set(None);
                    if chat.current.get_untracked().as_deref() == Some(eid.as_str()) {
                        chat.open(None);
                    }
                    chat.load_list();
                }
                Err(e) => row_error.set(Some((eid, e.message(locale)))),
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

    view! {
        <li class="group flex flex-col gap-1" data-testid="conversation">
            <Show
                when=is_editing
                fallback=move || {
                    let title = title.clone();
                    view! {
                        <div class=move || {
                            if is_current() {
                                "flex items-center gap-1 rounded-lg bg-indigo-200 dark:bg-indigo-800"
                            } else {
                                "flex items-center gap-1 rounded-lg hover:bg-indigo-100 dark:hover:bg-indigo-900"
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
                                class="rounded px-1.5 py-1 text-sm text-indigo-800 hover:bg-amber-200 dark:text-indigo-200 dark:hover:bg-indigo-700"
                                title=locale.t(Key::ChatRename)
                                aria-label=locale.t(Key::ChatRename)
                                on:click=start_edit.clone()
                            >
                                "✎"
                            </button>
                            <button
                                type="button"
                                class="rounded px-1.5 py-1 text-sm text-indigo-800 hover:bg-red-200 dark:text-indigo-200 dark:hover:bg-red-900"
                                title=locale.t(Key::ChatDelete)
                                aria-label=locale.t(Key::ChatDelete)
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
        </li>
    }
}

#[component]
fn LoadFailed(retry: impl Fn() + Send + Sync + Copy + 'static, locale: Locale) -> impl IntoView {
    view! {
        <div class="alert-error flex flex-wrap items-center gap-2" role="alert">
            <span>{locale.t(Key::ChatLoadFailed)}</span>
            <button type="button" class="link" on:click=move |_| retry()>{locale.t(Key::ChatRetry)}</button>
        </div>
    }
}

#[component]
fn Thread(chat: Chat) -> impl IntoView {
    let locale = chat.locale;
    // Follow a growing reply while the user is at the bottom.
    Effect::new(move |_| {
        let grown = chat.messages.with(|all| all.last().map(|m| m.text.with(String::len)));
        if grown.is_some() && chat.stick.get_untracked() {
            browser::scroll_to_end(chat.thread);
        }
    });
    let last_key = move || chat.messages.with(|all| all.last().map(|m| m.key));

    view! {
        <div class="relative min-h-0 flex-1">
            <div
                node_ref=chat.thread
                class="h-full overflow-y-auto px-3 py-4"
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
                                    <p class="text-indigo-800 dark:text-indigo-200">{locale.t(Key::ChatEmptyBody)}</p>
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
                    class="btn-secondary absolute bottom-3 left-1/2 -translate-x-1/2 bg-white px-3 py-1 text-sm shadow dark:bg-indigo-900"
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
                <div class="max-w-[85%] whitespace-pre-wrap break-words rounded-2xl bg-indigo-700 px-4 py-2 text-white dark:bg-indigo-700">
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
            ReplyState::Failed(kind, detail) => Some((failure_text(locale, &kind), detail)),
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
                <p class="animate-pulse text-indigo-800 dark:text-indigo-200" aria-live="polite">
                    {locale.t(Key::ChatWriting)}
                </p>
            </Show>
            <Show when=stopped.clone()>
                <p class="text-sm italic text-indigo-800 dark:text-indigo-200">{locale.t(Key::ChatStopped)}</p>
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
                        class="rounded px-2 py-1 text-indigo-800 hover:bg-amber-200 dark:text-indigo-200 dark:hover:bg-indigo-800"
                        on:click=move |_| chat.send(true)
                    >
                        {locale.t(Key::ChatRegenerate)}
                    </button>
                </Show>
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
            class="rounded px-2 py-1 text-indigo-800 hover:bg-amber-200 dark:text-indigo-200 dark:hover:bg-indigo-800"
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

#[component]
fn Composer(chat: Chat) -> impl IntoView {
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
            class="border-t border-indigo-200 px-3 py-3 dark:border-indigo-800"
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
                        class="input max-h-60 min-h-[2.75rem] flex-1 resize-y"
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
                    <p class="text-xs text-indigo-800 dark:text-indigo-200" data-testid="history-trimmed">
                        {move || locale.t(Key::ChatHistoryTrimmed).replace("{count}", &chat.trimmed.get().to_string())}
                    </p>
                </Show>
                <div class="flex flex-wrap justify-between gap-2 text-xs">
                    <p id="chat-refusal" class="field-error" role="alert">
                        {move || {
                            if over() {
                                Some(locale.t(Key::ErrMessageTooLong).to_owned())
                            } else {
                                chat.refusal.get()
                            }
                        }}
                    </p>
                    <p
                        id="chat-count"
                        data-testid="char-count"
                        class=move || {
                            if over() {
                                "ml-auto font-semibold text-red-700 dark:text-red-300"
                            } else {
                                "ml-auto text-indigo-800 dark:text-indigo-200"
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

/// What only the browser can do; on the server these are never called
/// (effects and event handlers do not run there).
mod browser {
    use super::{Chat, Message, Refusal};
    use leptos::html::{Div, Textarea};
    use leptos::prelude::*;

    #[cfg(feature = "hydrate")]
    pub type Abort = web_sys::AbortController;
    #[cfg(not(feature = "hydrate"))]
    pub type Abort = ();

    #[cfg(feature = "hydrate")]
    pub fn abort(abort: &Abort) {
        abort.abort();
    }
    #[cfg(not(feature = "hydrate"))]
    pub fn abort(_: &Abort) {}

    /// Streams the reply into `reply`, following the conversation it starts.
    #[cfg(feature = "hydrate")]
    pub async fn stream(chat: Chat, request: super::super::ReplyRequest, reply: &Message) -> Result<(), Refusal> {
        use super::super::client::{ReplyEvent, StreamFailure, stream_reply};
        use super::ReplyState;
        let Ok(controller) = web_sys::AbortController::new() else {
            reply.state.set(ReplyState::Failed("network".into(), String::new()));
            return Ok(());
        };
        chat.abort.set_value(Some(controller.clone()));
        let result = stream_reply(&request, &controller.signal(), |event| match event {
            ReplyEvent::Start {
                conversation_id,
                trimmed,
                ..
            } => {
                chat.trimmed.set(trimmed);
                if chat.current.get_untracked().is_none() {
                    show_in_address(Some(&conversation_id));
                    chat.current.set(Some(conversation_id));
                }
                chat.load_list();
            }
            ReplyEvent::Delta(text) => reply.text.update(|t| t.push_str(&text)),
            ReplyEvent::Done => {
                reply.state.set(ReplyState::Completed);
                chat.sending.set(false);
            }
            ReplyEvent::Failed { kind, message } => {
                reply.state.set(ReplyState::Failed(kind, message));
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
                reply.state.set(ReplyState::Failed("network".into(), String::new()));
            }
            Ok(()) if still_streaming => reply.state.set(ReplyState::Failed("interrupted".into(), String::new())),
            _ => {}
        }
        Ok(())
    }
    #[cfg(not(feature = "hydrate"))]
    pub async fn stream(_: Chat, _: super::super::ReplyRequest, _: &Message) -> Result<(), Refusal> {
        Ok(())
    }

    /// Puts the open conversation in the address bar (without navigating).
    pub fn show_in_address(id: Option<&str>) {
        #[cfg(feature = "hydrate")]
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let url = match id {
                Some(id) => format!("{}?c={id}", crate::routes::CHAT_PATH),
                None => crate::routes::CHAT_PATH.to_owned(),
            };
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = id;
    }

    /// Whether the thread is scrolled (nearly) to its end.
    pub fn near_end(thread: NodeRef<Div>) -> bool {
        thread
            .get_untracked()
            .is_none_or(|el| el.scroll_height() - el.scroll_top() - el.client_height() < 48)
    }

    /// Scrolls the thread to its end once the page has been laid out.
    pub fn scroll_to_end(thread: NodeRef<Div>) {
        request_animation_frame(move || {
            if let Some(el) = thread.get_untracked() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    pub fn focus(composer: NodeRef<Textarea>) {
        if let Some(el) = composer.get_untracked() {
            let _ = el.focus();
        }
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
            copied.set(Some(ok));
            set_timeout(move || copied.set(None), std::time::Duration::from_millis(1500));
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (text, copied);
    }
}
