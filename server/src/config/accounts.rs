//! Accounts settings: cookies, sessions, account linking, admins, invites,
//! rate limits, trusted proxies and password hashing.

use super::{ConfigError, duration, invalid, parse};
use domain::settings::Settings;
use domain::settings::{InviteSettings, LimitSettings, LimitStore, Rate, SessionSettings};
use wire::email::Email;

/// Reads every accounts setting; `public_url` is the URL users reach the site at.
pub(super) fn settings(get: &impl Fn(&str) -> Option<String>, public_url: &str) -> Result<Settings, ConfigError> {
    let password_hash_concurrency = match get("PASSWORD_HASH_CONCURRENCY") {
        Some(_) => parse(get, "PASSWORD_HASH_CONCURRENCY", "1")?,
        None => std::thread::available_parallelism().map_or(2, |n| n.get()),
    };
    Ok(Settings {
        public_url: public_url.to_owned(),
        secure_cookies: secure_cookies(get, public_url)?,
        session: session(get)?,
        allow_account_linking: parse(get, "ALLOW_ACCOUNT_LINKING", "false")?,
        admin_emails: emails(get, "ADMIN_EMAILS")?,
        support_email: optional_email(get, "SUPPORT_EMAIL")?,
        invites: InviteSettings {
            valid_for: duration(get, "INVITE_VALID_FOR", "14d")?,
            access_for: duration(get, "INVITE_ACCESS_FOR", "30d")?,
        },
        limits: LimitSettings {
            sign_in_per_ip: rate(get, "RATE_LIMIT_SIGN_IN_PER_IP", "30/15m")?,
            sign_up_per_ip: rate(get, "RATE_LIMIT_SIGN_UP_PER_IP", "10/1h")?,
            email_per_ip: rate(get, "RATE_LIMIT_EMAIL_PER_IP", "20/1h")?,
            email_per_account: rate(get, "RATE_LIMIT_EMAIL_PER_ACCOUNT", "5/1h")?,
            failed_sign_ins_per_account: rate(get, "RATE_LIMIT_FAILED_SIGN_INS", "10/15m")?,
            max_tracked_keys: parse(get, "RATE_LIMIT_MAX_KEYS", "100000")?,
            ipv6_prefix: ipv6_prefix(get)?,
            store: match get("RATE_LIMIT_STORE").as_deref().unwrap_or("memory") {
                "memory" => LimitStore::Memory,
                "database" => LimitStore::Database,
                other => {
                    return Err(invalid(
                        "RATE_LIMIT_STORE",
                        other,
                        "use `memory` (this process) or `database` (shared by every instance)",
                    ));
                }
            },
        },
        trusted_proxies: trusted_proxies(get)?,
        mail: super::mail::settings(get)?,
        password_hash_concurrency,
        password_hash_queue: match get("PASSWORD_HASH_QUEUE") {
            Some(_) => parse(get, "PASSWORD_HASH_QUEUE", "1")?,
            None => password_hash_concurrency * 16,
        },
        credits: super::credits::settings(get)?,
        features: super::features(get)?,
    })
}

/// Session lifetimes: each idle timeout at most its absolute one.
fn session(get: &impl Fn(&str) -> Option<String>) -> Result<SessionSettings, ConfigError> {
    let s = SessionSettings {
        idle: duration(get, "SESSION_IDLE_TIMEOUT", "8h")?,
        absolute: duration(get, "SESSION_ABSOLUTE_TIMEOUT", "24h")?,
        remember_idle: duration(get, "SESSION_REMEMBER_IDLE_TIMEOUT", "7d")?,
        remember: duration(get, "SESSION_REMEMBER_FOR", "30d")?,
    };
    for (idle_name, idle, abs_name, absolute) in [
        ("SESSION_IDLE_TIMEOUT", s.idle, "SESSION_ABSOLUTE_TIMEOUT", s.absolute),
        (
            "SESSION_REMEMBER_IDLE_TIMEOUT",
            s.remember_idle,
            "SESSION_REMEMBER_FOR",
            s.remember,
        ),
    ] {
        if idle > absolute {
            return Err(invalid(
                idle_name,
                &format!("{}s", idle.as_secs()),
                &format!("must not be longer than {abs_name} ({}s)", absolute.as_secs()),
            ));
        }
    }
    Ok(s)
}

/// `RATE_LIMIT_IPV6_PREFIX`: IPv6 clients share a limit per network of
/// this many bits.
fn ipv6_prefix(get: &impl Fn(&str) -> Option<String>) -> Result<u8, ConfigError> {
    let prefix: u8 = parse(get, "RATE_LIMIT_IPV6_PREFIX", "64")?;
    if !(32..=128).contains(&prefix) {
        return Err(invalid(
            "RATE_LIMIT_IPV6_PREFIX",
            &prefix.to_string(),
            "use a prefix length from 32 to 128 (64 is one subscriber's usual network)",
        ));
    }
    Ok(prefix)
}

/// `COOKIE_SECURE`: `auto` (Secure + `__Host-` when `PUBLIC_URL` is
/// https), `true` or `false`. Cookies without Secure are only allowed when
/// the site is on localhost.
fn secure_cookies(get: &impl Fn(&str) -> Option<String>, public_url: &str) -> Result<bool, ConfigError> {
    let https = public_url.starts_with("https://");
    let secure = match get("COOKIE_SECURE").as_deref().unwrap_or("auto") {
        "auto" => https,
        "true" | "on" => true,
        "false" | "off" => false,
        other => return Err(invalid("COOKIE_SECURE", other, "use `auto`, `true` or `false`")),
    };
    if !secure && !is_loopback_url(public_url) {
        return Err(invalid(
            "COOKIE_SECURE",
            &format!("cookies without Secure for {public_url}"),
            "session cookies go over plain http only on localhost: serve the site over https (PUBLIC_URL=https://…)",
        ));
    }
    Ok(secure)
}

/// Whether the URL's host is this machine (`localhost`, `127.0.0.0/8`, `[::1]`).
fn is_loopback_url(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn rate(get: &impl Fn(&str) -> Option<String>, name: &'static str, default: &str) -> Result<Rate, ConfigError> {
    let value = get(name).unwrap_or_else(|| default.to_owned());
    Rate::parse(&value).map_err(|e| invalid(name, &value, &e))
}

fn emails(get: &impl Fn(&str) -> Option<String>, name: &'static str) -> Result<Vec<Email>, ConfigError> {
    get(name)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| Email::parse(e).map_err(|err| invalid(name, e, &err.to_string())))
        .collect()
}

/// One email address, or `None` when the setting is unset or empty.
fn optional_email(get: &impl Fn(&str) -> Option<String>, name: &'static str) -> Result<Option<Email>, ConfigError> {
    match get(name).as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(e) => Email::parse(e)
            .map(Some)
            .map_err(|err| invalid(name, e, &err.to_string())),
    }
}

fn trusted_proxies(get: &impl Fn(&str) -> Option<String>) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    get("TRUSTED_PROXIES")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<ipnet::IpNet>()
                .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| invalid("TRUSTED_PROXIES", p, "use IP addresses or CIDR ranges, comma-separated"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_cookies_only_on_localhost() {
        let get = |_: &str| None;
        assert!(!secure_cookies(&get, "http://127.0.0.1:3000").unwrap());
        assert!(!secure_cookies(&get, "http://localhost:3000").unwrap());
        assert!(!secure_cookies(&get, "http://[::1]:3000").unwrap());
        assert!(secure_cookies(&get, "https://app.example.com").unwrap());
        let err = secure_cookies(&get, "http://app.example.com").unwrap_err().to_string();
        assert!(err.contains("COOKIE_SECURE"), "{err}");
        let forced = |n: &str| (n == "COOKIE_SECURE").then(|| "false".to_owned());
        assert!(secure_cookies(&forced, "https://app.example.com").is_err());
    }

    #[test]
    fn session_defaults_are_coherent_and_incoherent_ones_are_refused() {
        let s = session(&|_: &str| None).unwrap();
        assert!(s.idle <= s.absolute, "{s:?}");
        assert!(s.remember_idle <= s.remember, "{s:?}");
        let get = |n: &str| (n == "SESSION_IDLE_TIMEOUT").then(|| "3d".to_owned());
        let err = session(&get).unwrap_err().to_string();
        assert!(
            err.contains("SESSION_IDLE_TIMEOUT") && err.contains("SESSION_ABSOLUTE_TIMEOUT"),
            "{err}"
        );
        let get = |n: &str| (n == "RATE_LIMIT_IPV6_PREFIX").then(|| "8".to_owned());
        assert!(
            ipv6_prefix(&get)
                .unwrap_err()
                .to_string()
                .contains("RATE_LIMIT_IPV6_PREFIX")
        );
    }

    #[test]
    fn lists_and_rates_name_their_variable_when_bad() {
        let get = |n: &str| match n {
            "ADMIN_EMAILS" => Some("root@example.com, not-an-email".to_owned()),
            _ => None,
        };
        assert!(
            emails(&get, "ADMIN_EMAILS")
                .unwrap_err()
                .to_string()
                .contains("ADMIN_EMAILS")
        );
        let get = |n: &str| (n == "TRUSTED_PROXIES").then(|| "10.0.0.0/8, 192.168.1.1".to_owned());
        assert_eq!(trusted_proxies(&get).unwrap().len(), 2);
        let get = |n: &str| (n == "RATE_LIMIT_SIGN_IN_PER_IP").then(|| "ten/1m".to_owned());
        let err = rate(&get, "RATE_LIMIT_SIGN_IN_PER_IP", "1/1m").unwrap_err().to_string();
        assert!(err.contains("RATE_LIMIT_SIGN_IN_PER_IP"), "{err}");
    }

    #[test]
    fn the_support_email_is_one_address_or_none() {
        assert_eq!(optional_email(&|_: &str| None, "SUPPORT_EMAIL").unwrap(), None);
        let get = |n: &str| (n == "SUPPORT_EMAIL").then(|| " help@example.com ".to_owned());
        assert_eq!(
            optional_email(&get, "SUPPORT_EMAIL")
                .unwrap()
                .map(|e| e.as_str().to_owned()),
            Some("help@example.com".to_owned())
        );
        let get = |n: &str| (n == "SUPPORT_EMAIL").then(|| "a@example.com, b@example.com".to_owned());
        let err = optional_email(&get, "SUPPORT_EMAIL").unwrap_err().to_string();
        assert!(err.contains("SUPPORT_EMAIL"), "{err}");
    }
}
