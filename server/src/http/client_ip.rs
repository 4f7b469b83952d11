//! Puts the client's IP in every request's extensions: the socket's peer,
//! or what a trusted proxy forwarded (`TRUSTED_PROXIES`).

use app::services::net::{ClientIp, client_ip};
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

/// The proxies whose forwarding headers are believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub Arc<Vec<ipnet::IpNet>>);

pub async fn resolve(State(trusted): State<TrustedProxies>, mut request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let ip = client_ip(peer, request.headers(), &trusted.0);
    request.extensions_mut().insert(ClientIp(ip));
    next.run(request).await
}
