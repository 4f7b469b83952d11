//! Credits an invite brings, and the spending an account commits in a
//! calendar month (held or settled) with the cap its user may set on it.
//!
//! `credit_accounts.month_spent` moves in the same transaction as the hold
//! or release that changes it; a hold that would take it past
//! `monthly_cap` is refused by the write itself (a conditional upsert).
//! A hold records the month it counted against (`credit_holds.month`), so
//! releasing it gives back to that month only.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(UserInvites::Table)
                    .add_column(big_integer(UserInvites::Credits).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(CreditHolds::Table)
                    .add_column(integer_null(CreditHolds::Month))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CreditAccounts::Table)
                    .if_not_exists()
                    .col(uuid(CreditAccounts::AccountId).primary_key())
                    .col(big_integer_null(CreditAccounts::MonthlyCap))
                    .col(integer(CreditAccounts::Month))
                    .col(big_integer(CreditAccounts::MonthSpent))
                    .col(timestamp_with_time_zone(CreditAccounts::UpdatedAt))
                    .check(Expr::cust(
                        "month_spent >= 0 AND (monthly_cap IS NULL OR monthly_cap >= 0)",
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CreditAccounts::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(CreditHolds::Table)
                    .drop_column(CreditHolds::Month)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(UserInvites::Table)
                    .drop_column(UserInvites::Credits)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum UserInvites {
    Table,
    Credits,
}

#[derive(DeriveIden)]
enum CreditHolds {
    Table,
    Month,
}

#[derive(DeriveIden)]
enum CreditAccounts {
    Table,
    AccountId,
    MonthlyCap,
    Month,
    MonthSpent,
    UpdatedAt,
}
