//! The database rate limit store: concurrent hits are counted exactly,
//! keys are independent, a refusal says when to retry, and the janitor's
//! sweep forgets only keys at rest.

use crate::support::World;
use domain::limits::RateLimit;
use domain::limits::database::{DatabaseLimiter, sweep};
use domain::settings::Rate;
use std::sync::Arc;
use std::time::Duration;

const FIVE_PER_MINUTE: Rate = Rate {
    count: 5,
    per: Duration::from_secs(60),
};

#[tokio::test]
async fn concurrent_hits_are_counted_exactly() {
    let world = World::new().await;
    let limiter = Arc::new(DatabaseLimiter::new(world.db().clone()));
    let hits = futures::future::join_all((0..20).map(|_| {
        let limiter = limiter.clone();
        async move { limiter.hit("ip:198.51.100.1", FIVE_PER_MINUTE).await.unwrap() }
    }))
    .await;
    assert_eq!(hits.iter().filter(|h| h.is_ok()).count(), 5, "{hits:?}");
    let retry = hits.iter().find_map(|h| h.err()).unwrap();
    // One emission interval (12 s), give or take the moments the
    // concurrent hits read their clocks.
    assert!((11..=13).contains(&retry.secs()), "{}", retry.secs());

    // Another key has its own budget.
    assert!(limiter.hit("ip:198.51.100.2", FIVE_PER_MINUTE).await.unwrap().is_ok());
    // Keys still counting are not swept.
    assert_eq!(sweep(world.db()).await.unwrap(), 0);
}

#[tokio::test]
async fn a_key_at_rest_is_swept_and_starts_afresh() {
    let world = World::new().await;
    let limiter = DatabaseLimiter::new(world.db().clone());
    let quick = Rate {
        count: 1,
        per: Duration::from_millis(50),
    };
    assert!(limiter.hit("k", quick).await.unwrap().is_ok());
    assert!(limiter.hit("k", quick).await.unwrap().is_err());
    tokio::time::sleep(Duration::from_millis(80)).await;
    assert_eq!(sweep(world.db()).await.unwrap(), 1);
    assert!(limiter.hit("k", quick).await.unwrap().is_ok());
}
