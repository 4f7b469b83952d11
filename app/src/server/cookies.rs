//! The cookies the adapters set for the domain's outcomes: the session
//! (its token from a [`NewSession`]), the device cookie of browsers that
//! signed in with a password, and the provider-flow cookie. Over HTTPS they
//! are `__Host-` + `Secure` (pinned to this host, path `/`); on plain-http
//! localhost (`COOKIE_SECURE=false`) they keep the plain names.

use domain::accounts::sessions::NewSession;
use domain::services::Services;
use http::HeaderValue;
use std::time::Duration;

/// Reads one cookie's value from request headers.
pub fn read(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The session cookie over HTTPS.
pub const SECURE_SESSION: &str = concat!("__Host-", wire::slug!(), "_session");
/// The session cookie on plain-http localhost.
pub const PLAIN_SESSION: &str = concat!(wire::slug!(), "_session");
/// The device cookie over HTTPS.
pub const SECURE_DEVICE: &str = concat!("__Host-", wire::slug!(), "_device");
/// The device cookie on plain-http localhost.
pub const PLAIN_DEVICE: &str = concat!(wire::slug!(), "_device");
/// The provider-flow cookie over HTTPS.
pub const SECURE_OAUTH_STATE: &str = concat!("__Host-", wire::slug!(), "_oauth");
/// The provider-flow cookie on plain-http localhost.
pub const PLAIN_OAUTH_STATE: &str = concat!(wire::slug!(), "_oauth");

fn secure(services: &Services) -> bool {
    services.settings.secure_cookies
}

/// The session cookie's name under these settings.
pub fn session_name(services: &Services) -> &'static str {
    if secure(services) {
        SECURE_SESSION
    } else {
        PLAIN_SESSION
    }
}

/// The device cookie's name under these settings.
pub fn device_name(services: &Services) -> &'static str {
    if secure(services) { SECURE_DEVICE } else { PLAIN_DEVICE }
}

/// The flow cookie's name under these settings.
pub fn oauth_state_name(services: &Services) -> &'static str {
    if secure(services) {
        SECURE_OAUTH_STATE
    } else {
        PLAIN_OAUTH_STATE
    }
}

/// `Set-Cookie` for `name=value`, `HttpOnly; SameSite=Lax`, lasting
/// `max_age` (`None`: until the browser closes; zero: deleted now).
pub fn build(services: &Services, name: &str, value: &str, max_age: Option<Duration>) -> HeaderValue {
    let mut text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        text.push_str(&format!("; Max-Age={}", age.as_secs()));
    }
    if secure(services) {
        text.push_str("; Secure");
    }
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `Set-Cookie` for a new session ("remember me" makes it outlive the browser).
pub fn session(services: &Services, session: &NewSession) -> HeaderValue {
    build(services, session_name(services), &session.token, session.max_age)
}

/// `Set-Cookie` that deletes the session cookie.
pub fn clear_session(services: &Services) -> HeaderValue {
    build(services, session_name(services), "", Some(Duration::ZERO))
}

/// `Set-Cookie` for a browser that just signed in with a password.
pub fn device(services: &Services, token: &str) -> HeaderValue {
    let lifetime = Duration::from_secs(u64::try_from(domain::accounts::devices::LIFETIME_DAYS).unwrap_or(365) * 86_400);
    build(services, device_name(services), token, Some(lifetime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_finds_a_value_among_several_headers_and_pairs() {
        let mut h = http::HeaderMap::new();
        h.append(http::header::COOKIE, "a=1; app_theme=dark".parse().unwrap());
        h.append(http::header::COOKIE, "app_locale=ru".parse().unwrap());
        assert_eq!(read(&h, "app_theme").as_deref(), Some("dark"));
        assert_eq!(read(&h, "app_locale").as_deref(), Some("ru"));
        assert_eq!(read(&h, "missing"), None);
    }
}
