//! Single-use links sent by email: verify an address (24 h) and reset a
//! password (1 h). Only the token's hash is stored; using a token marks it
//! used in the same statement that checks it, so it works once.

use crate::secret::{hash_token, new_token};
use chrono::{DateTime, Duration, Utc};
use entity::email_tokens::{self, Column};
use entity::users;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

/// What a token is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    ResetPassword,
}

impl Purpose {
    const fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::ResetPassword => "reset_password",
        }
    }

    /// How long a link stays valid.
    pub fn lifetime(self) -> Duration {
        match self {
            Purpose::VerifyEmail => Duration::hours(24),
            Purpose::ResetPassword => Duration::hours(1),
        }
    }
}

/// Issues a token for `user`'s current email; earlier unused tokens of the
/// same purpose stop working (only the newest link is good).
pub async fn issue<C: ConnectionTrait>(
    db: &C,
    user: &users::Model,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Result<String, DbErr> {
    email_tokens::Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(Some(now)))
        .filter(Column::UserId.eq(user.id))
        .filter(Column::Purpose.eq(purpose.as_str()))
        .filter(Column::UsedAt.is_null())
        .exec(db)
        .await?;
    let token = new_token();
    email_tokens::ActiveModel {
        id: Set(uuid::Uuid::new_v4()),
        user_id: Set(user.id),
        purpose: Set(purpose.as_str().to_owned()),
        token_hash: Set(hash_token(&token)),
        email: Set(user.email.clone()),
        created_at: Set(now),
        expires_at: Set(now + purpose.lifetime()),
        used_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The unused, unexpired token, without using it.
pub async fn peek<C: ConnectionTrait>(
    db: &C,
    token: &str,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Result<Option<email_tokens::Model>, DbErr> {
    email_tokens::Entity::find()
        .filter(Column::TokenHash.eq(hash_token(token)))
        .filter(Column::Purpose.eq(purpose.as_str()))
        .filter(Column::UsedAt.is_null())
        .filter(Column::ExpiresAt.gt(now))
        .one(db)
        .await
}

/// Uses the token: returns its row if it was unused and unexpired, and
/// marks it used. Of two concurrent uses, one wins.
pub async fn consume<C: ConnectionTrait>(
    db: &C,
    token: &str,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Result<Option<email_tokens::Model>, DbErr> {
    let hash = hash_token(token);
    let used = email_tokens::Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(Some(now)))
        .filter(Column::TokenHash.eq(hash.clone()))
        .filter(Column::Purpose.eq(purpose.as_str()))
        .filter(Column::UsedAt.is_null())
        .filter(Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    if used.rows_affected != 1 {
        return Ok(None);
    }
    email_tokens::Entity::find()
        .filter(Column::TokenHash.eq(hash))
        .one(db)
        .await
}
