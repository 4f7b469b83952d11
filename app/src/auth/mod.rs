//! Accounts in the UI: the sign-in, sign-up, verification, password and
//! account pages ([`pages`]), the provider buttons ([`oauth`]), and the
//! server functions around `domain::accounts` (one operation each).
//!
//! Which sign-in methods a build has is typed in `wire::auth`; the UI asks
//! [`methods`] instead of testing features itself.

pub mod account;
#[cfg(feature = "local_auth")]
pub mod local;
#[cfg(any(feature = "google_auth", feature = "github_auth"))]
pub mod oauth;
pub mod pages;

use crate::error::AppError;
use leptos::prelude::*;
pub use wire::auth::{AuthMethod, MAX_NAME_CHARS, PASSWORD_METHOD, Viewer, check_display_name, methods};
pub use wire::email;
pub use wire::password;

/// The current user and their access, or `None` when signed out. The one
/// server function that tells the UI about access: fetched when a page
/// loads and again whenever the answer goes stale.
#[server(endpoint = "session/viewer")]
pub async fn get_viewer() -> Result<Option<Viewer>, AppError> {
    let (_, actor) = crate::server::context()?;
    Ok(actor.session().map(|s| s.viewer()))
}

/// Signs out: ends this session on the server and clears the cookie.
#[server(endpoint = "auth/sign-out")]
pub async fn sign_out() -> Result<String, AppError> {
    use crate::server::{context, cookies, finish, go, set_cookie};
    let (services, actor) = context()?;
    finish(domain::accounts::profile::sign_out(&services, &actor).await)?;
    set_cookie(cookies::clear_session(&services));
    Ok(go(wire::paths::HOME_PATH.to_owned()))
}
