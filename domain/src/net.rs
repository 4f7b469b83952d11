//! How rate limits count a client: by its IPv4 address, or its IPv6
//! network (one subscriber usually holds a whole /64, so per-address keys
//! would be no limit). IPv4-mapped IPv6 addresses are read as IPv4.

use ipnet::Ipv6Net;
use std::net::IpAddr;

/// What rate limits count a client under: its IPv4 address, or its IPv6
/// network of `v6_prefix` bits (`2001:db8:1:2::/64`).
pub fn limit_key(ip: IpAddr, v6_prefix: u8) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => Ipv6Net::new(v6, v6_prefix.min(128))
            .map(|net| net.trunc().to_string())
            .unwrap_or_else(|_| v6.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn rate_limits_key_ipv6_clients_by_network() {
        assert_eq!(limit_key(ip("2001:db8:1:2::1"), 64), "2001:db8:1:2::/64");
        assert_eq!(limit_key(ip("2001:db8:1:2:ffff::9"), 64), "2001:db8:1:2::/64");
        assert_ne!(
            limit_key(ip("2001:db8:1:3::1"), 64),
            limit_key(ip("2001:db8:1:2::1"), 64)
        );
        assert_eq!(limit_key(ip("2001:db8:1:2::1"), 48), "2001:db8:1::/48");
        assert_eq!(limit_key(ip("2001:db8::1"), 128), "2001:db8::1/128");
        assert_eq!(limit_key(ip("203.0.113.9"), 64), "203.0.113.9");
        assert_eq!(limit_key(ip("::ffff:203.0.113.9"), 64), "203.0.113.9");
    }
}
