//! What server functions use to learn who is calling and to sign people in
//! and out. The session middleware has already resolved the session and
//! applied the gate; these read its result from the request.

use super::session::{self, ClientMeta, CurrentSession, RequestSession};
use crate::access::AccessState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::gate;
use crate::services::{Services, use_services};
use entity::users;
use http::HeaderValue;
use http::request::Parts;
use leptos::prelude::use_context;
use std::sync::Arc;

pub use crate::error::finish;

fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| crate::error::internal("request parts missing from the context"))
}

/// The signed-in user's session, if any.
pub fn viewer() -> Option<Arc<CurrentSession>> {
    use_context::<Parts>()
        .and_then(|p| p.extensions.get::<RequestSession>().cloned())
        .and_then(|s| s.0)
}

/// The signed-in user, or `NotSignedIn`.
pub fn require_user() -> Result<Arc<CurrentSession>, AppError> {
    viewer().ok_or(AppError::NotSignedIn)
}

/// A signed-in user with valid access (the gate's rule, checked again here).
pub fn require_access() -> Result<Arc<CurrentSession>, AppError> {
    let current = require_user()?;
    gate::check(Some(&current.viewer()), gate::Requirement::Access).map_err(session::denial_error)?;
    Ok(current)
}

/// An admin (with a verified email: the gate's rule, checked again here).
pub fn require_admin() -> Result<Arc<CurrentSession>, AppError> {
    let current = require_user()?;
    gate::check(Some(&current.viewer()), gate::Requirement::Admin).map_err(session::denial_error)?;
    Ok(current)
}

/// A cookie of this request.
pub fn cookie(name: &str) -> Option<String> {
    use_context::<Parts>().and_then(|p| crate::prefs::cookie(&p.headers, name))
}

/// The caller's IP and user agent.
pub fn client_meta() -> Result<ClientMeta, AppError> {
    Ok(session::client_meta(&parts()?))
}

/// Adds a `Set-Cookie` to the response.
pub fn set_cookie(value: HeaderValue) {
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.append_header(http::header::SET_COOKIE, value);
    }
}

/// Finishes an action that moves the user elsewhere. A form posted without
/// JavaScript (it accepts HTML) gets a real redirect; the app's own calls
/// get the path back and navigate with a full page load, so the next page
/// is rendered for the new session.
pub fn go(path: String) -> String {
    let plain_form = use_context::<Parts>()
        .and_then(|p| p.headers.get(http::header::ACCEPT).cloned())
        .and_then(|v| v.to_str().ok().map(|s| s.contains("text/html")))
        .unwrap_or(false);
    if plain_form && let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::SEE_OTHER);
        if let Ok(location) = HeaderValue::from_str(&path) {
            res.insert_header(http::header::LOCATION, location);
        }
    }
    path
}

/// Signs `user` in on this request: ends the caller's current session (a
/// new id at every sign-in), starts a new one, sets the cookie, and returns
/// where the user belongs (`next` when allowed, else their landing page).
pub async fn sign_in_as(
    services: &Services,
    user: &users::Model,
    method: &str,
    remember: bool,
    next: Option<&str>,
) -> Result<String, AppError> {
    let current = viewer();
    let (cookie, destination) = session::sign_in(
        services,
        current.as_deref(),
        user,
        method,
        remember,
        &client_meta()?,
        next,
    )
    .await?;
    set_cookie(cookie);
    Ok(destination)
}

/// The viewer of `user` with `access`.
pub fn viewer_of(user: &users::Model, access: AccessState) -> Viewer {
    CurrentSession {
        id: String::new(),
        user: user.clone(),
        access,
        remember: false,
        auth_method: String::new(),
    }
    .viewer()
}

/// Gives the current session a new id after a privilege change (email
/// verified, admin granted, password changed).
pub async fn rotate_current(services: &Services) -> Result<(), AppError> {
    if let Some(current) = viewer() {
        set_cookie(session::rotate(services, &current).await?);
    }
    Ok(())
}

/// Ends the current session and clears the cookie; returns the home page.
pub async fn sign_out() -> Result<String, AppError> {
    let services = use_services()?;
    if let Some(current) = viewer() {
        session::end(&services.db, &current.id).await?;
        tracing::info!(user = %current.user.id, "signed out");
    }
    set_cookie(session::clear_cookie(&services));
    Ok(go(crate::routes::HOME_PATH.to_owned()))
}
