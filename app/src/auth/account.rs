//! The account page's server functions: profile, sessions, linked
//! providers, deleting the account. All need a signed-in user (the gate
//! declares `/api/account/*` so).

use crate::error::AppError;
use leptos::prelude::*;

pub use wire::account::{AccountDetails, IdentityView, SessionView};

#[cfg(feature = "ssr")]
use {
    crate::server::{context, cookies, finish, go, set_cookie},
    domain::accounts::profile as ops,
};

#[server(endpoint = "account/overview")]
pub async fn account_overview() -> Result<AccountDetails, AppError> {
    let (services, actor) = context()?;
    finish(ops::overview(&services, &actor).await)
}

/// Renames the user.
#[server(endpoint = "account/profile")]
pub async fn update_profile(display_name: String) -> Result<String, AppError> {
    let (services, actor) = context()?;
    finish(ops::rename(&services, &actor, &display_name).await)
}

/// Ends one of the user's sessions.
#[server(endpoint = "account/sessions/revoke")]
pub async fn revoke_session(id: String) -> Result<(), AppError> {
    let (services, actor) = context()?;
    if finish(ops::revoke_session(&services, &actor, &id).await)? {
        set_cookie(cookies::clear_session(&services));
    }
    Ok(())
}

/// Ends every session of the user except this one; returns how many ended.
#[server(endpoint = "account/sessions/revoke-others")]
pub async fn sign_out_other_devices() -> Result<u64, AppError> {
    let (services, actor) = context()?;
    finish(ops::sign_out_others(&services, &actor).await)
}

/// Unlinks a provider, unless it is the account's last way to sign in.
#[server(endpoint = "account/identities/unlink")]
pub async fn unlink_identity(provider: String) -> Result<(), AppError> {
    let (services, actor) = context()?;
    finish(ops::unlink(&services, &actor, &provider).await)
}

/// Deletes the account and everything it owns. `confirm` is the password,
/// or for accounts without one, the account's email.
#[server(endpoint = "account/delete")]
pub async fn delete_account(confirm: String) -> Result<String, AppError> {
    let (services, actor) = context()?;
    finish(ops::delete(&services, &actor, confirm).await)?;
    set_cookie(cookies::clear_session(&services));
    Ok(go(wire::paths::HOME_PATH.to_owned()))
}
