//! Payments through Stripe: each user's Stripe customer, the Checkout
//! Sessions the app created, the subscriptions it learned about from webhooks,
//! and every webhook event it applied (so a redelivery changes nothing).
//! The tables exist in every build, so one database serves builds with and
//! without `stripe_payment`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Created once per user, before their first Checkout Session.
        manager
            .create_table(
                Table::create()
                    .table(StripeCustomers::Table)
                    .if_not_exists()
                    .col(uuid(StripeCustomers::UserId).primary_key())
                    .col(string(StripeCustomers::CustomerId).unique_key())
                    .col(timestamp_with_time_zone(StripeCustomers::CreatedAt))
                    .foreign_key(&mut cascade(
                        "fk_stripe_customers_user",
                        StripeCustomers::Table,
                        StripeCustomers::UserId,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(StripeCheckoutSessions::Table)
                    .if_not_exists()
                    .col(string(StripeCheckoutSessions::Id).primary_key())
                    .col(uuid(StripeCheckoutSessions::UserId))
                    .col(string(StripeCheckoutSessions::Offer))
                    .col(string(StripeCheckoutSessions::Mode))
                    .col(text(StripeCheckoutSessions::Url))
                    .col(string(StripeCheckoutSessions::IdempotencyKey).unique_key())
                    .col(string(StripeCheckoutSessions::Status))
                    .col(string_null(StripeCheckoutSessions::SubscriptionId))
                    .col(integer_null(StripeCheckoutSessions::PassDays))
                    .col(timestamp_with_time_zone(StripeCheckoutSessions::CreatedAt))
                    .col(timestamp_with_time_zone(StripeCheckoutSessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(StripeCheckoutSessions::PaidAt))
                    .col(timestamp_with_time_zone_null(StripeCheckoutSessions::FailedAt))
                    .col(timestamp_with_time_zone(StripeCheckoutSessions::UpdatedAt))
                    .foreign_key(&mut cascade(
                        "fk_stripe_checkout_sessions_user",
                        StripeCheckoutSessions::Table,
                        StripeCheckoutSessions::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_stripe_checkout_sessions_user",
            StripeCheckoutSessions::Table,
            &[StripeCheckoutSessions::UserId, StripeCheckoutSessions::Offer],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(StripeSubscriptions::Table)
                    .if_not_exists()
                    .col(string(StripeSubscriptions::Id).primary_key())
                    .col(string(StripeSubscriptions::CustomerId))
                    .col(uuid_null(StripeSubscriptions::UserId))
                    .col(string_null(StripeSubscriptions::Status))
                    .col(timestamp_with_time_zone_null(StripeSubscriptions::AccessUntil))
                    .col(text(StripeSubscriptions::State))
                    .col(timestamp_with_time_zone(StripeSubscriptions::UpdatedAt))
                    .foreign_key(&mut cascade(
                        "fk_stripe_subscriptions_user",
                        StripeSubscriptions::Table,
                        StripeSubscriptions::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_stripe_subscriptions_user",
            StripeSubscriptions::Table,
            &[StripeSubscriptions::UserId],
        )
        .await?;

        // The primary key is what makes a redelivered event a no-op.
        manager
            .create_table(
                Table::create()
                    .table(StripeEvents::Table)
                    .if_not_exists()
                    .col(string(StripeEvents::Id).primary_key())
                    .col(string(StripeEvents::Kind))
                    .col(timestamp_with_time_zone(StripeEvents::OccurredAt))
                    .col(timestamp_with_time_zone(StripeEvents::ReceivedAt))
                    .col(string(StripeEvents::Outcome))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            StripeEvents::Table.into_iden(),
            StripeSubscriptions::Table.into_iden(),
            StripeCheckoutSessions::Table.into_iden(),
            StripeCustomers::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
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

async fn index<T: IntoIden + Copy>(manager: &SchemaManager<'_>, name: &str, table: T, cols: &[T]) -> Result<(), DbErr> {
    let mut stmt = Index::create();
    stmt.name(name).table(table).if_not_exists();
    for col in cols {
        stmt.col(*col);
    }
    manager.create_index(stmt.to_owned()).await
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum StripeCustomers {
    Table,
    UserId,
    CustomerId,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum StripeCheckoutSessions {
    Table,
    Id,
    UserId,
    Offer,
    Mode,
    Url,
    IdempotencyKey,
    Status,
    SubscriptionId,
    PassDays,
    CreatedAt,
    ExpiresAt,
    PaidAt,
    FailedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum StripeSubscriptions {
    Table,
    Id,
    CustomerId,
    UserId,
    Status,
    AccessUntil,
    State,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum StripeEvents {
    Table,
    Id,
    Kind,
    OccurredAt,
    ReceivedAt,
    Outcome,
}
