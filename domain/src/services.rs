//! What operations share: the database, settings, the rate limit store,
//! the mailer, an HTTP client for providers, the supervised background
//! tasks, and each feature's own part (password hasher, sign-in providers,
//! Stripe, the chat: [`crate::features::Features`]). Built once
//! at start-up (or by a test, or the CLI) and passed to every operation.

use crate::error::{DomainError, Result};
use crate::limits::Rate;
use crate::limits::RateLimit;
use crate::mail::Mailer;
use crate::settings::Settings;
use crate::tasks::Tasks;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::time::Duration;

/// The shared services; cheap to clone.
#[derive(Clone, Debug)]
pub struct Services(Arc<Inner>);

#[derive(Debug)]
pub struct Inner {
    pub db: DatabaseConnection,
    pub settings: Settings,
    pub limiter: Arc<dyn RateLimit>,
    pub mailer: Mailer,
    /// Supervised background tasks (mailer, janitor): restarted after a
    /// panic, reported by `/readyz` while down.
    pub tasks: Tasks,
    /// For calls to identity providers: no redirects followed (SSRF), short timeouts.
    pub http: reqwest::Client,
    /// Each compiled-in feature's clients and state (the registry's).
    pub features: crate::features::Features,
    /// Buckets and holds that disagreed with the ledger at the last
    /// reconciliation (`/readyz` reports it).
    pub credit_mismatches: std::sync::atomic::AtomicU64,
}

impl std::ops::Deref for Services {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl Services {
    pub fn new(db: DatabaseConnection, settings: Settings) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .user_agent(format!("{}/{}", wire::brand::PRODUCT_NAME, env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Services(Arc::new(Inner {
            mailer: Mailer::new(db.clone(), &settings.mail)?,
            limiter: crate::limits::store(settings.limits.store, &db, settings.limits.max_tracked_keys),
            tasks: Tasks::default(),
            features: crate::features::Features::new(
                &settings.features,
                &settings.public_url,
                (settings.password_hash_concurrency, settings.password_hash_queue),
            )?,
            db,
            settings,
            http,
            credit_mismatches: std::sync::atomic::AtomicU64::new(0),
        })))
    }

    /// Counts one event for `key` against `rate`, or `RateLimited`.
    pub async fn limit(&self, key: &str, rate: Rate) -> Result<()> {
        self.limiter
            .hit(key, rate)
            .await?
            .map_err(|r| DomainError::RateLimited {
                retry_after_secs: r.secs(),
            })
    }

    /// Counts one `kind` event for the client at `ip` (IPv6 clients by
    /// network, see [`crate::net::limit_key`]) against `rate`.
    pub async fn limit_ip(&self, kind: &str, ip: std::net::IpAddr, rate: Rate) -> Result<()> {
        let key = crate::net::limit_key(ip, self.settings.limits.ipv6_prefix);
        self.limit(&format!("{kind}-ip:{key}"), rate).await
    }

    /// A link to `path_and_query` on this site, for emails.
    pub fn link(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.settings.public_url)
    }
}

/// Starts a transaction that will write. On SQLite it takes the write lock
/// at once (`BEGIN IMMEDIATE`, waiting its turn under the busy timeout): a
/// transaction that reads and then writes would otherwise fail with
/// "database is locked" whenever another writer commits in between (a
/// read snapshot cannot be upgraded). On PostgreSQL it is a plain `BEGIN`.
pub async fn begin_write<C: sea_orm::TransactionTrait>(db: &C) -> std::result::Result<C::Transaction, sea_orm::DbErr> {
    db.begin_with_options(sea_orm::TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}
