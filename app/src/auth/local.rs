//! Sign-in with Email and password. The flow arrives with the accounts issue.

/// Identifier of this method in `(provider, subject)` identities.
pub const PROVIDER_ID: &str = "email";
