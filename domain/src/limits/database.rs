//! The database driver: each key's theoretical arrival time is a row of
//! `rate_limits`, moved forward by one conditional upsert, so concurrent
//! hits on any number of instances are counted exactly (the database
//! orders them; nothing is read and then written). Rows at rest are
//! removed by the janitor.

use super::{Limited, RateLimit, RetryAfter};
use crate::limits::Rate;
use chrono::Utc;
use futures::future::BoxFuture;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement};
use std::time::Duration;

#[derive(Debug)]
pub struct DatabaseLimiter {
    db: DatabaseConnection,
}

impl DatabaseLimiter {
    pub fn new(db: DatabaseConnection) -> Self {
        DatabaseLimiter { db }
    }

    async fn check(&self, key: &str, rate: Rate) -> Limited {
        let now = Utc::now().timestamp_micros();
        // At least a microsecond apart (the column's unit): a zero interval
        // would be no limit at all.
        let interval = micros(rate.per / rate.count.max(1)).max(1);
        let per = micros(rate.per);
        let backend = self.db.get_database_backend();
        let (greatest, p) = dialect(backend);
        // Allowed iff the key's next arrival time stays within one period
        // of now; the row moves only then.
        let sql = format!(
            "INSERT INTO rate_limits (key, tat) VALUES ({p}1, {p}2 + {p}3) \
             ON CONFLICT (key) DO UPDATE SET tat = {greatest}(rate_limits.tat, {p}2) + {p}3 \
             WHERE {greatest}(rate_limits.tat, {p}2) + {p}3 - {p}2 <= {p}4 \
             RETURNING tat"
        );
        let allowed = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [key.into(), now.into(), interval.into(), per.into()],
            ))
            .await?
            .is_some();
        if allowed {
            return Ok(Ok(()));
        }
        let tat: i64 = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                format!("SELECT tat FROM rate_limits WHERE key = {p}1"),
                [key.into()],
            ))
            .await?
            .map(|row| row.try_get("", "tat"))
            .transpose()?
            .unwrap_or(now);
        let ahead = tat.max(now) + interval - now - per;
        Ok(Err(RetryAfter(Duration::from_micros(
            u64::try_from(ahead).unwrap_or(0),
        ))))
    }
}

impl RateLimit for DatabaseLimiter {
    fn hit<'a>(&'a self, key: &'a str, rate: Rate) -> BoxFuture<'a, Limited> {
        Box::pin(self.check(key, rate))
    }
}

/// The larger-of function and the numbered-parameter sigil of a backend.
fn dialect(backend: DatabaseBackend) -> (&'static str, &'static str) {
    match backend {
        DatabaseBackend::Postgres => ("GREATEST", "$"),
        _ => ("MAX", "?"),
    }
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX / 4)
}

/// Removes keys at rest (their arrival time has passed: forgetting them
/// changes nothing). Returns how many went.
pub async fn sweep<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    let now = Utc::now().timestamp_micros();
    let backend = db.get_database_backend();
    let (_, p) = dialect(backend);
    Ok(db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            format!("DELETE FROM rate_limits WHERE tat < {p}1"),
            [now.into()],
        ))
        .await?
        .rows_affected())
}
