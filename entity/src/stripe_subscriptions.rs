//! A Stripe subscription as merged from webhook events.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stripe_subscriptions")]
pub struct Model {
    /// Stripe's id (`sub_…`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub customer_id: String,
    /// `None` until an event names the user (through the customer).
    pub user_id: Option<Uuid>,
    /// Stripe's status, from the latest event that said.
    pub status: Option<String>,
    /// When the access it gives ends (`None`: none).
    pub access_until: Option<DateTimeUtc>,
    /// The merged state (JSON), the source of the two columns above.
    #[sea_orm(column_type = "Text")]
    pub state: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
