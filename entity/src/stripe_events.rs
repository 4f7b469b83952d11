//! A Stripe webhook event the app has applied, by id: a redelivery finds it
//! here and changes nothing.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stripe_events")]
pub struct Model {
    /// Stripe's id (`evt_…`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The event type (`invoice.paid`).
    pub kind: String,
    /// The event's `created` time.
    pub occurred_at: DateTimeUtc,
    pub received_at: DateTimeUtc,
    /// `applied` or `ignored`.
    pub outcome: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
