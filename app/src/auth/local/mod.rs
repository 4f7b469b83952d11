//! Sign-in with email and password (`local_auth`): register, sign in,
//! verify the email, reset and change the password. The server side of
//! each function is in [`flows`].

#[cfg(feature = "ssr")]
pub mod devices;
#[cfg(feature = "ssr")]
pub mod flows;
#[cfg(feature = "ssr")]
pub mod hasher;
#[cfg(feature = "ssr")]
pub mod throttle;
#[cfg(feature = "ssr")]
pub mod tokens;

use crate::error::AppError;
use leptos::prelude::*;

/// Identifier of this method in `(provider, subject)` identities.
pub const PROVIDER_ID: &str = super::PASSWORD_METHOD;

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
    let form = flows::Registration {
        display_name,
        email,
        password,
        invite,
        remember: remember.is_some(),
    };
    crate::error::finish(flows::register(form).await)
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
    crate::error::finish(flows::sign_in(email, password, remember.is_some(), next).await)
}

/// Uses an email verification link; returns where to go next.
#[server(endpoint = "auth/verify-email")]
pub async fn verify_email(token: String) -> Result<String, AppError> {
    crate::error::finish(flows::verify_email(token).await)
}

/// Sends the signed-in user a new verification link.
#[server(endpoint = "auth/resend-verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    crate::error::finish(flows::resend_verification().await)
}

/// Sends a reset link if an account has this email. Answers the same
/// either way.
#[server(endpoint = "auth/forgot-password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    crate::error::finish(flows::forgot_password(email).await)
}

/// Sets a new password from a reset link and ends every session of the
/// account; returns the sign-in page.
#[server(endpoint = "auth/reset-password")]
pub async fn reset_password(token: String, password: String) -> Result<String, AppError> {
    crate::error::finish(flows::reset_password(token, password).await)
}

/// Changes the signed-in user's password; other sessions end.
#[server(endpoint = "account/password")]
pub async fn change_password(current_password: String, password: String) -> Result<(), AppError> {
    crate::error::finish(flows::change_password(current_password, password).await)
}
