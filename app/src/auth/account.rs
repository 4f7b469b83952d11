//! The account page's server functions: profile, sessions, linked
//! providers, deleting the account. All need a signed-in user (the gate
//! declares `/api/account/*` so).

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A signed-in browser, as the sessions list shows it. Times are Unix seconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// The session's handle for revoking it (the hash of its token; it opens nothing).
    pub id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub user_agent: String,
    pub ip: String,
    pub method: String,
    /// The session this request came with.
    pub current: bool,
}

/// A provider account linked to this one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityView {
    pub provider: String,
    pub email: String,
    pub created_at: i64,
}

/// Everything the account page lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDetails {
    pub identities: Vec<IdentityView>,
    pub sessions: Vec<SessionView>,
}

#[server(endpoint = "account/overview")]
pub async fn account_overview() -> Result<AccountDetails, AppError> {
    crate::error::finish(ssr::overview().await)
}

/// Renames the user.
#[server(endpoint = "account/profile")]
pub async fn update_profile(display_name: String) -> Result<String, AppError> {
    crate::error::finish(ssr::update_profile(display_name).await)
}

/// Ends one of the user's sessions.
#[server(endpoint = "account/sessions/revoke")]
pub async fn revoke_session(id: String) -> Result<(), AppError> {
    crate::error::finish(ssr::revoke_session(id).await)
}

/// Ends every session of the user except this one; returns how many ended.
#[server(endpoint = "account/sessions/revoke-others")]
pub async fn sign_out_other_devices() -> Result<u64, AppError> {
    crate::error::finish(ssr::sign_out_others().await)
}

/// Unlinks a provider, unless it is the account's last way to sign in.
#[server(endpoint = "account/identities/unlink")]
pub async fn unlink_identity(provider: String) -> Result<(), AppError> {
    crate::error::finish(ssr::unlink(provider).await)
}

/// Deletes the account and everything it owns. `confirm` is the password,
/// or for accounts without one, the account's email.
#[server(endpoint = "account/delete")]
pub async fn delete_account(confirm: String) -> Result<String, AppError> {
    crate::error::finish(ssr::delete(confirm).await)
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::auth::session;
    use crate::auth::ssr::{go, require_user, set_cookie};
    use crate::error::{Field, Problem};
    use crate::services::use_services;
    use entity::{user_identities, users};
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set};

    pub async fn overview() -> Result<AccountDetails, AppError> {
        let services = use_services()?;
        let current = require_user()?;
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
        let sessions = session::list(&services, current.user.id)
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

    pub async fn update_profile(display_name: String) -> Result<String, AppError> {
        let services = use_services()?;
        let current = require_user()?;
        let name = crate::auth::accounts::display_name(&display_name)?;
        let mut active = current.user.clone().into_active_model();
        active.display_name = Set(name.clone());
        active.updated_at = Set(chrono::Utc::now());
        active.update(&services.db).await?;
        Ok(name)
    }

    pub async fn revoke_session(id: String) -> Result<(), AppError> {
        let services = use_services()?;
        let current = require_user()?;
        // Scoped to the owner: another user's session id is "not found".
        let deleted = entity::sessions::Entity::delete_many()
            .filter(entity::sessions::Column::Id.eq(id.clone()))
            .filter(entity::sessions::Column::UserId.eq(current.user.id))
            .exec(&services.db)
            .await?;
        if deleted.rows_affected == 0 {
            return Err(AppError::NotFound);
        }
        if id == current.id {
            set_cookie(session::clear_cookie(&services));
        }
        Ok(())
    }

    pub async fn sign_out_others() -> Result<u64, AppError> {
        let services = use_services()?;
        let current = require_user()?;
        let ended = session::end_all(&services.db, current.user.id, Some(&current.id)).await?;
        tracing::info!(user = %current.user.id, ended, "signed out other devices");
        Ok(ended)
    }

    pub async fn unlink(provider: String) -> Result<(), AppError> {
        let services = use_services()?;
        let current = require_user()?;
        let methods = crate::auth::accounts::methods_of(&services.db, &current.user).await?;
        if !methods.contains(&provider) || provider == crate::auth::PASSWORD_METHOD {
            return Err(AppError::NotFound);
        }
        if methods.len() <= 1 {
            return Err(AppError::LastSignInMethod);
        }
        let txn = crate::services::begin_write(&services.db).await?;
        user_identities::Entity::delete_many()
            .filter(user_identities::Column::UserId.eq(current.user.id))
            .filter(user_identities::Column::Provider.eq(provider.clone()))
            .exec(&txn)
            .await?;
        // A session opened through that provider must not outlive it.
        let ended = session::end_all(&txn, current.user.id, Some(&current.id)).await?;
        txn.commit().await?;
        tracing::info!(user = %current.user.id, provider, other_sessions_ended = ended, "provider unlinked");
        Ok(())
    }

    pub async fn delete(confirm: String) -> Result<String, AppError> {
        let services = use_services()?;
        let current = require_user()?;
        match current.user.password_hash {
            // The password, checked under the same limits as a sign-in.
            #[cfg(feature = "local_auth")]
            Some(_) => crate::auth::local::flows::confirm_password(&services, &current.user, confirm, Field::Confirm)
                .await
                .map_err(|e| match e {
                    AppError::Invalid { .. } => AppError::invalid(Field::Confirm, Problem::Mismatch),
                    other => other,
                })?,
            _ => {
                if !confirm.trim().eq_ignore_ascii_case(&current.user.email) {
                    return Err(AppError::invalid(Field::Confirm, Problem::Mismatch));
                }
            }
        }
        // A subscription would go on charging the card of an account that
        // no longer exists: it is cancelled first, or nothing is deleted.
        #[cfg(feature = "stripe_payment")]
        crate::payments::stripe::checkout::cancel_subscriptions(&services, current.user.id).await?;
        // Sessions, identities, tokens and grants go with it (ON DELETE CASCADE).
        users::Entity::delete_by_id(current.user.id).exec(&services.db).await?;
        tracing::info!(user = %current.user.id, "account deleted");
        set_cookie(session::clear_cookie(&services));
        Ok(go(crate::routes::HOME_PATH.to_owned()))
    }
}
