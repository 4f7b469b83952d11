//! Hold + settle pairs per second, for `cargo xtask bench credits` (which
//! runs it against a SQLite file, durable: WAL with `synchronous=FULL`,
//! and a temporary PostgreSQL): one account at a time, 32 accounts at
//! once, and 32 replies at once on one account (they contend for its
//! buckets). Each pair is two transactions, as a reply takes them: the
//! hold before the model is asked, the settlement with the saved reply.
//! Prints `REPORT` lines; asserts nothing about speed (but checks the
//! ledger reconciles afterwards).
//!
//! `DATABASE_URL=sqlite:///tmp/c.db?mode=rwc cargo run --release -p domain --features db_sqlite,db_pg --example credits_bench`

use domain::DomainError;
use domain::credits::ledger::{self, Grant, HoldRequest};
use domain::credits::prices::Card;
use domain::credits::{Source, sweep};
use migration::MigratorTrait;
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use std::time::{Duration, Instant};
use uuid::Uuid;

const PAIRS: usize = 2_000;

/// Each figure is the median of this many runs (the range is printed too).
const ROUNDS: usize = 3;

const CARD: Card = Card {
    free: false,
    quota: false,
    input: 1_000_000,
    output: 1_000_000,
    cached_input: 1_000_000,
    cache_write: 1_000_000,
    request_fee: 0,
};

async fn connect(url: &str) -> DatabaseConnection {
    let mut options = ConnectOptions::new(url.to_owned());
    // As the server's pool: its default size (`DATABASE_MAX_CONNECTIONS`, 10;
    // the 32 replies queue for a connection as the server's would), and a
    // connection is pinged only after sitting idle.
    options
        .max_connections(10)
        .sqlx_logging(false)
        .test_before_acquire_if_idle_for(Duration::from_secs(30));
    if url.starts_with("sqlite:") {
        options.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true)
        });
    }
    Database::connect(options).await.expect("connect")
}

async fn account(db: &DatabaseConnection) -> Uuid {
    let id = Uuid::new_v4();
    ledger::grant(
        db,
        Grant {
            account: id,
            source: Source::Purchase,
            amount: 1_000_000_000,
            expires_at: None,
            key: format!("bench:{id}"),
            actor: "bench".into(),
            reference: None,
        },
    )
    .await
    .expect("grant");
    id
}

async fn pair(db: &DatabaseConnection, account: Uuid) {
    let request = HoldRequest {
        account,
        model: "bench".into(),
        card: CARD,
        reference: format!("bench:{}", Uuid::new_v4()),
        actor: "bench".into(),
        quota: None,
        ttl: Duration::from_secs(3600),
    };
    let hold = ledger::hold(db, &request, |available| {
        if available >= 50 {
            Ok(50)
        } else {
            Err(DomainError::internal("the bench account ran dry"))
        }
    })
    .await
    .expect("hold");
    ledger::settle(db, hold.id, 20, "bench").await.expect("settle");
}

/// `tasks` tasks share `PAIRS` pairs; each task on its own account, or all on one.
async fn run(db: &DatabaseConnection, tasks: usize, one_account: bool) -> f64 {
    let shared = account(db).await;
    let mut accounts = Vec::new();
    for _ in 0..tasks {
        accounts.push(if one_account { shared } else { account(db).await });
    }
    let started = Instant::now();
    let each = PAIRS / tasks;
    let handles: Vec<_> = accounts
        .into_iter()
        .map(|a| {
            let db = db.clone();
            tokio::spawn(async move {
                for _ in 0..each {
                    pair(&db, a).await;
                }
            })
        })
        .collect();
    for h in handles {
        h.await.expect("task");
    }
    (each * tasks) as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let db = connect(&url).await;
    migration::Migrator::up(&db, None).await.expect("migrations");
    let backend = if url.starts_with("sqlite:") {
        "SQLite (synchronous=FULL)"
    } else {
        "PostgreSQL"
    };
    for (label, tasks, one) in [
        ("1 account, one reply at a time", 1, false),
        ("32 accounts at once", 32, false),
        ("32 replies at once on one account", 32, true),
    ] {
        let mut rates = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            rates.push(run(&db, tasks, one).await);
        }
        rates.sort_by(f64::total_cmp);
        println!(
            "REPORT credits          {backend}, {label}: {:.0} hold+settle pairs/s (median of {ROUNDS}: {:.0}–{:.0})",
            rates[ROUNDS / 2],
            rates[0],
            rates[ROUNDS - 1]
        );
    }
    let mismatches = sweep::reconcile(&db).await.expect("reconcile");
    assert_eq!(mismatches, 0, "the ledger reconciles after the bench");
}
