//! Sign-in with GitHub (OAuth 2). The flow arrives with the accounts issue.

/// Identifier of this method in `(provider, subject)` identities.
pub const PROVIDER_ID: &str = "github";
