//! Sign-in with Google (OpenID Connect). The flow arrives with the accounts issue.

/// Identifier of this method in `(provider, subject)` identities.
pub const PROVIDER_ID: &str = "google";
