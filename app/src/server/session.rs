//! The session middleware, for every page, server function and OAuth
//! route: resolves the session cookie (`domain::accounts::sessions`) to the
//! signed-in user and their access, puts it in the request's extensions,
//! and applies the gate (`wire::gate`) before anything else runs.

use super::cookies;
use crate::error::AppError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::accounts::sessions::{self, CurrentSession};
use domain::services::Services;
use http::{StatusCode, header};
use std::sync::Arc;
use wire::gate;

/// What the middleware found: in every request's extensions.
#[derive(Clone, Debug, Default)]
pub struct RequestSession(pub Option<Arc<CurrentSession>>);

/// Resolves the session and applies the gate, for every routed request.
pub async fn middleware(State(services): State<Services>, mut request: Request, next: Next) -> Response {
    let name = cookies::session_name(&services);
    let token = crate::server::cookies::read(request.headers(), name);
    let session = match &token {
        Some(token) => match sessions::resolve(&services, token).await {
            Ok(s) => s.map(Arc::new),
            Err(e) => return error_response(e.into()),
        },
        None => None,
    };
    let stale_cookie = token.is_some() && session.is_none();
    let viewer = session.as_ref().map(|s| s.viewer());
    request.extensions_mut().insert(RequestSession(session));

    let path = request.uri().path().to_owned();
    let is_api = path.starts_with("/api/");
    match gate::requirement(&path) {
        None => return error_response(AppError::NotFound),
        Some(requirement) => {
            if let Err(denial) = gate::check(viewer.as_ref(), requirement) {
                let is_page_read = matches!(*request.method(), http::Method::GET | http::Method::HEAD);
                if is_api || !is_page_read {
                    return error_response(denial_error(denial));
                }
                let requested = request.uri().path_and_query().map_or(path.as_str(), |pq| pq.as_str());
                let to = gate::redirect_for(viewer.as_ref(), denial, requested);
                let mut response = see_other(&to);
                if stale_cookie {
                    response
                        .headers_mut()
                        .append(header::SET_COOKIE, cookies::clear_session(&services));
                }
                return response;
            }
        }
    }

    let mut response = next.run(request).await;
    // A cookie for a session that no longer exists is removed, unless the
    // handler just set a new one (signing in over a stale cookie).
    let sets_session = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(name.as_bytes()));
    if stale_cookie && !sets_session {
        response
            .headers_mut()
            .append(header::SET_COOKIE, cookies::clear_session(&services));
    }
    response
}

/// The error a denied call gets.
pub fn denial_error(denial: gate::Denial) -> AppError {
    match denial {
        gate::Denial::SignIn => AppError::NotSignedIn,
        gate::Denial::VerifyEmail => AppError::EmailNotVerified,
        gate::Denial::NoAccess => AppError::AccessRequired,
        gate::Denial::NotAdmin | gate::Denial::AlreadySignedIn => AppError::Forbidden,
    }
}

/// The one way an error leaves an HTTP handler (see `AppError`'s
/// `IntoResponse`).
pub fn error_response(error: AppError) -> Response {
    error.into_response()
}

/// `303 See Other` to a path on this site.
pub fn see_other(to: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, to)
        .body(Body::empty())
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
