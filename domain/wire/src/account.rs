//! The account page's records: signed-in browsers and linked providers.

use serde::{Deserialize, Serialize};

/// A signed-in browser, as the sessions list shows it. Times are Unix seconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// The session's handle for revoking it (the hash of its token; it opens nothing).
    pub id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub user_agent: String,
    pub ip: String,
    pub method: String,
    /// The session this request came with.
    pub current: bool,
}

/// A provider account linked to this one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityView {
    pub provider: String,
    pub email: String,
    pub created_at: i64,
}

/// Everything the account page lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDetails {
    pub identities: Vec<IdentityView>,
    pub sessions: Vec<SessionView>,
}
