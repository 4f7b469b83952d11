//! Periodic clean-up of rows that no longer mean anything: ended sessions,
//! OAuth flows nobody finished, failed sign-ins outside their window, old
//! used tokens and delivered mail. Safe to run on several instances at once.

use super::Services;
use chrono::{Duration, Utc};
use entity::{auth_failures, email_tokens, mail_outbox, oauth_flows, sessions};
use sea_orm::{ColumnTrait, Condition, DbErr, EntityTrait, QueryFilter};

/// How often the janitor runs.
pub const EVERY: std::time::Duration = std::time::Duration::from_secs(600);
/// Used or expired tokens and sent mail are kept this long (for support questions).
const KEEP_DAYS: i64 = 7;

/// Rows removed by one sweep.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub sessions: u64,
    pub oauth_flows: u64,
    pub auth_failures: u64,
    pub email_tokens: u64,
    pub mail: u64,
}

/// Removes what has expired.
pub async fn sweep(services: &Services) -> Result<Swept, DbErr> {
    let now = Utc::now();
    let db = &services.db;
    let idle = Duration::from_std(services.settings.session.idle).unwrap_or(Duration::MAX);
    let keep = now - Duration::days(KEEP_DAYS);
    let window = Duration::from_std(services.settings.limits.failed_sign_ins_per_account.per).unwrap_or(Duration::MAX);
    Ok(Swept {
        sessions: sessions::Entity::delete_many()
            .filter(
                Condition::any()
                    .add(sessions::Column::ExpiresAt.lte(now))
                    .add(sessions::Column::LastSeenAt.lte(now - idle)),
            )
            .exec(db)
            .await?
            .rows_affected,
        oauth_flows: oauth_flows::Entity::delete_many()
            .filter(oauth_flows::Column::ExpiresAt.lte(now))
            .exec(db)
            .await?
            .rows_affected,
        auth_failures: auth_failures::Entity::delete_many()
            .filter(auth_failures::Column::CreatedAt.lte(now - window))
            .exec(db)
            .await?
            .rows_affected,
        email_tokens: email_tokens::Entity::delete_many()
            .filter(
                Condition::any()
                    .add(email_tokens::Column::UsedAt.lte(keep))
                    .add(email_tokens::Column::ExpiresAt.lte(keep)),
            )
            .exec(db)
            .await?
            .rows_affected,
        mail: mail_outbox::Entity::delete_many()
            .filter(mail_outbox::Column::SentAt.lte(keep))
            .exec(db)
            .await?
            .rows_affected,
    })
}

/// Sweeps every [`EVERY`] until `stop` completes.
pub async fn run(services: Services, stop: impl std::future::Future<Output = ()>) {
    tokio::pin!(stop);
    loop {
        match sweep(&services).await {
            Ok(swept) if swept != Swept::default() => tracing::info!(?swept, "expired rows removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "clean-up failed; will retry"),
        }
        tokio::select! {
            () = &mut stop => return,
            () = tokio::time::sleep(EVERY) => {}
        }
    }
}
