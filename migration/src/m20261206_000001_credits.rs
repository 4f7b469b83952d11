//! Credits: rate cards per model (effective-dated), buckets of credits by
//! source, the append-only ledger, holds taken before a reply and
//! resolved after it, and the priced record of every model call.
//!
//! A bucket's columns are the ledger's running totals, kept in the same
//! transaction as each entry; the database refuses any write that would
//! leave a bucket below zero (`CHECK`), whatever the application believed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CreditPrices::Table)
                    .if_not_exists()
                    .col(uuid(CreditPrices::Id).primary_key())
                    .col(string(CreditPrices::Model))
                    .col(timestamp_with_time_zone(CreditPrices::EffectiveFrom))
                    .col(boolean(CreditPrices::Free))
                    .col(boolean(CreditPrices::Quota))
                    .col(big_integer(CreditPrices::Input))
                    .col(big_integer(CreditPrices::Output))
                    .col(big_integer(CreditPrices::CachedInput))
                    .col(big_integer(CreditPrices::CacheWrite))
                    .col(big_integer(CreditPrices::RequestFee))
                    .col(timestamp_with_time_zone(CreditPrices::CreatedAt))
                    .check(Expr::cust(
                        "input >= 0 AND output >= 0 AND cached_input >= 0 AND cache_write >= 0 AND request_fee >= 0",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_credit_prices_model_from")
                    .table(CreditPrices::Table)
                    .col(CreditPrices::Model)
                    .col(CreditPrices::EffectiveFrom)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CreditBuckets::Table)
                    .if_not_exists()
                    .col(uuid(CreditBuckets::Id).primary_key())
                    .col(uuid(CreditBuckets::AccountId))
                    .col(string(CreditBuckets::Source))
                    .col(integer(CreditBuckets::Priority))
                    .col(big_integer(CreditBuckets::Granted))
                    .col(big_integer(CreditBuckets::Held))
                    .col(big_integer(CreditBuckets::Settled))
                    .col(big_integer(CreditBuckets::Expired))
                    .col(timestamp_with_time_zone_null(CreditBuckets::ExpiresAt))
                    .col(string(CreditBuckets::IdempotencyKey).unique_key())
                    .col(timestamp_with_time_zone(CreditBuckets::CreatedAt))
                    .check(Expr::cust(
                        "granted >= 0 AND held >= 0 AND settled >= 0 AND expired >= 0 \
                         AND granted - settled - held - expired >= 0",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_credit_buckets_account")
                    .table(CreditBuckets::Table)
                    .col(CreditBuckets::AccountId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CreditHolds::Table)
                    .if_not_exists()
                    .col(uuid(CreditHolds::Id).primary_key())
                    .col(uuid(CreditHolds::AccountId))
                    .col(string(CreditHolds::Reference))
                    .col(string(CreditHolds::Model))
                    .col(big_integer(CreditHolds::Amount))
                    .col(string(CreditHolds::State))
                    .col(big_integer_null(CreditHolds::Settled))
                    .col(text(CreditHolds::RateCard))
                    .col(timestamp_with_time_zone(CreditHolds::ExpiresAt))
                    .col(timestamp_with_time_zone(CreditHolds::CreatedAt))
                    .col(timestamp_with_time_zone_null(CreditHolds::ResolvedAt))
                    .check(Expr::cust(
                        "amount > 0 AND (settled IS NULL OR (settled >= 0 AND settled <= amount))",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_credit_holds_open")
                    .table(CreditHolds::Table)
                    .col(CreditHolds::State)
                    .col(CreditHolds::ExpiresAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CreditEntries::Table)
                    .if_not_exists()
                    .col(uuid(CreditEntries::Id).primary_key())
                    .col(uuid(CreditEntries::AccountId))
                    .col(uuid(CreditEntries::BucketId))
                    .col(string(CreditEntries::Kind))
                    .col(big_integer(CreditEntries::Amount))
                    .col(string(CreditEntries::IdempotencyKey).unique_key())
                    .col(string(CreditEntries::Actor))
                    .col(string_null(CreditEntries::Reference))
                    .col(uuid_null(CreditEntries::HoldId))
                    .col(text_null(CreditEntries::RateCard))
                    .col(timestamp_with_time_zone(CreditEntries::CreatedAt))
                    .check(Expr::cust("amount >= 0"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_credit_entries_bucket")
                            .from(CreditEntries::Table, CreditEntries::BucketId)
                            .to(CreditBuckets::Table, CreditBuckets::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("ix_credit_entries_account", CreditEntries::AccountId),
            ("ix_credit_entries_hold", CreditEntries::HoldId),
            ("ix_credit_entries_bucket", CreditEntries::BucketId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(CreditEntries::Table)
                        .col(col)
                        .if_not_exists()
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(CreditUsage::Table)
                    .if_not_exists()
                    .col(uuid(CreditUsage::Id).primary_key())
                    .col(uuid(CreditUsage::AccountId))
                    .col(string(CreditUsage::Reference).unique_key())
                    .col(string(CreditUsage::Purpose))
                    .col(string(CreditUsage::Model))
                    .col(big_integer(CreditUsage::InputTokens))
                    .col(big_integer(CreditUsage::OutputTokens))
                    .col(big_integer(CreditUsage::CachedTokens))
                    .col(big_integer(CreditUsage::CacheWriteTokens))
                    .col(big_integer(CreditUsage::Cost))
                    .col(big_integer(CreditUsage::Charged))
                    .col(text(CreditUsage::RateCard))
                    .col(timestamp_with_time_zone(CreditUsage::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_credit_usage_account")
                    .table(CreditUsage::Table)
                    .col(CreditUsage::AccountId)
                    .col(CreditUsage::CreatedAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;

        // What a reply cost, on the message (SQLite adds one column at a time).
        for col in [
            ChatMessages::CachedTokens,
            ChatMessages::CacheWriteTokens,
            ChatMessages::Credits,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ChatMessages::Table)
                        .add_column(big_integer_null(col))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            ChatMessages::CachedTokens,
            ChatMessages::CacheWriteTokens,
            ChatMessages::Credits,
        ] {
            manager
                .alter_table(Table::alter().table(ChatMessages::Table).drop_column(col).to_owned())
                .await?;
        }
        for table in [
            CreditUsage::Table.into_iden(),
            CreditEntries::Table.into_iden(),
            CreditHolds::Table.into_iden(),
            CreditBuckets::Table.into_iden(),
            CreditPrices::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum CreditPrices {
    Table,
    Id,
    Model,
    EffectiveFrom,
    Free,
    Quota,
    Input,
    Output,
    CachedInput,
    CacheWrite,
    RequestFee,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CreditBuckets {
    Table,
    Id,
    AccountId,
    Source,
    Priority,
    Granted,
    Held,
    Settled,
    Expired,
    ExpiresAt,
    IdempotencyKey,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CreditHolds {
    Table,
    Id,
    AccountId,
    Reference,
    Model,
    Amount,
    State,
    Settled,
    RateCard,
    ExpiresAt,
    CreatedAt,
    ResolvedAt,
}

#[derive(DeriveIden)]
enum CreditEntries {
    Table,
    Id,
    AccountId,
    BucketId,
    Kind,
    Amount,
    IdempotencyKey,
    Actor,
    Reference,
    HoldId,
    RateCard,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CreditUsage {
    Table,
    Id,
    AccountId,
    Reference,
    Purpose,
    Model,
    InputTokens,
    OutputTokens,
    CachedTokens,
    CacheWriteTokens,
    Cost,
    Charged,
    RateCard,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ChatMessages {
    Table,
    CachedTokens,
    CacheWriteTokens,
    Credits,
}
