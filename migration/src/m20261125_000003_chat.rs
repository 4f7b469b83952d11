//! The chat: conversations owned by a user, and their messages. An
//! assistant message also records how its reply went (outcome, error),
//! which model wrote it, its token usage (from the provider, or counted
//! locally when the stream ended without it) and its timing: what the
//! credits issue will charge from. The tables exist in every build, so one
//! database serves builds with and without `chat`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ChatConversations::Table)
                    .if_not_exists()
                    .col(uuid(ChatConversations::Id).primary_key())
                    .col(uuid(ChatConversations::UserId))
                    .col(string(ChatConversations::Title))
                    .col(string(ChatConversations::Model))
                    .col(timestamp_with_time_zone(ChatConversations::CreatedAt))
                    .col(timestamp_with_time_zone(ChatConversations::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_chat_conversations_user")
                            .from(ChatConversations::Table, ChatConversations::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_chat_conversations_user_updated")
                    .table(ChatConversations::Table)
                    .col(ChatConversations::UserId)
                    .col(ChatConversations::UpdatedAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ChatMessages::Table)
                    .if_not_exists()
                    .col(uuid(ChatMessages::Id).primary_key())
                    .col(uuid(ChatMessages::ConversationId))
                    .col(string(ChatMessages::Role))
                    .col(text(ChatMessages::Content))
                    .col(string_null(ChatMessages::Model))
                    .col(string_null(ChatMessages::Outcome))
                    .col(string_null(ChatMessages::Error))
                    .col(big_integer_null(ChatMessages::InputTokens))
                    .col(big_integer_null(ChatMessages::OutputTokens))
                    .col(string_null(ChatMessages::UsageSource))
                    .col(integer_null(ChatMessages::FirstTokenMs))
                    .col(integer_null(ChatMessages::DurationMs))
                    .col(timestamp_with_time_zone(ChatMessages::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_chat_messages_conversation")
                            .from(ChatMessages::Table, ChatMessages::ConversationId)
                            .to(ChatConversations::Table, ChatConversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_chat_messages_conversation_created")
                    .table(ChatMessages::Table)
                    .col(ChatMessages::ConversationId)
                    .col(ChatMessages::CreatedAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ChatMessages::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ChatConversations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ChatConversations {
    Table,
    Id,
    UserId,
    Title,
    Model,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ChatMessages {
    Table,
    Id,
    ConversationId,
    Role,
    Content,
    Model,
    Outcome,
    Error,
    InputTokens,
    OutputTokens,
    UsageSource,
    FirstTokenMs,
    DurationMs,
    CreatedAt,
}
