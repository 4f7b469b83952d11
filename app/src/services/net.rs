//! The client's IP address: the socket's peer, or the address a trusted
//! proxy forwarded. A forwarding header from anyone else is ignored, so a
//! client cannot pick its own IP to dodge a rate limit.

use http::HeaderMap;
use ipnet::IpNet;
use std::net::IpAddr;

/// The client IP of this request, put in the request's extensions by the
/// server's middleware.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// Resolves the client IP. When the peer is a trusted proxy, walks
/// `X-Forwarded-For` from the right (the hop the proxy appended) past other
/// trusted proxies to the first address that is not one.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
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
        .map(|hop| hop.parse::<IpAddr>().ok())
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
}
