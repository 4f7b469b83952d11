//! The provider routes: `GET /auth/{provider}/start` and
//! `GET /auth/{provider}/callback`, adapters around `domain`'s OAuth flow.
//! They set (and always clear) the flow cookie and redirect.

use super::cookies;
use super::session::see_other;
use axum::extract::{Query, Request, State};
use axum::response::Response;
use domain::accounts::oauth::{self as flow, Callback, Configured, FLOW_MINUTES, StartRequest};
use domain::services::Services;
use http::header;
use serde::Deserialize;
use std::time::Duration;

/// The query of a start link.
#[derive(Debug, Default, Deserialize)]
pub struct StartQuery {
    next: Option<String>,
    invite: Option<String>,
    remember: Option<String>,
    intent: Option<String>,
}

/// The provider's answer.
#[derive(Debug, Default, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /auth/{provider}/start`.
pub async fn start<P: Configured>(
    State(services): State<Services>,
    Query(query): Query<StartQuery>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let actor = super::actor_of(&parts);
    let started = flow::start::<P>(
        &services,
        &actor,
        StartRequest {
            next: query.next,
            invite: query.invite,
            remember: query.remember.is_some(),
            link: query.intent.as_deref() == Some("link"),
        },
    )
    .await;
    match started {
        Ok(started) => {
            let mut response = see_other(&started.authorize_url);
            let lifetime = Duration::from_secs(u64::try_from(FLOW_MINUTES * 60).unwrap_or(600));
            let cookie = cookies::build(
                &services,
                cookies::oauth_state_name(&services),
                &started.state,
                Some(lifetime),
            );
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response
        }
        Err(failed) => see_other(&failed.location()),
    }
}

/// `GET /auth/{provider}/callback`.
pub async fn callback<P: Configured>(
    State(services): State<Services>,
    Query(query): Query<CallbackQuery>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let actor = super::actor_of(&parts);
    let name = cookies::oauth_state_name(&services);
    let callback = Callback {
        code: query.code,
        state: query.state,
        error: query.error,
        cookie_state: crate::server::cookies::read(&parts.headers, name),
    };
    let mut response = match flow::finish::<P>(&services, &actor, callback).await {
        Ok(done) => {
            let mut r = see_other(&done.location);
            if let Some(session) = done.session {
                r.headers_mut()
                    .append(header::SET_COOKIE, cookies::session(&services, &session));
            }
            r
        }
        Err(failed) => see_other(&failed.location()),
    };
    // The flow cookie is single-use whatever happened.
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::build(&services, name, "", Some(Duration::ZERO)),
    );
    response
}

/// Google's start and callback routes.
#[cfg(feature = "google_auth")]
pub fn google_routes() -> axum::Router<Services> {
    use axum::routing::get;
    use domain::accounts::oauth::google::Google;
    use wire::auth::{GOOGLE_CALLBACK_PATH, GOOGLE_START_PATH};
    axum::Router::new()
        .route(GOOGLE_START_PATH, get(start::<Google>))
        .route(GOOGLE_CALLBACK_PATH, get(callback::<Google>))
}

/// GitHub's start and callback routes.
#[cfg(feature = "github_auth")]
pub fn github_routes() -> axum::Router<Services> {
    use axum::routing::get;
    use domain::accounts::oauth::github::GitHub;
    use wire::auth::{GITHUB_CALLBACK_PATH, GITHUB_START_PATH};
    axum::Router::new()
        .route(GITHUB_START_PATH, get(start::<GitHub>))
        .route(GITHUB_CALLBACK_PATH, get(callback::<GitHub>))
}
