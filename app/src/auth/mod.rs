//! Sign-in methods. Each method is one module behind its feature; the UI and
//! the server ask [`methods`] which ones this build has instead of testing
//! features themselves. The flows arrive with the accounts issue.

pub mod email;
#[cfg(feature = "github_auth")]
pub mod github;
#[cfg(feature = "google_auth")]
pub mod google;
#[cfg(feature = "local_auth")]
pub mod local;

/// A way to sign in, compiled in by its feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_compiled_method_has_a_distinct_id() {
        let ids: Vec<_> = methods().iter().map(|m| m.id()).collect();
        let mut unique = ids.clone();
        unique.dedup();
        assert_eq!(ids, unique);
        assert!(!ids.is_empty(), "the compile_error! guarantees one method");
    }
}
