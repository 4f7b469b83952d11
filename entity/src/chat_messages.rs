//! One message of a conversation. Assistant messages carry how the reply
//! went and what it used (the record billing charges from).

use sea_orm::entity::prelude::*;
use wire::messages::{ErrorKind, MessageRole, Outcome, UsageSource};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "chat_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub role: MessageRole,
    /// The text (for a reply, whatever arrived, even when it failed).
    pub content: String,
    /// Assistant: the catalogue id of the model that wrote it.
    pub model: Option<String>,
    /// Assistant: how the reply ended (or that it is being written).
    pub outcome: Option<Outcome>,
    /// Assistant, failed: why.
    pub error: Option<ErrorKind>,
    pub input_tokens: Option<i64>,
    pub output_tokens: Option<i64>,
    /// Where the token counts came from (the provider, counted locally, or
    /// none: refused, unreachable or never asked).
    pub usage_source: Option<UsageSource>,
    /// Of the input, tokens read from the provider's prompt cache.
    pub cached_tokens: Option<i64>,
    /// Of the input, tokens written to the provider's prompt cache.
    pub cache_write_tokens: Option<i64>,
    /// What the user was charged for the reply (none while it streams, or
    /// when credits are not enforced).
    pub credits: Option<i64>,
    /// From the request to the first text.
    pub first_token_ms: Option<i32>,
    /// From the request to the end of the reply.
    pub duration_ms: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::chat_conversations::Entity",
        from = "Column::ConversationId",
        to = "super::chat_conversations::Column::Id",
        on_delete = "Cascade"
    )]
    Conversation,
}

impl Related<super::chat_conversations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Conversation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
