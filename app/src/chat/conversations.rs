//! Conversations and their messages, always scoped by owner: every query
//! names the signed-in user, so another user's conversation id is simply
//! not found (404), never readable, renamable or deletable.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Longest conversation title kept.
pub const MAX_TITLE_CHARS: usize = 100;

/// A conversation in the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationSummary {
    pub id: String,
    pub title: String,
    /// The catalogue id of its model.
    pub model: String,
    /// Unix seconds of the last message.
    pub updated_at: i64,
}

/// One message as the thread shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: String,
    /// `user` or `assistant`.
    pub role: String,
    pub content: String,
    pub model: Option<String>,
    /// Assistant: `streaming`, `completed`, `stopped` or `failed`.
    pub outcome: Option<String>,
    pub error: Option<String>,
    pub created_at: i64,
}

/// A model the picker offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelChoice {
    pub id: String,
    pub name: String,
    pub context_window: u32,
}

/// The signed-in user's conversations, newest first; `query` filters by title.
#[server(endpoint = "chat/conversations")]
pub async fn list_conversations(query: String) -> Result<Vec<ConversationSummary>, AppError> {
    crate::error::finish(ssr::list(&query).await)
}

/// A conversation's messages, oldest first.
#[server(endpoint = "chat/messages")]
pub async fn conversation_messages(id: String) -> Result<Vec<MessageView>, AppError> {
    crate::error::finish(ssr::messages(&id).await)
}

/// Renames a conversation.
#[server(endpoint = "chat/rename")]
pub async fn rename_conversation(id: String, title: String) -> Result<(), AppError> {
    crate::error::finish(ssr::rename(&id, &title).await)
}

/// Deletes a conversation and its messages.
#[server(endpoint = "chat/delete")]
pub async fn delete_conversation(id: String) -> Result<(), AppError> {
    crate::error::finish(ssr::delete(&id).await)
}

/// The enabled models, the default first.
#[server(endpoint = "chat/models")]
pub async fn chat_models() -> Result<Vec<ModelChoice>, AppError> {
    crate::error::finish(ssr::models())
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::auth::ssr::require_access;
    use crate::error::{Field, Problem};
    use crate::services::use_services;
    use chrono::Utc;
    use entity::{chat_conversations as conversations, chat_messages as messages};
    use sea_orm::{
        ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, ModelTrait, QueryFilter,
        QueryOrder, QuerySelect, Set,
    };
    use uuid::Uuid;

    /// Conversations listed at most.
    const LIST_LIMIT: u64 = 200;

    /// The conversation `id` if `user` owns it, else `NotFound`.
    pub async fn owned(db: &impl ConnectionTrait, user: Uuid, id: &str) -> Result<conversations::Model, AppError> {
        let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
        conversations::Entity::find_by_id(id)
            .filter(conversations::Column::UserId.eq(user))
            .one(db)
            .await
            .map_err(crate::error::internal)?
            .ok_or(AppError::NotFound)
    }

    /// A title: trimmed, one line, at most [`MAX_TITLE_CHARS`].
    pub fn clean_title(title: &str) -> Result<String, AppError> {
        let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
        if title.is_empty() {
            return Err(AppError::invalid(Field::Title, Problem::Required));
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(AppError::invalid(Field::Title, Problem::TooLong));
        }
        Ok(title)
    }

    pub async fn list(query: &str) -> Result<Vec<ConversationSummary>, AppError> {
        let services = use_services()?;
        let user = require_access()?.user.id;
        let select = conversations::Entity::find()
            .filter(conversations::Column::UserId.eq(user))
            .order_by_desc(conversations::Column::UpdatedAt);
        let query = query.trim().to_lowercase();
        let rows = if query.is_empty() {
            select.limit(LIST_LIMIT).all(&services.db).await
        } else {
            // Matched here rather than in SQL: SQLite's `lower()` (and
            // PostgreSQL's under the C locale) folds ASCII only, and titles
            // are in every language. One user's titles are a small read.
            select.all(&services.db).await.map(|all| {
                all.into_iter()
                    .filter(|c| c.title.to_lowercase().contains(&query))
                    .take(usize::try_from(LIST_LIMIT).unwrap_or(usize::MAX))
                    .collect()
            })
        }
        .map_err(crate::error::internal)?;
        Ok(rows
            .into_iter()
            .map(|c| ConversationSummary {
                id: c.id.to_string(),
                title: c.title,
                model: c.model,
                updated_at: c.updated_at.timestamp(),
            })
            .collect())
    }

    pub async fn messages(id: &str) -> Result<Vec<MessageView>, AppError> {
        let services = use_services()?;
        let user = require_access()?.user.id;
        let conversation = owned(&services.db, user, id).await?;
        let rows = conversation
            .find_related(messages::Entity)
            .order_by_asc(messages::Column::CreatedAt)
            .all(&services.db)
            .await
            .map_err(crate::error::internal)?;
        Ok(rows.into_iter().map(view).collect())
    }

    pub fn view(m: messages::Model) -> MessageView {
        MessageView {
            id: m.id.to_string(),
            role: m.role,
            content: m.content,
            model: m.model,
            outcome: m.outcome,
            error: m.error,
            created_at: m.created_at.timestamp(),
        }
    }

    pub async fn rename(id: &str, title: &str) -> Result<(), AppError> {
        let services = use_services()?;
        let user = require_access()?.user.id;
        let title = clean_title(title)?;
        let mut row = owned(&services.db, user, id).await?.into_active_model();
        row.title = Set(title);
        row.update(&services.db).await.map_err(crate::error::internal)?;
        Ok(())
    }

    pub async fn delete(id: &str) -> Result<(), AppError> {
        let services = use_services()?;
        let user = require_access()?.user.id;
        let conversation = owned(&services.db, user, id).await?;
        // Messages go with it (ON DELETE CASCADE).
        conversation
            .delete(&services.db)
            .await
            .map_err(crate::error::internal)?;
        Ok(())
    }

    pub fn models() -> Result<Vec<ModelChoice>, AppError> {
        let services = use_services()?;
        require_access()?;
        Ok(services
            .chat
            .settings
            .models
            .iter()
            .filter(|m| m.enabled)
            .map(|m| ModelChoice {
                id: m.id.clone(),
                name: m.name.clone(),
                context_window: m.context_window,
            })
            .collect())
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
            assert_eq!(title_from("  How do   keels\nwork? "), "How do keels work?");
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
}
