//! Rules every sign-in method shares: one account per email, who may
//! register, and what happens once an email address is proven (invites are
//! redeemed, configured admins promoted).

use crate::auth::email::Email;
use crate::error::AppError;
use crate::invites::store as invites;
use crate::services::Services;
use chrono::{DateTime, Utc};
use entity::{user_identities, user_invites, users};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter, Set, SqlErr,
};
use uuid::Uuid;

/// Longest display name, in characters.
pub use crate::auth::MAX_NAME_CHARS;

/// The account with this (normalised) email.
pub async fn find_by_email<C: ConnectionTrait>(db: &C, email: &Email) -> Result<Option<users::Model>, DbErr> {
    users::Entity::find()
        .filter(users::Column::Email.eq(email.as_str()))
        .one(db)
        .await
}

/// The sign-in methods an account uses (provider ids), for "sign in with
/// the method you used before".
pub async fn methods_of<C: ConnectionTrait>(db: &C, user: &users::Model) -> Result<Vec<String>, DbErr> {
    let mut methods = Vec::new();
    if user.password_hash.is_some() {
        methods.push(crate::auth::PASSWORD_METHOD.to_owned());
    }
    let identities = user_identities::Entity::find()
        .filter(user_identities::Column::UserId.eq(user.id))
        .all(db)
        .await?;
    for i in identities {
        if !methods.contains(&i.provider) {
            methods.push(i.provider);
        }
    }
    Ok(methods)
}

/// `EmailTaken` for an existing account, naming its sign-in methods.
pub async fn email_taken<C: ConnectionTrait>(db: &C, user: &users::Model) -> AppError {
    match methods_of(db, user).await {
        Ok(methods) => AppError::EmailTaken { methods },
        Err(e) => e.into(),
    }
}

/// Who may register with `email`.
#[derive(Debug, Default)]
pub struct Admission {
    /// The invite whose link the user followed, when it is open and for
    /// this email: following it proved the address.
    pub invite_from_link: Option<user_invites::Model>,
}

/// Decides whether `email` may register. With payments compiled in anyone
/// may (the gate sends users without access to the payment page); without,
/// only an email with an open invite, or one listed in `ADMIN_EMAILS`.
pub async fn admission<C: ConnectionTrait>(
    db: &C,
    services: &Services,
    email: &Email,
    invite_token: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Admission, AppError> {
    let invite_from_link = match invite_token.filter(|t| !t.is_empty()) {
        Some(token) => invites::find_by_token(db, token)
            .await?
            .filter(|i| i.email == email.as_str() && invites::is_open(i, now)),
        None => None,
    };
    let invited = invite_from_link.is_some()
        || services.settings.admin_emails.contains(email)
        || invites::has_open_invite(db, email, now).await?;
    if !invited && !cfg!(feature = "stripe_payment") {
        return Err(AppError::InviteOnly);
    }
    Ok(Admission { invite_from_link })
}

/// Inserts a new account. A concurrent registration of the same email
/// loses on the unique index and gets `EmailTaken`.
pub async fn insert_user<C: ConnectionTrait>(
    db: &C,
    email: &Email,
    display_name: &str,
    password_hash: Option<String>,
    verified_at: Option<DateTime<Utc>>,
) -> Result<users::Model, AppError> {
    let now = Utc::now();
    users::ActiveModel {
        id: Set(Uuid::new_v4()),
        email: Set(email.as_str().to_owned()),
        display_name: Set(display_name.to_owned()),
        email_verified_at: Set(verified_at),
        is_admin: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        password_hash: Set(password_hash),
    }
    .insert(db)
    .await
    .map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => AppError::EmailTaken { methods: Vec::new() },
        _ => e.into(),
    })
}

/// Marks the account's email verified (if it was not) and applies what a
/// proven address brings: open invites are redeemed, and an address in
/// `ADMIN_EMAILS` becomes an admin. Returns the updated account.
pub async fn on_verified<C: ConnectionTrait>(
    db: &C,
    services: &Services,
    user: users::Model,
    now: DateTime<Utc>,
) -> Result<users::Model, AppError> {
    let email = Email::parse(&user.email).map_err(crate::error::internal)?;
    invites::redeem_open_for(db, user.id, &email, now).await?;
    let make_admin = !user.is_admin && services.settings.admin_emails.contains(&email);
    if user.email_verified_at.is_some() && !make_admin {
        return Ok(user);
    }
    let mut active = user.clone().into_active_model();
    if user.email_verified_at.is_none() {
        active.email_verified_at = Set(Some(now));
    }
    if make_admin {
        tracing::info!(user = %user.id, "promoted to admin (ADMIN_EMAILS)");
        active.is_admin = Set(true);
    }
    active.updated_at = Set(now);
    Ok(active.update(db).await?)
}

/// A display name: trimmed, 1 to [`MAX_NAME_CHARS`] characters.
pub fn display_name(input: &str) -> Result<String, AppError> {
    crate::auth::check_display_name(input)
        .map(str::to_owned)
        .map_err(|p| AppError::invalid(crate::error::Field::DisplayName, p))
}
