//! Users: one row per person who can sign in. Sign-in identities, sessions
//! and access grants get their own tables with the accounts issue.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .if_not_exists()
                    .col(pk_uuid(Users::Id))
                    // Stored normalised (trimmed, lower-case) so uniqueness is case-insensitive.
                    .col(string_uniq(Users::Email))
                    .col(string(Users::DisplayName))
                    .col(timestamp_with_time_zone_null(Users::EmailVerifiedAt))
                    .col(boolean(Users::IsAdmin).default(false))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Users::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    DisplayName,
    EmailVerifiedAt,
    IsAdmin,
    CreatedAt,
    UpdatedAt,
}
