//! Conversations and their messages, always scoped by owner: every query
//! names the acting user, so another user's conversation id is simply not
//! found, never readable, renamable or deletable.

use crate::actor::Actor;
use crate::error::{DomainError, Result};
use crate::services::Services;
use chrono::Utc;
use entity::{chat_conversations as conversations, chat_messages as messages};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, ModelTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;
use wire::chat::{ConversationSummary, MAX_TITLE_CHARS, MessageView, ModelChoice};
use wire::fields::{Field, Problem};

/// Conversations listed at most.
const LIST_LIMIT: u64 = 200;

/// The id of a user who may chat (verified, with access).
pub fn member(actor: &Actor) -> Result<Uuid> {
    Ok(actor.member()?.user.id)
}

/// The conversation `id` if `user` owns it, else `NotFound`.
pub async fn owned(db: &impl ConnectionTrait, user: Uuid, id: &str) -> Result<conversations::Model> {
    let id = Uuid::parse_str(id).map_err(|_| DomainError::NotFound)?;
    conversations::Entity::find_by_id(id)
        .filter(conversations::Column::UserId.eq(user))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
}

/// A title: trimmed, one line, at most [`MAX_TITLE_CHARS`].
pub fn clean_title(title: &str) -> Result<String> {
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() {
        return Err(DomainError::invalid(Field::Title, Problem::Required));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(DomainError::invalid(Field::Title, Problem::TooLong));
    }
    Ok(title)
}

/// The user's conversations, newest first. A `query` finds those whose
/// title contains it or whose messages contain its words (full text, see
/// [`super::search`]); a message match carries a snippet of the message.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn list(services: &Services, actor: &Actor, query: &str) -> Result<Vec<ConversationSummary>> {
    let user = member(actor)?;
    let select = conversations::Entity::find()
        .filter(conversations::Column::UserId.eq(user))
        .order_by_desc(conversations::Column::UpdatedAt);
    let query = query.trim().to_lowercase();
    let limit = usize::try_from(LIST_LIMIT).unwrap_or(usize::MAX);
    if query.is_empty() {
        let rows = select.limit(LIST_LIMIT).all(&services.db).await?;
        return Ok(rows.into_iter().map(|c| summary(c, None)).collect());
    }
    // Titles are matched here rather than in SQL: SQLite's `lower()` (and
    // PostgreSQL's under the C locale) folds ASCII only, and titles are in
    // every language. One user's titles are a small read.
    let rows = select.all(&services.db).await?;
    let ids: Vec<Uuid> = rows.iter().map(|c| c.id).collect();
    let mut snippets = super::search::matching_messages(&services.db, &ids, &wire::chat::search_terms(&query)).await?;
    Ok(rows
        .into_iter()
        .filter_map(|c| {
            let snippet = snippets.remove(&c.id);
            (snippet.is_some() || c.title.to_lowercase().contains(&query)).then(|| summary(c, snippet))
        })
        .take(limit)
        .collect())
}

fn summary(c: conversations::Model, snippet: Option<String>) -> ConversationSummary {
    ConversationSummary {
        id: c.id.to_string(),
        title: c.title,
        model: c.model,
        updated_at: c.updated_at.timestamp(),
        snippet,
    }
}

/// A conversation's messages, oldest first.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn messages(services: &Services, actor: &Actor, id: &str) -> Result<Vec<MessageView>> {
    let user = member(actor)?;
    let conversation = owned(&services.db, user, id).await?;
    let rows = conversation
        .find_related(messages::Entity)
        .order_by_asc(messages::Column::CreatedAt)
        .all(&services.db)
        .await?;
    Ok(rows.into_iter().map(view).collect())
}

fn view(m: messages::Model) -> MessageView {
    MessageView {
        id: m.id.to_string(),
        role: m.role,
        content: m.content,
        model: m.model,
        outcome: m.outcome,
        error: m.error,
        created_at: m.created_at.timestamp(),
        input_tokens: m.input_tokens,
        output_tokens: m.output_tokens,
        credits: m.credits,
    }
}

/// Renames a conversation.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn rename(services: &Services, actor: &Actor, id: &str, title: &str) -> Result<()> {
    let user = member(actor)?;
    let title = clean_title(title)?;
    let mut row = owned(&services.db, user, id).await?.into_active_model();
    row.title = Set(title);
    row.update(&services.db).await?;
    Ok(())
}

/// Deletes a conversation and its messages.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn delete(services: &Services, actor: &Actor, id: &str) -> Result<()> {
    let user = member(actor)?;
    let conversation = owned(&services.db, user, id).await?;
    // Messages go with it (ON DELETE CASCADE).
    conversation.delete(&services.db).await?;
    Ok(())
}

/// The enabled models, the default first.
pub async fn models(services: &Services, actor: &Actor) -> Result<Vec<ModelChoice>> {
    member(actor)?;
    let chat = &services.features.chat.settings;
    let credits = &services.settings.credits;
    let overhead = chat
        .system_prompt
        .as_deref()
        .map_or(0, |p| p.len() + wire::credits::TOKENS_PER_TURN);
    let mut choices = Vec::new();
    for m in chat.enabled() {
        let card = super::billing::card(&services.db, &m.id).await?;
        choices.push(ModelChoice {
            id: m.id.clone(),
            name: m.name.clone(),
            context_window: m.context_window,
            pricing: card
                .filter(|c| credits.enforce && !c.free)
                .map(|c| wire::credits::Pricing {
                    // As the hold prices the prompt: at its dearest input price.
                    input: c.input.max(c.cached_input).max(c.cache_write),
                    output: c.output,
                    request_fee: c.request_fee,
                    max_output_tokens: chat.max_output_tokens,
                    overhead_tokens: u32::try_from(overhead).unwrap_or(u32::MAX),
                }),
        });
    }
    Ok(choices)
}

/// A new conversation for `user` titled from its first message (not yet
/// stored: the reply writes it with the message, in one transaction).
pub fn new_conversation(user: Uuid, first_message: &str, model: &str) -> conversations::Model {
    let now = Utc::now();
    conversations::Model {
        id: Uuid::new_v4(),
        user_id: user,
        title: title_from(first_message),
        model: model.to_owned(),
        created_at: now,
        updated_at: now,
    }
}

/// The first line of `text`, cut at a word to fit a title.
pub fn title_from(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    const SHOWN: usize = 60;
    if line.chars().count() <= SHOWN {
        return line;
    }
    let cut: String = line.chars().take(SHOWN).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head).to_owned();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_the_first_line_cut_at_a_word() {
        assert_eq!(title_from("  How do   masts\nwork? "), "How do masts work?");
        let long = "word ".repeat(30);
        let t = title_from(&long);
        assert!(t.ends_with('…') && t.chars().count() <= 61, "{t}");
        assert!(!t.contains("wor…"), "cut at a word: {t}");
    }

    #[test]
    fn titles_are_checked() {
        assert_eq!(clean_title("  a  b ").unwrap(), "a b");
        assert!(clean_title("   ").is_err());
        assert!(clean_title(&"x".repeat(MAX_TITLE_CHARS + 1)).is_err());
    }
}
