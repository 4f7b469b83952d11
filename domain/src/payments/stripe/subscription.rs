//! A subscription's state as the app knows it, merged from webhook events that
//! may arrive late, twice or in any order.
//!
//! Every field is a register that only moves forward: the status, period
//! end and cancel flag keep the value seen at the latest moment (ties
//! broken by a fixed rank, then the event id, so the order of arrival never
//! matters); "paid through" keeps the latest paid period end; a cancelled
//! subscription stays cancelled (Stripe never revives one); "listed" (the
//! subscription is for a price in `STRIPE_OFFERS`, or the app's own checkout
//! made it) only turns on. So merging is commutative, associative and
//! idempotent, and the access it gives is the same whatever order Stripe
//! delivered the events in.

use super::client::Stripe;
use crate::error::{DomainError, Result};
use entity::stripe_subscriptions as subs;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};

/// Stripe's subscription statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Status {
    Incomplete,
    IncompleteExpired,
    Trialing,
    Active,
    PastDue,
    Unpaid,
    Paused,
    Canceled,
}

impl Status {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "incomplete" => Status::Incomplete,
            "incomplete_expired" => Status::IncompleteExpired,
            "trialing" => Status::Trialing,
            "active" => Status::Active,
            "past_due" => Status::PastDue,
            "unpaid" => Status::Unpaid,
            "paused" => Status::Paused,
            "canceled" => Status::Canceled,
            _ => return None,
        })
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Incomplete => "incomplete",
            Status::IncompleteExpired => "incomplete_expired",
            Status::Trialing => "trialing",
            Status::Active => "active",
            Status::PastDue => "past_due",
            Status::Unpaid => "unpaid",
            Status::Paused => "paused",
            Status::Canceled => "canceled",
        }
    }
}

/// When a value was seen: the event's time, then a rank (a later stage of
/// a subscription's life wins a tie within one second), then the event id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Stamp {
    pub at: i64,
    pub rank: u8,
    pub event: String,
}

/// A register holding the value with the greatest stamp.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Latest<T> {
    pub value: T,
    pub stamp: Stamp,
}

fn newer<T: Clone>(current: Option<Latest<T>>, seen: Option<Latest<T>>) -> Option<Latest<T>> {
    match (current, seen) {
        (Some(c), Some(s)) => Some(if s.stamp > c.stamp { s } else { c }),
        (c, s) => c.or(s),
    }
}

/// What one event says about a subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    /// The event's `created` time.
    pub at: i64,
    pub event: String,
    pub status: Option<Status>,
    /// The end of the current billing period, when the event says.
    pub period_end: Option<i64>,
    pub cancel_at_period_end: Option<bool>,
    /// When a cancelled subscription ended.
    pub ended_at: Option<i64>,
    /// The end of a period an invoice paid for.
    pub paid_through: Option<i64>,
    /// Whether the event shows the subscription is for something the app
    /// sells (`Some(true)`), for something else (`Some(false)`), or says
    /// nothing about its prices (`None`).
    pub listed: Option<bool>,
}

/// The merged state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub status: Option<Latest<Status>>,
    pub period_end: Option<Latest<i64>>,
    pub cancel_at_period_end: Option<Latest<bool>>,
    pub ended_at: Option<i64>,
    pub paid_through: Option<i64>,
    /// Seen to be for a listed price (only then does it grant access).
    /// Rows written before this was recorded had granted access already.
    #[serde(default = "granted_before")]
    pub listed: Option<bool>,
}

fn granted_before() -> Option<bool> {
    Some(true)
}

fn rank(status: Option<Status>) -> u8 {
    match status {
        None => 0,
        Some(Status::Incomplete) => 1,
        Some(Status::Trialing) => 2,
        Some(Status::Active) => 3,
        Some(Status::PastDue) => 4,
        Some(Status::Paused) => 5,
        Some(Status::Unpaid) => 6,
        Some(Status::IncompleteExpired) => 7,
        Some(Status::Canceled) => 8,
    }
}

impl State {
    /// `self` with what `o` says merged in.
    pub fn merge(self, o: &Observation) -> State {
        let stamp = Stamp {
            at: o.at,
            rank: rank(o.status),
            event: o.event.clone(),
        };
        let seen = |value| Latest {
            value,
            stamp: stamp.clone(),
        };
        // Cancelled is final: it beats any stamp (the greatest of
        // (cancelled, stamp) wins, which no order of arrival changes).
        let status = match (self.status, o.status.map(seen)) {
            (Some(c), Some(s)) => {
                let key = |l: &Latest<Status>| (l.value == Status::Canceled, l.stamp.clone());
                Some(if key(&s) > key(&c) { s } else { c })
            }
            (c, s) => c.or(s),
        };
        State {
            status,
            period_end: newer(
                self.period_end,
                o.period_end.map(|value| Latest {
                    value,
                    stamp: stamp.clone(),
                }),
            ),
            cancel_at_period_end: newer(
                self.cancel_at_period_end,
                o.cancel_at_period_end.map(|value| Latest {
                    value,
                    stamp: stamp.clone(),
                }),
            ),
            ended_at: match (self.ended_at, o.ended_at) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
            paid_through: self.paid_through.max(o.paid_through),
            listed: match (self.listed, o.listed) {
                (Some(a), Some(b)) => Some(a || b),
                (a, b) => a.or(b),
            },
        }
    }

    /// Whether this subscription may grant access: seen to be for a price
    /// the app sells. A subscription made in the Dashboard for something else
    /// grants nothing.
    pub fn grants(&self) -> bool {
        self.listed == Some(true)
    }

    pub fn status(&self) -> Option<Status> {
        self.status.as_ref().map(|s| s.value)
    }

    /// When the access this subscription gives ends (`None`: it gives
    /// none). A paid period counts to its end; past due adds `grace_secs`;
    /// a cancelled subscription counts no further than when it ended.
    pub fn access_until(&self, grace_secs: i64) -> Option<i64> {
        let paid = self.paid_through;
        match self.status()? {
            Status::Active | Status::Trialing => {
                // An active subscription has paid for its current period.
                let current = self.period_end.as_ref().map(|p| p.value);
                paid.max(current)
            }
            Status::PastDue => paid.map(|p| p + grace_secs),
            Status::Unpaid | Status::Paused | Status::Incomplete | Status::IncompleteExpired => paid,
            Status::Canceled => {
                let paid = paid?;
                let ended = self.ended_at.unwrap_or(i64::MAX);
                Some(ended.min(paid + grace_secs))
            }
        }
    }
}

/// Subscription statuses Stripe may still charge.
const CHARGEABLE: [&str; 6] = ["active", "trialing", "past_due", "unpaid", "paused", "incomplete"];

/// Cancels, at Stripe, every subscription of `user` that could still be
/// charged (before the account is deleted). Refuses when one cannot be
/// cancelled: the account must not vanish while its card is billed.
pub async fn cancel_chargeable(db: &DatabaseConnection, stripe: Option<&Stripe>, user: uuid::Uuid) -> Result<()> {
    let live = subs::Entity::find()
        .filter(subs::Column::UserId.eq(user))
        .filter(subs::Column::Status.is_in(CHARGEABLE))
        .all(db)
        .await?;
    if live.is_empty() {
        return Ok(());
    }
    let Some(stripe) = stripe else {
        tracing::error!(%user, "an account with a live subscription asked to be deleted, but payments are not configured");
        return Err(DomainError::SubscriptionNotCancelled);
    };
    for sub in live {
        if let Err(e) = stripe.cancel_subscription(&sub.id).await {
            tracing::error!(%user, subscription = %sub.id, error = %e, "cancelling a subscription before deleting its account failed");
            return Err(DomainError::SubscriptionNotCancelled);
        }
        tracing::info!(%user, subscription = %sub.id, "subscription cancelled: the account is being deleted");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const DAY: i64 = 86_400;
    const GRACE: i64 = 3 * DAY;

    fn obs(event: &str, at: i64) -> Observation {
        Observation {
            at,
            event: event.to_owned(),
            status: None,
            period_end: None,
            cancel_at_period_end: None,
            ended_at: None,
            paid_through: None,
            listed: None,
        }
    }

    fn fold(events: &[Observation]) -> State {
        events.iter().fold(State::default(), |s, o| s.merge(o))
    }

    /// The four events one monthly subscription's life sends, for
    /// "subscribed on day 0, cancelled at the end of the first period".
    fn lifecycle() -> Vec<Observation> {
        let start = 1_800_000_000;
        let end = start + 30 * DAY;
        vec![
            // checkout.session.completed says nothing about the subscription's state.
            obs("evt_checkout", start),
            Observation {
                status: Some(Status::Active),
                paid_through: Some(end),
                period_end: Some(end),
                ..obs("evt_invoice_paid", start + 1)
            },
            Observation {
                status: Some(Status::Active),
                period_end: Some(end),
                cancel_at_period_end: Some(true),
                ..obs("evt_updated", start + 5 * DAY)
            },
            Observation {
                status: Some(Status::Canceled),
                period_end: Some(end),
                cancel_at_period_end: Some(true),
                ended_at: Some(end),
                ..obs("evt_deleted", end)
            },
        ]
    }

    fn permutations(items: Vec<Observation>) -> Vec<Vec<Observation>> {
        if items.len() <= 1 {
            return vec![items];
        }
        let mut all = Vec::new();
        for i in 0..items.len() {
            let mut rest = items.clone();
            let first = rest.remove(i);
            for mut p in permutations(rest) {
                p.insert(0, first.clone());
                all.push(p);
            }
        }
        all
    }

    #[test]
    fn every_order_of_one_lifecycle_ends_in_the_same_state() {
        let events = lifecycle();
        let expected = fold(&events);
        let end = 1_800_000_000 + 30 * DAY;
        assert_eq!(expected.status(), Some(Status::Canceled));
        assert_eq!(
            expected.access_until(GRACE),
            Some(end),
            "cancelled at period end keeps access until then"
        );
        let all = permutations(events);
        assert_eq!(all.len(), 24);
        for order in all {
            assert_eq!(fold(&order), expected);
        }
    }

    #[test]
    fn cancelling_at_period_end_keeps_access_until_the_end() {
        let events = lifecycle();
        let s = fold(&events[..3]);
        assert_eq!(s.status(), Some(Status::Active));
        assert_eq!(s.cancel_at_period_end.as_ref().map(|c| c.value), Some(true));
        assert_eq!(s.access_until(GRACE), Some(1_800_000_000 + 30 * DAY));
    }

    #[test]
    fn an_older_event_never_overwrites_newer_state() {
        let past_due = Observation {
            status: Some(Status::PastDue),
            ..obs("evt_failed", 2_000)
        };
        let older_active = Observation {
            status: Some(Status::Active),
            period_end: Some(5_000),
            ..obs("evt_old", 1_000)
        };
        let s = State::default().merge(&past_due).merge(&older_active);
        assert_eq!(s.status(), Some(Status::PastDue));
    }

    #[test]
    fn past_due_keeps_access_for_the_grace_period_after_the_paid_period() {
        let s = fold(&[
            Observation {
                status: Some(Status::Active),
                paid_through: Some(10_000),
                period_end: Some(10_000),
                ..obs("evt_paid", 1)
            },
            Observation {
                status: Some(Status::PastDue),
                period_end: Some(20_000),
                ..obs("evt_renewal_failed", 10_001)
            },
        ]);
        assert_eq!(s.access_until(GRACE), Some(10_000 + GRACE));
    }

    #[test]
    fn an_immediate_cancel_ends_access_when_it_ends() {
        let s = fold(&[
            Observation {
                status: Some(Status::Active),
                paid_through: Some(10_000),
                period_end: Some(10_000),
                ..obs("evt_paid", 1)
            },
            Observation {
                status: Some(Status::Canceled),
                ended_at: Some(4_000),
                ..obs("evt_deleted", 4_000)
            },
        ]);
        assert_eq!(s.access_until(GRACE), Some(4_000));
    }

    #[test]
    fn state_stored_before_prices_were_checked_still_grants() {
        let old = r#"{"status":null,"period_end":null,"cancel_at_period_end":null,"ended_at":null,"paid_through":5}"#;
        let s: State = serde_json::from_str(old).unwrap();
        assert!(s.grants());
        assert!(
            !State::default().grants(),
            "a new subscription must be seen to be for a listed price"
        );
    }

    #[test]
    fn nothing_paid_means_no_access() {
        let s = fold(&[Observation {
            status: Some(Status::Incomplete),
            period_end: Some(10_000),
            ..obs("evt_created", 1)
        }]);
        assert_eq!(s.access_until(GRACE), None);
    }

    fn status() -> impl Strategy<Value = Status> {
        prop_oneof![
            Just(Status::Incomplete),
            Just(Status::Trialing),
            Just(Status::Active),
            Just(Status::PastDue),
            Just(Status::Unpaid),
            Just(Status::Canceled),
        ]
    }

    fn observation() -> impl Strategy<Value = Observation> {
        (
            0i64..50,
            0u32..1000,
            proptest::option::of(status()),
            proptest::option::of(0i64..100),
            proptest::option::of(any::<bool>()),
            proptest::option::of(0i64..100),
            proptest::option::of(0i64..100),
            proptest::option::of(any::<bool>()),
        )
            .prop_map(
                |(at, id, status, period_end, cancel, ended, paid, listed)| Observation {
                    at,
                    event: format!("evt_{id}"),
                    status,
                    period_end,
                    cancel_at_period_end: cancel,
                    ended_at: ended,
                    paid_through: paid,
                    listed,
                },
            )
    }

    proptest! {
        /// Random streams with duplicates, in random orders: the same state,
        /// and the invariants hold.
        #[test]
        fn any_order_and_any_duplicates_give_the_same_state(
            events in proptest::collection::vec(observation(), 0..12),
            dups in proptest::collection::vec(any::<prop::sample::Index>(), 0..6),
            seed in any::<u64>(),
        ) {
            let expected = fold(&events);
            let mut stream = events.clone();
            if !events.is_empty() {
                for d in &dups {
                    stream.push(events[d.index(events.len())].clone());
                }
            }
            // A deterministic shuffle from the seed.
            let mut x = seed | 1;
            for i in (1..stream.len()).rev() {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                stream.swap(i, (x % (i as u64 + 1)) as usize);
            }
            let got = fold(&stream);
            prop_assert_eq!(&got, &expected);

            // Cancelled stays cancelled.
            if events.iter().any(|e| e.status == Some(Status::Canceled)) {
                prop_assert_eq!(got.status(), Some(Status::Canceled));
            }
            // Listed once seen listed.
            prop_assert_eq!(got.grants(), events.iter().any(|e| e.listed == Some(true)));
            // Paid through is the latest paid period end.
            prop_assert_eq!(got.paid_through, events.iter().filter_map(|e| e.paid_through).max());
            // A cancelled subscription never gives access past its end.
            if let (Some(Status::Canceled), Some(ended)) = (got.status(), got.ended_at) {
                prop_assert!(got.access_until(GRACE).is_none_or(|u| u <= ended));
            }
            // Past due gives at most the grace period beyond what was paid.
            if got.status() == Some(Status::PastDue) {
                prop_assert_eq!(got.access_until(GRACE), got.paid_through.map(|p| p + GRACE));
            }
        }
    }
}
