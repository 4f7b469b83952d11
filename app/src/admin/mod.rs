//! The admin page (`/admin`): invites and access grants. The full admin
//! panel comes later; the gate declares `/admin` and `/api/admin/*` admin-only.

mod page;

pub use page::AdminPage;

use crate::error::{AppError, Field};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
pub use wire::invites::{InviteList, InviteSent};

/// Most invites the page lists.
pub const INVITES_LISTED: u64 = 200;
pub use wire::invites::MAX_DAYS;

#[cfg(feature = "ssr")]
use {
    crate::server::{context, finish},
    domain::invites,
};

/// An access grant as the admin page confirms it: whose, and until when
/// (Unix seconds).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessGranted {
    pub email: String,
    pub until: i64,
}

/// The newest invites, and the defaults an empty field stands for.
#[server(endpoint = "admin/invites")]
pub async fn list_invites() -> Result<InviteList, AppError> {
    let (services, actor) = context()?;
    finish(invites::list_views(&services, &actor, INVITES_LISTED).await)
}

/// Invites `email` with access for `access_days`, redeemable for
/// `valid_days` (empty: `INVITE_ACCESS_FOR` / `INVITE_VALID_FOR`), with
/// `credits` (in the display unit; empty: none) granted on redemption;
/// sends the invite email. An address with an open invite gets it again,
/// with a new link (the earlier ones keep working).
#[server(endpoint = "admin/invites/create")]
pub async fn create_invite(
    email: String,
    access_days: String,
    valid_days: String,
    #[server(default)] credits: Option<String>,
) -> Result<InviteSent, AppError> {
    let (services, actor) = context()?;
    let email = finish(domain::accounts::rules::parse_email(&email))?;
    let access = finish(optional_days(&access_days))?;
    let valid = finish(optional_days(&valid_days))?;
    let credits = crate::credits::typed_amount(&services, credits.as_deref().unwrap_or_default())?.unwrap_or(0);
    let locale = crate::i18n::request_locale();
    finish(invites::create_for_days(&services, &actor, email, access, valid, credits, locale).await)
}

/// What this instance still needs set up, by code (see
/// `domain::features::Features::setup_notes`).
#[server(endpoint = "admin/setup")]
pub async fn setup_notes() -> Result<Vec<String>, AppError> {
    let (services, actor) = context()?;
    finish(actor.require_admin())?;
    Ok(services.features.setup_notes().into_iter().map(str::to_owned).collect())
}

/// Revokes an invite (and the access it granted).
#[server(endpoint = "admin/invites/revoke")]
pub async fn revoke_invite(id: String) -> Result<(), AppError> {
    let (services, actor) = context()?;
    finish(invites::revoke_listed(&services, &actor, &id).await)
}

/// Grants an existing account access for `days`; returns whose and when
/// it ends (`NoAccount` when no account uses the address).
#[server(endpoint = "admin/access/grant")]
pub async fn grant_access(email: String, days: String) -> Result<AccessGranted, AppError> {
    let (services, actor) = context()?;
    let email = finish(domain::accounts::rules::parse_email(&email))?;
    let days = finish(parse_days(&days))?;
    let ends = finish(domain::access::grant_access(&services, &actor, &email, days).await)?;
    Ok(AccessGranted {
        email: email.as_str().to_owned(),
        until: ends.timestamp(),
    })
}

/// Parses a whole number of days, 1 to [`MAX_DAYS`].
pub fn parse_days(input: &str) -> Result<i64, AppError> {
    wire::invites::parse_days(input).map_err(|p| AppError::invalid(Field::Days, p))
}

/// Days from the form; empty means the configured default.
pub fn optional_days(input: &str) -> Result<Option<i64>, AppError> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        parse_days(input).map(Some)
    }
}
