//! Rate limits: at most N events per period per key (a client IP, an
//! account, a user's replies), by GCRA (one "theoretical arrival time" per
//! key). Behind one trait with two drivers, chosen by `RATE_LIMIT_STORE`:
//! [`memory`] (this process only, the default) and [`database`] (one
//! budget shared by every instance on the same database).
//!
//! The limit that matters most for security, failed password checks per
//! account, is always in the database (`accounts::throttle`).

pub mod database;
pub mod memory;

use futures::future::BoxFuture;
use sea_orm::{DatabaseConnection, DbErr};
use std::sync::Arc;
use std::time::Duration;

/// Too many events: try again after this long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds, at least one (the `Retry-After` header's unit).
    pub fn secs(self) -> u64 {
        (self.0.as_secs() + u64::from(self.0.subsec_nanos() > 0)).max(1)
    }
}

/// A hit's answer: allowed, refused (with when to retry), or the store failed.
pub type Limited = Result<Result<(), RetryAfter>, DbErr>;

/// A rate limit store.
pub trait RateLimit: Send + Sync + std::fmt::Debug {
    /// Counts one event for `key` against `rate`; refuses it when over.
    fn hit<'a>(&'a self, key: &'a str, rate: Rate) -> BoxFuture<'a, Limited>;
}

/// The store `RATE_LIMIT_STORE` names.
pub fn store(kind: LimitStore, db: &DatabaseConnection, max_keys: usize) -> Arc<dyn RateLimit> {
    match kind {
        LimitStore::Memory => Arc::new(memory::MemoryLimiter::new(max_keys)),
        LimitStore::Database => Arc::new(database::DatabaseLimiter::new(db.clone())),
    }
}

/// At most `count` events per `per`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub count: u32,
    pub per: Duration,
}

impl Rate {
    /// Parses `N/period`, where period is a number with `s`, `m`, `h` or `d`
    /// (`10/15m`).
    pub fn parse(value: &str) -> Result<Self, String> {
        let (count, per) = value.trim().split_once('/').ok_or("use N/period, e.g. 10/15m")?;
        let count: u32 = count.trim().parse().map_err(|_| "N must be a whole number")?;
        if count == 0 {
            return Err("N must be at least 1".into());
        }
        Ok(Rate {
            count,
            per: parse_duration(per)?,
        })
    }
}

/// Parses `90s`, `15m`, `12h`, `30d`.
pub fn parse_duration(value: &str) -> Result<Duration, String> {
    let value = value.trim();
    let split = value
        .find(|c: char| !c.is_ascii_digit())
        .ok_or("add a unit: s, m, h or d")?;
    let (n, unit) = value.split_at(split);
    let n: u64 = n.parse().map_err(|_| "the period must start with a number")?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err("the unit must be s, m, h or d".into()),
    };
    if secs == 0 {
        return Err("the period must be longer than zero".into());
    }
    Ok(Duration::from_secs(secs))
}

/// Where rate limits are counted (`RATE_LIMIT_STORE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitStore {
    /// In this process: fastest; each instance counts on its own.
    Memory,
    /// In the database: one budget shared by every instance.
    Database,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_durations_parse_with_units() {
        assert_eq!(
            Rate::parse("10/15m"),
            Ok(Rate {
                count: 10,
                per: Duration::from_secs(900)
            })
        );
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(172_800)));
        assert!(Rate::parse("0/1m").is_err());
        assert!(Rate::parse("10").is_err());
        assert!(parse_duration("15").is_err());
        assert!(parse_duration("15w").is_err());
        assert!(parse_duration("0s").is_err());
    }
}
