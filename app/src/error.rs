//! The error type of the app's server functions and handlers: what the browser
//! is told when a request is refused.
//!
//! Typed, so the UI can show "email already registered" next to the email
//! field without matching on strings. A domain operation's refusal maps to
//! one variant here; infrastructure causes are logged on the server and
//! never sent to the browser.

use crate::i18n::{Key, Locale};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

pub use wire::fields::{Field, Problem};

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
    /// An invite link replaced by a newer invitation to the same address.
    #[error("invite superseded")]
    InviteSuperseded,
    /// No account uses this email (an admin granting access).
    #[error("no account with that email")]
    NoAccount { email: String },
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
    /// The chat has no model on this instance.
    #[cfg(feature = "chat")]
    #[error("the chat is not set up")]
    ChatUnavailable,
    /// Not enough credits for the shortest reply allowed.
    #[error("out of credits")]
    OutOfCredits {
        available: i64,
        needed: i64,
        units: wire::credits::Units,
    },
    /// The monthly spending cap the user set is reached.
    #[error("spending cap reached")]
    SpendingCap {
        cap: i64,
        spent: i64,
        resets_at: i64,
        units: wire::credits::Units,
    },
    /// The model has no price (credits are enforced).
    #[cfg(feature = "chat")]
    #[error("model not priced")]
    ModelNotPriced,
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
            AppError::Invalid { .. } | AppError::LinkExpired | AppError::InviteSuperseded => 400,
            AppError::InvalidCredentials | AppError::NotSignedIn => 401,
            AppError::AccessRequired | AppError::EmailNotVerified | AppError::Forbidden | AppError::InviteOnly => 403,
            AppError::NotFound | AppError::NoAccount { .. } => 404,
            AppError::EmailTaken { .. } | AppError::LastSignInMethod => 409,
            #[cfg(feature = "stripe_payment")]
            AppError::AlreadySubscribed => 409,
            #[cfg(feature = "stripe_payment")]
            AppError::PaymentsUnavailable | AppError::SubscriptionNotCancelled => 503,
            AppError::Busy { .. } => 503,
            AppError::OutOfCredits { .. } | AppError::SpendingCap { .. } => 402,
            #[cfg(feature = "chat")]
            AppError::ModelNotPriced => 403,
            #[cfg(feature = "chat")]
            AppError::TooManyReplies { .. } => 429,
            #[cfg(feature = "chat")]
            AppError::ChatUnavailable => 503,
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
                    .filter_map(|m| wire::auth::AuthMethod::from_id(m))
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
            AppError::InviteSuperseded => t(Key::ErrInviteSuperseded),
            AppError::NoAccount { email } => locale.t(Key::ErrNoAccount).replace("{email}", email),
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
            #[cfg(feature = "chat")]
            AppError::ChatUnavailable => t(Key::ErrChatUnavailable),
            AppError::OutOfCredits {
                available,
                needed,
                units,
            } => locale
                .t(Key::ErrOutOfCredits)
                .replace("{needed}", &units.format(*needed, locale))
                .replace("{available}", &units.format(*available, locale)),
            AppError::SpendingCap {
                cap,
                spent,
                resets_at,
                units,
            } => locale
                .t(Key::ErrSpendingCap)
                .replace("{cap}", &units.format(*cap, locale))
                .replace("{spent}", &units.format(*spent, locale))
                .replace("{date}", &wire::access::format_date(*resets_at)),
            #[cfg(feature = "chat")]
            AppError::ModelNotPriced => t(Key::ErrModelNotPriced),
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

/// A domain refusal is told as it is; a failure is logged and told as
/// "something went wrong".
#[cfg(feature = "ssr")]
impl From<domain::DomainError> for AppError {
    fn from(e: domain::DomainError) -> Self {
        use domain::DomainError as D;
        match e {
            D::Invalid { field, problem } => AppError::Invalid { field, problem },
            D::EmailTaken { methods } => AppError::EmailTaken { methods },
            D::InvalidCredentials => AppError::InvalidCredentials,
            D::RateLimited { retry_after_secs } => AppError::RateLimited { retry_after_secs },
            D::Busy { retry_after_secs } => AppError::Busy { retry_after_secs },
            D::InviteOnly => AppError::InviteOnly,
            D::LinkExpired => AppError::LinkExpired,
            D::InviteSuperseded => AppError::InviteSuperseded,
            D::NoAccount { email } => AppError::NoAccount { email },
            D::NotSignedIn => AppError::NotSignedIn,
            D::AccessRequired => AppError::AccessRequired,
            D::EmailNotVerified => AppError::EmailNotVerified,
            D::Forbidden => AppError::Forbidden,
            D::NotFound => AppError::NotFound,
            D::LastSignInMethod => AppError::LastSignInMethod,
            #[cfg(feature = "stripe_payment")]
            D::PaymentsUnavailable => AppError::PaymentsUnavailable,
            #[cfg(feature = "stripe_payment")]
            D::AlreadySubscribed => AppError::AlreadySubscribed,
            #[cfg(feature = "stripe_payment")]
            D::SubscriptionNotCancelled => AppError::SubscriptionNotCancelled,
            #[cfg(feature = "chat")]
            D::TooManyReplies { limit } => AppError::TooManyReplies { limit },
            #[cfg(feature = "chat")]
            D::ChatUnavailable => AppError::ChatUnavailable,
            D::OutOfCredits {
                available,
                needed,
                units,
            } => AppError::OutOfCredits {
                available,
                needed,
                units,
            },
            D::SpendingCap {
                cap,
                spent,
                resets_at,
                units,
            } => AppError::SpendingCap {
                cap,
                spent,
                resets_at,
                units,
            },
            #[cfg(feature = "chat")]
            D::ModelNotPriced { .. } => AppError::ModelNotPriced,
            failure @ (D::Database(_) | D::Internal(_)) => internal(failure),
        }
    }
}

/// How an error leaves over HTTP, in one place: its status, and
/// `Retry-After` when waiting helps.
#[cfg(feature = "ssr")]
impl AppError {
    pub fn status_code(&self) -> http::StatusCode {
        http::StatusCode::from_u16(self.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn retry_after(&self) -> Option<http::HeaderValue> {
        self.retry_after_secs().map(http::HeaderValue::from)
    }
}

/// An HTTP handler's error: the JSON body the server-function client
/// decodes into [`AppError`], with its status and `Retry-After`. (Server
/// functions get the same status and header through
/// `server::finish`.)
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let body = serde_json::to_string(&self).unwrap_or_default();
        let mut response = (
            self.status_code(),
            [(http::header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response();
        if let Some(after) = self.retry_after() {
            response.headers_mut().insert(http::header::RETRY_AFTER, after);
        }
        response
    }
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
        (Field::Credits, _) => Key::ErrCreditsAmount,
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
