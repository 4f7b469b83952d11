//! A model's rate card from a moment on: what a million tokens of each kind
//! cost, in credits (the smallest unit), and a fee per request. A new price
//! is a new row; replies keep the card they were priced with.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credit_prices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The catalogue's model id.
    pub model: String,
    pub effective_from: DateTimeUtc,
    /// Explicitly free: replies cost nothing and hold nothing.
    pub free: bool,
    /// The free quota may pay for this model.
    pub quota: bool,
    pub input: i64,
    pub output: i64,
    pub cached_input: i64,
    pub cache_write: i64,
    pub request_fee: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
