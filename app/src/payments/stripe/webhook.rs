//! `POST /webhooks/stripe`: the adapter around `domain`'s webhook. No
//! session (Stripe signs its requests); its own small body limit; the
//! status tells Stripe whether to retry.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::payments::stripe::webhook::{self, WebhookError};
use domain::services::Services;
use wire::payments::WEBHOOK_PATH;

/// The webhook route, with its own body limit (far below the site's).
pub fn router(services: &Services) -> axum::Router<Services> {
    axum::Router::new()
        .route(WEBHOOK_PATH, axum::routing::post(receive))
        .layer(DefaultBodyLimit::max(webhook::body_limit(services)))
}

async fn receive(State(services): State<Services>, headers: HeaderMap, body: Bytes) -> Response {
    let header = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    match webhook::receive(&services, header, body).await {
        Ok((_, outcome)) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({ "received": true, "outcome": outcome.as_str() })),
        )
            .into_response(),
        // Not configured: 503, so Stripe keeps the event and retries.
        Err(WebhookError::NotConfigured) => {
            (StatusCode::SERVICE_UNAVAILABLE, "payments are not configured").into_response()
        }
        Err(e @ WebhookError::Signature(_)) => {
            tracing::warn!(error = %e, "refused a Stripe webhook");
            (StatusCode::BAD_REQUEST, "invalid signature").into_response()
        }
        Err(e @ WebhookError::NotAnEvent(_)) => {
            tracing::warn!(error = %e, "a signed Stripe webhook is not an event");
            (StatusCode::BAD_REQUEST, "not a Stripe event").into_response()
        }
        // Logged with the event's id and type where it failed.
        Err(WebhookError::Failed(_)) => {
            (StatusCode::INTERNAL_SERVER_ERROR, "could not process the event").into_response()
        }
    }
}
