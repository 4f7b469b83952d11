//! Credits from one source (free quota, plan, top-up, promotion, admin
//! grant) for one account, with a priority and an optional expiry. The
//! totals are the ledger's, kept in the same transaction as each entry;
//! `granted - settled - held - expired` is what is left, and the database
//! refuses a write that would make it negative.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credit_buckets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Whose credits: a user today (an organisation later).
    pub account_id: Uuid,
    pub source: String,
    /// Lower is spent first.
    pub priority: i32,
    pub granted: i64,
    pub held: i64,
    pub settled: i64,
    pub expired: i64,
    pub expires_at: Option<DateTimeUtc>,
    /// What made it (a grant's key: once per invoice, cycle, admin action).
    #[sea_orm(unique)]
    pub idempotency_key: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
