//! SQLite (`db_sqlite`): WAL, foreign keys on, `synchronous=FULL` (money will
//! live here), and a busy timeout so writers queue instead of failing.

use super::Database;
use anyhow::Context;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, SqlxSqliteConnector};
use std::path::PathBuf;
use std::time::Duration;

pub(super) async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Database> {
    let file = file_path(url);
    if let Some(dir) = file
        .as_ref()
        .and_then(|f| f.parent())
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).with_context(|| format!("creating the database directory {}", dir.display()))?;
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .test_before_acquire_if_idle_for(super::PING_IF_IDLE_FOR)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                .create_if_missing(true)
        });
    let conn = SqlxSqliteConnector::connect(options)
        .await
        .context("opening the SQLite database")?;
    Ok(Database {
        conn,
        sqlite_file: file.map(super::FileIdentity::of),
    })
}

/// The file behind a `sqlite://path?opts` URL; `None` for in-memory databases.
fn file_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_path_reads_relative_absolute_and_memory_urls() {
        assert_eq!(file_path("sqlite://data/mast.db?mode=rwc"), Some("data/mast.db".into()));
        assert_eq!(file_path("sqlite:///tmp/x.db"), Some("/tmp/x.db".into()));
        assert_eq!(file_path("sqlite::memory:"), None);
        assert_eq!(file_path("postgres://x"), None);
    }
}
