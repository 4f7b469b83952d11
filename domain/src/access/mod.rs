//! Access grants in the database, the access state of a user computed from
//! them with [`wire::access::rule::evaluate`], and granting access (the
//! admin page and the CLI).

use crate::actor::Actor;
use crate::error::{DomainError, Result};
use crate::services::Services;
use chrono::{DateTime, Utc};
use entity::{access_grants, users};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use uuid::Uuid;
use wire::access::rule::{self, Grant};
use wire::access::{AccessReason, AccessState};
use wire::email::Email;

/// The access of `user` at `now`.
pub async fn state_for<C: ConnectionTrait>(
    db: &C,
    user: &users::Model,
    now: DateTime<Utc>,
) -> Result<AccessState, DbErr> {
    let grants = access_grants::Entity::find()
        .filter(access_grants::Column::UserId.eq(user.id))
        .all(db)
        .await?;
    Ok(state_of(user, &grants, now))
}

/// The access that `grants` (all of `user`'s, read beforehand: a session
/// reads them with its user in one query) give `user` at `now`.
pub fn state_of(user: &users::Model, grants: &[access_grants::Model], now: DateTime<Utc>) -> AccessState {
    let grants: Vec<Grant> = grants
        .iter()
        .filter_map(|g| {
            Some(Grant {
                reason: AccessReason::from_source(&g.source)?,
                starts_at: g.starts_at.timestamp(),
                ends_at: g.ends_at.map(|e| e.timestamp()),
                revoked: g.revoked_at.is_some(),
            })
        })
        .collect();
    rule::evaluate(user.is_admin, &grants, now.timestamp())
}

/// A new grant of access.
pub struct NewGrant {
    pub user_id: Uuid,
    pub reason: AccessReason,
    /// The outside object behind it (an invite's id); unique per reason.
    pub reference: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
}

/// Records a grant.
pub async fn grant<C: ConnectionTrait>(db: &C, g: NewGrant) -> Result<access_grants::Model, DbErr> {
    let now = Utc::now();
    access_grants::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(g.user_id),
        source: Set(g.reason.source().to_owned()),
        reference: Set(g.reference),
        starts_at: Set(g.starts_at),
        ends_at: Set(g.ends_at),
        created_by: Set(g.created_by),
        created_at: Set(now),
        updated_at: Set(now),
        revoked_at: Set(None),
    }
    .insert(db)
    .await
}

/// Revokes the grant made for an outside object (a revoked invite).
pub async fn revoke_reference<C: ConnectionTrait>(
    db: &C,
    reason: AccessReason,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(access_grants::Entity::update_many()
        .col_expr(
            access_grants::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(Some(now)),
        )
        .col_expr(access_grants::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
        .filter(access_grants::Column::Source.eq(reason.source()))
        .filter(access_grants::Column::Reference.eq(reference))
        .filter(access_grants::Column::RevokedAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

/// Grants the account with `email` access for `days` from now; returns
/// when it ends (`NoAccount` when no account uses the address). An admin
/// (or the operator) acts.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn grant_access(services: &Services, actor: &Actor, email: &Email, days: i64) -> Result<DateTime<Utc>> {
    let admin = actor.require_admin()?;
    let days = crate::invites::check_days(days)?;
    let user = crate::accounts::users::find_by_email(&services.db, email)
        .await?
        .ok_or_else(|| DomainError::NoAccount {
            email: email.as_str().to_owned(),
        })?;
    let now = Utc::now();
    let ends = now + chrono::Duration::days(days);
    grant(
        &services.db,
        NewGrant {
            user_id: user.id,
            reason: AccessReason::AdminGrant,
            reference: None,
            starts_at: now,
            ends_at: Some(ends),
            created_by: admin,
        },
    )
    .await?;
    tracing::info!(user = %user.id, days, "access granted");
    Ok(ends)
}
