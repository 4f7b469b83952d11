//! Sign-in with email and password (`local_auth`): the server functions,
//! each one call to `domain::accounts::password`.

use crate::error::AppError;
use leptos::prelude::*;

/// Identifier of this method in `(provider, subject)` identities.
pub const PROVIDER_ID: &str = super::PASSWORD_METHOD;

#[cfg(feature = "ssr")]
use {
    crate::server::{context, cookies, finish, go, set_cookie},
    domain::accounts::password as ops,
};

/// Creates an account and signs it in; returns where to go next (the
/// verification notice, or the main route when an invite link proved the
/// address). `invite` is the token from an invite's sign-up link.
#[server(endpoint = "auth/register")]
pub async fn register(
    display_name: String,
    email: String,
    password: String,
    invite: Option<String>,
    remember: Option<String>,
) -> Result<String, AppError> {
    let (services, actor) = context()?;
    let form = ops::Registration {
        display_name,
        email,
        password,
        invite,
        remember: remember.is_some(),
        locale: crate::i18n::request_locale(),
    };
    let signed_in = finish(ops::register(&services, &actor, form).await)?;
    set_cookie(cookies::session(&services, &signed_in.session));
    Ok(go(signed_in.next))
}

/// Signs in; returns where to go next. A wrong password and an unknown
/// email get the same answer.
#[server(endpoint = "auth/sign-in")]
pub async fn sign_in(
    email: String,
    password: String,
    remember: Option<String>,
    next: Option<String>,
) -> Result<String, AppError> {
    let (services, actor) = context()?;
    let form = ops::Credentials {
        email,
        password,
        remember: remember.is_some(),
        next,
        device: crate::server::cookie(cookies::device_name(&services)),
    };
    let done = finish(ops::sign_in(&services, &actor, form).await)?;
    if let Some(device) = &done.new_device {
        set_cookie(cookies::device(&services, device));
    }
    set_cookie(cookies::session(&services, &done.signed_in.session));
    Ok(go(done.signed_in.next))
}

/// Uses an email verification link; returns where to go next.
#[server(endpoint = "auth/verify-email")]
pub async fn verify_email(token: String) -> Result<String, AppError> {
    let (services, actor) = context()?;
    match finish(ops::verify_email(&services, &actor, &token).await)? {
        ops::Verification::Verified { session, next } => {
            set_cookie(cookies::session(&services, &session));
            Ok(go(next))
        }
        ops::Verification::SignInFirst { next } => Ok(go(next)),
    }
}

/// Sends the signed-in user a new verification link.
#[server(endpoint = "auth/resend-verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    let (services, actor) = context()?;
    finish(ops::resend_verification(&services, &actor, crate::i18n::request_locale()).await)
}

/// Sends a reset link if an account has this email. Answers the same
/// either way.
#[server(endpoint = "auth/forgot-password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    let (services, actor) = context()?;
    finish(ops::forgot_password(&services, &actor, &email, crate::i18n::request_locale()).await)
}

/// Sets a new password from a reset link and ends every session of the
/// account; returns the sign-in page (or, for the account's first
/// password, signs this browser in and returns the main page).
#[server(endpoint = "auth/reset-password")]
pub async fn reset_password(token: String, password: String) -> Result<String, AppError> {
    let (services, actor) = context()?;
    let set = finish(ops::reset_password(&services, &actor, &token, password).await)?;
    match &set.session {
        Some(session) => set_cookie(cookies::session(&services, session)),
        None if actor.session().is_some() => set_cookie(cookies::clear_session(&services)),
        None => {}
    }
    Ok(go(set.to))
}

/// Changes the signed-in user's password; other sessions end.
#[server(endpoint = "account/password")]
pub async fn change_password(current_password: String, password: String) -> Result<(), AppError> {
    let (services, actor) = context()?;
    let session = finish(ops::change_password(&services, &actor, current_password, password).await)?;
    set_cookie(cookies::session(&services, &session));
    Ok(())
}
