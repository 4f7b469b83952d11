//! Periodic clean-up of rows that no longer mean anything: ended sessions,
//! OAuth flows nobody finished, failed sign-ins outside their window, old
//! used tokens, delivered and undeliverable mail, devices not seen for a
//! year, rate limit keys at rest; and whatever each feature adds to the
//! round (the registry's [`crate::features::Features::sweep`]). Safe to run on
//! several instances at once.

use super::Services;
use chrono::{Duration, Utc};
use entity::{auth_failures, email_tokens, mail_outbox, oauth_flows, sessions, trusted_devices};
use sea_orm::{ColumnTrait, Condition, DbErr, EntityTrait, QueryFilter};

/// How often the janitor runs.
pub const EVERY: std::time::Duration = std::time::Duration::from_secs(600);
/// Used or expired tokens and sent or undeliverable mail are kept this
/// long (for support questions; undeliverable mail keeps no body).
const KEEP_DAYS: i64 = 7;

/// Rows removed by one sweep.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub sessions: u64,
    pub oauth_flows: u64,
    pub auth_failures: u64,
    pub email_tokens: u64,
    pub mail: u64,
    pub devices: u64,
    /// Rate limit keys at rest (the database store).
    pub rate_limits: u64,
    /// Each feature's part, by name.
    pub features: Vec<(&'static str, u64)>,
}

impl Swept {
    /// Whether anything was cleaned up.
    pub fn is_empty(&self) -> bool {
        let Swept {
            sessions,
            oauth_flows,
            auth_failures,
            email_tokens,
            mail,
            devices,
            rate_limits,
            features,
        } = self;
        [
            sessions,
            oauth_flows,
            auth_failures,
            email_tokens,
            mail,
            devices,
            rate_limits,
        ]
        .into_iter()
        .all(|n| *n == 0)
            && features.iter().all(|(_, n)| *n == 0)
    }

    /// What the feature part called `name` cleaned up.
    pub fn of(&self, name: &str) -> u64 {
        self.features.iter().find(|(n, _)| *n == name).map_or(0, |(_, n)| *n)
    }
}

/// Removes what has expired.
pub async fn sweep(services: &Services) -> Result<Swept, DbErr> {
    let now = Utc::now();
    let db = &services.db;
    let session = &services.settings.session;
    let idle = |remember| Duration::from_std(session.idle_for(remember)).unwrap_or(Duration::MAX);
    let keep = now - Duration::days(KEEP_DAYS);
    let window = Duration::from_std(services.settings.limits.failed_sign_ins_per_account.per).unwrap_or(Duration::MAX);
    Ok(Swept {
        sessions: sessions::Entity::delete_many()
            .filter(
                Condition::any()
                    .add(sessions::Column::ExpiresAt.lte(now))
                    .add(
                        Condition::all()
                            .add(sessions::Column::Remember.eq(false))
                            .add(sessions::Column::LastSeenAt.lte(now - idle(false))),
                    )
                    .add(
                        Condition::all()
                            .add(sessions::Column::Remember.eq(true))
                            .add(sessions::Column::LastSeenAt.lte(now - idle(true))),
                    ),
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
            .filter(
                Condition::any()
                    .add(mail_outbox::Column::SentAt.lte(keep))
                    .add(mail_outbox::Column::FailedAt.lte(keep)),
            )
            .exec(db)
            .await?
            .rows_affected,
        devices: trusted_devices::Entity::delete_many()
            .filter(
                trusted_devices::Column::LastUsedAt.lte(now - Duration::days(crate::accounts::devices::LIFETIME_DAYS)),
            )
            .exec(db)
            .await?
            .rows_affected,
        rate_limits: crate::limits::database::sweep(db).await?,
        features: {
            let mut features = services.features.sweep(db, now).await?;
            // After the chat's part: replies of dead processes are closed first.
            let credits = crate::credits::sweep::sweep(db, now).await?;
            if !credits.skipped {
                services
                    .credit_mismatches
                    .store(credits.mismatches, std::sync::atomic::Ordering::Relaxed);
            }
            features.push((crate::credits::sweep::HOLDS, credits.holds));
            features.push((crate::credits::sweep::EXPIRED, credits.expired));
            features
        },
    })
}

/// Sweeps every [`EVERY`] until `stop` completes.
pub async fn run(services: Services, stop: impl std::future::Future<Output = ()>) {
    tokio::pin!(stop);
    loop {
        match sweep(&services).await {
            Ok(swept) if !swept.is_empty() => tracing::info!(?swept, "expired rows removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "clean-up failed; will retry"),
        }
        tokio::select! {
            () = &mut stop => return,
            () = tokio::time::sleep(EVERY) => {}
        }
    }
}
