//! What server functions and handlers share on the server: the database,
//! settings, the rate limiter, the mailer, an HTTP client for providers and
//! the password hasher. Built once at start-up and handed to Leptos as
//! context and to axum as state.

pub mod janitor;
pub mod net;
pub mod rate_limit;
pub mod settings;
pub mod tasks;

use crate::error::AppError;
use crate::mail::Mailer;
use rate_limit::RateLimiter;
use sea_orm::DatabaseConnection;
pub use settings::Settings;
use std::sync::Arc;
use std::time::Duration;

/// The shared services; cheap to clone.
#[derive(Clone, Debug)]
pub struct Services(Arc<Inner>);

#[derive(Debug)]
pub struct Inner {
    pub db: DatabaseConnection,
    pub settings: Settings,
    pub limiter: RateLimiter,
    pub mailer: Mailer,
    /// Supervised background tasks (mailer, janitor): restarted after a
    /// panic, reported by `/readyz` while down.
    pub tasks: tasks::Tasks,
    /// For calls to identity providers: no redirects followed (SSRF), short timeouts.
    pub http: reqwest::Client,
    #[cfg(feature = "local_auth")]
    pub hasher: crate::auth::local::hasher::PasswordHasher,
    #[cfg(feature = "google_auth")]
    pub google: Option<crate::auth::google::Google>,
    #[cfg(feature = "github_auth")]
    pub github: Option<crate::auth::github::GitHub>,
    #[cfg(feature = "stripe_payment")]
    pub stripe: Option<crate::payments::stripe::client::Stripe>,
    #[cfg(feature = "chat")]
    pub chat: crate::chat::settings::Chat,
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
            .user_agent(concat!("Keel/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Services(Arc::new(Inner {
            mailer: Mailer::new(db.clone(), &settings.mail)?,
            limiter: RateLimiter::new(settings.limits.max_tracked_keys),
            tasks: tasks::Tasks::default(),
            #[cfg(feature = "local_auth")]
            hasher: crate::auth::local::hasher::PasswordHasher::new(
                settings.password_hash_concurrency,
                settings.password_hash_queue,
            ),
            #[cfg(feature = "google_auth")]
            google: settings
                .google
                .clone()
                .map(|g| crate::auth::google::Google::new(g, &settings.public_url))
                .transpose()?,
            #[cfg(feature = "github_auth")]
            github: settings
                .github
                .clone()
                .map(|g| crate::auth::github::GitHub::new(g, &settings.public_url))
                .transpose()?,
            #[cfg(feature = "stripe_payment")]
            stripe: settings
                .stripe
                .clone()
                .map(crate::payments::stripe::client::Stripe::new)
                .transpose()?,
            #[cfg(feature = "chat")]
            chat: crate::chat::settings::Chat::new(settings.chat.clone()),
            db,
            settings,
            http,
        })))
    }

    /// Counts one event for `key` against `rate`, or `RateLimited`.
    pub fn limit(&self, key: &str, rate: settings::Rate) -> Result<(), AppError> {
        self.limiter.check(key, rate).map_err(|r| AppError::RateLimited {
            retry_after_secs: r.secs(),
        })
    }

    /// Counts one `kind` event for the client at `ip` (IPv6 clients by
    /// network, see [`net::limit_key`]) against `rate`.
    pub fn limit_ip(&self, kind: &str, ip: std::net::IpAddr, rate: settings::Rate) -> Result<(), AppError> {
        let key = net::limit_key(ip, self.settings.limits.ipv6_prefix);
        self.limit(&format!("{kind}-ip:{key}"), rate)
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
pub async fn begin_write<C: sea_orm::TransactionTrait>(db: &C) -> Result<C::Transaction, sea_orm::DbErr> {
    db.begin_with_options(sea_orm::TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// The services, from a server function's context.
pub fn use_services() -> Result<Services, AppError> {
    leptos::prelude::use_context::<Services>().ok_or_else(|| {
        tracing::error!("Services missing from the Leptos context");
        AppError::Internal
    })
}
