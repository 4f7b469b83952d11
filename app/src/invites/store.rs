//! Invites in the database: created by an admin (page or CLI), redeemed
//! when the invited address registers or signs in with a proven email.

use super::{InviteStatus, InviteView};
use crate::access::AccessReason;
use crate::access::store::{self as access, NewGrant};
use crate::auth::email::Email;
use crate::auth::session::{hash_token, new_token};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::mail::{Mailer, templates};
use crate::services::Services;
use chrono::{DateTime, Utc};
use entity::user_invites::{self, Column};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

/// What [`create`] made: the row, and the token of its sign-up link (only
/// its hash is stored).
#[derive(Debug)]
pub struct Created {
    pub invite: user_invites::Model,
    pub link: String,
}

/// Invites `email`: replaces any open invite for it, stores the new one and
/// queues the invite email, all in one transaction.
pub async fn create(
    services: &Services,
    email: &Email,
    access_until: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    created_by: Option<Uuid>,
    locale: Locale,
) -> Result<Created, AppError> {
    let now = Utc::now();
    let token = new_token();
    let link = services.link(&format!("{}?invite={token}", crate::routes::SIGN_UP_PATH));
    let txn = crate::services::begin_write(&services.db).await?;
    user_invites::Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(Some(now)))
        .filter(Column::Email.eq(email.as_str()))
        .filter(open(now))
        .exec(&txn)
        .await?;
    let invite = user_invites::ActiveModel {
        id: Set(Uuid::new_v4()),
        email: Set(email.as_str().to_owned()),
        token_hash: Set(hash_token(&token)),
        created_by: Set(created_by),
        created_at: Set(now),
        expires_at: Set(expires_at),
        access_until: Set(access_until),
        redeemed_at: Set(None),
        redeemed_by: Set(None),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let mail = templates::invite(locale, email, &link, access_until.timestamp(), expires_at.timestamp());
    Mailer::enqueue(&txn, mail).await?;
    txn.commit().await?;
    services.mailer.wake();
    tracing::info!(invite = %invite.id, "invite created");
    Ok(Created { invite, link })
}

/// The newest invites first.
pub async fn list<C: ConnectionTrait>(db: &C, limit: u64) -> Result<Vec<user_invites::Model>, DbErr> {
    user_invites::Entity::find()
        .order_by_desc(Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await
}

/// Revokes an invite: it can no longer be redeemed, and access it already
/// granted ends now. Returns false when there is no such invite.
pub async fn revoke(services: &Services, id: Uuid) -> Result<bool, AppError> {
    let now = Utc::now();
    let txn = crate::services::begin_write(&services.db).await?;
    let updated = user_invites::Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(Some(now)))
        .filter(Column::Id.eq(id))
        .filter(Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    let exists = updated.rows_affected == 1 || user_invites::Entity::find_by_id(id).one(&txn).await?.is_some();
    access::revoke_reference(&txn, AccessReason::Invite, &id.to_string(), now).await?;
    txn.commit().await?;
    Ok(exists)
}

/// Every invite ever made for `email`.
pub async fn for_email<C: ConnectionTrait>(db: &C, email: &Email) -> Result<Vec<user_invites::Model>, DbErr> {
    user_invites::Entity::find()
        .filter(Column::Email.eq(email.as_str()))
        .order_by_desc(Column::CreatedAt)
        .all(db)
        .await
}

/// The invite whose link carries `token`.
pub async fn find_by_token<C: ConnectionTrait>(db: &C, token: &str) -> Result<Option<user_invites::Model>, DbErr> {
    user_invites::Entity::find()
        .filter(Column::TokenHash.eq(hash_token(token)))
        .one(db)
        .await
}

/// Whether an open invite exists for `email`.
pub async fn has_open_invite<C: ConnectionTrait>(db: &C, email: &Email, now: DateTime<Utc>) -> Result<bool, DbErr> {
    Ok(user_invites::Entity::find()
        .filter(Column::Email.eq(email.as_str()))
        .filter(open(now))
        .one(db)
        .await?
        .is_some())
}

/// Not redeemed, not revoked, not expired.
pub fn is_open(invite: &user_invites::Model, now: DateTime<Utc>) -> bool {
    invite.redeemed_at.is_none() && invite.revoked_at.is_none() && invite.expires_at > now
}

fn open(now: DateTime<Utc>) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(Column::RedeemedAt.is_null())
        .add(Column::RevokedAt.is_null())
        .add(Column::ExpiresAt.gt(now))
}

/// Redeems every open invite for `email` in favour of `user_id`: each is
/// marked redeemed (once, even under concurrent sign-ins) and grants access
/// until its access date. Returns how many were redeemed.
pub async fn redeem_open_for<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    email: &Email,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let invites = user_invites::Entity::find()
        .filter(Column::Email.eq(email.as_str()))
        .filter(open(now))
        .all(db)
        .await?;
    let mut redeemed = 0;
    for invite in invites {
        let claimed = user_invites::Entity::update_many()
            .col_expr(Column::RedeemedAt, Expr::value(Some(now)))
            .col_expr(Column::RedeemedBy, Expr::value(Some(user_id)))
            .filter(Column::Id.eq(invite.id))
            .filter(open(now))
            .exec(db)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        access::grant(
            db,
            NewGrant {
                user_id,
                reason: AccessReason::Invite,
                reference: Some(invite.id.to_string()),
                starts_at: now,
                ends_at: Some(invite.access_until),
                created_by: invite.created_by,
            },
        )
        .await?;
        tracing::info!(invite = %invite.id, user = %user_id, "invite redeemed");
        redeemed += 1;
    }
    Ok(redeemed)
}

/// Where an invite stands at `now`.
pub fn status(invite: &user_invites::Model, now: DateTime<Utc>) -> InviteStatus {
    if invite.revoked_at.is_some() {
        InviteStatus::Revoked
    } else if invite.redeemed_at.is_some() {
        InviteStatus::Redeemed
    } else if invite.expires_at <= now {
        InviteStatus::Expired
    } else {
        InviteStatus::Pending
    }
}

/// The admin page's view of an invite.
pub fn view(invite: &user_invites::Model, now: DateTime<Utc>) -> InviteView {
    InviteView {
        id: invite.id.to_string(),
        email: invite.email.clone(),
        created_at: invite.created_at.timestamp(),
        expires_at: invite.expires_at.timestamp(),
        access_until: invite.access_until.timestamp(),
        status: status(invite, now),
    }
}
