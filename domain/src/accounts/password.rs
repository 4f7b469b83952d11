//! Email and password (`local_auth`): register, sign in, verify the
//! address, reset and change the password. Each operation takes the actor
//! and returns what happened as data (a new session's token, where the user
//! goes); cookies and redirects are the adapter's.

use super::new_password::NewPassword;
use super::rules::{self, Proof, email_taken, parse_email};
use super::sessions::{self, NewSession, SignedIn};
use super::tokens::{self, Purpose};
use super::{devices, throttle};
use crate::actor::Actor;
use crate::error::{DomainError, Result};
use crate::mail::{Mailer, templates};
use crate::services::Services;
use chrono::Utc;
use entity::users;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use secrecy::SecretString;
use wire::email::Email;
use wire::fields::{Field, Problem};
use wire::i18n::Locale;
use wire::paths as routes;

/// The sign-up form.
#[derive(Debug)]
pub struct Registration {
    pub display_name: String,
    pub email: String,
    pub password: String,
    /// The token of an invite's sign-up link.
    pub invite: Option<String>,
    pub remember: bool,
    /// The language of the verification mail.
    pub locale: Locale,
}

/// A password sign-in.
#[derive(Debug)]
pub struct Credentials {
    pub email: String,
    pub password: String,
    pub remember: bool,
    /// Where to go afterwards, if the user may.
    pub next: Option<String>,
    /// This browser's device token (it signed in here before).
    pub device: Option<String>,
}

/// A password sign-in that worked: the session, and a new device token
/// for this browser (if it had none for this account).
#[derive(Debug)]
pub struct PasswordSignedIn {
    pub signed_in: SignedIn,
    pub new_device: Option<String>,
}

/// What following a verification link did.
#[derive(Debug, PartialEq, Eq)]
pub enum Verification {
    /// The address is proven; the session has a new id.
    Verified { session: NewSession, next: String },
    /// The link is good but must be used in a session of its account:
    /// sign in first (`next` comes back here).
    SignInFirst { next: String },
}

/// Creates an account and signs it in. The address is proven at once when
/// the user followed an invite's link; otherwise a verification link goes out.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn register(services: &Services, actor: &Actor, form: Registration) -> Result<SignedIn> {
    let client = actor.client();
    let limits = services.settings.limits;
    services.limit_ip("sign-up", client.ip, limits.sign_up_per_ip).await?;
    let display_name = rules::display_name(&form.display_name)?;
    let email = parse_email(&form.email)?;
    // Per address too: repeated sign-ups for one email (each sends a link)
    // are limited like the other emails an account gets.
    services
        .limit(
            &format!("email-acct:{}", throttle::account_key(&email)),
            limits.email_per_account,
        )
        .await?;
    let password = NewPassword::parse(form.password, &email, Field::Password)?;
    if let Some(existing) = rules::find_by_email(&services.db, &email).await? {
        return Err(email_taken(&services.db, &existing).await);
    }
    let now = Utc::now();
    let admission = rules::admission(&services.db, services, &email, form.invite.as_deref(), now).await?;
    let hash = services.features.hasher.hash(password.into_secret()).await?;

    // Following an invite's link proved the address; otherwise a link goes out.
    let proven = admission.invite_from_link.is_some();
    let txn = crate::services::begin_write(&services.db).await?;
    let mut user = rules::insert_user(&txn, &email, &display_name, Some(hash), None).await?;
    if proven {
        user = rules::on_verified(&txn, services, user, now).await?;
    } else {
        queue_verification(services, &txn, &user, form.locale).await?;
    }
    txn.commit().await?;
    services.mailer.wake();
    tracing::info!(user = %user.id, invited = proven, "account registered");
    sessions::sign_in(
        services,
        actor.session().map(|s| s.as_ref()),
        &user,
        wire::auth::PASSWORD_METHOD,
        form.remember,
        &client,
        None,
    )
    .await
}

/// Signs in with email and password. A wrong password and an unknown email
/// get the same answer, after the same work.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn sign_in(services: &Services, actor: &Actor, form: Credentials) -> Result<PasswordSignedIn> {
    let client = actor.client();
    services
        .limit_ip("sign-in", client.ip, services.settings.limits.sign_in_per_ip)
        .await?;
    let email = parse_email(&form.email)?;
    if form.password.is_empty() {
        return Err(DomainError::invalid(Field::Password, Problem::Required));
    }
    let now = Utc::now();
    let user = rules::find_by_email(&services.db, &email).await?;
    let reservation = match reserve_attempt(services, &email, now).await {
        Ok(reservation) => Some(reservation),
        // Locked by failures: a browser that signed in to this account
        // before may still try, within its own limit.
        Err(locked @ DomainError::RateLimited { .. }) => {
            let device = match (&user, &form.device) {
                (Some(user), Some(token)) => devices::known(&services.db, token, user.id, now).await?,
                _ => None,
            };
            let Some(device) = device else {
                return Err(locked);
            };
            services
                .limit(
                    &format!("device:{}", device.id),
                    services.settings.limits.failed_sign_ins_per_account,
                )
                .await?;
            None
        }
        Err(e) => return Err(e),
    };
    let phc = user.as_ref().and_then(|u| u.password_hash.clone());
    let matches = services
        .features
        .hasher
        .verify_or_dummy(SecretString::from(form.password), phc)
        .await?;
    let Some(user) = user.filter(|_| matches) else {
        tracing::info!("sign-in failed");
        return Err(DomainError::InvalidCredentials);
    };
    if let Some(reservation) = reservation {
        throttle::release(&services.db, reservation).await?;
    }
    let user = if user.email_verified_at.is_some() {
        // An invite redeemed now and what it grants (access, credits) are
        // written together or not at all.
        let txn = crate::services::begin_write(&services.db).await?;
        let user = rules::on_verified(&txn, services, user, now).await?;
        txn.commit().await?;
        user
    } else {
        user
    };
    let new_device = devices::signed_in(&services.db, form.device.as_deref(), user.id, now).await?;
    let signed_in = sessions::sign_in(
        services,
        actor.session().map(|s| s.as_ref()),
        &user,
        wire::auth::PASSWORD_METHOD,
        form.remember,
        &client,
        form.next.as_deref(),
    )
    .await?;
    Ok(PasswordSignedIn { signed_in, new_device })
}

/// Counts a password attempt against the account (see `throttle`).
async fn reserve_attempt(
    services: &Services,
    email: &Email,
    now: chrono::DateTime<Utc>,
) -> Result<throttle::Reservation> {
    throttle::reserve(
        &services.db,
        email,
        services.settings.limits.failed_sign_ins_per_account,
        now,
    )
    .await?
    .map_err(|r| DomainError::RateLimited {
        retry_after_secs: r.secs(),
    })
}

/// Checks a signed-in user's `password` before a sensitive change (a new
/// password, deleting the account): limited per client IP and per account
/// like sign-ins, so it is no way to guess a password. A wrong one is a
/// field error on `field`.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn confirm_password(
    services: &Services,
    actor: &Actor,
    user: &users::Model,
    password: String,
    field: Field,
) -> Result<()> {
    let Some(phc) = user.password_hash.clone() else {
        return Err(DomainError::Forbidden);
    };
    if password.is_empty() {
        return Err(DomainError::invalid(field, Problem::Required));
    }
    services
        .limit_ip("password", actor.client().ip, services.settings.limits.sign_in_per_ip)
        .await?;
    let email = Email::parse(&user.email).map_err(DomainError::internal)?;
    let reservation = reserve_attempt(services, &email, Utc::now()).await?;
    if !services
        .features
        .hasher
        .verify(SecretString::from(password), phc)
        .await?
    {
        return Err(DomainError::invalid(field, Problem::Invalid));
    }
    throttle::release(&services.db, reservation).await?;
    Ok(())
}

/// Confirms an address from its link. The link proves who reads the
/// mailbox, not who set the password, so it is used only in a session of
/// the account (which the password, or a provider, opened): anyone else is
/// asked to sign in first, and whoever cannot (someone else registered the
/// address) resets the password, which proves the address and removes
/// every other way in.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn verify_email(services: &Services, actor: &Actor, token: &str) -> Result<Verification> {
    services
        .limit_ip("email", actor.client().ip, services.settings.limits.email_per_ip)
        .await?;
    let now = Utc::now();
    let row = tokens::peek(&services.db, token, Purpose::VerifyEmail, now)
        .await?
        .ok_or(DomainError::LinkExpired)?;
    let Some(current) = actor.session().filter(|s| s.user.id == row.user_id) else {
        let link = format!("{}?token={token}", routes::VERIFY_EMAIL_PATH);
        return Ok(Verification::SignInFirst {
            next: format!(
                "{}?verify=1&next={}",
                routes::SIGN_IN_PATH,
                wire::gate::encode_query(&link)
            ),
        });
    };
    let txn = crate::services::begin_write(&services.db).await?;
    let row = tokens::consume(&txn, token, Purpose::VerifyEmail, now)
        .await?
        .ok_or(DomainError::LinkExpired)?;
    let user = users::Entity::find_by_id(row.user_id)
        .one(&txn)
        .await?
        .filter(|u| u.email == row.email)
        .ok_or(DomainError::LinkExpired)?;
    let proof = Proof::LinkInSession {
        session: &current.id,
        auth_method: &current.auth_method,
    };
    let user = rules::prove(&txn, services, user, proof, now).await?;
    txn.commit().await?;
    tracing::info!(user = %user.id, "email verified");

    // A privilege change: a new session id, and on to where they now belong.
    let session = sessions::rotate(services, current).await?;
    let access = crate::access::state_for(&services.db, &user, now).await?;
    let viewer = sessions::viewer_of(&user, access);
    Ok(Verification::Verified {
        session,
        next: wire::gate::landing(Some(&viewer)),
    })
}

/// Sends the signed-in user a new verification link.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn resend_verification(services: &Services, actor: &Actor, locale: Locale) -> Result<()> {
    let current = actor.user()?;
    if current.user.email_verified_at.is_some() {
        return Ok(());
    }
    let limits = services.settings.limits;
    services
        .limit_ip("email", actor.client().ip, limits.email_per_ip)
        .await?;
    services
        .limit(&format!("email-acct:{}", current.user.id), limits.email_per_account)
        .await?;
    let txn = crate::services::begin_write(&services.db).await?;
    queue_verification(services, &txn, &current.user, locale).await?;
    txn.commit().await?;
    services.mailer.wake();
    Ok(())
}

async fn queue_verification<C: sea_orm::ConnectionTrait>(
    services: &Services,
    db: &C,
    user: &users::Model,
    locale: Locale,
) -> Result<()> {
    let token = tokens::issue(db, user, Purpose::VerifyEmail, Utc::now()).await?;
    let link = services.link(&format!("{}?token={token}", routes::VERIFY_EMAIL_PATH));
    let email = Email::parse(&user.email).map_err(DomainError::internal)?;
    Mailer::enqueue(db, templates::verify_email(locale, &email, &user.display_name, &link)).await?;
    Ok(())
}

/// Sends a reset link if an account has `email`. Answers the same either
/// way, and as fast: the lookup and the mail happen after the answer.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn forgot_password(services: &Services, actor: &Actor, email: &str, locale: Locale) -> Result<()> {
    let limits = services.settings.limits;
    services
        .limit_ip("email", actor.client().ip, limits.email_per_ip)
        .await?;
    let email = parse_email(email)?;
    // Keyed by the address typed, so known and unknown ones are limited alike.
    services
        .limit(
            &format!("email-acct:{}", throttle::account_key(&email)),
            limits.email_per_account,
        )
        .await?;
    let services = services.clone();
    tokio::spawn(async move {
        if let Err(e) = queue_reset(&services, &email, locale).await {
            tracing::error!(error = %e, "queueing a password reset failed");
        }
    });
    Ok(())
}

async fn queue_reset(services: &Services, email: &Email, locale: Locale) -> Result<()> {
    let Some(user) = rules::find_by_email(&services.db, email).await? else {
        tracing::info!("password reset asked for an unknown email");
        return Ok(());
    };
    let txn = crate::services::begin_write(&services.db).await?;
    let token = tokens::issue(&txn, &user, Purpose::ResetPassword, Utc::now()).await?;
    let link = services.link(&format!("{}?token={token}", routes::RESET_PASSWORD_PATH));
    Mailer::enqueue(
        &txn,
        templates::reset_password(locale, email, &user.display_name, &link),
    )
    .await?;
    txn.commit().await?;
    services.mailer.wake();
    tracing::info!(user = %user.id, "password reset link queued");
    Ok(())
}

/// What setting a password from a link did: where to go next, and the
/// session it started (for an account's first password).
#[derive(Debug)]
pub struct PasswordSet {
    pub to: String,
    pub session: Option<NewSession>,
}

/// Sets a new password from a reset link and ends every session of the
/// account (the caller's too). A reset sends the user to sign in again
/// with the new password; an account's *first* password (an admin made
/// by `server admin create`, an account that only had a provider) signs
/// this browser in, as registering would: whoever holds the link could
/// sign in with the password they just chose anyway.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn reset_password(services: &Services, actor: &Actor, token: &str, password: String) -> Result<PasswordSet> {
    services
        .limit_ip("email", actor.client().ip, services.settings.limits.email_per_ip)
        .await?;
    let now = Utc::now();
    // Check the new password before using up the link.
    let row = tokens::peek(&services.db, token, Purpose::ResetPassword, now)
        .await?
        .ok_or(DomainError::LinkExpired)?;
    let user = users::Entity::find_by_id(row.user_id)
        .one(&services.db)
        .await?
        .filter(|u| u.email == row.email)
        .ok_or(DomainError::LinkExpired)?;
    let email = Email::parse(&user.email).map_err(DomainError::internal)?;
    let password = NewPassword::parse(password, &email, Field::Password)?;
    let hash = services.features.hasher.hash(password.into_secret()).await?;
    let first_password = user.password_hash.is_none();

    let txn = crate::services::begin_write(&services.db).await?;
    tokens::consume(&txn, token, Purpose::ResetPassword, now)
        .await?
        .ok_or(DomainError::LinkExpired)?;
    let mut active = user.clone().into_active_model();
    active.password_hash = Set(Some(hash));
    active.updated_at = Set(now);
    let user = active.update(&txn).await?;
    rules::end_email_links(&txn, user.id, now).await?;
    // The link proved the address: on an unverified account, nothing but
    // the password just set stays.
    let user = rules::prove(&txn, services, user, Proof::Reset, now).await?;
    let ended = sessions::end_all(&txn, user.id, None).await?;
    txn.commit().await?;
    tracing::info!(user = %user.id, sessions_ended = ended, first_password, "password reset");
    if first_password {
        // (A session this browser had, for whichever account, ends too.)
        let signed_in = sessions::sign_in(
            services,
            actor.session().map(|s| s.as_ref()),
            &user,
            wire::auth::PASSWORD_METHOD,
            false,
            &actor.client(),
            None,
        )
        .await?;
        return Ok(PasswordSet {
            to: signed_in.next,
            session: Some(signed_in.session),
        });
    }
    Ok(PasswordSet {
        to: format!("{}?reset=1", routes::SIGN_IN_PATH),
        session: None,
    })
}

/// Changes the signed-in user's password: this session gets a new id, the
/// others end, and so does every link sent before.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn change_password(
    services: &Services,
    actor: &Actor,
    current_password: String,
    password: String,
) -> Result<NewSession> {
    let current = actor.user()?;
    let user = &current.user;
    if user.password_hash.is_none() {
        return Err(DomainError::Forbidden);
    }
    let email = Email::parse(&user.email).map_err(DomainError::internal)?;
    let new = NewPassword::parse(password, &email, Field::Password)?;
    confirm_password(services, actor, user, current_password, Field::CurrentPassword).await?;
    let hash = services.features.hasher.hash(new.into_secret()).await?;
    let now = Utc::now();
    let txn = crate::services::begin_write(&services.db).await?;
    let mut active = user.clone().into_active_model();
    active.password_hash = Set(Some(hash));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    // An older reset link must not set yet another password.
    rules::end_email_links(&txn, user.id, now).await?;
    let ended = sessions::end_all(&txn, user.id, Some(&current.id)).await?;
    txn.commit().await?;
    let session = sessions::rotate(services, current).await?;
    tracing::info!(user = %user.id, other_sessions_ended = ended, "password changed");
    Ok(session)
}
