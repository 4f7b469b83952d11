//! Device cookies (OWASP, "Slow down online guessing attacks with device
//! cookies"): a browser that signed in to an account with its password
//! gets a long-lived random cookie. When strangers' wrong guesses have
//! locked the account (the per-account failure limit), a correct password
//! from such a browser still signs in; the browser has a failure limit of
//! its own, so the cookie is no way around guessing.

use crate::auth::session::{hash_token, new_token};
use crate::services::Services;
use chrono::{DateTime, Utc};
use entity::trusted_devices;
use http::HeaderValue;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

/// The device cookie over HTTPS.
pub const SECURE_COOKIE: &str = "__Host-keel_device";
/// The device cookie on plain-http localhost.
pub const PLAIN_COOKIE: &str = "keel_device";
use crate::auth::DEVICE_LIFETIME_DAYS as LIFETIME_DAYS;

/// The cookie's name under these settings.
pub fn cookie_name(services: &Services) -> &'static str {
    if services.settings.secure_cookies {
        SECURE_COOKIE
    } else {
        PLAIN_COOKIE
    }
}

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
/// device, or makes a new one. Returns the `Set-Cookie` for a new one.
pub async fn signed_in<C: ConnectionTrait>(
    db: &C,
    services: &Services,
    token: Option<&str>,
    user: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<HeaderValue>, DbErr> {
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
    let secure = if services.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    Ok(HeaderValue::from_str(&format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        cookie_name(services),
        LIFETIME_DAYS * 86_400
    ))
    .ok())
}
