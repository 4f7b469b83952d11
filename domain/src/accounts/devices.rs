//! Device cookies (OWASP, "Slow down online guessing attacks with device
//! cookies"): a browser that signed in to an account with its password
//! gets a long-lived random cookie. When strangers' wrong guesses have
//! locked the account (the per-account failure limit), a correct password
//! from such a browser still signs in; the browser has a failure limit of
//! its own, so the cookie is no way around guessing.

use crate::secret::{hash_token, new_token};
use chrono::{DateTime, Utc};
use entity::trusted_devices;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

/// How long a browser that signed in with a password stays known
/// without signing in again.
pub const LIFETIME_DAYS: i64 = 365;

/// The device `token` names, if it signed in to `user` before.
pub async fn known<C: ConnectionTrait>(
    db: &C,
    token: &str,
    user: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<trusted_devices::Model>, DbErr> {
    Ok(trusted_devices::Entity::find_by_id(hash_token(token))
        .one(db)
        .await?
        .filter(|d| d.user_id == user && d.last_used_at > now - chrono::Duration::days(LIFETIME_DAYS)))
}

/// Records a password sign-in of `user` from this browser: refreshes its
/// device, or makes a new one. Returns a new device's token (for the
/// adapter to set as a cookie lasting [`LIFETIME_DAYS`]).
pub async fn signed_in<C: ConnectionTrait>(
    db: &C,
    token: Option<&str>,
    user: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<String>, DbErr> {
    if let Some(token) = token {
        let refreshed = trusted_devices::Entity::update_many()
            .col_expr(trusted_devices::Column::LastUsedAt, Expr::value(now))
            .filter(trusted_devices::Column::Id.eq(hash_token(token)))
            .filter(trusted_devices::Column::UserId.eq(user))
            .exec(db)
            .await?;
        if refreshed.rows_affected == 1 {
            return Ok(None);
        }
    }
    let token = new_token();
    trusted_devices::ActiveModel {
        id: Set(hash_token(&token)),
        user_id: Set(user),
        created_at: Set(now),
        last_used_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(Some(token))
}
