//! Puts the client's IP in every request's extensions: the socket's peer,
//! or the address a trusted proxy forwarded (`TRUSTED_PROXIES`). A
//! forwarding header from anyone else is ignored, so a client cannot pick
//! its own IP to dodge a rate limit. IPv4-mapped IPv6 addresses
//! (`::ffff:a.b.c.d`, what a dual-stack socket reports for IPv4 clients) are
//! read as the IPv4 address they carry, before anything is matched.

use app::server::ClientIp;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderMap;
use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

/// The proxies whose forwarding headers are believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub Arc<Vec<ipnet::IpNet>>);

/// Resolves the client IP. When the peer is a trusted proxy, walks
/// `X-Forwarded-For` from the right (the hop the proxy appended) past other
/// trusted proxies to the first address that is not one.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let peer = peer.to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .map(|hop| hop.parse::<IpAddr>().ok().map(|ip| ip.to_canonical()))
        .collect::<Option<Vec<_>>>()
        // A malformed header says nothing reliable: use the proxy itself.
        .unwrap_or_default();
    hops.iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .or(hops.first())
        .copied()
        .unwrap_or(peer)
}

pub async fn resolve(State(trusted): State<TrustedProxies>, mut request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let ip = client_ip(peer, request.headers(), &trusted.0);
    request.extensions_mut().insert(ClientIp(ip));
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarding_headers_from_untrusted_peers_are_ignored() {
        let h = headers(&["1.2.3.4"]);
        assert_eq!(client_ip(ip("203.0.113.9"), &h, &[]), ip("203.0.113.9"));
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        assert_eq!(client_ip(ip("203.0.113.9"), &h, &trusted), ip("203.0.113.9"));
    }

    #[test]
    fn a_trusted_proxy_chain_is_walked_from_the_right() {
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        // The client claims 6.6.6.6; the outer proxy saw 198.51.100.7.
        let h = headers(&["6.6.6.6, 198.51.100.7", "10.1.1.1"]);
        assert_eq!(client_ip(ip("10.0.0.2"), &h, &trusted), ip("198.51.100.7"));
        // Only proxies in the chain: the leftmost hop.
        let h = headers(&["10.9.9.9, 10.1.1.1"]);
        assert_eq!(client_ip(ip("10.0.0.2"), &h, &trusted), ip("10.9.9.9"));
        // No header: the proxy.
        assert_eq!(client_ip(ip("10.0.0.2"), &HeaderMap::new(), &trusted), ip("10.0.0.2"));
        // Garbage: the proxy.
        let h = headers(&["not-an-ip, 1.2.3.4"]);
        assert_eq!(client_ip(ip("10.0.0.2"), &h, &trusted), ip("10.0.0.2"));
        let v6 = ["::1/128".parse().unwrap()];
        assert_eq!(client_ip(ip("::1"), &headers(&["2001:db8::5"]), &v6), ip("2001:db8::5"));
    }

    #[test]
    fn ipv4_mapped_addresses_are_read_as_ipv4_before_matching_proxies() {
        let trusted = ["127.0.0.1/32".parse().unwrap()];
        let h = headers(&["::ffff:198.51.100.7"]);
        assert_eq!(client_ip(ip("::ffff:127.0.0.1"), &h, &trusted), ip("198.51.100.7"));
        assert_eq!(client_ip(ip("::ffff:203.0.113.9"), &h, &trusted), ip("203.0.113.9"));
    }
}
