//! A signed-in user's own account: what the account page lists, the name,
//! signed-in devices, linked providers, signing out, deleting the account.

use super::sessions;
use crate::actor::Actor;
use crate::error::{DomainError, Result};
use crate::services::Services;
use entity::{user_identities, users};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set};
use wire::account::{AccountDetails, IdentityView, SessionView};
use wire::fields::{Field, Problem};

/// The user's linked providers and live sessions.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn overview(services: &Services, actor: &Actor) -> Result<AccountDetails> {
    let current = actor.user()?;
    let identities = user_identities::Entity::find()
        .filter(user_identities::Column::UserId.eq(current.user.id))
        .order_by_asc(user_identities::Column::CreatedAt)
        .all(&services.db)
        .await?
        .into_iter()
        .map(|i| IdentityView {
            provider: i.provider,
            email: i.email,
            created_at: i.created_at.timestamp(),
        })
        .collect();
    let sessions = sessions::list(services, current.user.id)
        .await?
        .into_iter()
        .map(|s| SessionView {
            current: s.id == current.id,
            id: s.id,
            created_at: s.created_at.timestamp(),
            last_seen_at: s.last_seen_at.timestamp(),
            user_agent: s.user_agent,
            ip: s.ip,
            method: s.auth_method,
        })
        .collect();
    Ok(AccountDetails { identities, sessions })
}

/// Renames the user; returns the name as saved.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn rename(services: &Services, actor: &Actor, display_name: &str) -> Result<String> {
    let current = actor.user()?;
    let name = super::rules::display_name(display_name)?;
    let mut active = current.user.clone().into_active_model();
    active.display_name = Set(name.clone());
    active.updated_at = Set(chrono::Utc::now());
    active.update(&services.db).await?;
    Ok(name)
}

/// Ends one of the user's sessions; `true` when it was the caller's own.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn revoke_session(services: &Services, actor: &Actor, id: &str) -> Result<bool> {
    let current = actor.user()?;
    // Scoped to the owner: another user's session id is "not found".
    let deleted = entity::sessions::Entity::delete_many()
        .filter(entity::sessions::Column::Id.eq(id))
        .filter(entity::sessions::Column::UserId.eq(current.user.id))
        .exec(&services.db)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(DomainError::NotFound);
    }
    Ok(id == current.id)
}

/// Ends every session of the user but the caller's; returns how many ended.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn sign_out_others(services: &Services, actor: &Actor) -> Result<u64> {
    let current = actor.user()?;
    let ended = sessions::end_all(&services.db, current.user.id, Some(&current.id)).await?;
    tracing::info!(user = %current.user.id, ended, "signed out other devices");
    Ok(ended)
}

/// Ends the caller's session.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn sign_out(services: &Services, actor: &Actor) -> Result<()> {
    if let Some(current) = actor.session() {
        sessions::end(&services.db, &current.id).await?;
        tracing::info!(user = %current.user.id, "signed out");
    }
    Ok(())
}

/// Unlinks a provider, unless it is the account's last way to sign in. The
/// account's other sessions end (one may have been opened through it).
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn unlink(services: &Services, actor: &Actor, provider: &str) -> Result<()> {
    let current = actor.user()?;
    let methods = super::rules::methods_of(&services.db, &current.user).await?;
    if !methods.iter().any(|m| m == provider) || provider == wire::auth::PASSWORD_METHOD {
        return Err(DomainError::NotFound);
    }
    if methods.len() <= 1 {
        return Err(DomainError::LastSignInMethod);
    }
    let txn = crate::services::begin_write(&services.db).await?;
    user_identities::Entity::delete_many()
        .filter(user_identities::Column::UserId.eq(current.user.id))
        .filter(user_identities::Column::Provider.eq(provider))
        .exec(&txn)
        .await?;
    let ended = sessions::end_all(&txn, current.user.id, Some(&current.id)).await?;
    txn.commit().await?;
    tracing::info!(user = %current.user.id, provider, other_sessions_ended = ended, "provider unlinked");
    Ok(())
}

/// Deletes the account and everything it owns. `confirm` is the password,
/// or for accounts without one, the account's email. A subscription that
/// could still charge the card is cancelled first, or nothing is deleted.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn delete(services: &Services, actor: &Actor, confirm: String) -> Result<()> {
    let current = actor.user()?;
    match current.user.password_hash {
        // The password, checked under the same limits as a sign-in.
        #[cfg(feature = "local_auth")]
        Some(_) => super::password::confirm_password(services, actor, &current.user, confirm, Field::Confirm)
            .await
            .map_err(|e| match e {
                DomainError::Invalid { .. } => DomainError::invalid(Field::Confirm, Problem::Mismatch),
                other => other,
            })?,
        _ => {
            if !confirm.trim().eq_ignore_ascii_case(&current.user.email) {
                return Err(DomainError::invalid(Field::Confirm, Problem::Mismatch));
            }
        }
    }
    services
        .features
        .before_account_deleted(&services.db, current.user.id)
        .await?;
    // Sessions, identities, tokens and grants go with it (ON DELETE CASCADE).
    users::Entity::delete_by_id(current.user.id).exec(&services.db).await?;
    tracing::info!(user = %current.user.id, "account deleted");
    Ok(())
}
