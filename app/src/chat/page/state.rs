//! The page's state (the open conversation, its messages, the draft) and what changes it.

pub(super) mod browser;

use super::MAX_MESSAGE_CHARS;
use crate::chat::conversations::{
    ConversationSummary, MessageView, ModelChoice, chat_models, conversation_messages, list_conversations,
};
use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;
use wire::chat::{ErrorKind, MessageRole, Outcome};

/// How a list or thread is loading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Load {
    Loading,
    Ready,
    Failed,
}

/// Where an assistant reply stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum ReplyState {
    Streaming,
    Completed,
    Stopped,
    /// Why, and the provider's own message, if any.
    Failed(ErrorKind, String),
}

impl ReplyState {
    pub(super) fn name(&self) -> &'static str {
        match self {
            ReplyState::Streaming => "streaming",
            ReplyState::Completed => "completed",
            ReplyState::Stopped => "stopped",
            ReplyState::Failed(..) => "failed",
        }
    }

    pub(super) fn from_saved(m: &MessageView) -> Self {
        match m.outcome {
            Some(Outcome::Stopped) => ReplyState::Stopped,
            Some(Outcome::Failed) => ReplyState::Failed(m.error.unwrap_or(ErrorKind::Interrupted), String::new()),
            // Saved as still streaming (its server went away mid-reply), or
            // closed as interrupted since.
            Some(Outcome::Streaming | Outcome::Interrupted) => {
                ReplyState::Failed(ErrorKind::Interrupted, String::new())
            }
            Some(Outcome::Completed) | None => ReplyState::Completed,
        }
    }
}

/// One message in the thread; its text and state change as a reply streams.
#[derive(Clone)]
pub(super) struct Message {
    pub(super) key: u64,
    pub(super) from_user: bool,
    pub(super) text: ArcRwSignal<String>,
    pub(super) state: ArcRwSignal<ReplyState>,
    /// A reply's tokens (read and written) and what it was charged.
    pub(super) usage: ArcRwSignal<Option<(i64, Option<i64>)>>,
}

/// The page's state, shared by its parts.
#[derive(Clone, Copy)]
pub(super) struct Chat {
    pub(super) locale: Locale,
    pub(super) conversations: RwSignal<Vec<ConversationSummary>>,
    pub(super) list_load: RwSignal<Load>,
    /// Bumped per list request; an older answer is ignored.
    list_generation: StoredValue<u64>,
    pub(super) search: RwSignal<String>,
    pub(super) current: RwSignal<Option<String>>,
    pub(super) messages: RwSignal<Vec<Message>>,
    pub(super) thread_load: RwSignal<Load>,
    next_key: StoredValue<u64>,
    pub(super) models: RwSignal<Vec<ModelChoice>>,
    pub(super) model: RwSignal<String>,
    pub(super) draft: RwSignal<String>,
    /// Why the last message was not accepted (shown by the composer).
    pub(super) refusal: RwSignal<Option<String>>,
    /// The refusal was for want of credits, or the user's monthly cap (the
    /// composer says where to get more, or where to change the cap).
    pub(super) out_of_credits: RwSignal<Option<Short>>,
    pub(super) sending: RwSignal<bool>,
    /// Counts sends, so a reply whose stream ends late (the title comes
    /// after `done`) leaves a newer send's state alone.
    sends: StoredValue<u64>,
    /// The reply being streamed, to stop it.
    pub(super) abort: StoredValue<Option<browser::Abort>, browser::AbortStorage>,
    /// Follow the reply as it grows (off once the user scrolls up).
    pub(super) stick: RwSignal<bool>,
    pub(super) thread: NodeRef<leptos::html::Div>,
    pub(super) composer: NodeRef<leptos::html::Textarea>,
    /// The conversation list is open on a narrow screen.
    pub(super) list_open: RwSignal<bool>,
    /// Older messages the last reply did not see (the model's context is full).
    pub(super) trimmed: RwSignal<u32>,
    /// The page's reactive owner: its tasks end with it ([`Chat::spawn`]).
    /// Weak (the page's own state must not keep the page alive) and
    /// thread-safe: a server render may be dropped on another thread.
    owner: StoredValue<Option<WeakOwner>>,
}

impl Chat {
    pub(super) fn new(locale: Locale, current: Option<String>) -> Self {
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
            out_of_credits: RwSignal::new(None),
            trimmed: RwSignal::new(0),
            sending: RwSignal::new(false),
            sends: StoredValue::new(0),
            abort: StoredValue::new_with_storage(None),
            stick: RwSignal::new(true),
            thread: NodeRef::new(),
            composer: NodeRef::new(),
            list_open: RwSignal::new(false),
            owner: StoredValue::new(Owner::current().map(|o| o.downgrade())),
        }
    }

    /// Whether the page is still open (its state not yet disposed).
    pub(super) fn is_open(self) -> bool {
        self.owner.try_with_value(|_| ()).is_some()
    }

    /// Runs `task` (a reply's stream, a load) for as long as the page is
    /// open: leaving the page (a client-side visit elsewhere) cancels it,
    /// so nothing touches the page's state after it is gone.
    pub(super) fn spawn(self, task: impl std::future::Future<Output = ()> + 'static) {
        if let Some(owner) = self.owner.try_get_value().flatten().and_then(|o| o.upgrade()) {
            owner.with(|| leptos::task::spawn_local_scoped_with_cancellation(task));
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
            usage: ArcRwSignal::new(None),
        }
    }

    /// (Re)loads the conversation list for the current search.
    pub(super) fn load_list(self) {
        let generation = self.list_generation.get_value() + 1;
        self.list_generation.set_value(generation);
        let query = self.search.get_untracked();
        self.spawn(async move {
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

    pub(super) fn load_models(self) {
        self.spawn(async move {
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
    pub(super) fn open(self, id: Option<String>) {
        self.stop();
        self.list_open.set(false);
        self.refusal.set(None);
        self.out_of_credits.set(None);
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
        self.spawn(async move {
            let result = conversation_messages(id.clone()).await;
            if self.current.get_untracked().as_deref() != Some(id.as_str()) {
                return;
            }
            match result {
                Ok(saved) => {
                    let messages = saved
                        .iter()
                        .map(|m| {
                            let message = self.message(
                                m.role == MessageRole::User,
                                m.content.clone(),
                                ReplyState::from_saved(m),
                            );
                            if let (Some(input), Some(output)) = (m.input_tokens, m.output_tokens) {
                                message.usage.set(Some((input + output, m.credits)));
                            }
                            message
                        })
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
    /// (Also called as the page goes, when its state may be gone already.)
    pub(super) fn stop(self) {
        if let Some(Some(abort)) = self.abort.try_get_value() {
            browser::abort(&abort);
        }
    }

    /// Sends the draft, or (`regenerate`) asks for the last reply again.
    pub(super) fn send(self, regenerate: bool) {
        if self.sending.get_untracked() {
            return;
        }
        let text = self.draft.get_untracked().trim().to_owned();
        if !regenerate && (text.is_empty() || text.chars().count() > MAX_MESSAGE_CHARS) {
            return;
        }
        self.refusal.set(None);
        self.out_of_credits.set(None);
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
        let request = crate::chat::ReplyRequest {
            conversation_id: self.current.get_untracked(),
            text: text.clone(),
            model: (!model.is_empty()).then_some(model),
            regenerate,
        };
        self.spawn(async move {
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
                    self.out_of_credits.set(match error {
                        AppError::OutOfCredits { .. } => Some(Short::Credits),
                        AppError::SpendingCap { .. } => Some(Short::Cap),
                        _ => None,
                    });
                    self.refusal.set(Some(error.message(self.locale)));
                }
            }
            self.load_list();
            // What the reply cost (or that nothing was held after all).
            crate::credits::refresh();
            browser::focus(self.composer);
        });
    }
}

/// What a refused message was short of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Short {
    /// Credits: the composer links to where they are obtained.
    Credits,
    /// Room under the user's monthly cap: it links to the wallet.
    Cap,
}

/// The server refused the message; nothing was saved.
pub(super) struct Refusal(pub(super) AppError);
