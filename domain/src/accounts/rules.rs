//! Rules every sign-in method shares: one account per email, who may
//! register, and what happens once an email address is proven (invites are
//! redeemed, configured admins promoted).
//!
//! **Pre-hijacking defence.** An account whose address is not verified may
//! have been registered by someone else. When the owner of the address
//! proves it ([`prove`]: a reset link, a verification link followed in the
//! account's own session, a provider that vouches for the address), every
//! other way in goes: the password unless the proof came with it, every
//! linked identity but the proving one, every other session and every
//! trusted device. Nothing an earlier registrant set up survives the owner
//! showing up. An unverified account cannot link providers at all
//! (`auth::oauth`).

pub use super::users::find_by_email;
use crate::error::{DomainError, Result, ResultExt};
use crate::invites;
use crate::services::Services;
use chrono::{DateTime, Utc};
use entity::{email_tokens, trusted_devices, user_identities, user_invites, users};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter, Set};
use uuid::Uuid;
use wire::email::Email;

/// The sign-in methods an account uses (provider ids), for "sign in with
/// the method you used before".
pub async fn methods_of<C: ConnectionTrait>(db: &C, user: &users::Model) -> Result<Vec<String>, DbErr> {
    let mut methods = Vec::new();
    if user.password_hash.is_some() {
        methods.push(wire::auth::PASSWORD_METHOD.to_owned());
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
pub async fn email_taken<C: ConnectionTrait>(db: &C, user: &users::Model) -> DomainError {
    match methods_of(db, user).await {
        Ok(methods) => DomainError::EmailTaken { methods },
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
) -> Result<Admission> {
    let invite_from_link = match invite_token.filter(|t| !t.is_empty()) {
        Some(token) => invites::find_by_token(db, token)
            .await?
            .filter(|i| i.email == email.as_str() && invites::is_open(i, now)),
        None => None,
    };
    let invited = invite_from_link.is_some()
        || services.settings.admin_emails.contains(email)
        || invites::has_open_invite(db, email, now).await?;
    if !invited && !wire::features::OPEN_SIGN_UP {
        return Err(DomainError::InviteOnly);
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
) -> Result<users::Model> {
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
    .on_unique(|| DomainError::EmailTaken { methods: Vec::new() })
}

/// How the owner of an address proved it, and so which of the account's
/// ways in are theirs.
#[derive(Clone, Copy, Debug)]
pub enum Proof<'a> {
    /// A password reset link: the password just set is theirs; nothing
    /// else is.
    Reset,
    /// A verification link followed in a session of this account: that
    /// session, and the sign-in method it used (`auth_method`), are theirs.
    LinkInSession { session: &'a str, auth_method: &'a str },
    /// A provider vouched for the address: this identity is theirs.
    Provider { provider: &'a str, subject: &'a str },
}

/// The owner of `user`'s address proved it. If the account was not
/// verified yet, every way in that the proof does not vouch for is removed
/// (see the module's docs); then the address is marked verified and what a
/// proven address brings is applied ([`on_verified`]). Returns the account.
pub async fn prove<C: ConnectionTrait>(
    db: &C,
    services: &Services,
    user: users::Model,
    proof: Proof<'_>,
    now: DateTime<Utc>,
) -> Result<users::Model> {
    let user = if user.email_verified_at.is_none() {
        let keep = match proof {
            Proof::Reset => Keep {
                password: true,
                ..Keep::NOTHING
            },
            Proof::LinkInSession { session, auth_method } => Keep {
                password: auth_method == wire::auth::PASSWORD_METHOD,
                provider: Some((auth_method, None)),
                session: Some(session),
            },
            Proof::Provider { provider, subject } => Keep {
                provider: Some((provider, Some(subject))),
                ..Keep::NOTHING
            },
        };
        revoke_ways_in(db, user, keep).await?
    } else {
        user
    };
    on_verified(db, services, user, now).await
}

/// Which ways into an account stay when the others are revoked.
#[derive(Clone, Copy, Debug)]
pub struct Keep<'a> {
    pub password: bool,
    /// A provider's identities (all of them, or the one with this subject).
    pub provider: Option<(&'a str, Option<&'a str>)>,
    pub session: Option<&'a str>,
}

impl Keep<'_> {
    /// Nothing stays.
    pub const NOTHING: Keep<'static> = Keep {
        password: false,
        provider: None,
        session: None,
    };
}

/// Removes every way into `user` but `keep`: the password, linked
/// identities, sessions and trusted devices.
pub async fn revoke_ways_in<C: ConnectionTrait>(db: &C, user: users::Model, keep: Keep<'_>) -> Result<users::Model> {
    let mut identities = user_identities::Entity::delete_many().filter(user_identities::Column::UserId.eq(user.id));
    if let Some((provider, subject)) = keep.provider {
        let mut kept = sea_orm::Condition::all().add(user_identities::Column::Provider.eq(provider));
        if let Some(subject) = subject {
            kept = kept.add(user_identities::Column::Subject.eq(subject));
        }
        identities = identities.filter(kept.not());
    }
    let identities = identities.exec(db).await?.rows_affected;
    let sessions = crate::accounts::sessions::end_all(db, user.id, keep.session).await?;
    trusted_devices::Entity::delete_many()
        .filter(trusted_devices::Column::UserId.eq(user.id))
        .exec(db)
        .await?;
    let password = user.password_hash.is_some() && !keep.password;
    tracing::info!(
        user = %user.id,
        identities_removed = identities,
        sessions_ended = sessions,
        password_removed = password,
        "unproven ways into the account removed"
    );
    if !password {
        return Ok(user);
    }
    let mut active = user.into_active_model();
    active.password_hash = Set(None);
    Ok(active.update(db).await?)
}

/// Ends every unused verification and reset link of `user` (a changed
/// password must not leave an older link that sets another).
pub async fn end_email_links<C: ConnectionTrait>(db: &C, user: uuid::Uuid, now: DateTime<Utc>) -> Result<u64, DbErr> {
    Ok(email_tokens::Entity::update_many()
        .col_expr(email_tokens::Column::UsedAt, sea_orm::sea_query::Expr::value(Some(now)))
        .filter(email_tokens::Column::UserId.eq(user))
        .filter(email_tokens::Column::UsedAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

/// Marks the account's email verified (if it was not) and applies what a
/// proven address brings: open invites are redeemed, and an address in
/// `ADMIN_EMAILS` becomes an admin. Returns the updated account. For an
/// account that was not verified, call [`prove`] instead.
pub async fn on_verified<C: ConnectionTrait>(
    db: &C,
    services: &Services,
    user: users::Model,
    now: DateTime<Utc>,
) -> Result<users::Model> {
    let email = Email::parse(&user.email).map_err(DomainError::internal)?;
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

/// A display name: trimmed, 1 to [`wire::auth::MAX_NAME_CHARS`] characters.
pub fn display_name(input: &str) -> Result<String> {
    wire::auth::check_display_name(input)
        .map(str::to_owned)
        .map_err(|p| DomainError::invalid(wire::fields::Field::DisplayName, p))
}

/// Parses an email from a form (a field error on `Email` when it is not one).
pub fn parse_email(input: &str) -> Result<Email> {
    use wire::email::EmailError;
    use wire::fields::{Field, Problem};
    Email::parse(input).map_err(|e| {
        let problem = match e {
            EmailError::Empty => Problem::Required,
            EmailError::TooLong => Problem::TooLong,
            EmailError::Invalid => Problem::Invalid,
        };
        DomainError::invalid(Field::Email, problem)
    })
}
