//! Who is signed in and how: the sign-in methods of this build (each
//! behind its feature), and the viewer the pages see.

use crate::access::AccessState;
use crate::i18n::Key;
use serde::{Deserialize, Serialize};

/// Google's id in `(provider, subject)` identities.
#[cfg(feature = "google_auth")]
pub const GOOGLE: &str = "google";
/// Where the "Continue with Google" button leads.
#[cfg(feature = "google_auth")]
pub const GOOGLE_START_PATH: &str = "/auth/google/start";
/// The redirect URI registered with Google (prefixed by `PUBLIC_URL`).
#[cfg(feature = "google_auth")]
pub const GOOGLE_CALLBACK_PATH: &str = "/auth/google/callback";
/// GitHub's id in `(provider, subject)` identities.
#[cfg(feature = "github_auth")]
pub const GITHUB: &str = "github";
/// Where the "Continue with GitHub" button leads.
#[cfg(feature = "github_auth")]
pub const GITHUB_START_PATH: &str = "/auth/github/start";
/// The callback URL registered with GitHub (prefixed by `PUBLIC_URL`).
#[cfg(feature = "github_auth")]
pub const GITHUB_CALLBACK_PATH: &str = "/auth/github/callback";

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
    /// The Cargo feature that compiles it in.
    pub const fn feature(self) -> &'static str {
        match self {
            #[cfg(feature = "local_auth")]
            Self::EmailPassword => "local_auth",
            #[cfg(feature = "google_auth")]
            Self::Google => "google_auth",
            #[cfg(feature = "github_auth")]
            Self::GitHub => "github_auth",
        }
    }

    /// The stable identifier stored with an account's identity.
    pub const fn id(self) -> &'static str {
        match self {
            #[cfg(feature = "local_auth")]
            Self::EmailPassword => PASSWORD_METHOD,
            #[cfg(feature = "google_auth")]
            Self::Google => GOOGLE,
            #[cfg(feature = "github_auth")]
            Self::GitHub => GITHUB,
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
            Self::Google => Some(GOOGLE_START_PATH),
            #[cfg(feature = "github_auth")]
            Self::GitHub => Some(GITHUB_START_PATH),
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

/// Checks a display name; returns it trimmed.
pub fn check_display_name(input: &str) -> Result<&str, crate::fields::Problem> {
    let name = input.trim();
    if name.is_empty() {
        Err(crate::fields::Problem::Required)
    } else if name.chars().count() > MAX_NAME_CHARS {
        Err(crate::fields::Problem::TooLong)
    } else if name.chars().any(char::is_control) {
        Err(crate::fields::Problem::Invalid)
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
    /// An admin whose address is proven (an admin flag on an unproven
    /// address counts for nothing).
    pub is_admin: bool,
    /// Whether the account has a password (it may sign in with email).
    pub has_password: bool,
    pub access: AccessState,
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
