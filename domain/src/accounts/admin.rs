//! Making an admin: `server admin create` (the operator) and `ADMIN_EMAILS`
//! (applied when the address is proven, in `rules::on_verified`).

use super::rules::{self, Keep};
use super::sessions;
use crate::actor::Actor;
use crate::error::Result;
use crate::services::Services;
use chrono::Utc;
use entity::users;
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
use wire::email::Email;

/// What making an admin did.
#[derive(Debug)]
pub struct AdminCreated {
    pub user: users::Model,
    /// The account did not exist and was made.
    pub created: bool,
    /// The account's address was never proven: these sign-in methods,
    /// maybe set up by someone else, were removed.
    pub removed_methods: Vec<String>,
    /// The account has no way in: a link to set its password (with
    /// `local_auth`; without, the first provider sign-in that proves the
    /// address claims it).
    pub set_password_link: Option<String>,
}

/// Makes `email` an admin; creates the account when there is none.
///
/// An existing account whose address is not verified may have been
/// registered by someone else: promoting it would hand them the console.
/// So its password, linked providers, sessions and devices go first, and
/// the owner of the address gets in the way a new admin does. A verified
/// account keeps its ways in; its sessions end either way (the next
/// sign-in starts fresh with the new rights).
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn create_admin(services: &Services, actor: &Actor, email: &Email) -> Result<AdminCreated> {
    if !matches!(actor, Actor::Operator) {
        actor.require_admin()?;
    }
    let txn = crate::services::begin_write(&services.db).await?;
    let existing = rules::find_by_email(&txn, email).await?;
    let created = existing.is_none();
    let user = match existing {
        Some(user) => user,
        None => {
            let name = email.as_str().split('@').next().unwrap_or_default().to_owned();
            rules::insert_user(&txn, email, &name, None, None).await?
        }
    };
    let unproven = user.email_verified_at.is_none();
    let mut removed_methods = Vec::new();
    let user = if unproven {
        removed_methods = rules::methods_of(&txn, &user).await?;
        rules::revoke_ways_in(&txn, user, Keep::NOTHING).await?
    } else {
        sessions::end_all(&txn, user.id, None).await?;
        user
    };
    let mut active = user.into_active_model();
    active.is_admin = Set(true);
    active.updated_at = Set(Utc::now());
    let user = active.update(&txn).await?;
    let set_password_link = if unproven {
        first_password_link(services, &txn, &user).await?
    } else {
        None
    };
    txn.commit().await?;
    tracing::info!(user = %user.id, created, unproven, "admin made");
    Ok(AdminCreated {
        user,
        created,
        removed_methods,
        set_password_link,
    })
}

#[cfg(feature = "local_auth")]
async fn first_password_link<C: sea_orm::ConnectionTrait>(
    services: &Services,
    db: &C,
    user: &users::Model,
) -> Result<Option<String>> {
    use super::tokens::{Purpose, issue};
    let token = issue(db, user, Purpose::ResetPassword, Utc::now()).await?;
    Ok(Some(
        services.link(&format!("{}?token={token}", wire::paths::RESET_PASSWORD_PATH)),
    ))
}

#[cfg(not(feature = "local_auth"))]
async fn first_password_link<C: sea_orm::ConnectionTrait>(
    _services: &Services,
    _db: &C,
    _user: &users::Model,
) -> Result<Option<String>> {
    Ok(None)
}
