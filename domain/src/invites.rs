//! Invites: an admin invites an email; that address registers without
//! paying and has access until the invite's access date. Created from the
//! admin page or `server invite create` (an admin or the operator acts),
//! redeemed when the invited address registers or signs in with a proven
//! email.

use crate::access::{self, NewGrant};
use crate::actor::Actor;
use crate::error::{DomainError, Result};
use crate::mail::{Mailer, templates};
use crate::secret::{hash_token, new_token};
use crate::services::Services;
use chrono::{DateTime, Utc};
use entity::user_invite_links;
use entity::user_invites::{self, Column};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;
use wire::access::AccessReason;
use wire::email::Email;
use wire::i18n::Locale;
use wire::invites::{InviteList, InviteOffer, InviteSent, InviteStatus, InviteView};

/// What [`create`] did: the invite, the token of the link it mailed (only
/// hashes are stored), and whether it sent an open invite again.
#[derive(Debug)]
pub struct Created {
    pub invite: user_invites::Model,
    pub link: String,
    /// The address already had an open invite: it got a new link to that
    /// invite (its terms extended to the later dates), and its earlier
    /// links keep working.
    pub resent: bool,
}

/// What a new invite is.
#[derive(Debug)]
pub struct NewInvite {
    pub email: Email,
    pub access_until: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The language of the invite email.
    pub locale: Locale,
    /// Credits granted on redemption (smallest unit; 0: none).
    pub credits: i64,
}

/// Invites an address and queues the invite email, in one transaction.
/// When the address already has an open invite, that invite is sent again:
/// a new link to it, its dates moved to the later of the two, and the
/// links already mailed keep working (an admin pressing "Send" twice must
/// not break the link the guest already has).
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn create(services: &Services, actor: &Actor, new: NewInvite) -> Result<Created> {
    let created_by = actor.require_admin()?;
    let NewInvite {
        email,
        access_until,
        expires_at,
        locale,
        credits,
    } = new;
    if !(0..=wire::credits::MAX_AMOUNT).contains(&credits) {
        return Err(DomainError::invalid(
            wire::fields::Field::Credits,
            wire::fields::Problem::Invalid,
        ));
    }
    let email = &email;
    let now = Utc::now();
    let token = new_token();
    let link = services.link(&format!("{}?invite={token}", wire::paths::SIGN_UP_PATH));
    let txn = crate::services::begin_write(&services.db).await?;
    // One invite per address at a time: two sends at once (a double
    // click) must not both find no open invite and make two, each of
    // which would grant its credits. (SQLite's write transaction already
    // runs one at a time.)
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtext($1))",
            [format!("{}:invite:{}", wire::brand::SLUG, email.as_str()).into()],
        ))
        .await?;
    }
    let existing = user_invites::Entity::find()
        .filter(Column::Email.eq(email.as_str()))
        .filter(open(now))
        .order_by_desc(Column::CreatedAt)
        .one(&txn)
        .await?;
    // Sent again: the open invite's dates move to the later ones and it
    // gets one more link, only while it is still open (a revoke or a
    // redemption committed meanwhile makes this a new invite instead).
    let resent = match existing {
        Some(open_invite) => {
            let access_until = access_until.max(open_invite.access_until);
            let expires_at = expires_at.max(open_invite.expires_at);
            let credits = credits.max(open_invite.credits);
            let extended = user_invites::Entity::update_many()
                .col_expr(Column::AccessUntil, Expr::value(access_until))
                .col_expr(Column::ExpiresAt, Expr::value(expires_at))
                .col_expr(Column::Credits, Expr::value(credits))
                .filter(Column::Id.eq(open_invite.id))
                .filter(open(now))
                .exec(&txn)
                .await?;
            if extended.rows_affected == 1 {
                user_invite_links::ActiveModel {
                    token_hash: Set(hash_token(&token)),
                    invite_id: Set(open_invite.id),
                    created_at: Set(now),
                }
                .insert(&txn)
                .await?;
                Some(user_invites::Model {
                    access_until,
                    expires_at,
                    credits,
                    ..open_invite
                })
            } else {
                None
            }
        }
        None => None,
    };
    let (invite, resent) = match resent {
        Some(invite) => (invite, true),
        None => {
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
                credits: Set(credits),
            }
            .insert(&txn)
            .await?;
            (invite, false)
        }
    };
    let mail = templates::invite(
        locale,
        email,
        &link,
        invite.access_until.timestamp(),
        invite.expires_at.timestamp(),
    );
    Mailer::enqueue(&txn, mail).await?;
    txn.commit().await?;
    services.mailer.wake();
    tracing::info!(invite = %invite.id, resent, "invite sent");
    Ok(Created { invite, link, resent })
}

/// The newest invites first.
pub async fn list<C: ConnectionTrait>(db: &C, limit: u64) -> Result<Vec<user_invites::Model>, DbErr> {
    user_invites::Entity::find()
        .order_by_desc(Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await
}

/// Invites `email` from the admin page: access for `access_days`, the link
/// valid for `valid_days` (`None`: `INVITE_ACCESS_FOR` / `INVITE_VALID_FOR`).
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn create_for_days(
    services: &Services,
    actor: &Actor,
    email: Email,
    access_days: Option<i64>,
    valid_days: Option<i64>,
    credits: i64,
    locale: Locale,
) -> Result<InviteSent> {
    actor.require_admin()?;
    let now = Utc::now();
    let defaults = services.settings.invites;
    let until = |days: Option<i64>, default: std::time::Duration| match days {
        Some(d) => Ok(now + chrono::Duration::days(check_days(d)?)),
        None => chrono::Duration::from_std(default)
            .map(|d| now + d)
            .map_err(DomainError::internal),
    };
    let new = NewInvite {
        email,
        access_until: until(access_days, defaults.access_for)?,
        expires_at: until(valid_days, defaults.valid_for)?,
        locale,
        credits,
    };
    let created = create(services, actor, new).await?;
    Ok(InviteSent {
        invite: view(&created.invite, now),
        resent: created.resent,
    })
}

/// A number of days an admin gives (access, an invite's validity): 1 to
/// [`wire::invites::MAX_DAYS`], whoever calls.
pub fn check_days(days: i64) -> Result<i64> {
    if (1..=wire::invites::MAX_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(DomainError::invalid(
            wire::fields::Field::Days,
            wire::fields::Problem::Invalid,
        ))
    }
}

/// Revokes the invite with the id the admin page lists (`NotFound` for
/// an id that is not one).
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn revoke_listed(services: &Services, actor: &Actor, id: &str) -> Result<()> {
    actor.require_admin()?;
    let id = Uuid::parse_str(id).map_err(|_| DomainError::NotFound)?;
    if revoke(services, actor, id).await? {
        Ok(())
    } else {
        Err(DomainError::NotFound)
    }
}

/// The newest invites, as the admin page lists them, with the defaults
/// an empty field stands for.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn list_views(services: &Services, actor: &Actor, limit: u64) -> Result<InviteList> {
    actor.require_admin()?;
    let now = Utc::now();
    let hours = |d: std::time::Duration| i64::try_from(d.as_secs() / 3600).unwrap_or(i64::MAX);
    Ok(InviteList {
        invites: list(&services.db, limit).await?.iter().map(|i| view(i, now)).collect(),
        access_for_hours: hours(services.settings.invites.access_for),
        valid_for_hours: hours(services.settings.invites.valid_for),
        units: services.settings.credits.units,
    })
}

/// What the sign-up page shows about the invite in its link: the open
/// invite behind `token`; `InviteSuperseded` when that invite is closed
/// but a newer one for the same address is open (its link is in a later
/// email); else `LinkExpired`.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn preview(services: &Services, actor: &Actor, token: &str) -> Result<InviteOffer> {
    services
        .limit_ip("email", actor.client().ip, services.settings.limits.email_per_ip)
        .await?;
    let now = Utc::now();
    match find_by_token(&services.db, token).await? {
        Some(invite) if is_open(&invite, now) => Ok(InviteOffer {
            email: invite.email,
            access_until: invite.access_until.timestamp(),
        }),
        Some(invite) if invite.redeemed_at.is_none() && newer_open(&services.db, &invite, now).await? => {
            Err(DomainError::InviteSuperseded)
        }
        _ => Err(DomainError::LinkExpired),
    }
}

/// Revokes every invite of `email` not revoked yet; returns how many.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn revoke_for_email(services: &Services, actor: &Actor, email: &Email) -> Result<usize> {
    actor.require_admin()?;
    let mut revoked = 0;
    for invite in for_email(&services.db, email).await? {
        if invite.revoked_at.is_none() && revoke(services, actor, invite.id).await? {
            revoked += 1;
        }
    }
    Ok(revoked)
}

/// Revokes an invite: it can no longer be redeemed, and access it already
/// granted ends now. Returns false when there is no such invite.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn revoke(services: &Services, actor: &Actor, id: Uuid) -> Result<bool> {
    actor.require_admin()?;
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

/// The invite whose link carries `token`: its first link, or one mailed
/// when it was sent again.
pub async fn find_by_token<C: ConnectionTrait>(db: &C, token: &str) -> Result<Option<user_invites::Model>, DbErr> {
    let hash = hash_token(token);
    if let Some(invite) = user_invites::Entity::find()
        .filter(Column::TokenHash.eq(&hash))
        .one(db)
        .await?
    {
        return Ok(Some(invite));
    }
    match user_invite_links::Entity::find_by_id(hash).one(db).await? {
        Some(link) => user_invites::Entity::find_by_id(link.invite_id).one(db).await,
        None => Ok(None),
    }
}

/// Whether an open invite for `invite`'s address was made after it.
async fn newer_open<C: ConnectionTrait>(
    db: &C,
    invite: &user_invites::Model,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    Ok(user_invites::Entity::find()
        .filter(Column::Email.eq(invite.email.as_str()))
        .filter(Column::CreatedAt.gt(invite.created_at))
        .filter(open(now))
        .one(db)
        .await?
        .is_some())
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
        // Its dates as claimed (sending it again may have moved them since
        // it was read).
        let invite = user_invites::Entity::find_by_id(invite.id)
            .one(db)
            .await?
            .unwrap_or(invite);
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
        if invite.credits > 0 {
            // Once per invite, whoever redeems it how often.
            crate::credits::ledger::grant_in(
                db,
                &crate::credits::ledger::Grant {
                    account: user_id,
                    source: crate::credits::Source::Grant,
                    amount: invite.credits,
                    expires_at: None,
                    key: format!("invite:{}", invite.id),
                    actor: invite
                        .created_by
                        .map_or_else(|| "operator".to_owned(), |by| format!("user:{by}")),
                    reference: Some(format!("invite:{}", invite.id)),
                },
                now,
            )
            .await?;
        }
        tracing::info!(invite = %invite.id, user = %user_id, credits = invite.credits, "invite redeemed");
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
        credits: invite.credits,
    }
}
