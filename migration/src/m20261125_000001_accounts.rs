//! Accounts and access: passwords, sign-in identities, server-side sessions,
//! single-use email tokens, invites, access grants, OAuth flows in flight,
//! failed sign-ins (for the per-account limit) and the mail outbox.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // argon2id PHC string; NULL for accounts that only sign in through a provider.
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(string_null(Users::PasswordHash))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UserIdentities::Table)
                    .if_not_exists()
                    .col(pk_uuid(UserIdentities::Id))
                    .col(uuid(UserIdentities::UserId))
                    .col(string(UserIdentities::Provider))
                    .col(string(UserIdentities::Subject))
                    .col(string(UserIdentities::Email))
                    .col(timestamp_with_time_zone(UserIdentities::CreatedAt))
                    .col(timestamp_with_time_zone(UserIdentities::LastUsedAt))
                    .foreign_key(&mut cascade(
                        "fk_user_identities_user",
                        UserIdentities::Table,
                        UserIdentities::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        // An account is found by (provider, subject), never by email alone.
        index(
            manager,
            "ux_user_identities_provider_subject",
            UserIdentities::Table,
            &[UserIdentities::Provider, UserIdentities::Subject],
            true,
        )
        .await?;
        index(
            manager,
            "ix_user_identities_user",
            UserIdentities::Table,
            &[UserIdentities::UserId],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .if_not_exists()
                    // SHA-256 of the cookie's token: a copy of this table opens no session.
                    .col(string(Sessions::Id).primary_key())
                    .col(uuid(Sessions::UserId))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .col(boolean(Sessions::Remember))
                    .col(string(Sessions::AuthMethod))
                    .col(string(Sessions::UserAgent))
                    .col(string(Sessions::Ip))
                    .foreign_key(&mut cascade("fk_sessions_user", Sessions::Table, Sessions::UserId))
                    .to_owned(),
            )
            .await?;
        index(manager, "ix_sessions_user", Sessions::Table, &[Sessions::UserId], false).await?;

        manager
            .create_table(
                Table::create()
                    .table(EmailTokens::Table)
                    .if_not_exists()
                    .col(pk_uuid(EmailTokens::Id))
                    .col(uuid(EmailTokens::UserId))
                    .col(string(EmailTokens::Purpose))
                    .col(string_uniq(EmailTokens::TokenHash))
                    .col(string(EmailTokens::Email))
                    .col(timestamp_with_time_zone(EmailTokens::CreatedAt))
                    .col(timestamp_with_time_zone(EmailTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(EmailTokens::UsedAt))
                    .foreign_key(&mut cascade(
                        "fk_email_tokens_user",
                        EmailTokens::Table,
                        EmailTokens::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_email_tokens_user",
            EmailTokens::Table,
            &[EmailTokens::UserId],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(UserInvites::Table)
                    .if_not_exists()
                    .col(pk_uuid(UserInvites::Id))
                    .col(string(UserInvites::Email))
                    .col(string_uniq(UserInvites::TokenHash))
                    .col(uuid_null(UserInvites::CreatedBy))
                    .col(timestamp_with_time_zone(UserInvites::CreatedAt))
                    .col(timestamp_with_time_zone(UserInvites::ExpiresAt))
                    .col(timestamp_with_time_zone(UserInvites::AccessUntil))
                    .col(timestamp_with_time_zone_null(UserInvites::RedeemedAt))
                    .col(uuid_null(UserInvites::RedeemedBy))
                    .col(timestamp_with_time_zone_null(UserInvites::RevokedAt))
                    .foreign_key(&mut set_null(
                        "fk_user_invites_created_by",
                        UserInvites::Table,
                        UserInvites::CreatedBy,
                    ))
                    .foreign_key(&mut set_null(
                        "fk_user_invites_redeemed_by",
                        UserInvites::Table,
                        UserInvites::RedeemedBy,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_user_invites_email",
            UserInvites::Table,
            &[UserInvites::Email],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(AccessGrants::Table)
                    .if_not_exists()
                    .col(pk_uuid(AccessGrants::Id))
                    .col(uuid(AccessGrants::UserId))
                    .col(string(AccessGrants::Source))
                    .col(string_null(AccessGrants::Reference))
                    .col(timestamp_with_time_zone(AccessGrants::StartsAt))
                    .col(timestamp_with_time_zone_null(AccessGrants::EndsAt))
                    .col(uuid_null(AccessGrants::CreatedBy))
                    .col(timestamp_with_time_zone(AccessGrants::CreatedAt))
                    .col(timestamp_with_time_zone(AccessGrants::UpdatedAt))
                    .col(timestamp_with_time_zone_null(AccessGrants::RevokedAt))
                    .foreign_key(&mut cascade(
                        "fk_access_grants_user",
                        AccessGrants::Table,
                        AccessGrants::UserId,
                    ))
                    .foreign_key(&mut set_null(
                        "fk_access_grants_created_by",
                        AccessGrants::Table,
                        AccessGrants::CreatedBy,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_access_grants_user",
            AccessGrants::Table,
            &[AccessGrants::UserId],
            false,
        )
        .await?;
        // One grant per outside object (an invite, a subscription): writers upsert on it.
        index(
            manager,
            "ux_access_grants_source_reference",
            AccessGrants::Table,
            &[AccessGrants::Source, AccessGrants::Reference],
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(OauthFlows::Table)
                    .if_not_exists()
                    .col(string(OauthFlows::StateHash).primary_key())
                    .col(string(OauthFlows::Provider))
                    .col(string(OauthFlows::PkceVerifier))
                    .col(string(OauthFlows::Nonce))
                    .col(string(OauthFlows::Intent))
                    .col(uuid_null(OauthFlows::UserId))
                    .col(string_null(OauthFlows::NextPath))
                    .col(string_null(OauthFlows::InviteToken))
                    .col(boolean(OauthFlows::Remember))
                    .col(timestamp_with_time_zone(OauthFlows::CreatedAt))
                    .col(timestamp_with_time_zone(OauthFlows::ExpiresAt))
                    .foreign_key(&mut cascade(
                        "fk_oauth_flows_user",
                        OauthFlows::Table,
                        OauthFlows::UserId,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuthFailures::Table)
                    .if_not_exists()
                    .col(pk_uuid(AuthFailures::Id))
                    // SHA-256 of the normalised email: unknown addresses are counted too, unstored.
                    .col(string(AuthFailures::AccountKey))
                    .col(timestamp_with_time_zone(AuthFailures::CreatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_auth_failures_key_time",
            AuthFailures::Table,
            &[AuthFailures::AccountKey, AuthFailures::CreatedAt],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(MailOutbox::Table)
                    .if_not_exists()
                    .col(pk_uuid(MailOutbox::Id))
                    .col(string(MailOutbox::Kind))
                    .col(string(MailOutbox::Recipient))
                    .col(string(MailOutbox::Subject))
                    .col(text(MailOutbox::TextBody))
                    .col(text(MailOutbox::HtmlBody))
                    .col(timestamp_with_time_zone(MailOutbox::CreatedAt))
                    .col(integer(MailOutbox::Attempts).default(0))
                    .col(timestamp_with_time_zone(MailOutbox::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(MailOutbox::LockedUntil))
                    .col(timestamp_with_time_zone_null(MailOutbox::SentAt))
                    .col(timestamp_with_time_zone_null(MailOutbox::FailedAt))
                    .col(string_null(MailOutbox::LastError))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_mail_outbox_due",
            MailOutbox::Table,
            &[MailOutbox::SentAt, MailOutbox::NextAttemptAt],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            MailOutbox::Table.into_iden(),
            AuthFailures::Table.into_iden(),
            OauthFlows::Table.into_iden(),
            AccessGrants::Table.into_iden(),
            UserInvites::Table.into_iden(),
            EmailTokens::Table.into_iden(),
            Sessions::Table.into_iden(),
            UserIdentities::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::PasswordHash)
                    .to_owned(),
            )
            .await
    }
}

fn cascade(name: &str, table: impl IntoIden, col: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, col)
        .to(Users::Table, Users::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn set_null(name: &str, table: impl IntoIden, col: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, col)
        .to(Users::Table, Users::Id)
        .on_delete(ForeignKeyAction::SetNull)
        .to_owned()
}

async fn index<T: IntoIden + Copy>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: T,
    cols: &[T],
    unique: bool,
) -> Result<(), DbErr> {
    let mut stmt = Index::create();
    stmt.name(name).table(table).if_not_exists();
    for col in cols {
        stmt.col(*col);
    }
    if unique {
        stmt.unique();
    }
    manager.create_index(stmt.to_owned()).await
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    PasswordHash,
}

#[derive(DeriveIden, Clone, Copy)]
enum UserIdentities {
    Table,
    Id,
    UserId,
    Provider,
    Subject,
    Email,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Sessions {
    Table,
    Id,
    UserId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    Remember,
    AuthMethod,
    UserAgent,
    Ip,
}

#[derive(DeriveIden, Clone, Copy)]
enum EmailTokens {
    Table,
    Id,
    UserId,
    Purpose,
    TokenHash,
    Email,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum UserInvites {
    Table,
    Id,
    Email,
    TokenHash,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    AccessUntil,
    RedeemedAt,
    RedeemedBy,
    RevokedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AccessGrants {
    Table,
    Id,
    UserId,
    Source,
    Reference,
    StartsAt,
    EndsAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    RevokedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum OauthFlows {
    Table,
    StateHash,
    Provider,
    PkceVerifier,
    Nonce,
    Intent,
    UserId,
    NextPath,
    InviteToken,
    Remember,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AuthFailures {
    Table,
    Id,
    AccountKey,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum MailOutbox {
    Table,
    Id,
    Kind,
    Recipient,
    Subject,
    TextBody,
    HtmlBody,
    CreatedAt,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    SentAt,
    FailedAt,
    LastError,
}
