//! Google and GitHub sign-in settings: the OAuth client's id and secret,
//! and every provider URL (defaults: the real providers; tests point them
//! at local fakes).
#![cfg_attr(not(any(feature = "google_auth", feature = "github_auth")), allow(dead_code))]

use super::{ConfigError, invalid};
use secrecy::SecretString;

/// Reads `<PREFIX>_CLIENT_ID` and `<PREFIX>_CLIENT_SECRET`: both or neither.
fn credentials(
    get: &impl Fn(&str) -> Option<String>,
    id_name: &'static str,
    secret_name: &'static str,
) -> Result<Option<(String, SecretString)>, ConfigError> {
    match (get(id_name), get(secret_name)) {
        (Some(id), Some(secret)) => Ok(Some((id, SecretString::from(secret)))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(ConfigError::Missing {
            name: secret_name,
            why: "the client id is set, so the secret is needed too",
        }),
        (None, Some(_)) => Err(ConfigError::Missing {
            name: id_name,
            why: "the client secret is set, so the id is needed too",
        }),
    }
}

fn url(get: &impl Fn(&str) -> Option<String>, name: &'static str, default: &str) -> Result<String, ConfigError> {
    let value = get(name).unwrap_or_else(|| default.to_owned());
    if value.starts_with("https://") || value.starts_with("http://") {
        Ok(value)
    } else {
        Err(invalid(name, &value, "must be an http(s) URL"))
    }
}

#[cfg(feature = "google_auth")]
pub(super) fn google(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<domain::accounts::oauth::google::GoogleSettings>, ConfigError> {
    let Some((client_id, client_secret)) = credentials(get, "GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET")? else {
        return Ok(None);
    };
    let issuer = url(get, "GOOGLE_ISSUER", "https://accounts.google.com")?;
    // Google issues tokens with `iss` written either way.
    let mut issuers = vec![issuer.clone()];
    if let Some(bare) = issuer.strip_prefix("https://").filter(|h| *h == "accounts.google.com") {
        issuers.push(bare.to_owned());
    }
    Ok(Some(domain::accounts::oauth::google::GoogleSettings {
        client_id,
        client_secret,
        auth_url: url(get, "GOOGLE_AUTH_URL", "https://accounts.google.com/o/oauth2/v2/auth")?,
        token_url: url(get, "GOOGLE_TOKEN_URL", "https://oauth2.googleapis.com/token")?,
        jwks_url: url(get, "GOOGLE_JWKS_URL", "https://www.googleapis.com/oauth2/v3/certs")?,
        issuers,
    }))
}

#[cfg(feature = "github_auth")]
pub(super) fn github(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<domain::accounts::oauth::github::GitHubSettings>, ConfigError> {
    let Some((client_id, client_secret)) = credentials(get, "GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET")? else {
        return Ok(None);
    };
    Ok(Some(domain::accounts::oauth::github::GitHubSettings {
        client_id,
        client_secret,
        auth_url: url(get, "GITHUB_AUTH_URL", "https://github.com/login/oauth/authorize")?,
        token_url: url(get, "GITHUB_TOKEN_URL", "https://github.com/login/oauth/access_token")?,
        api_url: url(get, "GITHUB_API_URL", "https://api.github.com")?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_id_without_its_secret_is_refused() {
        let get = |n: &str| (n == "X_ID").then(|| "id".to_owned());
        let err = credentials(&get, "X_ID", "X_SECRET").unwrap_err().to_string();
        assert!(err.contains("X_SECRET"), "{err}");
        assert!(credentials(&|_| None, "X_ID", "X_SECRET").unwrap().is_none());
    }
}
