//! What a business operation can fail with. The refusals are typed (an
//! adapter turns each into its status and message); infrastructure
//! failures carry their cause for the log and are never shown.

use sea_orm::{DbErr, SqlErr};
use wire::fields::{Field, Problem};

/// Why an operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// A value in the input is not acceptable.
    #[error("invalid {field:?}: {problem:?}")]
    Invalid { field: Field, problem: Problem },
    /// The email belongs to an account already; `methods` are the sign-in
    /// methods that account uses (provider ids).
    #[error("email already registered")]
    EmailTaken { methods: Vec<String> },
    /// Wrong email or password (the same answer whether the account exists or not).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many attempts; try again after this many seconds.
    #[error("rate limited for {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// At capacity; try again after this many seconds.
    #[error("busy for {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
    /// Registration needs an invite and there is none for this email.
    #[error("invite only")]
    InviteOnly,
    /// An emailed link (verification, reset, invite) is unknown, used or expired.
    #[error("link invalid or expired")]
    LinkExpired,
    /// An invite link whose invite was replaced by a newer one for the
    /// same address (revoked, or expired and sent again).
    #[error("invite superseded")]
    InviteSuperseded,
    /// No account uses this email (an admin granting access).
    #[error("no account with that email")]
    NoAccount { email: String },
    /// The operation needs a signed-in user.
    #[error("not signed in")]
    NotSignedIn,
    /// The user has no valid access (no invite, payment or grant).
    #[error("access required")]
    AccessRequired,
    /// The user's email address is not verified yet.
    #[error("email not verified")]
    EmailNotVerified,
    /// The actor may not do this.
    #[error("forbidden")]
    Forbidden,
    /// Nothing with that id (or not the actor's).
    #[error("not found")]
    NotFound,
    /// Removing this sign-in method would leave the account with none.
    #[error("last sign-in method")]
    LastSignInMethod,
    /// Payments are not configured, or Stripe could not be reached.
    #[cfg(feature = "stripe_payment")]
    #[error("payments unavailable")]
    PaymentsUnavailable,
    /// The user already has a subscription that gives access.
    #[cfg(feature = "stripe_payment")]
    #[error("already subscribed")]
    AlreadySubscribed,
    /// The account was not deleted: its subscription could not be cancelled.
    #[cfg(feature = "stripe_payment")]
    #[error("subscription not cancelled")]
    SubscriptionNotCancelled,
    /// The user has this many chat replies streaming already.
    #[cfg(feature = "chat")]
    #[error("{limit} replies streaming already")]
    TooManyReplies { limit: u32 },
    /// No chat model is enabled (the demo model is off and `CHAT_MODELS`
    /// enables none): the chat is not set up on this instance.
    #[cfg(feature = "chat")]
    #[error("no chat model is configured")]
    ChatUnavailable,
    /// The account cannot pay for the shortest reply allowed
    /// (`CREDITS_MIN_OUTPUT_TOKENS`): it has `available`, that costs `needed`.
    #[error("out of credits: {available} available, {needed} needed")]
    OutOfCredits {
        available: i64,
        needed: i64,
        /// How the amounts are shown (`CREDITS_DECIMALS`).
        units: wire::credits::Units,
    },
    /// The reply would take the account past the monthly spending cap its
    /// user set: `spent` of `cap` committed this month, which ends at
    /// `resets_at` (Unix seconds).
    #[error("monthly spending cap reached: {spent} of {cap}")]
    SpendingCap {
        cap: i64,
        spent: i64,
        resets_at: i64,
        units: wire::credits::Units,
    },
    /// Credits are enforced and the model has no price (nor is it free).
    #[cfg(feature = "chat")]
    #[error("model {model} has no price")]
    ModelNotPriced { model: String },
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] DbErr),
    /// Something else failed (the cause, for the log).
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = DomainError> = std::result::Result<T, E>;

impl DomainError {
    pub const fn invalid(field: Field, problem: Problem) -> Self {
        DomainError::Invalid { field, problem }
    }

    /// An infrastructure failure, with its cause for the log.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        DomainError::Internal(cause.to_string())
    }
}

impl From<anyhow::Error> for DomainError {
    fn from(e: anyhow::Error) -> Self {
        DomainError::Internal(format!("{e:#}"))
    }
}

/// Turns a unique-constraint violation into a refusal, where the query runs
/// (realworld-axum-sqlx's `on_constraint`): the database decides races
/// that a read-then-write would lose.
pub trait ResultExt<T> {
    fn on_unique(self, refusal: impl FnOnce() -> DomainError) -> Result<T>;
}

impl<T> ResultExt<T> for std::result::Result<T, DbErr> {
    fn on_unique(self, refusal: impl FnOnce() -> DomainError) -> Result<T> {
        self.map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => refusal(),
            _ => DomainError::Database(e),
        })
    }
}
