//! The error type of Keel's server functions.
//!
//! Typed, so the UI can show "email already registered" next to the email
//! field without matching on strings. Server-side causes are logged on the
//! server and never sent to the browser.

use crate::i18n::{Key, Locale};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A form field a validation error belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    Email,
    Password,
    CurrentPassword,
    DisplayName,
    Confirm,
    Days,
    Date,
    /// A chat message.
    #[cfg(feature = "chat")]
    Message,
    /// A conversation's title.
    #[cfg(feature = "chat")]
    Title,
}

/// What is wrong with a field's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    Required,
    TooShort,
    TooLong,
    Invalid,
    /// A password found in the list of commonly used passwords.
    Common,
    /// A confirmation that does not match.
    Mismatch,
}

/// What a server function can fail with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// A value in the request is not acceptable.
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
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    /// Registration needs an invite and there is none for this email.
    #[error("invite only")]
    InviteOnly,
    /// An emailed link (verification, reset, invite) is unknown, used or expired.
    #[error("link invalid or expired")]
    LinkExpired,
    /// The request needs a signed-in user.
    #[error("not signed in")]
    NotSignedIn,
    /// The user has no valid access (no invite, payment or grant).
    #[error("access required")]
    AccessRequired,
    /// The user's email address is not verified yet.
    #[error("email not verified")]
    EmailNotVerified,
    /// The user may not do this.
    #[error("forbidden")]
    Forbidden,
    /// Nothing with that id (or not yours).
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
    #[error("too many replies at once")]
    TooManyReplies { limit: u32 },
    /// The server is at capacity; try again after this many seconds.
    #[error("busy")]
    Busy { retry_after_secs: u64 },
    /// Something failed on the server; details are in the server's log.
    #[error("internal error")]
    Internal,
    /// Transport or encoding failure between browser and server.
    #[error("{0}")]
    ServerFn(ServerFnErrorErr),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::ServerFn(value)
    }
}

impl AppError {
    pub const fn invalid(field: Field, problem: Problem) -> Self {
        AppError::Invalid { field, problem }
    }

    /// The field this error should be shown next to, if any.
    pub fn field(&self) -> Option<Field> {
        match self {
            AppError::Invalid { field, .. } => Some(*field),
            AppError::EmailTaken { .. } => Some(Field::Email),
            _ => None,
        }
    }

    /// How long the client should wait before trying again (`Retry-After`).
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::RateLimited { retry_after_secs } | AppError::Busy { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// The HTTP status the server answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid { .. } | AppError::LinkExpired => 400,
            AppError::InvalidCredentials | AppError::NotSignedIn => 401,
            AppError::AccessRequired | AppError::EmailNotVerified | AppError::Forbidden | AppError::InviteOnly => 403,
            AppError::NotFound => 404,
            AppError::EmailTaken { .. } | AppError::LastSignInMethod => 409,
            #[cfg(feature = "stripe_payment")]
            AppError::AlreadySubscribed => 409,
            #[cfg(feature = "stripe_payment")]
            AppError::PaymentsUnavailable | AppError::SubscriptionNotCancelled => 503,
            AppError::Busy { .. } => 503,
            #[cfg(feature = "chat")]
            AppError::TooManyReplies { .. } => 429,
            AppError::RateLimited { .. } => 429,
            AppError::Internal | AppError::ServerFn(_) => 500,
        }
    }

    /// What the user reads.
    pub fn message(&self, locale: Locale) -> String {
        let t = |k| locale.t(k).to_owned();
        match self {
            AppError::Invalid { field, problem } => t(problem_key(*field, *problem)),
            AppError::EmailTaken { methods } => {
                let names: Vec<&str> = methods
                    .iter()
                    .filter_map(|m| crate::auth::AuthMethod::from_id(m))
                    .map(|m| locale.t(m.name_key()))
                    .collect();
                if names.is_empty() {
                    t(Key::ErrEmailTaken)
                } else {
                    locale.t(Key::ErrEmailTakenUse).replace("{methods}", &names.join(", "))
                }
            }
            AppError::InvalidCredentials => t(Key::ErrInvalidCredentials),
            AppError::RateLimited { retry_after_secs } => {
                let minutes = retry_after_secs.div_ceil(60).max(1);
                locale.t(Key::ErrRateLimited).replace("{minutes}", &minutes.to_string())
            }
            AppError::InviteOnly => t(Key::ErrInviteOnly),
            AppError::LinkExpired => t(Key::ErrLinkExpired),
            AppError::NotSignedIn => t(Key::ErrNotSignedIn),
            AppError::AccessRequired => t(Key::ErrAccessRequired),
            AppError::EmailNotVerified => t(Key::ErrEmailNotVerified),
            AppError::Forbidden => t(Key::ErrForbidden),
            AppError::NotFound => t(Key::ErrNotFound),
            AppError::LastSignInMethod => t(Key::ErrLastSignInMethod),
            #[cfg(feature = "stripe_payment")]
            AppError::PaymentsUnavailable => t(Key::ErrPaymentsUnavailable),
            #[cfg(feature = "stripe_payment")]
            AppError::AlreadySubscribed => t(Key::ErrAlreadySubscribed),
            #[cfg(feature = "stripe_payment")]
            AppError::SubscriptionNotCancelled => t(Key::ErrSubscriptionNotCancelled),
            #[cfg(feature = "chat")]
            AppError::TooManyReplies { limit } => {
                locale.t(Key::ErrTooManyReplies).replace("{count}", &limit.to_string())
            }
            AppError::Busy { .. } => t(Key::ErrBusy),
            AppError::Internal | AppError::ServerFn(_) => t(Key::ErrorGeneric),
        }
    }
}

/// Logs an infrastructure failure and hides it behind [`AppError::Internal`].
#[cfg(feature = "ssr")]
pub fn internal(error: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %error, "internal error");
    AppError::Internal
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        internal(e)
    }
}

#[cfg(feature = "ssr")]
impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        internal(format!("{e:#}"))
    }
}

/// A full hashing queue is a busy server (503, try again in a second);
/// anything else is internal.
#[cfg(all(feature = "ssr", feature = "local_auth"))]
impl From<crate::auth::local::hasher::HashError> for AppError {
    fn from(e: crate::auth::local::hasher::HashError) -> Self {
        match e {
            crate::auth::local::hasher::HashError::Busy => AppError::Busy { retry_after_secs: 1 },
            other => internal(other),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(e: sea_orm::TransactionError<AppError>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

/// The edge of every server function: sets the response status (and
/// `Retry-After`) from the error, so the browser and scripts see 401, 409,
/// 429… instead of a generic 500.
#[cfg(feature = "ssr")]
pub fn finish<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(e) = &result
        && let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
    {
        response.set_status(http::StatusCode::from_u16(e.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR));
        if let Some(secs) = e.retry_after_secs() {
            response.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
        }
    }
    result
}

fn problem_key(field: Field, problem: Problem) -> Key {
    match (field, problem) {
        (_, Problem::Required) => Key::ErrRequired,
        (Field::Email, Problem::TooLong) => Key::ErrEmailTooLong,
        (Field::Email, _) => Key::ErrEmailInvalid,
        (Field::CurrentPassword, Problem::Invalid) => Key::ErrCurrentPasswordWrong,
        (Field::Password | Field::CurrentPassword, Problem::TooShort) => Key::ErrPasswordTooShort,
        (Field::Password | Field::CurrentPassword, Problem::TooLong) => Key::ErrPasswordTooLong,
        (Field::Password | Field::CurrentPassword, Problem::Common) => Key::ErrPasswordCommon,
        (Field::DisplayName, Problem::TooLong) => Key::ErrNameTooLong,
        (Field::Confirm, _) => Key::ErrConfirmMismatch,
        (Field::Days, _) => Key::ErrDaysInvalid,
        (Field::Date, _) => Key::ErrDateInvalid,
        #[cfg(feature = "chat")]
        (Field::Message, Problem::TooLong) => Key::ErrMessageTooLong,
        #[cfg(feature = "chat")]
        (Field::Title, Problem::TooLong) => Key::ErrTitleTooLong,
        _ => Key::ErrValueInvalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_round_trip_through_json_with_their_fields() {
        let e = AppError::EmailTaken {
            methods: vec!["google".into()],
        };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), e);
        assert_eq!(e.field(), Some(Field::Email));
    }

    #[test]
    fn statuses_follow_http_meaning() {
        assert_eq!(AppError::InvalidCredentials.status(), 401);
        assert_eq!(AppError::RateLimited { retry_after_secs: 3 }.status(), 429);
        assert_eq!(AppError::InviteOnly.status(), 403);
        assert_eq!(AppError::invalid(Field::Email, Problem::Invalid).status(), 400);
    }

    #[test]
    fn rate_limit_message_rounds_up_to_whole_minutes() {
        let m = AppError::RateLimited { retry_after_secs: 61 }.message(Locale::En);
        assert!(m.contains("in 2 min"), "{m}");
    }
}
