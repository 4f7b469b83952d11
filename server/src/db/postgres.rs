//! PostgreSQL (`db_pg`).

use super::Database;
use anyhow::Context;
use sea_orm::{ConnectOptions, SqlxPostgresConnector};
use std::time::Duration;

pub(super) async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Database> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .test_before_acquire_if_idle_for(super::PING_IF_IDLE_FOR)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    let conn = SqlxPostgresConnector::connect(options)
        .await
        .context("connecting to PostgreSQL")?;
    Ok(Database {
        conn,
        sqlite_file: None,
    })
}
