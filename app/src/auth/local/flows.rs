//! The server side of the email-and-password functions.

use super::tokens::{self, Purpose};
use super::{devices, throttle};
use crate::auth::accounts::{self, email_taken};
use crate::auth::email::Email;
use crate::auth::password::NewPassword;
use crate::auth::session;
use crate::auth::ssr::{client_meta, go, require_user, rotate_current, set_cookie, sign_in_as, viewer};
use crate::error::{AppError, Field, Problem};
use crate::i18n::Locale;
use crate::mail::{Mailer, templates};
use crate::routes;
use crate::services::{Services, use_services};
use chrono::Utc;
use entity::users;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use secrecy::SecretString;

/// The sign-up form.
pub struct Registration {
    pub display_name: String,
    pub email: String,
    pub password: String,
    pub invite: Option<String>,
    pub remember: bool,
}

fn parse_email(input: &str) -> Result<Email, AppError> {
    Email::parse(input).map_err(|e| {
        let problem = match e {
            crate::auth::email::EmailError::Empty => Problem::Required,
            crate::auth::email::EmailError::TooLong => Problem::TooLong,
            crate::auth::email::EmailError::Invalid => Problem::Invalid,
        };
        AppError::invalid(Field::Email, problem)
    })
}

pub async fn register(form: Registration) -> Result<String, AppError> {
    let services = use_services()?;
    let meta = client_meta()?;
    services.limit_ip("sign-up", meta.ip, services.settings.limits.sign_up_per_ip)?;
    let display_name = accounts::display_name(&form.display_name)?;
    let email = parse_email(&form.email)?;
    // Per address too: repeated sign-ups for one email (each sends a link)
    // are limited like the other emails an account gets.
    services.limit(
        &format!("email-acct:{}", throttle::account_key(&email)),
        services.settings.limits.email_per_account,
    )?;
    let password = NewPassword::parse(form.password, &email, Field::Password)?;
    if let Some(existing) = accounts::find_by_email(&services.db, &email).await? {
        return Err(email_taken(&services.db, &existing).await);
    }
    let now = Utc::now();
    let admission = accounts::admission(&services.db, &services, &email, form.invite.as_deref(), now).await?;
    let hash = services.hasher.hash(password.into_secret()).await?;

    // Following an invite's link proved the address; otherwise a link goes out.
    let proven = admission.invite_from_link.is_some();
    let locale = crate::i18n::request_locale();
    let txn = crate::services::begin_write(&services.db).await?;
    let mut user = accounts::insert_user(&txn, &email, &display_name, Some(hash), None).await?;
    if proven {
        user = accounts::on_verified(&txn, &services, user, now).await?;
    } else {
        queue_verification(&services, &txn, &user, locale).await?;
    }
    txn.commit().await?;
    services.mailer.wake();
    tracing::info!(user = %user.id, invited = proven, "account registered");
    let to = sign_in_as(&services, &user, super::PROVIDER_ID, form.remember, None).await?;
    Ok(go(to))
}

pub async fn sign_in(
    email: String,
    password: String,
    remember: bool,
    next: Option<String>,
) -> Result<String, AppError> {
    let services = use_services()?;
    let meta = client_meta()?;
    services.limit_ip("sign-in", meta.ip, services.settings.limits.sign_in_per_ip)?;
    let email = parse_email(&email)?;
    if password.is_empty() {
        return Err(AppError::invalid(Field::Password, Problem::Required));
    }
    let now = Utc::now();
    let user = accounts::find_by_email(&services.db, &email).await?;
    let device_token = crate::auth::ssr::cookie(devices::cookie_name(&services));
    let reservation = match reserve_attempt(&services, &email, now).await {
        Ok(reservation) => Some(reservation),
        // Locked by failures: a browser that signed in to this account
        // before may still try, within its own limit.
        Err(locked @ AppError::RateLimited { .. }) => {
            let device = match (&user, &device_token) {
                (Some(user), Some(token)) => devices::known(&services.db, token, user.id, now).await?,
                _ => None,
            };
            let Some(device) = device else {
                return Err(locked);
            };
            services.limit(
                &format!("device:{}", device.id),
                services.settings.limits.failed_sign_ins_per_account,
            )?;
            None
        }
        Err(e) => return Err(e),
    };
    let phc = user.as_ref().and_then(|u| u.password_hash.clone());
    let matches = services
        .hasher
        .verify_or_dummy(SecretString::from(password), phc)
        .await?;
    let Some(user) = user.filter(|_| matches) else {
        tracing::info!("sign-in failed");
        return Err(AppError::InvalidCredentials);
    };
    if let Some(reservation) = reservation {
        throttle::release(&services.db, reservation).await?;
    }
    let user = if user.email_verified_at.is_some() {
        accounts::on_verified(&services.db, &services, user, now).await?
    } else {
        user
    };
    if let Some(cookie) = devices::signed_in(&services.db, &services, device_token.as_deref(), user.id, now).await? {
        set_cookie(cookie);
    }
    let to = sign_in_as(&services, &user, super::PROVIDER_ID, remember, next.as_deref()).await?;
    Ok(go(to))
}

/// Counts a password attempt against the account (see `throttle`).
async fn reserve_attempt(
    services: &Services,
    email: &Email,
    now: chrono::DateTime<Utc>,
) -> Result<throttle::Reservation, AppError> {
    throttle::reserve(
        &services.db,
        email,
        services.settings.limits.failed_sign_ins_per_account,
        now,
    )
    .await?
    .map_err(|r| AppError::RateLimited {
        retry_after_secs: r.secs(),
    })
}

/// Checks the signed-in user's `password` before a sensitive change
/// (a new password, deleting the account): limited per client IP and per
/// account like sign-ins, so it is no way to guess a password. A wrong one
/// is a field error on `field`.
pub async fn confirm_password(
    services: &Services,
    user: &users::Model,
    password: String,
    field: Field,
) -> Result<(), AppError> {
    let Some(phc) = user.password_hash.clone() else {
        return Err(AppError::Forbidden);
    };
    if password.is_empty() {
        return Err(AppError::invalid(field, Problem::Required));
    }
    let meta = client_meta()?;
    services.limit_ip("password", meta.ip, services.settings.limits.sign_in_per_ip)?;
    let email = Email::parse(&user.email).map_err(crate::error::internal)?;
    let reservation = reserve_attempt(services, &email, Utc::now()).await?;
    if !services.hasher.verify(SecretString::from(password), phc).await? {
        return Err(AppError::invalid(field, Problem::Invalid));
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
pub async fn verify_email(token: String) -> Result<String, AppError> {
    let services = use_services()?;
    let meta = client_meta()?;
    services.limit_ip("email", meta.ip, services.settings.limits.email_per_ip)?;
    let now = Utc::now();
    let row = tokens::peek(&services.db, &token, Purpose::VerifyEmail, now)
        .await?
        .ok_or(AppError::LinkExpired)?;
    let Some(current) = viewer().filter(|s| s.user.id == row.user_id) else {
        let link = format!("{}?token={token}", routes::VERIFY_EMAIL_PATH);
        return Ok(go(format!(
            "{}?verify=1&next={}",
            routes::SIGN_IN_PATH,
            crate::gate::encode_query(&link)
        )));
    };
    let txn = crate::services::begin_write(&services.db).await?;
    let row = tokens::consume(&txn, &token, Purpose::VerifyEmail, now)
        .await?
        .ok_or(AppError::LinkExpired)?;
    let user = users::Entity::find_by_id(row.user_id)
        .one(&txn)
        .await?
        .filter(|u| u.email == row.email)
        .ok_or(AppError::LinkExpired)?;
    let proof = accounts::Proof::LinkInSession {
        session: &current.id,
        auth_method: &current.auth_method,
    };
    let user = accounts::prove(&txn, &services, user, proof, now).await?;
    txn.commit().await?;
    tracing::info!(user = %user.id, "email verified");

    // A privilege change: a new session id, and on to where they now belong.
    rotate_current(&services).await?;
    let access = crate::access::store::state_for(&services.db, &user, now).await?;
    let viewer = crate::auth::ssr::viewer_of(&user, access);
    Ok(go(crate::gate::landing(Some(&viewer))))
}

pub async fn resend_verification() -> Result<(), AppError> {
    let services = use_services()?;
    let current = require_user()?;
    if current.user.email_verified_at.is_some() {
        return Ok(());
    }
    let meta = client_meta()?;
    let limits = services.settings.limits;
    services.limit_ip("email", meta.ip, limits.email_per_ip)?;
    services.limit(&format!("email-acct:{}", current.user.id), limits.email_per_account)?;
    let txn = crate::services::begin_write(&services.db).await?;
    queue_verification(&services, &txn, &current.user, crate::i18n::request_locale()).await?;
    txn.commit().await?;
    services.mailer.wake();
    Ok(())
}

async fn queue_verification<C: sea_orm::ConnectionTrait>(
    services: &Services,
    db: &C,
    user: &users::Model,
    locale: Locale,
) -> Result<(), AppError> {
    let token = tokens::issue(db, user, Purpose::VerifyEmail, Utc::now()).await?;
    let link = services.link(&format!("{}?token={token}", routes::VERIFY_EMAIL_PATH));
    let email = Email::parse(&user.email).map_err(crate::error::internal)?;
    Mailer::enqueue(db, templates::verify_email(locale, &email, &user.display_name, &link)).await?;
    Ok(())
}

pub async fn forgot_password(email: String) -> Result<(), AppError> {
    let services = use_services()?;
    let meta = client_meta()?;
    let limits = services.settings.limits;
    services.limit_ip("email", meta.ip, limits.email_per_ip)?;
    let email = parse_email(&email)?;
    // Keyed by the address typed, so known and unknown ones are limited alike.
    services.limit(
        &format!("email-acct:{}", throttle::account_key(&email)),
        limits.email_per_account,
    )?;
    let locale = crate::i18n::request_locale();
    // The lookup and the mail happen after the answer, so the answer takes
    // as long whether or not the account exists.
    tokio::spawn(async move {
        if let Err(e) = queue_reset(&services, &email, locale).await {
            tracing::error!(error = ?e, "queueing a password reset failed");
        }
    });
    Ok(())
}

async fn queue_reset(services: &Services, email: &Email, locale: Locale) -> Result<(), AppError> {
    let Some(user) = accounts::find_by_email(&services.db, email).await? else {
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

pub async fn reset_password(token: String, password: String) -> Result<String, AppError> {
    let services = use_services()?;
    let meta = client_meta()?;
    services.limit_ip("email", meta.ip, services.settings.limits.email_per_ip)?;
    let now = Utc::now();
    // Check the new password before using up the link.
    let row = tokens::peek(&services.db, &token, Purpose::ResetPassword, now)
        .await?
        .ok_or(AppError::LinkExpired)?;
    let user = users::Entity::find_by_id(row.user_id)
        .one(&services.db)
        .await?
        .filter(|u| u.email == row.email)
        .ok_or(AppError::LinkExpired)?;
    let email = Email::parse(&user.email).map_err(crate::error::internal)?;
    let password = NewPassword::parse(password, &email, Field::Password)?;
    let hash = services.hasher.hash(password.into_secret()).await?;

    let txn = crate::services::begin_write(&services.db).await?;
    tokens::consume(&txn, &token, Purpose::ResetPassword, now)
        .await?
        .ok_or(AppError::LinkExpired)?;
    let mut active = user.clone().into_active_model();
    active.password_hash = Set(Some(hash));
    active.updated_at = Set(now);
    let user = active.update(&txn).await?;
    accounts::end_email_links(&txn, user.id, now).await?;
    // The link proved the address: on an unverified account, nothing but
    // the password just set stays.
    let user = accounts::prove(&txn, &services, user, accounts::Proof::Reset, now).await?;
    let ended = session::end_all(&txn, user.id, None).await?;
    txn.commit().await?;
    tracing::info!(user = %user.id, sessions_ended = ended, "password reset");
    if viewer().is_some() {
        set_cookie(session::clear_cookie(&services));
    }
    Ok(go(format!("{}?reset=1", routes::SIGN_IN_PATH)))
}

pub async fn change_password(current_password: String, password: String) -> Result<(), AppError> {
    let services = use_services()?;
    let current = require_user()?;
    let user = &current.user;
    if user.password_hash.is_none() {
        return Err(AppError::Forbidden);
    }
    let email = Email::parse(&user.email).map_err(crate::error::internal)?;
    let new = NewPassword::parse(password, &email, Field::Password)?;
    confirm_password(&services, user, current_password, Field::CurrentPassword).await?;
    let hash = services.hasher.hash(new.into_secret()).await?;
    let now = Utc::now();
    let txn = crate::services::begin_write(&services.db).await?;
    let mut active = user.clone().into_active_model();
    active.password_hash = Set(Some(hash));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    // An older reset link must not set yet another password.
    accounts::end_email_links(&txn, user.id, now).await?;
    let ended = session::end_all(&txn, user.id, Some(&current.id)).await?;
    txn.commit().await?;
    rotate_current(&services).await?;
    tracing::info!(user = %user.id, other_sessions_ended = ended, "password changed");
    Ok(())
}
