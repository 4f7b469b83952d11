//! `POST /api/chat/reply`: the adapter around `domain::chat::reply`. The
//! reply's typed events leave as Server-Sent Events: plain HTTP that
//! proxies and browsers handle (and `curl -N` shows), behind the same
//! session middleware, gate and same-site check as everything else.
//! Dropping the response (the client left) drops the event receiver, which
//! stops the reply.

use axum::extract::{Json, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use domain::services::Services;
use futures::StreamExt;
use std::convert::Infallible;
use wire::chat::REPLY_PATH;
use wire::chat::ReplyRequest;

pub fn router() -> axum::Router<Services> {
    axum::Router::new().route(REPLY_PATH, axum::routing::post(reply))
}

async fn reply(
    State(services): State<Services>,
    parts: http::request::Parts,
    Json(reply): Json<ReplyRequest>,
) -> Response {
    let actor = crate::server::actor_of(&parts);
    match domain::chat::reply::start(&services, &actor, reply).await {
        Ok(events) => {
            let stream = futures::stream::unfold(events, |mut events| async move {
                let event = events.recv().await?;
                let sse = Event::default().event(event.name()).data(event.data());
                Some((Ok::<_, Infallible>(sse), events))
            });
            Sse::new(stream.boxed())
                .keep_alive(KeepAlive::default())
                .into_response()
        }
        Err(e) => crate::server::session::error_response(e.into()),
    }
}
