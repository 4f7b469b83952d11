//! What a path requires, and the rules that say so: the vocabulary of the
//! gate's table (the `gate` module), in which each feature declares its own
//! lines (its `GATE`).

/// What a path needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requirement {
    /// Anyone.
    Public,
    /// Only signed-out visitors (sign-in and sign-up pages).
    Guest,
    /// A signed-in user.
    SignedIn,
    /// A signed-in user whose email is verified.
    Verified,
    /// A verified user with valid access (invite, payment or grant).
    Access,
    /// An admin whose email is verified (an unverified address may be
    /// someone else's registration).
    Admin,
}

/// How a rule matches a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Match {
    Exact(&'static str),
    Prefix(&'static str),
}

/// One line of the gate's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule(pub Match, pub Requirement);

impl Rule {
    pub fn matches(&self, path: &str) -> bool {
        match self.0 {
            Match::Exact(p) => path == p,
            Match::Prefix(p) => path.starts_with(p),
        }
    }
}
