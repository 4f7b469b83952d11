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

/// Re-derives every bucket's totals from its entries, every hold's from
/// its own and every account's month from its holds, and logs each
/// disagreement as an error. Fixes nothing: a mismatch is a bug to look
/// at, not to paper over.
///
/// The database does the sums and the comparing, and returns only the
/// rows that disagree: the sweep's memory does not grow with the ledger.
pub async fn reconcile(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let query = |sql: String| db.query_all_raw(Statement::from_string(backend, sql));
    let mut mismatches = 0;

    let known = quoted(&Kind::ALL);
    for row in query(format!(
        "SELECT DISTINCT kind FROM credit_entries WHERE kind NOT IN ({known})"
    ))
    .await?
    {
        let kind: String = row.try_get("", "kind")?;
        tracing::error!(kind, "credits: unknown ledger entry kind");
    }

    // A bucket: granted (grants, refunds, adjustments), held (holds less
    // what was settled or released of them), settled, expired.
    let granted = sum_of(&[Kind::Grant, Kind::Refund, Kind::Adjust], &[]);
    let held = sum_of(&[Kind::Hold], &[Kind::Settle, Kind::Release]);
    let settled = sum_of(&[Kind::Settle], &[]);
    let expired = sum_of(&[Kind::Expire], &[]);
    let buckets = query(format!(
        "SELECT b.id AS id, b.account_id AS account_id, \
           b.granted AS granted, b.held AS held, b.settled AS settled, b.expired AS expired, \
           COALESCE(e.granted, 0) AS l_granted, COALESCE(e.held, 0) AS l_held, \
           COALESCE(e.settled, 0) AS l_settled, COALESCE(e.expired, 0) AS l_expired \
         FROM credit_buckets b LEFT JOIN ( \
           SELECT bucket_id, {granted} AS granted, {held} AS held, {settled} AS settled, {expired} AS expired \
           FROM credit_entries GROUP BY bucket_id) e ON e.bucket_id = b.id \
         WHERE b.granted <> COALESCE(e.granted, 0) OR b.held <> COALESCE(e.held, 0) \
           OR b.settled <> COALESCE(e.settled, 0) OR b.expired <> COALESCE(e.expired, 0)"
    ))
    .await?;
    for row in buckets {
        mismatches += 1;
        let totals = |prefix: &str| -> Result<(i64, i64, i64, i64), DbErr> {
            let get = |name: &str| row.try_get::<i64>("", &format!("{prefix}{name}"));
            Ok((get("granted")?, get("held")?, get("settled")?, get("expired")?))
        };
        let (bucket, account): (Uuid, Uuid) = (row.try_get("", "id")?, row.try_get("", "account_id")?);
        tracing::error!(
            %bucket,
            %account,
            stored = ?totals("")?,
            ledger = ?totals("l_")?,
            "credits: a bucket disagrees with its ledger (granted, held, settled, expired)"
        );
    }

    // A hold: its own entries hold its amount; open, nothing of it is
    // settled or released yet; resolved, it settled what it says and
    // released the rest.
    let (held, settled, released) = (
        sum_of(&[Kind::Hold], &[]),
        sum_of(&[Kind::Settle], &[]),
        sum_of(&[Kind::Release], &[]),
    );
    let holds = query(format!(
        "SELECT id, state, amount, held, settled, released FROM ( \
           SELECT h.id AS id, h.state AS state, h.amount AS amount, h.settled AS stored, \
             COALESCE(e.held, 0) AS held, COALESCE(e.settled, 0) AS settled, COALESCE(e.released, 0) AS released \
           FROM credit_holds h LEFT JOIN ( \
             SELECT hold_id, {held} AS held, {settled} AS settled, {released} AS released \
             FROM credit_entries WHERE hold_id IS NOT NULL GROUP BY hold_id) e ON e.hold_id = h.id) x \
         WHERE held <> amount \
           OR (state = '{OPEN}' AND (settled <> 0 OR released <> 0)) \
           OR (state <> '{OPEN}' AND (settled <> COALESCE(stored, 0) OR settled + released <> held))"
    ))
    .await?;
    for row in holds {
        mismatches += 1;
        let (hold, state, amount): (Uuid, String, i64) = (
            row.try_get("", "id")?,
            row.try_get("", "state")?,
            row.try_get("", "amount")?,
        );
        let (held, settled, released): (i64, i64, i64) = (
            row.try_get("", "held")?,
            row.try_get("", "settled")?,
            row.try_get("", "released")?,
        );
        tracing::error!(%hold, state, amount, held, settled, released,
            "credits: a hold disagrees with its ledger");
    }

    // A hold that names its bucket (its settlement trusts that) was held
    // whole from it, and every entry of its own is on it.
    let misplaced = query(format!(
        "SELECT h.id AS id FROM credit_holds h WHERE h.bucket_id IS NOT NULL AND ( \
           NOT EXISTS (SELECT 1 FROM credit_entries e WHERE e.hold_id = h.id AND e.kind = '{}' \
             AND e.bucket_id = h.bucket_id AND e.amount = h.amount) \
           OR EXISTS (SELECT 1 FROM credit_entries e WHERE e.hold_id = h.id AND e.bucket_id <> h.bucket_id))",
        Kind::Hold.as_str()
    ))
    .await?;
    for row in misplaced {
        mismatches += 1;
        let id: Uuid = row.try_get("", "id")?;
        tracing::error!(hold = %id, "credits: a hold's bucket disagrees with its ledger entries");
    }

    // What each account's month committed, from its holds: an open hold
    // its amount, a resolved one what it settled.
    let months = query(format!(
        "SELECT a.account_id AS account_id, a.month AS month, a.month_spent AS stored, \
           COALESCE(m.committed, 0) AS derived \
         FROM credit_accounts a LEFT JOIN ( \
           SELECT account_id, month, \
             CAST(SUM(CASE WHEN state = '{OPEN}' THEN amount ELSE COALESCE(settled, 0) END) AS BIGINT) AS committed \
           FROM credit_holds WHERE month IS NOT NULL GROUP BY account_id, month) m \
           ON m.account_id = a.account_id AND m.month = a.month \
         WHERE a.month_spent <> COALESCE(m.committed, 0)"
    ))
    .await?;
    for row in months {
        mismatches += 1;
        let (account, month): (Uuid, i32) = (row.try_get("", "account_id")?, row.try_get("", "month")?);
        let (stored, derived): (i64, i64) = (row.try_get("", "stored")?, row.try_get("", "derived")?);
        tracing::error!(%account, month, stored, derived,
            "credits: a month's spending disagrees with its holds");
    }
    Ok(mismatches)
}

/// The SQL sum of an entry's amount over `plus` kinds, less `minus` kinds,
/// as a BIGINT (PostgreSQL sums BIGINTs as NUMERIC).
fn sum_of(plus: &[Kind], minus: &[Kind]) -> String {
    let minus = if minus.is_empty() {
        String::new()
    } else {
        format!(" WHEN kind IN ({}) THEN -amount", quoted(minus))
    };
    format!(
        "CAST(SUM(CASE WHEN kind IN ({}) THEN amount{minus} ELSE 0 END) AS BIGINT)",
        quoted(plus)
    )
}

/// `kinds` as a list of SQL strings: `'grant', 'hold'`.
fn quoted(kinds: &[Kind]) -> String {
    kinds
        .iter()
        .map(|k| format!("'{}'", k.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}
