//! Accounts: sign-in methods, sessions and the signed-in user.
//!
//! Each method is one module behind its feature; the UI and the server ask
//! [`methods`] which ones this build has instead of testing features
//! themselves. Everything that decides who the user is runs on the server:
//! the session middleware resolves the cookie once per request, and server
//! functions read the result with [`ssr::viewer`] / [`ssr::require_user`].

pub mod account;
#[cfg(feature = "ssr")]
pub mod accounts;
pub mod email;
#[cfg(feature = "github_auth")]
pub mod github;
#[cfg(feature = "google_auth")]
pub mod google;
#[cfg(feature = "local_auth")]
pub mod local;
#[cfg(any(feature = "google_auth", feature = "github_auth"))]
pub mod oauth;
pub mod pages;
pub mod password;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod ssr;

use crate::access::AccessState;
use crate::error::AppError;
use crate::i18n::Key;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The routes of the compiled-in identity providers (`/auth/{provider}/…`).
#[cfg(feature = "ssr")]
pub fn oauth_router() -> axum::Router<crate::services::Services> {
    #[cfg(any(feature = "google_auth", feature = "github_auth"))]
    {
        oauth::router()
    }
    #[cfg(not(any(feature = "google_auth", feature = "github_auth")))]
    {
        axum::Router::new()
    }
}

/// The method id of email + password sign-in (stored with sessions, shown
/// in "sign in with the method you used before").
pub const PASSWORD_METHOD: &str = "email";

/// A way to sign in, compiled in by its feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuthMethod {
    #[cfg(feature = "local_auth")]
    EmailPassword,
    #[cfg(feature = "google_auth")]
    Google,
    #[cfg(feature = "github_auth")]
    GitHub,
}

impl AuthMethod {
    /// The stable identifier stored with an account's identity.
    pub const fn id(self) -> &'static str {
        match self {
            #[cfg(feature = "local_auth")]
            Self::EmailPassword => local::PROVIDER_ID,
            #[cfg(feature = "google_auth")]
            Self::Google => google::PROVIDER_ID,
            #[cfg(feature = "github_auth")]
            Self::GitHub => github::PROVIDER_ID,
        }
    }

    /// The method with this identifier, if this build has it.
    pub fn from_id(id: &str) -> Option<Self> {
        methods().iter().copied().find(|m| m.id() == id)
    }

    /// Its name as users see it ("Google").
    pub const fn name_key(self) -> Key {
        match self {
            #[cfg(feature = "local_auth")]
            Self::EmailPassword => Key::MethodEmailPassword,
            #[cfg(feature = "google_auth")]
            Self::Google => Key::MethodGoogle,
            #[cfg(feature = "github_auth")]
            Self::GitHub => Key::MethodGitHub,
        }
    }

    /// Whether the method signs in through a provider's OAuth redirect.
    pub const fn is_oauth(self) -> bool {
        self.start_path().is_some()
    }

    /// Where a provider sign-in starts; `None` for the password method.
    pub const fn start_path(self) -> Option<&'static str> {
        match self {
            #[cfg(feature = "local_auth")]
            Self::EmailPassword => None,
            #[cfg(feature = "google_auth")]
            Self::Google => Some(google::START_PATH),
            #[cfg(feature = "github_auth")]
            Self::GitHub => Some(github::START_PATH),
        }
    }
}

/// The sign-in methods of this build, in the order the sign-in page shows them.
pub const fn methods() -> &'static [AuthMethod] {
    &[
        #[cfg(feature = "local_auth")]
        AuthMethod::EmailPassword,
        #[cfg(feature = "google_auth")]
        AuthMethod::Google,
        #[cfg(feature = "github_auth")]
        AuthMethod::GitHub,
    ]
}

/// Longest display name, in characters.
pub const MAX_NAME_CHARS: usize = 80;

/// How long a browser that signed in with a password stays known
/// without signing in again (`local::devices`).
pub const DEVICE_LIFETIME_DAYS: i64 = 365;

/// Checks a display name; returns it trimmed.
pub fn check_display_name(input: &str) -> Result<&str, crate::error::Problem> {
    let name = input.trim();
    if name.is_empty() {
        Err(crate::error::Problem::Required)
    } else if name.chars().count() > MAX_NAME_CHARS {
        Err(crate::error::Problem::TooLong)
    } else if name.chars().any(char::is_control) {
        Err(crate::error::Problem::Invalid)
    } else {
        Ok(name)
    }
}

/// The signed-in user as the UI sees them, with their access.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub email_verified: bool,
    pub is_admin: bool,
    /// Whether the account has a password (it may sign in with email).
    pub has_password: bool,
    pub access: AccessState,
}

/// The current user and their access, or `None` when signed out. The one
/// server function that tells the UI about access: fetched when a page
/// loads and again whenever the answer goes stale.
#[server(endpoint = "session/viewer")]
pub async fn get_viewer() -> Result<Option<Viewer>, AppError> {
    Ok(ssr::viewer().map(|s| s.viewer()))
}

/// Signs out: ends this session on the server and clears the cookie.
#[server(endpoint = "auth/sign-out")]
pub async fn sign_out() -> Result<String, AppError> {
    ssr::finish(ssr::sign_out().await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_compiled_method_has_a_distinct_id_that_reads_back() {
        let ids: Vec<_> = methods().iter().map(|m| m.id()).collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(ids.len(), unique.len());
        assert!(!ids.is_empty(), "the compile_error! guarantees one method");
        for m in methods() {
            assert_eq!(AuthMethod::from_id(m.id()), Some(*m));
        }
        assert_eq!(AuthMethod::from_id("myspace"), None);
    }
}
