//! Credits set aside for one model call before it is made, resolved once
//! when it ends: the cost settled (never more than held), the rest
//! released. An open hold past its expiry is resolved by the sweep.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credit_holds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    /// What it is for (`reply:<message id>`, or `title:<message id>` when
    /// titles are charged).
    pub reference: String,
    pub model: String,
    pub amount: i64,
    /// `open`, `settled` or `released`.
    pub state: String,
    /// What was settled, once resolved.
    pub settled: Option<i64>,
    /// The rate card the hold was priced with (JSON).
    pub rate_card: String,
    pub expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
    /// The month (`yyyymm`) the hold counted against in `credit_accounts`
    /// (its release gives back to that month only).
    pub month: Option<i32>,
    /// The bucket it was held from, when it was held from one (its
    /// settlement then needs no read of its entries); `None` when spread
    /// over several.
    pub bucket_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
