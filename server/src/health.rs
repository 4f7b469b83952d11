//! Probes for orchestrators: liveness and readiness.

use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// How long readiness waits for the database before calling it unavailable.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// `GET /healthz`: the process is up and serving requests.
pub async fn live() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// `GET /readyz`: 200 when the database answers and every background task
/// runs, else 503 with a short reason.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let reason = match tokio::time::timeout(READY_TIMEOUT, state.db.check_ready()).await {
        Ok(Ok(())) => {
            let down = state.services.tasks.down();
            if down.is_empty() {
                // Reported, not failed: a ledger mismatch is for an admin to
                // look at, and taking the instance out of rotation helps nobody.
                let mismatches = state
                    .services
                    .credit_mismatches
                    .load(std::sync::atomic::Ordering::Relaxed);
                return (
                    StatusCode::OK,
                    Json(json!({ "status": "ready", "credits_mismatches": mismatches })),
                );
            }
            tracing::warn!(tasks = ?down, "readiness: background tasks are down");
            format!("background task down: {}", down.join(", "))
        }
        Ok(Err(e)) => {
            tracing::warn!(error = ?e, "readiness check failed");
            e.to_string()
        }
        Err(_) => {
            tracing::warn!("readiness check timed out");
            "database did not answer in time".to_owned()
        }
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({ "status": "unavailable", "reason": reason })),
    )
}
