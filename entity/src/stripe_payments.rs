//! A payment (by its payment intent) that Stripe reported refunded or
//! disputed, and what it paid for: the Checkout Session of a pass, or the
//! subscription an invoice belongs to. A reversed payment ends the access
//! it gave; a dispute the merchant wins restores it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stripe_payments")]
pub struct Model {
    /// `pi_…`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub payment_intent: String,
    /// The access grant's reference: a Checkout Session id (a pass) or a
    /// subscription id; `None` until an event links it.
    pub reference: Option<String>,
    /// Refunded in full.
    pub refunded: bool,
    /// `open` (a charge-back in progress), `won` or `lost`.
    pub dispute_status: Option<String>,
    pub updated_at: DateTimeUtc,
}

impl Model {
    /// Whether the money went back: a full refund, or a charge-back that
    /// is open or lost.
    pub fn reversed(&self) -> bool {
        self.refunded || matches!(self.dispute_status.as_deref(), Some("open" | "lost"))
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
