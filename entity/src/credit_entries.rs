//! The ledger: one row per movement of credits in a bucket (grant, hold,
//! settle, release, expire, refund, adjust). Rows are only ever added.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credit_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub bucket_id: Uuid,
    pub kind: String,
    /// Never negative: the kind says which way it moves.
    pub amount: i64,
    /// Unique: the same movement asked for twice is written once.
    #[sea_orm(unique)]
    pub idempotency_key: String,
    /// Who moved it: `user:<id>` (a reply's hold and settlement, or an
    /// admin's grant), `operator` (the command line), `system` (the free
    /// quota, a release after a failed write), `job:credits-sweep`.
    pub actor: String,
    /// What it is about (a message, a payment, an admin's reason).
    pub reference: Option<String>,
    pub hold_id: Option<Uuid>,
    /// The rate card used (JSON), for charges.
    pub rate_card: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
