//! A Stripe Checkout Session the app created for a user and an offer.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stripe_checkout_sessions")]
pub struct Model {
    /// Stripe's id (`cs_…`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: Uuid,
    /// The offer's id from `STRIPE_OFFERS`.
    pub offer: String,
    /// `subscription` or `payment`.
    pub mode: String,
    /// Where the browser pays.
    pub url: String,
    /// Sent with the create request; a retry with it gets this session back.
    #[sea_orm(unique)]
    pub idempotency_key: String,
    /// `open`, `complete` or `expired`.
    pub status: String,
    pub subscription_id: Option<String>,
    /// For a pass: the days of access it buys.
    pub pass_days: Option<i32>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// When the money arrived (at completion, or later for delayed methods).
    pub paid_at: Option<DateTimeUtc>,
    /// When a delayed payment failed.
    pub failed_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
