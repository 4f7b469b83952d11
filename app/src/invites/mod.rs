//! Invites: an admin invites an email; that address registers without
//! paying and has access until the invite's access date. Created from the
//! admin page (`crate::admin`) or `server invite create`.

#[cfg(feature = "ssr")]
pub mod store;

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Where an invite stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InviteStatus {
    Pending,
    Redeemed,
    Expired,
    Revoked,
}

/// An invite as the admin page lists it. Times are Unix seconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteView {
    pub id: String,
    pub email: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub access_until: i64,
    pub status: InviteStatus,
}

/// What the sign-up page shows about the invite in its link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteOffer {
    pub email: String,
    pub access_until: i64,
}

/// The open invite behind a sign-up link's token, or `LinkExpired`.
#[server(endpoint = "auth/invite")]
pub async fn invite_preview(token: String) -> Result<InviteOffer, AppError> {
    crate::error::finish(ssr::preview(token).await)
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::services::use_services;

    pub async fn preview(token: String) -> Result<InviteOffer, AppError> {
        let services = use_services()?;
        let meta = crate::auth::ssr::client_meta()?;
        services.limit_ip("email", meta.ip, services.settings.limits.email_per_ip)?;
        let now = chrono::Utc::now();
        match store::find_by_token(&services.db, &token).await? {
            Some(invite) if store::is_open(&invite, now) => Ok(InviteOffer {
                email: invite.email,
                access_until: invite.access_until.timestamp(),
            }),
            _ => Err(AppError::LinkExpired),
        }
    }
}
