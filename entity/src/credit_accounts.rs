//! An account's spending in the current calendar month (UTC): what it has
//! held or settled since the month began, and the cap its user set on it.
//! Moved in the transaction of every hold and release; a hold that would
//! pass the cap is refused by that write.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credit_accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    /// The most the account may commit in one month (`None`: no cap).
    pub monthly_cap: Option<i64>,
    /// The month `month_spent` counts (`yyyymm`).
    pub month: i32,
    /// Held or settled in `month`.
    pub month_spent: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
