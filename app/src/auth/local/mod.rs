//! Sign-in with email and password (`local_auth`). Password hashing is
//! here; the flows (sign-up, verification, reset) arrive with the accounts issue.

#[cfg(feature = "ssr")]
pub mod password;

/// Identifier of this method in `(provider, subject)` identities.
pub const PROVIDER_ID: &str = "email";
