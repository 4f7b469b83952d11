//! A Google/GitHub sign-in in flight: created at the redirect to the
//! provider, consumed once by its callback.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oauth_flows")]
pub struct Model {
    /// Hex SHA-256 of the `state` value (the cookie holds the value itself).
    #[sea_orm(primary_key, auto_increment = false)]
    pub state_hash: String,
    pub provider: String,
    pub pkce_verifier: String,
    pub nonce: String,
    /// `sign_in` or `link`.
    pub intent: String,
    /// The signed-in user, for `link`.
    pub user_id: Option<Uuid>,
    pub next_path: Option<String>,
    pub invite_token: Option<String>,
    pub remember: bool,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
