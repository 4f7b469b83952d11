//! Every priced model call (replies and titles, charged or not): its
//! tokens, what they cost at the rate card, and what the user was charged.
//! The difference is the operator's cost (uncharged titles, replies while
//! credits are not enforced, a provider that overran what was held; a free
//! model's calls cost nothing here, whatever the provider bills).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credit_usage")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    /// `reply:<message id>` or `title:<message id>`: recorded once.
    #[sea_orm(unique)]
    pub reference: String,
    /// `reply` or `title`.
    pub purpose: String,
    pub model: String,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cached_tokens: i64,
    pub cache_write_tokens: i64,
    pub cost: i64,
    pub charged: i64,
    pub rate_card: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
