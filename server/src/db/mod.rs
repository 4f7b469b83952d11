//! The database: one connection pool, opened and migrated at boot.
//!
//! Each backend is one file behind its feature; [`connect`] picks it from the
//! URL's scheme.

#[cfg(feature = "db_pg")]
mod postgres;
#[cfg(feature = "db_sqlite")]
mod sqlite;

use crate::config::DatabaseConfig;
use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use secrecy::ExposeSecret;

/// A pooled connection is checked (pinged) before use only once it has sat
/// idle this long: a server, proxy or firewall may have dropped it. A
/// check on every checkout (the pool's default) costs a round trip per
/// query or transaction, which on PostgreSQL was a fifth of a reply's
/// credit hold and settlement (`cargo xtask bench credits`).
pub(crate) const PING_IF_IDLE_FOR: std::time::Duration = std::time::Duration::from_secs(30);

/// The open pool and what readiness needs to know about it.
#[derive(Clone, Debug)]
pub struct Database {
    pub conn: DatabaseConnection,
    /// The SQLite file, when on SQLite: readiness checks that it is still
    /// the same file (not deleted, not replaced by an empty one).
    sqlite_file: Option<FileIdentity>,
}

/// A file and its identity (device and inode) when the pool opened it.
#[derive(Clone, Debug)]
pub struct FileIdentity {
    path: std::path::PathBuf,
    id: Option<(u64, u64)>,
}

impl FileIdentity {
    pub fn of(path: std::path::PathBuf) -> Self {
        let id = file_id(&path);
        FileIdentity { path, id }
    }

    /// Whether the path still names the file it named at start.
    fn unchanged(&self) -> bool {
        std::fs::File::open(&self.path).is_ok() && file_id(&self.path) == self.id
    }
}

#[cfg(unix)]
fn file_id(path: &std::path::Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(path: &std::path::Path) -> Option<(u64, u64)> {
    std::fs::metadata(path).ok().map(|_| (0, 0))
}

/// Why the database is not ready, in a few words safe to show to a load balancer.
#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    #[error("database file is missing, unreadable or was replaced")]
    FileGone,
    #[error("database query failed")]
    Query(#[source] sea_orm::DbErr),
}

impl Database {
    /// Opens the pool for `config.url`, applying the backend's settings.
    pub async fn connect(config: &DatabaseConfig) -> anyhow::Result<Self> {
        let url = config.url.expose_secret();
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            #[cfg(feature = "db_sqlite")]
            "sqlite" => sqlite::connect(url, config.max_connections).await,
            #[cfg(feature = "db_pg")]
            "postgres" | "postgresql" => postgres::connect(url, config.max_connections).await,
            _ => anyhow::bail!(
                "DATABASE_URL uses `{scheme}:`, which this build does not support (compiled-in databases: {})",
                supported()
            ),
        }
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        Migrator::up(&self.conn, None)
            .await
            .context("running database migrations")
    }

    /// A real round trip to the database (and, on SQLite, a check that the
    /// file is still on disk: an open connection would keep reading a
    /// deleted file and hide the problem).
    pub async fn check_ready(&self) -> Result<(), NotReady> {
        if let Some(file) = &self.sqlite_file
            && !file.unchanged()
        {
            return Err(NotReady::FileGone);
        }
        self.conn
            .execute_unprepared("SELECT 1")
            .await
            .map(drop)
            .map_err(NotReady::Query)
    }

    /// Closes every connection in the pool.
    pub async fn close(self) {
        if let Err(e) = self.conn.close().await {
            tracing::warn!(error = %e, "closing the database pool");
        }
    }
}

fn supported() -> &'static str {
    match (cfg!(feature = "db_sqlite"), cfg!(feature = "db_pg")) {
        (true, true) => "sqlite, postgres",
        (true, false) => "sqlite",
        _ => "postgres",
    }
}
