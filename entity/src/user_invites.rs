//! An invitation: the email may register without paying, with access until `access_until`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_invites")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub email: String,
    /// Hex SHA-256 of the token in the invite's sign-up link.
    #[sea_orm(unique)]
    pub token_hash: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    /// After this the invite can no longer be redeemed.
    pub expires_at: DateTimeUtc,
    /// Access granted by the invite lasts until this moment.
    pub access_until: DateTimeUtc,
    pub redeemed_at: Option<DateTimeUtc>,
    pub redeemed_by: Option<Uuid>,
    pub revoked_at: Option<DateTimeUtc>,
    /// Credits granted when the invite is redeemed (smallest unit; 0: none).
    pub credits: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
