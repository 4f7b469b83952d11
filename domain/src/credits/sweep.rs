//! The credits' part of the janitor's round, run by one instance at a
//! time ([`super::ledger`]'s advisory lock on PostgreSQL; SQLite's write
//! lock): holds whose call is over or whose process died are resolved from
//! what was saved, buckets past their expiry give up what is left, and
//! every bucket is checked against its entries.

use super::ledger::{self, OPEN};
use super::prices::{Card, Tokens};
use super::{Kind, Source};
use chrono::{DateTime, Utc};
use entity::{credit_buckets as buckets, credit_entries as entries, credit_holds as holds};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, Statement,
    TransactionTrait,
};
use std::collections::HashMap;
use uuid::Uuid;
use wire::messages::{Outcome, UsageSource};

/// The janitor's names for what this sweep resolves.
pub const HOLDS: &str = "credit holds resolved";
pub const EXPIRED: &str = "credit buckets expired";

/// The advisory lock key of the credits sweep (PostgreSQL).
const LOCK: i64 = 0x6b65_656c_0001;

/// What one sweep did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    /// Holds resolved (their call ended without settling, or its process died).
    pub holds: u64,
    /// Buckets whose remaining credits expired.
    pub expired: u64,
    /// Buckets or holds whose totals disagree with the ledger.
    pub mismatches: u64,
    /// Another instance was sweeping: nothing done.
    pub skipped: bool,
}

/// Runs the sweep once, unless another instance is running it.
pub async fn sweep(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Swept, DbErr> {
    let Some(txn) = ledger::exclusive(db, LOCK).await? else {
        return Ok(Swept {
            skipped: true,
            ..Swept::default()
        });
    };
    lock_in_order(&txn, now).await?;
    let mut released = Vec::new();
    let holds = resolve_stale_holds(&txn, now, &mut released).await?;
    let expired = expire_buckets(&txn, now).await?;
    // Months last: every bucket this transaction locks is locked by now.
    ledger::give_back_all(&txn, released).await?;
    txn.commit().await?;
    // One snapshot for every sum and row (else a hold taken between two
    // reads would look like a mismatch).
    // (SQLite: a transaction reads one snapshot already.)
    let isolation = (db.get_database_backend() == sea_orm::DatabaseBackend::Postgres)
        .then_some(sea_orm::IsolationLevel::RepeatableRead);
    let snapshot = db.begin_with_config(isolation, None).await?;
    let mismatches = reconcile(&snapshot).await?;
    snapshot.commit().await?;
    Ok(Swept {
        holds,
        expired,
        mismatches,
        skipped: false,
    })
}

/// PostgreSQL: locks, first, the stale holds (in account then age order),
/// then every bucket of every account this sweep may touch (those with a
/// stale hold or a bucket due to expire), in account then spending order:
/// the order a reply's settlement locks its hold and then its buckets in,
/// and a reply's hold its buckets in. Resolving holds afterwards then
/// cannot wait for a hold whose reply waits for a bucket this sweep has,
/// or lock two of an account's buckets the other way round from a reply.
/// (SQLite: the sweep's write transaction excludes every other writer
/// already.)
async fn lock_in_order(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<(), DbErr> {
    if db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return Ok(());
    }
    db.query_all_raw(Statement::from_sql_and_values(
        sea_orm::DatabaseBackend::Postgres,
        format!(
            "SELECT id FROM credit_holds WHERE state = '{OPEN}' AND expires_at <= $1 \
             ORDER BY account_id, created_at, id FOR NO KEY UPDATE"
        ),
        [now.into()],
    ))
    .await?;
    db.query_all_raw(Statement::from_sql_and_values(
        sea_orm::DatabaseBackend::Postgres,
        format!(
            "SELECT id FROM credit_buckets WHERE account_id IN ( \
               SELECT account_id FROM credit_holds WHERE state = '{OPEN}' AND expires_at <= $1 \
               UNION SELECT account_id FROM credit_buckets \
               WHERE expires_at <= $1 AND granted - settled - held - expired > 0) \
             ORDER BY account_id, {} FOR NO KEY UPDATE",
            ledger::spending_order_sql("")
        ),
        [now.into()],
    ))
    .await?;
    Ok(())
}

/// Open holds past their expiry: each settled for what its reply saved
/// (at the card it was held with, never more than held), the rest
/// released. A reply still marked streaming is left alone: it may be a
/// long one still running; once the janitor closes it as interrupted (its
/// process died: `CHAT_STALE_REPLY_AFTER`), its hold is resolved from what
/// it saved, which is nothing. A hold whose reply was never written (the
/// process died first, or the conversation was deleted) is released.
async fn resolve_stale_holds(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    released: &mut Vec<ledger::Released>,
) -> Result<u64, DbErr> {
    // In a stable order (account, then age), as holds lock their buckets.
    let stale = holds::Entity::find()
        // `state = 'open'` as a literal: the open holds' partial index
        // matches it (a bound value would not).
        .filter(Expr::cust(format!("state = '{OPEN}'")))
        .filter(holds::Column::ExpiresAt.lte(now))
        .order_by_asc(holds::Column::AccountId)
        .order_by_asc(holds::Column::CreatedAt)
        .all(db)
        .await?;
    let mut resolved = 0;
    for hold in stale {
        let card = Card::from_json(&hold.rate_card).unwrap_or_default();
        let message = hold
            .reference
            .strip_prefix("reply:")
            .and_then(|id| Uuid::parse_str(id).ok());
        let saved = match message {
            Some(id) => saved_reply(db, id).await?,
            None => None,
        };
        if saved.as_ref().is_some_and(|m| m.streaming) {
            continue;
        }
        // Only what the model processed is owed (a request fee included).
        let cost = saved.and_then(|m| m.tokens).map_or(0, |t| card.cost(t));
        if ledger::resolve_in(db, hold.id, cost, "job:credits-sweep", now, released)
            .await?
            .is_some()
        {
            resolved += 1;
        }
    }
    Ok(resolved)
}

/// What a reply saved, as the sweep needs it.
struct Saved {
    streaming: bool,
    /// `None` when the model processed nothing.
    tokens: Option<Tokens>,
}

/// The saved state of reply `id` (read by name: the chat's tables are
/// there in every build, its code only with the chat).
async fn saved_reply(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Saved>, DbErr> {
    use sea_orm::ActiveEnum;
    let backend = db.get_database_backend();
    let p = if backend == sea_orm::DatabaseBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let Some(row) = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "SELECT outcome, usage_source, input_tokens, output_tokens, cached_tokens, cache_write_tokens \
                 FROM chat_messages WHERE id = {p}"
            ),
            [id.into()],
        ))
        .await?
    else {
        return Ok(None);
    };
    let outcome: Option<String> = row.try_get("", "outcome")?;
    let source: Option<String> = row.try_get("", "usage_source")?;
    let n = |column: &str| row.try_get::<Option<i64>>("", column).map(Option::unwrap_or_default);
    let processed = source.is_some_and(|s| s != UsageSource::None.to_value());
    Ok(Some(Saved {
        streaming: outcome.is_some_and(|o| o == Outcome::Streaming.to_value()),
        tokens: if processed {
            Some(Tokens {
                input: n("input_tokens")?,
                output: n("output_tokens")?,
                cached: n("cached_tokens")?,
                cache_write: n("cache_write_tokens")?,
            })
        } else {
            None
        },
    }))
}

/// Buckets past their expiry with credits left: what is left expires (a
/// held share still settles or returns later, and then expires too).
async fn expire_buckets(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let due = buckets::Entity::find()
        .filter(buckets::Column::ExpiresAt.lte(now))
        .filter(Expr::cust("granted - settled - held - expired > 0"))
        // The order holds take buckets in: no deadlock with one.
        .order_by_asc(buckets::Column::AccountId)
        .order_by_asc(buckets::Column::Priority)
        .order_by_asc(buckets::Column::ExpiresAt)
        .order_by_asc(buckets::Column::CreatedAt)
        .order_by_asc(buckets::Column::Id)
        .all(db)
        .await?;
    let backend = db.get_database_backend();
    let p = if backend == sea_orm::DatabaseBackend::Postgres {
        "$"
    } else {
        "?"
    };
    let mut n = 0;
    for b in due {
        let left = b.granted - b.settled - b.held - b.expired;
        let done = db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "UPDATE credit_buckets SET expired = expired + {p}1 \
                     WHERE id = {p}2 AND granted - settled - held - expired = {p}1"
                ),
                [left.into(), b.id.into()],
            ))
            .await?;
        if done.rows_affected() != 1 {
            continue;
        }
        entries::Entity::insert(entries::ActiveModel {
            id: sea_orm::Set(Uuid::new_v4()),
            account_id: sea_orm::Set(b.account_id),
            bucket_id: sea_orm::Set(b.id),
            kind: sea_orm::Set(Kind::Expire.as_str().to_owned()),
            amount: sea_orm::Set(left),
            idempotency_key: sea_orm::Set(format!("expire:{}:{}", b.id, b.expired + left)),
            actor: sea_orm::Set("job:credits-sweep".to_owned()),
            reference: sea_orm::Set(Source::parse(&b.source).map(|s| s.as_str().to_owned())),
            hold_id: sea_orm::Set(None),
            rate_card: sea_orm::Set(None),
            created_at: sea_orm::Set(now),
        })
        .exec_without_returning(db)
        .await?;
        n += 1;
    }
    Ok(n)
}

/// Re-derives every bucket's totals from its entries and every resolved
/// hold's settlement from its own, and logs each disagreement as an error.
/// Fixes nothing: a mismatch is a bug to look at, not to paper over.
pub async fn reconcile(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    #[derive(Default)]
    struct Sums {
        granted: i64,
        held: i64,
        settled: i64,
        expired: i64,
    }
    let mut sums: HashMap<Uuid, Sums> = HashMap::new();
    let mut per_hold: HashMap<Uuid, (i64, i64, i64)> = HashMap::new();
    // Summed by the database, per bucket and per hold (a cast: PostgreSQL
    // sums BIGINTs as NUMERIC).
    let backend = db.get_database_backend();
    let totals = |by: &str| {
        Statement::from_string(
            backend,
            format!(
                "SELECT {by} AS id, kind, CAST(SUM(amount) AS BIGINT) AS total FROM credit_entries \
                 WHERE {by} IS NOT NULL GROUP BY {by}, kind"
            ),
        )
    };
    for row in db.query_all_raw(totals("bucket_id")).await? {
        let (id, kind, total): (Uuid, String, i64) = (
            row.try_get("", "id")?,
            row.try_get("", "kind")?,
            row.try_get("", "total")?,
        );
        let s = sums.entry(id).or_default();
        match kind.as_str() {
            "grant" | "refund" | "adjust" => s.granted += total,
            "hold" => s.held += total,
            "settle" => {
                s.held -= total;
                s.settled += total;
            }
            "release" => s.held -= total,
            "expire" => s.expired += total,
            other => tracing::error!(kind = other, bucket = %id, "credits: unknown ledger entry kind"),
        }
    }
    for row in db.query_all_raw(totals("hold_id")).await? {
        let (id, kind, total): (Uuid, String, i64) = (
            row.try_get("", "id")?,
            row.try_get("", "kind")?,
            row.try_get("", "total")?,
        );
        let h = per_hold.entry(id).or_default();
        match kind.as_str() {
            "hold" => h.0 += total,
            "settle" => h.1 += total,
            "release" => h.2 += total,
            _ => {}
        }
    }
    let mut mismatches = 0;
    for b in buckets::Entity::find().all(db).await? {
        let s = sums.remove(&b.id).unwrap_or_default();
        if (s.granted, s.held, s.settled, s.expired) != (b.granted, b.held, b.settled, b.expired) {
            mismatches += 1;
            tracing::error!(
                bucket = %b.id,
                account = %b.account_id,
                stored = ?(b.granted, b.held, b.settled, b.expired),
                ledger = ?(s.granted, s.held, s.settled, s.expired),
                "credits: a bucket disagrees with its ledger (granted, held, settled, expired)"
            );
        }
    }
    // What each account's month committed, from its holds: an open hold
    // its amount, a resolved one what it settled.
    let mut months: HashMap<(Uuid, i32), i64> = HashMap::new();
    for h in holds::Entity::find().all(db).await? {
        if let Some(month) = h.month {
            let committed = if h.state == OPEN {
                h.amount
            } else {
                h.settled.unwrap_or(0)
            };
            *months.entry((h.account_id, month)).or_default() += committed;
        }
        let (held, settled, released) = per_hold.remove(&h.id).unwrap_or_default();
        let ok = if h.state == OPEN {
            held == h.amount && settled == 0 && released == 0
        } else {
            held == h.amount && settled == h.settled.unwrap_or(0) && settled + released == held
        };
        if !ok {
            mismatches += 1;
            tracing::error!(hold = %h.id, state = %h.state, amount = h.amount, held, settled, released,
                "credits: a hold disagrees with its ledger");
        }
    }
    // A hold that names its bucket (its settlement trusts that) was held
    // whole from it, and every entry of its own is on it.
    let misplaced = db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT h.id AS id FROM credit_holds h WHERE h.bucket_id IS NOT NULL AND ( \
                   NOT EXISTS (SELECT 1 FROM credit_entries e WHERE e.hold_id = h.id AND e.kind = '{}' \
                     AND e.bucket_id = h.bucket_id AND e.amount = h.amount) \
                   OR EXISTS (SELECT 1 FROM credit_entries e WHERE e.hold_id = h.id AND e.bucket_id <> h.bucket_id))",
                Kind::Hold.as_str()
            ),
        ))
        .await?;
    for row in misplaced {
        mismatches += 1;
        let id: Uuid = row.try_get("", "id")?;
        tracing::error!(hold = %id, "credits: a hold's bucket disagrees with its ledger entries");
    }
    for a in entity::credit_accounts::Entity::find().all(db).await? {
        let derived = months.get(&(a.account_id, a.month)).copied().unwrap_or(0);
        if derived != a.month_spent {
            mismatches += 1;
            tracing::error!(account = %a.account_id, month = a.month, stored = a.month_spent, derived,
                "credits: a month's spending disagrees with its holds");
        }
    }
    Ok(mismatches)
}
