//! Invites in the UI: what the sign-up page shows about the invite in its
//! link. Invites themselves are `domain::invites` (the admin page and
//! `server invite create` make them).

use crate::error::AppError;
use leptos::prelude::*;
pub use wire::invites::{InviteOffer, InviteStatus, InviteView};

/// The open invite behind a sign-up link's token, or `LinkExpired`.
#[server(endpoint = "auth/invite")]
pub async fn invite_preview(token: String) -> Result<InviteOffer, AppError> {
    let (services, actor) = crate::server::context()?;
    crate::server::finish(domain::invites::preview(&services, &actor, &token).await)
}
