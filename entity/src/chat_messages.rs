//! One message of a conversation. Assistant messages carry how the reply
//! went and what it used (the record billing charges from).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "chat_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub conversation_id: Uuid,
    /// `user` or `assistant`.
    pub role: String,
    /// The text (for a reply, whatever arrived, even when it failed).
    pub content: String,
    /// Assistant: the catalogue id of the model that wrote it.
    pub model: Option<String>,
    /// Assistant: `streaming`, `completed`, `stopped` or `failed`.
    pub outcome: Option<String>,
    /// Assistant, failed: why (`idle_timeout`, `unreachable`, the provider's error type…).
    pub error: Option<String>,
    pub input_tokens: Option<i64>,
    pub output_tokens: Option<i64>,
    /// `provider` (reported in the stream), `counted` (estimated locally where
    /// the provider sent no count) or `none` (refused, unreachable or never
    /// asked: zero).
    pub usage_source: Option<String>,
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
