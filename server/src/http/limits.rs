//! Load shedding: at most `HTTP_MAX_CONCURRENT_REQUESTS` requests are
//! handled at once. Past that, a request is answered at once with 503 and
//! `Retry-After` instead of queueing without bound (a queue that only
//! grows turns a burst into timeouts for everyone). The liveness probe is
//! never shed, so an orchestrator does not restart a busy instance. A
//! streamed response (a chat reply, a page) holds its slot only until its
//! headers are sent.

use app::error::AppError;
use app::server::session::error_response;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// The slots for requests in flight.
#[derive(Clone, Debug)]
pub struct InFlight(pub Arc<Semaphore>);

impl InFlight {
    pub fn new(max: usize) -> Self {
        InFlight(Arc::new(Semaphore::new(max)))
    }
}

/// Middleware: 503 + `Retry-After: 1` when every slot is taken.
pub async fn shed_load(State(in_flight): State<InFlight>, request: Request, next: Next) -> Response {
    if request.uri().path() == "/healthz" {
        return next.run(request).await;
    }
    let Ok(_slot) = in_flight.0.clone().try_acquire_owned() else {
        tracing::warn!(path = %request.uri().path(), "at capacity: request refused");
        return error_response(AppError::Busy { retry_after_secs: 1 });
    };
    next.run(request).await
}
