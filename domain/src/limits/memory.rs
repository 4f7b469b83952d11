//! The in-memory driver (GCRA: one timestamp per key) whose memory stays
//! bounded however many distinct keys arrive. Per process: with several
//! instances each enforces the limit on its own (use the database driver
//! then).

use super::{Limited, RateLimit, RetryAfter};
use crate::limits::Rate;
use futures::future::BoxFuture;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;
use std::time::Instant;

const SHARDS: usize = 16;

/// Keys and their "theoretical arrival time", sharded to keep locks short.
#[derive(Debug)]
pub struct MemoryLimiter {
    shards: Vec<Mutex<HashMap<String, Instant>>>,
    per_shard: usize,
    hasher: RandomState,
}

impl RateLimit for MemoryLimiter {
    fn hit<'a>(&'a self, key: &'a str, rate: Rate) -> BoxFuture<'a, Limited> {
        Box::pin(std::future::ready(Ok(self.check(key, rate))))
    }
}

impl MemoryLimiter {
    /// A limiter that tracks at most about `max_keys` keys.
    pub fn new(max_keys: usize) -> Self {
        MemoryLimiter {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            per_shard: (max_keys / SHARDS).max(1),
            hasher: RandomState::new(),
        }
    }

    /// Counts one event for `key`; refuses it when over `rate`.
    pub fn check(&self, key: &str, rate: Rate) -> Result<(), RetryAfter> {
        self.check_at(key, rate, Instant::now())
    }

    fn check_at(&self, key: &str, rate: Rate, now: Instant) -> Result<(), RetryAfter> {
        let interval = rate.per / rate.count;
        let shard = &self.shards[(self.hasher.hash_one(key) as usize) % SHARDS];
        let mut map = shard.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let tat = map.get(key).copied().unwrap_or(now).max(now);
        let next = tat + interval;
        let ahead = next - now;
        if ahead > rate.per {
            return Err(RetryAfter(ahead - rate.per));
        }
        if !map.contains_key(key) && map.len() >= self.per_shard {
            evict(&mut map, now);
        }
        map.insert(key.to_owned(), next);
        Ok(())
    }

    /// Keys tracked right now.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().map(|m| m.len()).unwrap_or(0)).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Makes room for one key: drops every key at rest (its arrival time has
/// passed, so forgetting it changes nothing), and if none is, the key
/// closest to rest.
fn evict(map: &mut HashMap<String, Instant>, now: Instant) {
    map.retain(|_, tat| *tat > now);
    if let Some(key) = map.iter().min_by_key(|(_, tat)| **tat).map(|(k, _)| k.clone()) {
        map.remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const FIVE_PER_MINUTE: Rate = Rate {
        count: 5,
        per: Duration::from_secs(60),
    };

    #[test]
    fn allows_a_burst_of_count_then_refuses_with_a_retry_time() {
        let limiter = MemoryLimiter::new(1000);
        let t0 = Instant::now();
        for _ in 0..5 {
            assert!(limiter.check_at("ip:1", FIVE_PER_MINUTE, t0).is_ok());
        }
        let refused = limiter.check_at("ip:1", FIVE_PER_MINUTE, t0).unwrap_err();
        assert_eq!(refused.0, Duration::from_secs(12));
        assert_eq!(refused.secs(), 12);
        // Other keys are unaffected.
        assert!(limiter.check_at("ip:2", FIVE_PER_MINUTE, t0).is_ok());
        // One slot frees up every 12 s.
        assert!(
            limiter
                .check_at("ip:1", FIVE_PER_MINUTE, t0 + Duration::from_secs(12))
                .is_ok()
        );
        assert!(
            limiter
                .check_at("ip:1", FIVE_PER_MINUTE, t0 + Duration::from_secs(12))
                .is_err()
        );
    }

    #[test]
    fn never_more_than_count_in_any_window_of_the_period() {
        let limiter = MemoryLimiter::new(1000);
        let t0 = Instant::now();
        let mut accepted = Vec::new();
        for ms in (0..180_000).step_by(700) {
            let t = t0 + Duration::from_millis(ms);
            if limiter.check_at("k", FIVE_PER_MINUTE, t).is_ok() {
                accepted.push(ms);
            }
        }
        // GCRA allows a burst of `count`, then one per interval (12 s): a
        // period never holds more than 2 × count − 1, never a second burst.
        for (i, start) in accepted.iter().enumerate() {
            let within = accepted[i..].iter().take_while(|t| **t < start + 60_000).count();
            assert!(within <= 9, "{within} accepted within 60 s of {start} ms");
        }
        assert!(accepted.len() >= 15, "the steady rate is kept: {}", accepted.len());
    }

    #[test]
    fn memory_stays_bounded_under_many_distinct_keys() {
        let limiter = MemoryLimiter::new(1_600);
        let t0 = Instant::now();
        for i in 0..100_000u32 {
            let _ = limiter.check_at(&format!("ip:{i}"), FIVE_PER_MINUTE, t0);
        }
        assert!(limiter.len() <= 1_600, "{} keys tracked", limiter.len());
        // A key that is being limited right now is still limited after the
        // flood if it is among the most constrained.
        let busy = MemoryLimiter::new(32);
        for _ in 0..5 {
            busy.check_at("attacker", FIVE_PER_MINUTE, t0).unwrap();
        }
        for i in 0..1_000u32 {
            let _ = busy.check_at(&format!("noise:{i}"), FIVE_PER_MINUTE, t0);
        }
        assert!(busy.check_at("attacker", FIVE_PER_MINUTE, t0).is_err());
    }
}
