//! The conversation list and thread's server functions, one call each to
//! `domain::chat::conversations` (always scoped by owner there).

use crate::error::AppError;
use leptos::prelude::*;
pub use wire::chat::{ConversationSummary, MAX_TITLE_CHARS, MessageView, ModelChoice};

#[cfg(feature = "ssr")]
use {
    crate::server::{context, finish},
    domain::chat::conversations as ops,
};

/// The signed-in user's conversations, newest first; `query` filters by title.
#[server(endpoint = "chat/conversations")]
pub async fn list_conversations(query: String) -> Result<Vec<ConversationSummary>, AppError> {
    let (services, actor) = context()?;
    finish(ops::list(&services, &actor, &query).await)
}

/// A conversation's messages, oldest first.
#[server(endpoint = "chat/messages")]
pub async fn conversation_messages(id: String) -> Result<Vec<MessageView>, AppError> {
    let (services, actor) = context()?;
    finish(ops::messages(&services, &actor, &id).await)
}

/// Renames a conversation.
#[server(endpoint = "chat/rename")]
pub async fn rename_conversation(id: String, title: String) -> Result<(), AppError> {
    let (services, actor) = context()?;
    finish(ops::rename(&services, &actor, &id, &title).await)
}

/// Deletes a conversation and its messages.
#[server(endpoint = "chat/delete")]
pub async fn delete_conversation(id: String) -> Result<(), AppError> {
    let (services, actor) = context()?;
    finish(ops::delete(&services, &actor, &id).await)
}

/// The enabled models, the default first.
#[server(endpoint = "chat/models")]
pub async fn chat_models() -> Result<Vec<ModelChoice>, AppError> {
    let (services, actor) = context()?;
    finish(ops::models(&services, &actor).await)
}
