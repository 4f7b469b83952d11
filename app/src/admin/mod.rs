//! The admin page (`/admin`): invites and access grants. The full admin
//! panel comes later; the gate declares `/admin` and `/api/admin/*` admin-only.

mod page;

pub use page::AdminPage;

use crate::error::AppError;
use crate::invites::InviteView;
use leptos::prelude::*;

/// Most invites the page lists.
pub const INVITES_LISTED: u64 = 200;
/// Longest access or validity an admin can give in one go, in days.
pub const MAX_DAYS: i64 = 3650;

#[server(endpoint = "admin/invites")]
pub async fn list_invites() -> Result<Vec<InviteView>, AppError> {
    crate::error::finish(ssr::list().await)
}

/// Invites `email` with access for `access_days`, redeemable for
/// `valid_days` (empty: `INVITE_ACCESS_FOR` / `INVITE_VALID_FOR`); sends the
/// invite email.
#[server(endpoint = "admin/invites/create")]
pub async fn create_invite(email: String, access_days: String, valid_days: String) -> Result<InviteView, AppError> {
    crate::error::finish(ssr::create(email, access_days, valid_days).await)
}

/// Revokes an invite (and the access it granted).
#[server(endpoint = "admin/invites/revoke")]
pub async fn revoke_invite(id: String) -> Result<(), AppError> {
    crate::error::finish(ssr::revoke(id).await)
}

/// Grants an existing account access for `days`; returns when it ends.
#[server(endpoint = "admin/access/grant")]
pub async fn grant_access(email: String, days: String) -> Result<i64, AppError> {
    crate::error::finish(ssr::grant(email, days).await)
}

/// Parses a whole number of days, 1 to [`MAX_DAYS`].
pub fn parse_days(input: &str) -> Result<i64, AppError> {
    use crate::error::{Field, Problem};
    let input = input.trim();
    if input.is_empty() {
        return Err(AppError::invalid(Field::Days, Problem::Required));
    }
    match input.parse::<i64>() {
        Ok(days) if (1..=MAX_DAYS).contains(&days) => Ok(days),
        _ => Err(AppError::invalid(Field::Days, Problem::Invalid)),
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::access::AccessReason;
    use crate::access::store::{self as access, NewGrant};
    use crate::auth::email::Email;
    use crate::auth::ssr::require_admin;
    use crate::error::{Field, Problem};
    use crate::invites::store as invites;
    use crate::services::use_services;
    use chrono::{Duration, Utc};

    pub async fn list() -> Result<Vec<InviteView>, AppError> {
        let services = use_services()?;
        require_admin()?;
        let now = Utc::now();
        Ok(invites::list(&services.db, INVITES_LISTED)
            .await?
            .iter()
            .map(|i| invites::view(i, now))
            .collect())
    }

    pub async fn create(email: String, access_days: String, valid_days: String) -> Result<InviteView, AppError> {
        let services = use_services()?;
        let admin = require_admin()?;
        let email = Email::parse(&email).map_err(|_| AppError::invalid(Field::Email, Problem::Invalid))?;
        let defaults = services.settings.invites;
        let access = days_or(&access_days, defaults.access_for)?;
        let valid = days_or(&valid_days, defaults.valid_for)?;
        let now = Utc::now();
        let created = invites::create(
            &services,
            &email,
            now + access,
            now + valid,
            Some(admin.user.id),
            crate::i18n::request_locale(),
        )
        .await?;
        Ok(invites::view(&created.invite, now))
    }

    /// Days from the form, or the configured default when the field is empty.
    fn days_or(input: &str, default: std::time::Duration) -> Result<Duration, AppError> {
        if input.trim().is_empty() {
            Duration::from_std(default).map_err(crate::error::internal)
        } else {
            parse_days(input).map(Duration::days)
        }
    }

    pub async fn revoke(id: String) -> Result<(), AppError> {
        let services = use_services()?;
        require_admin()?;
        let id = uuid::Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
        if invites::revoke(&services, id).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    pub async fn grant(email: String, days: String) -> Result<i64, AppError> {
        let services = use_services()?;
        let admin = require_admin()?;
        let email = Email::parse(&email).map_err(|_| AppError::invalid(Field::Email, Problem::Invalid))?;
        let days = parse_days(&days)?;
        let user = crate::auth::accounts::find_by_email(&services.db, &email)
            .await?
            .ok_or(AppError::NotFound)?;
        let now = Utc::now();
        let ends = now + Duration::days(days);
        access::grant(
            &services.db,
            NewGrant {
                user_id: user.id,
                reason: AccessReason::AdminGrant,
                reference: None,
                starts_at: now,
                ends_at: Some(ends),
                created_by: Some(admin.user.id),
            },
        )
        .await?;
        tracing::info!(admin = %admin.user.id, user = %user.id, days, "access granted");
        Ok(ends.timestamp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_whole_and_bounded() {
        assert_eq!(parse_days(" 30 "), Ok(30));
        assert!(parse_days("0").is_err());
        assert!(parse_days("-3").is_err());
        assert!(parse_days("1.5").is_err());
        assert!(parse_days("99999").is_err());
        assert!(parse_days("").is_err());
    }
}
