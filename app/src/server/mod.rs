//! What the adapters share (server only): reading a request's services,
//! actor, cookies and language; turning a domain outcome into the wire
//! (cookies, `ResponseOptions`, statuses, redirects); and the session
//! middleware that resolves who is asking and applies the gate.
//!
//! This module is the one place that reaches into the Leptos context for
//! [`Services`] (`cargo xtask test` checks that): a server function body
//! calls [`context`], one domain operation, and [`finish`].

pub mod cookies;
#[cfg(any(feature = "google_auth", feature = "github_auth"))]
pub mod oauth;
pub mod session;

use crate::error::AppError;
use domain::actor::{Actor, Client};
use domain::services::Services;
use http::HeaderValue;
use http::request::Parts;
use leptos::prelude::use_context;
use std::net::IpAddr;

pub use session::RequestSession;

/// The client IP of a request (the socket's peer, or what a trusted proxy
/// forwarded), put in its extensions by the server's middleware.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The services and the actor of the request being handled.
pub fn context() -> Result<(Services, Actor), AppError> {
    let services = services().ok_or_else(|| crate::error::internal("Services missing from the Leptos context"))?;
    let parts =
        use_context::<Parts>().ok_or_else(|| crate::error::internal("request parts missing from the context"))?;
    Ok((services, actor_of(&parts)))
}

/// The services, when rendering for a request (not while the server lists
/// the routes at start-up, which renders the app without them).
pub fn services() -> Option<Services> {
    use_context::<Services>()
}

/// Who is asking: the signed-in user (the session middleware resolved it),
/// else a visitor, with where they connect from.
pub fn actor_of(parts: &Parts) -> Actor {
    let client = Client {
        ip: parts
            .extensions
            .get::<ClientIp>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0),
        user_agent: parts
            .headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
    };
    match parts.extensions.get::<RequestSession>().and_then(|s| s.0.clone()) {
        Some(session) => Actor::User(session, client),
        None => Actor::Visitor(client),
    }
}

/// A cookie of the request being handled.
pub fn cookie(name: &str) -> Option<String> {
    use_context::<Parts>().and_then(|p| crate::server::cookies::read(&p.headers, name))
}

/// Adds a `Set-Cookie` to the response.
pub fn set_cookie(value: HeaderValue) {
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.append_header(http::header::SET_COOKIE, value);
    }
}

/// The edge of every server function: a domain error becomes the wire's,
/// and the response gets its status (and `Retry-After`), so the browser and
/// scripts see 401, 409, 429… instead of a generic 500.
pub fn finish<T>(result: Result<T, impl Into<AppError>>) -> Result<T, AppError> {
    let result = result.map_err(Into::into);
    if let Err(e) = &result
        && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
    {
        response.set_status(e.status_code());
        if let Some(after) = e.retry_after() {
            response.insert_header(http::header::RETRY_AFTER, after);
        }
    }
    result
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
