//! More than one link per invite: sending an invite again to an address
//! that already has an open one mails a new link to the same invite, and
//! the earlier link keeps working. (The invite's first link stays in
//! `user_invites.token_hash`; later ones are rows here.)

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UserInviteLinks::Table)
                    .if_not_exists()
                    .col(string(UserInviteLinks::TokenHash).primary_key())
                    .col(uuid(UserInviteLinks::InviteId))
                    .col(timestamp_with_time_zone(UserInviteLinks::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_user_invite_links_invite")
                            .from(UserInviteLinks::Table, UserInviteLinks::InviteId)
                            .to(UserInvites::Table, UserInvites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_user_invite_links_invite")
                    .table(UserInviteLinks::Table)
                    .col(UserInviteLinks::InviteId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(UserInviteLinks::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum UserInviteLinks {
    Table,
    TokenHash,
    InviteId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum UserInvites {
    Table,
    Id,
}
