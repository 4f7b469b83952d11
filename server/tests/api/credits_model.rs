//! The ledger against a sequential model of itself: a random run of grants
//! (some from the free quota, some already expired), holds (some allowed
//! the quota, some not), settlements of any amount (more than held
//! included), releases, settling twice, batches of holds racing and then
//! spending, and sweeps. After every step the database's balance and
//! holds equal the model's, every bucket agrees with its ledger, and the
//! balance is never below zero.

use crate::helpers::{Backend, TestApp};
use domain::DomainError;
use domain::credits::ledger::{self, Grant, Hold, HoldRequest};
use domain::credits::prices::Card;
use domain::credits::{Source, sweep};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::time::Duration;
use uuid::Uuid;

#[derive(Clone, Debug)]
enum Op {
    Grant {
        amount: i64,
        source: usize,
        expired: bool,
    },
    Hold {
        amount: i64,
        quota: bool,
    },
    /// Settle the `pick`-th open hold for `cost` (may exceed the hold).
    Settle {
        pick: usize,
        cost: i64,
    },
    /// Settle a resolved hold again.
    Again {
        pick: usize,
    },
    /// `n` holds of `amount` at once, then each spent in full, at once.
    Race {
        n: usize,
        amount: i64,
        quota: bool,
    },
    Sweep,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1i64..60, 0usize..5, proptest::bool::weighted(0.15))
            .prop_map(|(amount, source, expired)| Op::Grant { amount, source, expired }),
        4 => (1i64..40, any::<bool>()).prop_map(|(amount, quota)| Op::Hold { amount, quota }),
        4 => (any::<usize>(), 0i64..50).prop_map(|(pick, cost)| Op::Settle { pick, cost }),
        1 => any::<usize>().prop_map(|pick| Op::Again { pick }),
        1 => (2usize..12, 1i64..8, any::<bool>()).prop_map(|(n, amount, quota)| Op::Race { n, amount, quota }),
        1 => Just(Op::Sweep),
    ]
}

/// What the ledger should hold: spendable credits by class (the free
/// quota apart: only some holds may use it), and each open hold's shares.
#[derive(Default, Debug)]
struct Model {
    quota: i64,
    other: i64,
    open: Vec<(Hold, i64, i64)>,
    resolved: Vec<Hold>,
}

impl Model {
    fn held(&self) -> i64 {
        self.open.iter().map(|(h, _, _)| h.amount).sum()
    }
}

const CARD: Card = Card {
    free: false,
    quota: false,
    input: 1,
    output: 1,
    cached_input: 1,
    cache_write: 1,
    request_fee: 0,
};

fn request(account: Uuid, quota: bool) -> HoldRequest {
    HoldRequest {
        account,
        model: "m".into(),
        card: Card { quota, ..CARD },
        reference: format!("model:{}", Uuid::new_v4()),
        actor: "test".into(),
        quota: None,
        ttl: Duration::from_secs(3600),
    }
}

/// Holds exactly `amount`, or refuses as out of credits.
pub(crate) fn exactly(amount: i64) -> impl Fn(i64) -> domain::Result<i64> {
    move |available| {
        if available >= amount {
            Ok(amount)
        } else {
            Err(DomainError::OutOfCredits {
                available,
                needed: amount,
                units: Default::default(),
            })
        }
    }
}

async fn run(app: &TestApp, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let db = app.db();
    let account = Uuid::new_v4();
    let mut m = Model::default();
    for (step, op) in ops.into_iter().enumerate() {
        match op.clone() {
            Op::Grant {
                amount,
                source,
                expired,
            } => {
                let source = Source::ALL[source];
                let expires_at = expired.then(|| chrono::Utc::now() - chrono::Duration::seconds(1));
                ledger::grant(
                    db,
                    Grant {
                        account,
                        source,
                        amount,
                        expires_at,
                        key: format!("model:{}", Uuid::new_v4()),
                        actor: "test".into(),
                        reference: None,
                    },
                )
                .await
                .unwrap();
                if !expired {
                    if source == Source::FreeQuota {
                        m.quota += amount;
                    } else {
                        m.other += amount;
                    }
                }
            }
            Op::Hold { amount, quota } => {
                let can = m.other + if quota { m.quota } else { 0 };
                let got = ledger::hold(db, &request(account, quota), exactly(amount)).await;
                match got {
                    Ok(hold) => {
                        prop_assert!(can >= amount, "step {step}: held {amount} of {can}");
                        let q = if quota { m.quota.min(amount) } else { 0 };
                        m.quota -= q;
                        m.other -= amount - q;
                        m.open.push((hold, q, amount - q));
                    }
                    Err(DomainError::OutOfCredits { .. }) => {
                        prop_assert!(can < amount, "step {step}: refused {amount} of {can}")
                    }
                    Err(e) => panic!("{e}"),
                }
            }
            Op::Settle { pick, cost } => {
                if m.open.is_empty() {
                    continue;
                }
                let (hold, q, o) = m.open.remove(pick % m.open.len());
                let settled = ledger::settle(db, hold.id, cost, "test").await.unwrap();
                let spent = cost.min(hold.amount);
                prop_assert_eq!(settled, Some(spent), "step {}", step);
                // The quota's share is spent first (it comes first in order).
                let from_quota = q.min(spent);
                m.quota += q - from_quota;
                m.other += o - (spent - from_quota);
                m.resolved.push(hold);
            }
            Op::Again { pick } => {
                if m.resolved.is_empty() {
                    continue;
                }
                let hold = m.resolved[pick % m.resolved.len()];
                prop_assert_eq!(ledger::settle(db, hold.id, 1, "test").await.unwrap(), None);
            }
            Op::Race { n, amount, quota } => {
                let can = m.other + if quota { m.quota } else { 0 };
                let holds = futures::future::join_all(
                    (0..n).map(|_| async move { ledger::hold(db, &request(account, quota), exactly(amount)).await }),
                )
                .await;
                let taken: Vec<Hold> = holds.into_iter().filter_map(Result::ok).collect();
                let expected = usize::try_from(can / amount).unwrap().min(n);
                prop_assert_eq!(taken.len(), expected, "step {}: {} racing for {}", step, n, can);
                let spent_all = futures::future::join_all(
                    taken
                        .iter()
                        .map(|h| async move { ledger::settle(db, h.id, h.amount, "test").await.unwrap() }),
                )
                .await;
                prop_assert!(spent_all.iter().all(Option::is_some));
                let total = amount * i64::try_from(taken.len()).unwrap();
                let q = if quota { m.quota.min(total) } else { 0 };
                m.quota -= q;
                m.other -= total - q;
            }
            Op::Sweep => {
                sweep::sweep(db, chrono::Utc::now()).await.unwrap();
            }
        }
        let t = ledger::totals(db, account, None).await.unwrap();
        prop_assert!(t.available >= 0, "step {}: {:?}", step, t);
        prop_assert_eq!(
            (t.available, t.held),
            (m.quota + m.other, m.held()),
            "step {}: {:?}",
            step,
            op
        );
        prop_assert_eq!(sweep::reconcile(db).await.unwrap(), 0, "step {}", step);
    }
    Ok(())
}

fn check(backend: Backend, cases: u32) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let Some(app) = rt.block_on(TestApp::spawn(backend)) else {
        return;
    };
    let mut runner = TestRunner::new(Config {
        cases,
        // Shrinking replays whole runs against the database: a few are enough.
        max_shrink_iters: 64,
        ..Config::default()
    });
    let result = runner.run(&proptest::collection::vec(op(), 1000), |ops| {
        rt.block_on(run(&app, ops))
    });
    // Dropped inside the runtime: its mail transport (real SMTP when the
    // test command runs a server) needs one to close.
    rt.block_on(async move { drop(app) });
    rt.shutdown_timeout(Duration::from_secs(5));
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn the_ledger_agrees_with_its_model_on_sqlite() {
    check(Backend::Sqlite, 1);
}

#[cfg(feature = "db_pg")]
#[test]
fn the_ledger_agrees_with_its_model_on_postgres() {
    check(Backend::Postgres, 1);
}
