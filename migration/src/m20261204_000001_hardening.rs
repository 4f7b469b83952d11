//! Security hardening: devices that signed in before (they may pass the
//! per-account lockout with the right password), and the payments Stripe
//! reported refunded or disputed (their access ends; a won dispute restores
//! it), keyed by payment intent so events in any order agree.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TrustedDevices::Table)
                    .if_not_exists()
                    .col(string(TrustedDevices::Id).primary_key())
                    .col(uuid(TrustedDevices::UserId))
                    .col(timestamp_with_time_zone(TrustedDevices::CreatedAt))
                    .col(timestamp_with_time_zone(TrustedDevices::LastUsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_trusted_devices_user")
                            .from(TrustedDevices::Table, TrustedDevices::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_trusted_devices_user")
                    .table(TrustedDevices::Table)
                    .col(TrustedDevices::UserId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StripePayments::Table)
                    .if_not_exists()
                    .col(string(StripePayments::PaymentIntent).primary_key())
                    .col(string_null(StripePayments::Reference))
                    .col(boolean(StripePayments::Refunded).default(false))
                    .col(string_null(StripePayments::DisputeStatus))
                    .col(timestamp_with_time_zone(StripePayments::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_stripe_payments_reference")
                    .table(StripePayments::Table)
                    .col(StripePayments::Reference)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StripePayments::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(TrustedDevices::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum TrustedDevices {
    Table,
    Id,
    UserId,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum StripePayments {
    Table,
    PaymentIntent,
    Reference,
    Refunded,
    DisputeStatus,
    UpdatedAt,
}
