//! A reply: the user's message in, the model's reply out as a stream of
//! typed [`ReplyEvent`]s (the HTTP adapter frames them as Server-Sent
//! Events on `POST /api/chat/reply`).
//!
//! Events, in order: `start` (`conversation_id`, `message_id`, `model`,
//! `trimmed`: how many older messages were left out to fit the model's
//! context window),
//! any number of `delta` (`text`), then either `done` (`outcome`, token
//! counts) or `error` (`error`: `idle_timeout`, `unreachable`, `refused`,
//! `provider`, `interrupted`; `message`). After the first exchange of a
//! conversation, a `title` event (`title`) may follow: the model is asked
//! for a short title, which replaces the one cut from the first message
//! (unless the user renamed the conversation meanwhile).
//!
//! `regenerate: true` replaces the conversation's last reply with a new one
//! to the same message (Regenerate, and Retry after an error).
//!
//! The reply is driven by its own task, so what happens upstream does not
//! depend on the client staying: a client that goes away ends the upstream
//! request at once (outcome `stopped`), a provider that goes silent hits
//! `CHAT_IDLE_TIMEOUT` (outcome `failed`), and in every case the text that
//! arrived is saved with its outcome, token usage (the provider's, or
//! counted locally when it sent none) and timings.

use super::billing::{self, Billing};
use super::conversations::{member, new_conversation, owned};
use super::provider::{ChatError, ChatProvider, ChatRequest, Role, Turn};
use super::settings::ProviderKind;
use super::stream::{Delta, Reply};
use crate::actor::Actor;
use crate::credits::prices::Tokens;
use crate::error::{DomainError, Result};
use crate::services::Services;
use chrono::Utc;
use entity::{chat_conversations as conversations, chat_messages as messages};
use futures::StreamExt;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use wire::chat::{ErrorKind, MAX_MESSAGE_CHARS, MessageRole, Outcome, ReplyEvent, ReplyRequest, UsageSource};
use wire::fields::{Field, Problem};

/// The reply's events, as they come; it ends after the last. Dropping it
/// (the client went away) stops the reply: the model is cancelled and what
/// arrived is saved as `stopped`.
pub type ReplyEvents = mpsc::Receiver<ReplyEvent>;

/// Everything the reply task needs.
struct Job {
    services: Services,
    provider: Arc<dyn ChatProvider>,
    request: ChatRequest,
    conversation_id: Uuid,
    message_id: Uuid,
    /// When the request arrived: first-token and total times count from here.
    started: Instant,
    /// For a conversation's first exchange: the title cut from the first
    /// message, to be replaced by one the model suggests.
    title: Option<FirstExchange>,
    /// Its price, and the credits held for it.
    billing: Billing,
    /// The user's reply slot, freed when the reply (and its title) is done.
    _slot: super::settings::ReplySlot,
}

struct FirstExchange {
    fallback_title: String,
    message: String,
}

/// Starts a reply to `request` for the acting user: checks it, writes its
/// rows, and streams the model's answer from a task of its own.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn start(services: &Services, actor: &Actor, request: ReplyRequest) -> Result<ReplyEvents> {
    let started = Instant::now();
    let user = member(actor)?;
    let text = request.text.trim();
    if !request.regenerate {
        if text.is_empty() {
            return Err(DomainError::invalid(Field::Message, Problem::Required));
        }
        if text.chars().count() > MAX_MESSAGE_CHARS {
            return Err(DomainError::invalid(Field::Message, Problem::TooLong));
        }
    }
    let chat = &services.features.chat;
    // A few replies at a time per user, and so many a minute: each costs
    // the operator money upstream.
    let slot = chat.reply_slot(user).ok_or(DomainError::TooManyReplies {
        limit: chat.settings.max_concurrent_replies,
    })?;
    services
        .limit(&format!("chat-reply:{user}"), chat.settings.replies_per_user)
        .await?;
    let wanted = request.model.as_deref().filter(|id| chat.model(id).is_some());
    let db = &services.db;
    let (conversation, is_new) = match &request.conversation_id {
        Some(id) => (owned(db, user, id).await?, false),
        None if request.regenerate => return Err(DomainError::NotFound),
        None => {
            let model = match wanted {
                Some(id) => id,
                None => &chat.settings.default_model().ok_or(DomainError::ChatUnavailable)?.id,
            };
            (new_conversation(user, text, model), true)
        }
    };
    let model_id = match wanted.or(Some(conversation.model.as_str()).filter(|id| chat.model(id).is_some())) {
        Some(id) => id.to_owned(),
        None => chat
            .settings
            .default_model()
            .ok_or(DomainError::ChatUnavailable)?
            .id
            .clone(),
    };
    let (entry, provider) = chat
        .model(&model_id)
        .ok_or_else(|| DomainError::internal(format!("model {model_id} vanished")))?;

    let mut history = if is_new {
        Vec::new()
    } else {
        messages::Entity::find()
            .filter(messages::Column::ConversationId.eq(conversation.id))
            .order_by_asc(messages::Column::CreatedAt)
            .all(db)
            .await?
    };
    // Regenerating: the last reply goes (with the new one, below); the
    // message before it is answered again.
    let replaced = request
        .regenerate
        .then(|| history.pop_if(|m| m.role == MessageRole::Assistant).map(|m| m.id))
        .flatten();
    if request.regenerate && history.last().is_none_or(|m| m.role != MessageRole::User) {
        return Err(DomainError::invalid(Field::Message, Problem::Required));
    }
    let first_exchange = history.is_empty();
    let mut turns: Vec<Turn> = history
        .into_iter()
        .filter(|m| !m.content.is_empty())
        .map(|m| Turn {
            role: match m.role {
                MessageRole::Assistant => Role::Assistant,
                MessageRole::User => Role::User,
            },
            text: m.content,
        })
        .collect();
    if !request.regenerate {
        turns.push(Turn {
            role: Role::User,
            text: text.to_owned(),
        });
    }
    let trimmed = super::context::fit(
        &mut turns,
        chat.settings.system_prompt.as_deref(),
        entry.context_window,
        chat.settings.max_output_tokens,
    );

    let message_id = Uuid::new_v4();
    let mut ask = ChatRequest {
        model: entry.id.clone(),
        system: chat.settings.system_prompt.clone(),
        turns,
        max_output_tokens: chat.settings.max_output_tokens,
    };
    // Priced and held before anything is written or asked upstream.
    let billing = billing::prepare(services, user, entry, &ask, &format!("reply:{message_id}")).await?;
    ask.max_output_tokens = billing.max_output_tokens;

    let now = Utc::now();
    let reply_row = messages::ActiveModel {
        id: Set(message_id),
        conversation_id: Set(conversation.id),
        role: Set(MessageRole::Assistant),
        content: Set(String::new()),
        model: Set(Some(entry.id.clone())),
        outcome: Set(Some(Outcome::Streaming)),
        // After the user's message, whatever the clock's resolution.
        created_at: Set(now + chrono::Duration::milliseconds(1)),
        ..Default::default()
    };
    let rows = if request.regenerate {
        vec![reply_row]
    } else {
        let message_row = messages::ActiveModel {
            id: Set(Uuid::new_v4()),
            conversation_id: Set(conversation.id),
            role: Set(MessageRole::User),
            content: Set(text.to_owned()),
            created_at: Set(now),
            ..Default::default()
        };
        vec![message_row, reply_row]
    };
    // The demo model only describes the message: its title would say nothing.
    let title = (first_exchange && entry.provider != ProviderKind::Demo).then(|| FirstExchange {
        fallback_title: conversation.title.clone(),
        message: text.to_owned(),
    });
    let conversation_id = conversation.id;
    let conversation = if is_new {
        conversation.into_active_model().reset_all()
    } else {
        let mut row = conversation.into_active_model();
        row.model = Set(entry.id.clone());
        row.updated_at = Set(now);
        row
    };
    let writes = Writes {
        replaced,
        conversation,
        is_new,
        messages: rows,
    };

    let job = Job {
        services: services.clone(),
        provider,
        request: ask,
        conversation_id,
        message_id,
        started,
        title,
        billing,
        _slot: slot,
    };
    let (tx, rx) = mpsc::channel::<ReplyEvent>(64);
    let start = ReplyEvent::Start(wire::chat::Started {
        conversation_id: conversation_id.to_string(),
        message_id: message_id.to_string(),
        model: entry.id.clone(),
        trimmed: u32::try_from(trimmed).unwrap_or(u32::MAX),
    });
    // The channel is empty: this cannot wait.
    let _ = tx.try_send(start);
    // The task owns the reply from here: if this request is dropped while
    // the rows are written, the task still saves the reply (as stopped).
    let (ready, written) = oneshot::channel();
    tokio::spawn(run(job, writes, tx, ready));
    written
        .await
        .map_err(|_| DomainError::internal("the reply task ended before its rows were written"))??;
    Ok(rx)
}

/// What a reply writes before it streams, in one transaction (one commit).
struct Writes {
    /// The reply being regenerated: deleted as the new one is added.
    replaced: Option<Uuid>,
    /// Inserted when new, else its model and time updated.
    conversation: conversations::ActiveModel,
    is_new: bool,
    /// The user's message (unless regenerating) and the reply to come.
    messages: Vec<messages::ActiveModel>,
}

impl Writes {
    async fn write(self, db: &DatabaseConnection) -> Result<()> {
        let txn = crate::services::begin_write(db).await?;
        if let Some(id) = self.replaced {
            // The old reply goes only if the new one comes, and only once
            // (a second regenerate at the same time finds it gone).
            let deleted = messages::Entity::delete_by_id(id).exec(&txn).await?;
            if deleted.rows_affected == 0 {
                return Err(DomainError::NotFound);
            }
        }
        if self.is_new {
            conversations::Entity::insert(self.conversation)
                .exec_without_returning(&txn)
                .await?;
        } else {
            self.conversation.update(&txn).await?;
        }
        messages::Entity::insert_many(self.messages)
            .exec_without_returning(&txn)
            .await?;
        Ok(txn.commit().await?)
    }
}

/// Most deltas held while the rows are written (then upstream waits).
const HELD_DELTAS: usize = 64;

/// Opens the upstream request and writes the reply's rows at the same
/// time, so the model's first token does not wait on the database (a
/// commit is an fsync). What arrives meanwhile is held. `ready` learns how
/// the writes went: on failure the upstream request is dropped (cancelled)
/// and nothing is streamed; else the reply is driven to its end.
///
/// Regenerating waits for the database first: two at once race on the old
/// reply's delete, and the loser should not have asked the model. A client
/// that leaves while the rows are written ends the upstream request at
/// once; the rows are still written and the reply saved as stopped, with
/// what was held.
async fn run(job: Job, writes: Writes, tx: mpsc::Sender<ReplyEvent>, ready: oneshot::Sender<Result<()>>) {
    let regenerating = writes.replaced.is_some();
    let mut upstream = job.provider.stream(job.request.clone()).fuse();
    let mut held = Vec::new();
    let mut gone = false;
    let written = {
        let write = writes.write(&job.services.db);
        tokio::pin!(write);
        loop {
            tokio::select! {
                biased;
                written = &mut write => break written,
                () = tx.closed(), if !gone => {
                    gone = true;
                    // Dropping the stream cancels the request.
                    upstream = futures::stream::empty().boxed().fuse();
                }
                Some(item) = upstream.next(), if !regenerating && !gone && held.len() < HELD_DELTAS => {
                    held.push(item);
                }
            }
        }
    };
    if let Err(e) = written {
        // Nothing was saved: whatever was held goes back.
        if let Some(hold) = job.billing.hold
            && let Err(e) = crate::credits::ledger::settle(&job.services.db, hold.id, 0, "system").await
        {
            tracing::error!(hold = %hold.id, error = %e, "could not release a hold; the sweep will");
        }
        let _ = ready.send(Err(e));
        return;
    }
    let _ = ready.send(Ok(()));
    if gone {
        let mut reply = Reply::default();
        held.into_iter().flatten().for_each(|delta| reply.apply(delta));
        let ending = if regenerating {
            Ending::StoppedUnasked
        } else {
            Ending::Stopped
        };
        finish(job, reply, None, ending, &tx).await;
    } else {
        drive(job, futures::stream::iter(held).chain(upstream), tx).await;
    }
}

/// How a reply ended.
enum Ending {
    Completed,
    /// The client went away.
    Stopped,
    /// The client went away before the model was asked.
    StoppedUnasked,
    Failed(ChatError),
}

/// Streams the reply to `tx` until it ends or the client goes away, then saves it.
async fn drive(
    job: Job,
    mut upstream: impl futures::Stream<Item = Result<Delta, ChatError>> + Unpin,
    tx: mpsc::Sender<ReplyEvent>,
) {
    let mut reply = Reply::default();
    let mut first_token: Option<Duration> = None;
    let ending = loop {
        tokio::select! {
            biased;
            () = tx.closed() => break Ending::Stopped,
            item = upstream.next() => match item {
                Some(Ok(Delta::Text(text))) => {
                    first_token.get_or_insert_with(|| job.started.elapsed());
                    reply.text.push_str(&text);
                    if tx.send(ReplyEvent::Delta(wire::chat::Delta { text })).await.is_err() {
                        break Ending::Stopped;
                    }
                }
                Some(Ok(Delta::Done)) => break Ending::Completed,
                Some(Ok(delta)) => reply.apply(delta),
                Some(Err(e)) => break Ending::Failed(e),
                None => break Ending::Failed(ChatError::Interrupted),
            },
        }
    };
    // Dropping the stream closes the upstream connection: the provider stops.
    drop(upstream);
    finish(job, reply, first_token, ending, &tx).await;
}

/// Saves a reply as it ended and tells the client (then asks for a title
/// after a first exchange that completed).
async fn finish(job: Job, reply: Reply, first_token: Option<Duration>, ending: Ending, tx: &mpsc::Sender<ReplyEvent>) {
    let duration = job.started.elapsed();
    let (tokens, source) = usage(&job.request, &reply, &ending);
    let (input, output) = (tokens.input, tokens.output);
    let (outcome, error) = match &ending {
        Ending::Completed => (Outcome::Completed, None),
        Ending::Stopped | Ending::StoppedUnasked => (Outcome::Stopped, None),
        Ending::Failed(e) => (Outcome::Failed, Some(error_kind(e))),
    };
    let saved = save(
        &job,
        &reply.text,
        outcome,
        error,
        (tokens, source),
        first_token,
        duration,
    )
    .await;
    let credits = match saved {
        Ok(charged) => charged,
        Err(e) => {
            tracing::error!(message = %job.message_id, error = %e, "could not save a chat reply");
            // The reply was streamed all the same (its conversation may have
            // been deleted meanwhile): charge it on its own.
            charge_alone(&job, (source != UsageSource::None).then_some(tokens)).await
        }
    };
    match ending {
        Ending::Completed => {
            let _ = tx
                .send(ReplyEvent::Done(wire::chat::Done {
                    outcome,
                    input_tokens: input,
                    output_tokens: output,
                    credits,
                }))
                .await;
            if let Some(first) = &job.title {
                let title = tokio::select! {
                    () = tx.closed() => None,
                    title = retitle(&job, first, &reply.text) => title,
                };
                if let Some(title) = title {
                    let _ = tx.send(ReplyEvent::Title(wire::chat::Titled { title })).await;
                }
            }
        }
        Ending::Failed(e) => {
            tracing::warn!(message = %job.message_id, error = %e, "a chat reply failed");
            let _ = tx
                .send(ReplyEvent::Error(wire::chat::Failure {
                    error: error_kind(&e),
                    message: client_message(&e),
                }))
                .await;
        }
        Ending::Stopped | Ending::StoppedUnasked => {}
    }
}

/// Settles a reply's charge in a transaction of its own; `None` when that
/// fails too (the sweep resolves the hold later).
async fn charge_alone(job: &Job, tokens: Option<Tokens>) -> Option<i64> {
    let settle = async {
        let txn = crate::services::begin_write(&job.services.db).await?;
        let reference = format!("reply:{}", job.message_id);
        let charged = billing::settle(&txn, &job.billing, reference, "reply", tokens, Utc::now()).await?;
        txn.commit().await?;
        Ok::<_, sea_orm::DbErr>(charged)
    };
    match settle.await {
        Ok(charged) => job.billing.hold.map(|_| charged),
        Err(e) => {
            tracing::error!(message = %job.message_id, error = %e, "could not charge a reply; the sweep will");
            None
        }
    }
}

/// What the model is told when asked for a title.
const TITLE_PROMPT: &str = "You write titles for conversations. Reply with a short title (at most six words) \
                            for the conversation below, in its language. Reply with the title only: no quotes, \
                            no punctuation at the end.";

/// How long a title may take before the cut one stays.
const TITLE_TIMEOUT: Duration = Duration::from_secs(15);

/// Asks the model for a title for the first exchange and saves it, unless
/// the user renamed the conversation meanwhile. The saved title, if any.
async fn retitle(job: &Job, first: &FirstExchange, reply: &str) -> Option<String> {
    let excerpt: String = reply.chars().take(1000).collect();
    let request = ChatRequest {
        model: job.request.model.clone(),
        system: Some(TITLE_PROMPT.to_owned()),
        turns: vec![Turn {
            role: Role::User,
            text: format!("User: {}\n\nAssistant: {excerpt}", first.message),
        }],
        max_output_tokens: 32,
    };
    // Charged only when CREDITS_CHARGE_TITLES says so (then held first,
    // like a reply); else recorded as the operator's cost.
    let reference = format!("title:{}", job.message_id);
    let billing = if job.services.settings.credits.charge_titles {
        let (entry, _) = job.services.features.chat.model(&job.request.model)?;
        billing::prepare(&job.services, job.billing.account, entry, &request, &reference)
            .await
            .ok()?
    } else {
        Billing {
            hold: None,
            max_output_tokens: request.max_output_tokens,
            ..job.billing.clone()
        }
    };
    let mut upstream = job.provider.stream(ChatRequest {
        max_output_tokens: billing.max_output_tokens,
        ..request.clone()
    });
    let mut text = String::new();
    let mut answer = Reply::default();
    let collect = async {
        while let Some(Ok(delta)) = upstream.next().await {
            match delta {
                Delta::Text(t) if text.len() < 400 => text.push_str(&t),
                Delta::Done => return true,
                other => answer.apply(other),
            }
        }
        false
    };
    let complete = tokio::time::timeout(TITLE_TIMEOUT, collect).await.unwrap_or(false);
    drop(upstream);
    answer.text.clone_from(&text);
    let (tokens, _) = usage(&request, &answer, &Ending::Completed);
    let charged = async {
        let txn = crate::services::begin_write(&job.services.db).await?;
        billing::settle(&txn, &billing, reference, "title", Some(tokens), Utc::now()).await?;
        txn.commit().await
    };
    if let Err(e) = charged.await {
        tracing::warn!(conversation = %job.conversation_id, error = %e, "could not record a title's cost");
    }
    if !complete {
        tracing::debug!(conversation = %job.conversation_id, "no title from the model; the cut one stays");
        return None;
    }
    let title = tidy_title(&text)?;
    let updated = conversations::Entity::update_many()
        .col_expr(conversations::Column::Title, title.clone().into())
        .filter(conversations::Column::Id.eq(job.conversation_id))
        .filter(conversations::Column::Title.eq(first.fallback_title.as_str()))
        .exec(&job.services.db)
        .await;
    match updated {
        Ok(r) if r.rows_affected == 1 => Some(title),
        Ok(_) => None,
        Err(e) => {
            tracing::warn!(conversation = %job.conversation_id, error = %e, "could not save a title");
            None
        }
    }
}

/// A model's suggested title made fit: its first line, without a `Title:`
/// label, Markdown emphasis, quotes or a final full stop, cut to length.
fn tidy_title(raw: &str) -> Option<String> {
    let line = raw.lines().map(str::trim).find(|l| !l.is_empty())?;
    let line = line
        .strip_prefix("Title:")
        .or_else(|| line.strip_prefix("title:"))
        .unwrap_or(line);
    let line = line
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '*' | '#' | '`' | '«' | '»' | '“' | '”'))
        .trim_end_matches('.');
    let title = super::conversations::title_from(line);
    (!title.is_empty()).then_some(title)
}

/// `(input, output, source)`: the provider's counts where it sent them,
/// estimates (about four characters a token) for the rest (`counted`), or
/// nothing (`none`) when the provider refused the request, could not be
/// reached or was never asked, so processed nothing.
fn usage(request: &ChatRequest, reply: &Reply, ending: &Ending) -> (Tokens, UsageSource) {
    // Nothing was processed: never asked, refused, or unreachable before
    // anything arrived (a connection lost mid-reply still used tokens).
    let nothing_arrived = reply.text.is_empty() && reply.usage == super::stream::Usage::default();
    if matches!(
        ending,
        Ending::StoppedUnasked | Ending::Failed(ChatError::Refused { .. })
    ) || (matches!(ending, Ending::Failed(ChatError::Unreachable(_))) && nothing_arrived)
    {
        return (Tokens::default(), UsageSource::None);
    }
    let tokens = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let estimate = |chars: usize| i64::try_from(chars.div_ceil(4)).unwrap_or(i64::MAX);
    let input = reply.usage.input_tokens.map(tokens);
    let output = reply.usage.output_tokens.map(tokens);
    let source = if input.is_some() && output.is_some() {
        UsageSource::Provider
    } else {
        UsageSource::Counted
    };
    let input = input.unwrap_or_else(|| {
        estimate(
            request.system.as_deref().map_or(0, |s| s.chars().count())
                + request.turns.iter().map(|t| t.text.chars().count()).sum::<usize>(),
        )
    });
    let output = output.unwrap_or_else(|| estimate(reply.text.chars().count()));
    let cached = reply.usage.cached_tokens.map_or(0, tokens);
    let cache_write = reply.usage.cache_write_tokens.map_or(0, tokens);
    (
        Tokens {
            input,
            output,
            cached,
            cache_write,
        },
        source,
    )
}

/// What the user is told: the provider's in-stream message ("overloaded"…),
/// but never a refused request's body, which can echo part of the key or be
/// a proxy's page (the server's log has it).
fn client_message(e: &ChatError) -> String {
    match e {
        ChatError::Refused { status, .. } => format!("the model provider refused the request ({status})"),
        other => other.to_string(),
    }
}

fn error_kind(e: &ChatError) -> ErrorKind {
    match e {
        ChatError::Unreachable(_) => ErrorKind::Unreachable,
        ChatError::Refused { .. } => ErrorKind::Refused,
        ChatError::Provider(_) => ErrorKind::Provider,
        ChatError::IdleTimeout(_) => ErrorKind::IdleTimeout,
        ChatError::Interrupted => ErrorKind::Interrupted,
    }
}

async fn save(
    job: &Job,
    text: &str,
    outcome: Outcome,
    error: Option<ErrorKind>,
    (tokens, source): (Tokens, UsageSource),
    first_token: Option<Duration>,
    duration: Duration,
) -> Result<Option<i64>, sea_orm::DbErr> {
    let ms = |d: Duration| i32::try_from(d.as_millis()).unwrap_or(i32::MAX);
    // One commit for the reply, its conversation and its charge: a reply is
    // saved with its charge or not at all (then the sweep settles its hold).
    let txn = crate::services::begin_write(&job.services.db).await?;
    let now = Utc::now();
    let charged = billing::settle(
        &txn,
        &job.billing,
        format!("reply:{}", job.message_id),
        "reply",
        (source != UsageSource::None).then_some(tokens),
        now,
    )
    .await?;
    let charged = job.billing.hold.map(|_| charged);
    messages::ActiveModel {
        id: Set(job.message_id),
        content: Set(text.to_owned()),
        outcome: Set(Some(outcome)),
        error: Set(error),
        input_tokens: Set(Some(tokens.input)),
        output_tokens: Set(Some(tokens.output)),
        cached_tokens: Set(Some(tokens.cached)),
        cache_write_tokens: Set(Some(tokens.cache_write)),
        credits: Set(charged),
        usage_source: Set(Some(source)),
        first_token_ms: Set(first_token.map(ms)),
        duration_ms: Set(Some(ms(duration))),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    conversations::ActiveModel {
        id: Set(job.conversation_id),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    txn.commit().await?;
    Ok(charged)
}

#[cfg(test)]
mod tests {
    use super::tidy_title;

    #[test]
    fn suggested_titles_are_tidied() {
        assert_eq!(
            tidy_title("  \n\"Rust masts explained.\"\nmore").as_deref(),
            Some("Rust masts explained")
        );
        assert_eq!(
            tidy_title("Title: **Sailing basics**").as_deref(),
            Some("Sailing basics")
        );
        assert_eq!(tidy_title(" \n \"\" "), None);
        let long = tidy_title(&"word ".repeat(40)).unwrap();
        assert!(long.chars().count() <= 61 && long.ends_with('…'), "{long}");
    }
}
