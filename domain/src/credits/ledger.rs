//! The ledger and the two-phase spend.
//!
//! Every movement is an entry (never updated, never deleted, unique by its
//! idempotency key), written in the same transaction as the bucket totals
//! it changes. A **hold** sets credits aside across the account's buckets
//! in spending order; each bucket's share is taken by a conditional
//! `UPDATE … WHERE granted - settled - held - expired >= share`, so the
//! database refuses to overdraw whatever two requests believed (a `CHECK`
//! constraint backs it). A hold is **resolved** once: its cost is settled
//! (never more than held, from the buckets it was held in, in order) and
//! the rest released. Resolving a hold again does nothing.

use super::prices::Card;
use super::spending;
use super::{FreeQuota, Kind, Source};
use crate::error::{DomainError, Result};
use chrono::{DateTime, Duration, Utc};
use entity::{credit_buckets as buckets, credit_entries as entries, credit_holds as holds, users};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    Statement,
};
use uuid::Uuid;

mod postgres;

/// Credits to add to an account: one bucket, made once per `key`.
#[derive(Clone, Debug)]
pub struct Grant {
    pub account: Uuid,
    pub source: Source,
    pub amount: i64,
    pub expires_at: Option<DateTime<Utc>>,
    /// Makes the grant once, however often it is asked for (an invoice, a
    /// cycle, an admin action).
    pub key: String,
    /// Who grants (`Actor::label`).
    pub actor: String,
    pub reference: Option<String>,
}

/// Adds `grant`'s credits, unless a grant with its key was made before.
/// Whether it was made now.
pub async fn grant(db: &DatabaseConnection, grant: Grant) -> Result<bool> {
    if grant.amount <= 0 {
        return Err(DomainError::internal("a grant adds credits"));
    }
    let txn = crate::services::begin_write(db).await?;
    let made = grant_in(&txn, &grant, Utc::now()).await?;
    txn.commit().await?;
    Ok(made)
}

pub(crate) async fn grant_in(db: &impl ConnectionTrait, g: &Grant, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let id = Uuid::new_v4();
    let inserted = buckets::Entity::insert(buckets::ActiveModel {
        id: Set(id),
        account_id: Set(g.account),
        source: Set(g.source.as_str().to_owned()),
        priority: Set(g.source.priority()),
        granted: Set(g.amount),
        held: Set(0),
        settled: Set(0),
        expired: Set(0),
        expires_at: Set(g.expires_at),
        idempotency_key: Set(g.key.clone()),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(buckets::Column::IdempotencyKey)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if inserted == 0 {
        return Ok(false);
    }
    entry(
        db,
        Entry {
            account: g.account,
            bucket: id,
            kind: Kind::Grant,
            amount: g.amount,
            key: format!("grant:{}", g.key),
            actor: &g.actor,
            reference: g.reference.as_deref(),
            hold: None,
            card: None,
        },
        now,
    )
    .await?;
    Ok(true)
}

struct Entry<'a> {
    account: Uuid,
    bucket: Uuid,
    kind: Kind,
    amount: i64,
    key: String,
    actor: &'a str,
    reference: Option<&'a str>,
    hold: Option<Uuid>,
    card: Option<String>,
}

async fn entry(db: &impl ConnectionTrait, e: Entry<'_>, now: DateTime<Utc>) -> Result<(), DbErr> {
    entries_in(db, vec![e], now).await
}

/// Writes `all` in one statement (one round trip, however many buckets a
/// hold spans).
async fn entries_in(db: &impl ConnectionTrait, all: Vec<Entry<'_>>, now: DateTime<Utc>) -> Result<(), DbErr> {
    if all.is_empty() {
        return Ok(());
    }
    entries::Entity::insert_many(all.into_iter().map(|e| entries::ActiveModel {
        id: Set(Uuid::new_v4()),
        account_id: Set(e.account),
        bucket_id: Set(e.bucket),
        kind: Set(e.kind.as_str().to_owned()),
        amount: Set(e.amount),
        idempotency_key: Set(e.key),
        actor: Set(e.actor.to_owned()),
        reference: Set(e.reference.map(str::to_owned)),
        hold_id: Set(e.hold),
        rate_card: Set(e.card),
        created_at: Set(now),
    }))
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The free quota's cycle for an account created at `anchor`: its number
/// and when it ends.
pub fn quota_cycle(quota: FreeQuota, anchor: DateTime<Utc>, now: DateTime<Utc>) -> (i64, DateTime<Utc>) {
    let length = Duration::days(i64::from(quota.every_days.max(1)));
    let elapsed = (now - anchor).num_seconds().max(0);
    let cycle = elapsed / length.num_seconds();
    let ends = anchor + length * i32::try_from(cycle + 1).unwrap_or(i32::MAX);
    (cycle, ends)
}

/// The quota bucket's key: per account, cycle length and cycle (a changed
/// `CREDITS_FREE_QUOTA_DAYS` numbers cycles anew without colliding).
fn quota_bucket_key(account: Uuid, quota: FreeQuota, cycle: i64) -> String {
    format!("quota:{account}:{}d:{cycle}", quota.every_days)
}

/// Grants the account's free quota for the cycle `now` is in, once per
/// (account, cycle) however many instances ask. Whether it was made now.
pub(crate) async fn renew_quota_in(
    db: &impl ConnectionTrait,
    account: Uuid,
    quota: Option<FreeQuota>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let Some(quota) = quota.filter(|q| q.amount > 0) else {
        return Ok(false);
    };
    let Some(anchor) = anchor(db, account).await? else {
        return Ok(false);
    };
    let (cycle, ends) = quota_cycle(quota, anchor, now);
    let grant = Grant {
        account,
        source: Source::FreeQuota,
        amount: quota.amount,
        expires_at: Some(ends),
        key: quota_bucket_key(account, quota, cycle),
        actor: "system".into(),
        reference: Some(format!("free quota, cycle {cycle}")),
    };
    grant_in(db, &grant, now).await
}

/// A bucket that may pay, with what is left in it.
#[derive(Clone, Debug)]
struct Spendable {
    id: Uuid,
    left: i64,
}

/// What an account may spend now: its buckets in spending order and its
/// month (read together: one round trip before the writes).
struct Spendables {
    buckets: Vec<Spendable>,
    month: spending::Month,
}

/// The account's buckets that may pay now, in spending order (lowest
/// priority number first, then the soonest to expire; the free quota only
/// when `quota`), with its month's cap and spending, in one query. (No
/// spendable bucket: no month is read, and none is needed: nothing can be
/// held, so the refusal is for the balance.) With `lock` (PostgreSQL, in
/// a transaction), the buckets stay locked until it ends.
async fn spendable_with_month(
    db: &impl ConnectionTrait,
    account: Uuid,
    quota: bool,
    now: DateTime<Utc>,
    month: i32,
    lock: bool,
) -> Result<Spendables, DbErr> {
    let backend = db.get_database_backend();
    let p = placeholder(backend);
    let spendable = spendable_sql(&format!("{p}1"), &format!("{p}2"), quota);
    // Locked in spending order, as every writer locks buckets.
    let locking = if lock {
        format!(" ORDER BY {} FOR NO KEY UPDATE OF b", spending_order_sql("b."))
    } else {
        String::new()
    };
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "SELECT b.id AS id, b.granted - b.settled - b.held - b.expired AS left_over, b.priority AS priority, \
                 b.expires_at AS expires_at, b.created_at AS created_at, \
                 a.monthly_cap AS monthly_cap, a.month AS month, a.month_spent AS month_spent \
                 FROM credit_buckets b LEFT JOIN credit_accounts a ON a.account_id = b.account_id \
                 WHERE {spendable}{locking}"
            ),
            [account.into(), now.into()],
        ))
        .await?;
    let mut found = Spendables {
        buckets: Vec::with_capacity(rows.len()),
        month: spending::Month::default(),
    };
    let mut order = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        if i == 0 {
            let counted: Option<i32> = row.try_get("", "month")?;
            found.month = spending::Month {
                cap: row.try_get("", "monthly_cap")?,
                spent: if counted == Some(month) {
                    row.try_get::<Option<i64>>("", "month_spent")?.unwrap_or(0)
                } else {
                    0
                },
            };
        }
        let key = spending_key(row, "id")?;
        order.push((
            key,
            Spendable {
                id: key.4,
                left: row.try_get("", "left_over")?,
            },
        ));
    }
    order.sort_by_key(|(key, _)| *key);
    found.buckets = order.into_iter().map(|(_, b)| b).collect();
    // A locking read that waited returns its buckets as they are now but
    // the month as it was before the wait: read the month again (after
    // the buckets: the lock order is kept, the month row is not locked).
    if lock && !found.buckets.is_empty() {
        found.month = spending::month(db, account, month).await?;
    }
    Ok(found)
}

/// The condition on `credit_buckets b` that a bucket of account `account`
/// may pay at `now` (both SQL expressions): unexpired, something left, the
/// free quota only when `quota`.
fn spendable_sql(account: &str, now: &str, quota: bool) -> String {
    let quota_filter = if quota {
        String::new()
    } else {
        format!(" AND b.source <> '{}'", Source::FreeQuota.as_str())
    };
    format!(
        "b.account_id = {account} AND (b.expires_at IS NULL OR b.expires_at > {now}) \
         AND b.granted - b.settled - b.held - b.expired > 0{quota_filter}"
    )
}

/// Sort key for spending: priority, then expiry (none last), then age.
type SpendingKey = (i32, bool, Option<DateTime<Utc>>, DateTime<Utc>, Uuid);

/// The spending order in SQL (the same as [`key`]'s), over the columns of
/// `credit_buckets` named with `prefix` (`""` or an alias and a dot).
pub(crate) fn spending_order_sql(prefix: &str) -> String {
    format!("{prefix}priority, {prefix}expires_at IS NULL, {prefix}expires_at, {prefix}created_at, {prefix}id")
}

/// The one definition of the spending order.
fn key(priority: i32, expires_at: Option<DateTime<Utc>>, created_at: DateTime<Utc>, id: Uuid) -> SpendingKey {
    (priority, expires_at.is_none(), expires_at, created_at, id)
}

fn spending_order(b: &buckets::Model) -> SpendingKey {
    key(b.priority, b.expires_at, b.created_at, b.id)
}

/// [`spending_order`] of the bucket a row names (`id`, `priority`,
/// `expires_at`, `created_at`).
fn spending_key(row: &sea_orm::QueryResult, id: &str) -> Result<SpendingKey, DbErr> {
    Ok(key(
        row.try_get("", "priority")?,
        row.try_get("", "expires_at")?,
        row.try_get("", "created_at")?,
        row.try_get("", id)?,
    ))
}

/// A hold to take.
#[derive(Clone, Debug)]
pub struct HoldRequest {
    pub account: Uuid,
    pub model: String,
    pub card: Card,
    /// What it is for (`reply:<message id>`).
    pub reference: String,
    pub actor: String,
    /// The free quota (renewed first when a new cycle began).
    pub quota: Option<FreeQuota>,
    pub ttl: std::time::Duration,
}

/// A hold taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hold {
    pub id: Uuid,
    pub amount: i64,
}

/// A hold to write, its shares chosen.
struct NewHold<'a> {
    id: Uuid,
    account: Uuid,
    amount: i64,
    month: i32,
    reference: &'a str,
    model: &'a str,
    card: &'a str,
    actor: &'a str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
}

/// Attempts before a hold that keeps losing races gives up (PostgreSQL:
/// a bucket changed between the read and the conditional update).
const HOLD_ATTEMPTS: usize = 16;

/// Takes a hold for `request`. `plan` gets what the account may spend on
/// this model and says how much to hold (at most that), or refuses; given
/// `i64::MAX`, it says what it would hold with credits enough. The hold is
/// written only if every bucket's conditional update succeeds.
///
/// On SQLite: one transaction (the write lock taken first), its writes one
/// by one. On PostgreSQL: one statement that writes all or nothing and
/// commits by itself (`postgres::hold`): first `plan(i64::MAX)` from the
/// first bucket in spending order, found by the statement; when that
/// bucket or the month's cap has less, a read of what is left and the
/// statement with the shares chosen from it. So no bucket stays
/// locked across a round trip to this process (the free quota, when due,
/// is renewed first in its own transaction); when another reply changed
/// the account in between, the retries run in a transaction whose read
/// locks the account's buckets.
pub async fn hold(db: &DatabaseConnection, request: &HoldRequest, plan: impl Fn(i64) -> Result<i64>) -> Result<Hold> {
    let postgres = db.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
    if postgres
        && let Some(quota) = request.quota.filter(|q| q.amount > 0)
        && quota_due(db, request.account, quota, Utc::now()).await?
    {
        let txn = crate::services::begin_write(db).await?;
        renew_quota_in(&txn, request.account, request.quota, Utc::now()).await?;
        txn.commit().await?;
    }
    for attempt in 0..HOLD_ATTEMPTS {
        let now = Utc::now();
        let month = spending::month_of(now);
        let id = Uuid::new_v4();
        let card = request.card.to_json();
        let expires_at = now + Duration::from_std(request.ttl).unwrap_or(Duration::hours(1));
        let new = |amount| NewHold {
            id,
            account: request.account,
            amount,
            month,
            reference: &request.reference,
            model: &request.model,
            card: &card,
            actor: &request.actor,
            expires_at,
            now,
        };
        // PostgreSQL, first: the whole of what the reply would hold with
        // credits enough, from the first bucket in spending order, in one
        // round trip (nearly every hold). When that bucket or the cap has
        // less, nothing is written and the ledger reads what is left.
        if postgres
            && attempt == 0
            && let Ok(want) = plan(i64::MAX)
            && want > 0
            && postgres::hold(
                db,
                &new(want),
                postgres::Shares::First {
                    quota: request.card.quota,
                },
            )
            .await?
        {
            return Ok(Hold { id, amount: want });
        }
        if postgres && attempt == 0 {
            let found = spendable_with_month(db, request.account, request.card.quota, now, month, false).await?;
            let (amount, shares) = choose(found, &plan, now)?;
            if postgres::hold(db, &new(amount), postgres::Shares::Chosen(&shares)).await? {
                return Ok(Hold { id, amount });
            }
            continue;
        }
        let txn = crate::services::begin_write(db).await?;
        renew_quota_in(&txn, request.account, request.quota, now).await?;
        // PostgreSQL, after a lost race: the read locks the buckets, so
        // this attempt waits its turn instead of racing again.
        let found = spendable_with_month(&txn, request.account, request.card.quota, now, month, postgres).await?;
        let (amount, shares) = choose(found, &plan, now)?;
        let made = if postgres {
            postgres::hold(&txn, &new(amount), postgres::Shares::Chosen(&shares)).await?
        } else {
            hold_in_steps(&txn, &new(amount), &shares).await?
        };
        if made {
            txn.commit().await?;
            return Ok(Hold { id, amount });
        }
        txn.rollback().await?;
    }
    Err(DomainError::internal("a credit hold lost every race for its buckets"))
}

/// How much to hold (`plan`, given what the buckets and the month's cap
/// leave) and each bucket's share of it, in spending order.
fn choose(found: Spendables, plan: impl Fn(i64) -> Result<i64>, now: DateTime<Utc>) -> Result<(i64, Vec<(Uuid, i64)>)> {
    let Spendables {
        buckets: buckets_now,
        month: spent,
    } = found;
    let available: i64 = buckets_now.iter().map(|b| b.left).fold(0, i64::saturating_add);
    // The user's monthly cap, if set, may leave less than the buckets.
    let limit = spent.left().map_or(available, |left| left.min(available));
    let amount = match plan(limit) {
        Ok(amount) => amount,
        // The cap, not the balance, stops it: say so (and when the
        // balance would not have paid either, say that instead).
        Err(DomainError::OutOfCredits { units, .. }) if limit < available => {
            plan(available)?;
            return Err(DomainError::SpendingCap {
                cap: spent.cap.unwrap_or_default(),
                spent: spent.spent,
                resets_at: spending::month_end(now).timestamp(),
                units,
            });
        }
        Err(refused) => return Err(refused),
    };
    if amount <= 0 || amount > limit {
        return Err(DomainError::internal(format!(
            "a hold of {amount} out of {limit} available"
        )));
    }
    let mut rest = amount;
    let mut shares = Vec::new();
    for b in buckets_now {
        let take = b.left.min(rest);
        if take > 0 {
            shares.push((b.id, take));
            rest -= take;
        }
        if rest == 0 {
            break;
        }
    }
    Ok((amount, shares))
}

/// A hold's writes one statement at a time (SQLite, in process; see
/// `postgres::hold` for the same in one statement): each share taken by
/// its conditional update, the month counted under its cap, then the hold
/// and its entries. Whether it was written; when not, the caller rolls
/// back.
async fn hold_in_steps(txn: &impl ConnectionTrait, h: &NewHold<'_>, shares: &[(Uuid, i64)]) -> Result<bool, DbErr> {
    for &(bucket, share) in shares {
        if !take_share(txn, bucket, share).await? {
            return Ok(false);
        }
    }
    // The month's spending moves with the buckets, under the cap.
    if !spending::commit(txn, h.account, h.month, h.amount, h.now).await? {
        return Ok(false);
    }
    holds::Entity::insert(holds::ActiveModel {
        id: Set(h.id),
        account_id: Set(h.account),
        reference: Set(h.reference.to_owned()),
        model: Set(h.model.to_owned()),
        amount: Set(h.amount),
        state: Set(OPEN.to_owned()),
        settled: Set(None),
        rate_card: Set(h.card.to_owned()),
        expires_at: Set(h.expires_at),
        created_at: Set(h.now),
        resolved_at: Set(None),
        month: Set(Some(h.month)),
        bucket_id: Set(match shares {
            [(bucket, _)] => Some(*bucket),
            _ => None,
        }),
    })
    .exec_without_returning(txn)
    .await?;
    let entries = shares
        .iter()
        .map(|&(bucket, share)| Entry {
            account: h.account,
            bucket,
            kind: Kind::Hold,
            amount: share,
            key: format!("{}:{}:{bucket}", Kind::Hold.as_str(), h.id),
            actor: h.actor,
            reference: Some(h.reference),
            hold: Some(h.id),
            card: Some(h.card.to_owned()),
        })
        .collect();
    entries_in(txn, entries, h.now).await?;
    Ok(true)
}

/// Adds `share` to a bucket's held credits if that leaves it at zero or
/// more; whether it did. The database decides, not an earlier read.
async fn take_share(db: &impl ConnectionTrait, bucket: Uuid, share: i64) -> Result<bool, DbErr> {
    let backend = db.get_database_backend();
    let p = placeholder(backend);
    let done = db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "UPDATE credit_buckets SET held = held + {p}1 \
                 WHERE id = {p}2 AND granted - settled - held - expired >= {p}1"
            ),
            [share.into(), bucket.into()],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}

fn placeholder(backend: sea_orm::DatabaseBackend) -> &'static str {
    match backend {
        sea_orm::DatabaseBackend::Postgres => "$",
        _ => "?",
    }
}

pub const OPEN: &str = "open";
pub const SETTLED: &str = "settled";
pub const RELEASED: &str = "released";

/// Resolves hold `id`: settles `cost` (at most what was held) and releases
/// the rest. What was settled, or `None` when the hold was resolved before.
pub async fn settle(db: &DatabaseConnection, id: Uuid, cost: i64, actor: &str) -> Result<Option<i64>> {
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        // One statement, the month given back in it: no transaction to
        // open (unless the hold spans several buckets).
        let (cost, state) = settlement(cost);
        if let postgres::Resolved::Done(settled) =
            postgres::resolve(db, id, cost, state, actor, Utc::now(), true, &mut Vec::new()).await?
        {
            return Ok(settled);
        }
    }
    // SQLite, or a hold spread over several buckets: step by step.
    let txn = crate::services::begin_write(db).await?;
    let mut released = Vec::new();
    let settled = resolve_in_steps(&txn, id, cost, actor, Utc::now(), &mut released).await?;
    give_back_all(&txn, released).await?;
    txn.commit().await?;
    Ok(settled)
}

/// [`settle`] inside the caller's transaction (saved with the reply).
pub async fn settle_in(
    db: &impl ConnectionTrait,
    id: Uuid,
    cost: i64,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, DbErr> {
    let mut released = Vec::new();
    let settled = resolve_in(db, id, cost, actor, now, &mut released).await?;
    give_back_all(db, released).await?;
    Ok(settled)
}

/// The cost to settle (none below zero) and the state it leaves the hold
/// in: a hold is never of nothing, so it settled something exactly when
/// the cost is above zero.
fn settlement(cost: i64) -> (i64, &'static str) {
    let cost = cost.max(0);
    (cost, if cost > 0 { SETTLED } else { RELEASED })
}

/// What a resolved hold released, to give back to the month it counted
/// against: applied after every bucket the transaction touches is locked
/// (holds lock buckets, then the account's month; so must everyone, or
/// two transactions on PostgreSQL wait for each other).
pub(crate) struct Released {
    account: Uuid,
    month: i32,
    amount: i64,
}

/// Gives every release back to its month, in account order.
pub(crate) async fn give_back_all(db: &impl ConnectionTrait, mut released: Vec<Released>) -> Result<(), DbErr> {
    released.sort_by_key(|r| (r.account, r.month));
    for r in released {
        spending::give_back(db, r.account, r.month, r.amount).await?;
    }
    Ok(())
}

/// Resolves hold `id` (see [`settle`]); what it released for the month is
/// added to `released`, for the caller to give back once its buckets are
/// locked.
pub(crate) async fn resolve_in(
    db: &impl ConnectionTrait,
    id: Uuid,
    cost: i64,
    actor: &str,
    now: DateTime<Utc>,
    released: &mut Vec<Released>,
) -> Result<Option<i64>, DbErr> {
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        let (cost, state) = settlement(cost);
        if let postgres::Resolved::Done(settled) =
            postgres::resolve(db, id, cost, state, actor, now, false, released).await?
        {
            return Ok(settled);
        }
    }
    resolve_in_steps(db, id, cost, actor, now, released).await
}

/// [`resolve_in`] one statement at a time: the hold, then its buckets in
/// spending order (any hold, however many buckets it spans).
async fn resolve_in_steps(
    db: &impl ConnectionTrait,
    id: Uuid,
    cost: i64,
    actor: &str,
    now: DateTime<Utc>,
    released: &mut Vec<Released>,
) -> Result<Option<i64>, DbErr> {
    let backend = db.get_database_backend();
    let (cost, state) = settlement(cost);
    let p = placeholder(backend);
    // Once: the state moves from open in one conditional write, which
    // settles at most what was held and returns the hold.
    let Some(hold) = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "UPDATE credit_holds SET state = {p}1, \
                 settled = CASE WHEN amount < {p}2 THEN amount ELSE {p}2 END, resolved_at = {p}3 \
                 WHERE id = {p}4 AND state = '{OPEN}' \
                 RETURNING account_id, amount, settled, reference, rate_card, month"
            ),
            [state.into(), cost.into(), now.into(), id.into()],
        ))
        .await?
    else {
        return Ok(None);
    };
    let account: Uuid = hold.try_get("", "account_id")?;
    let amount: i64 = hold.try_get("", "amount")?;
    let settled: i64 = hold.try_get::<Option<i64>>("", "settled")?.unwrap_or(0);
    let reference: String = hold.try_get("", "reference")?;
    let rate_card: String = hold.try_get("", "rate_card")?;
    if let Some(month) = hold.try_get::<Option<i32>>("", "month")?
        && amount > settled
    {
        released.push(Released {
            account,
            month,
            amount: amount - settled,
        });
    }
    // Its shares, with what orders their buckets for spending.
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "SELECT e.bucket_id AS bucket_id, e.amount AS amount, b.priority AS priority, \
                 b.expires_at AS expires_at, b.created_at AS created_at \
                 FROM credit_entries e JOIN credit_buckets b ON b.id = e.bucket_id \
                 WHERE e.hold_id = {p}1 AND e.kind = '{}'",
                Kind::Hold.as_str()
            ),
            [id.into()],
        ))
        .await?;
    let mut shares: Vec<(SpendingKey, i64)> = Vec::new();
    for row in rows {
        let key = spending_key(&row, "bucket_id")?;
        let bucket = key.4;
        let share: i64 = row.try_get("", "amount")?;
        match shares.iter_mut().find(|(k, _)| k.4 == bucket) {
            Some((_, held)) => *held += share,
            None => shares.push((key, share)),
        }
    }
    shares.sort_by_key(|(key, _)| *key);
    // Each bucket updated before the entries that name it are written: on
    // PostgreSQL an entry's foreign key takes a share lock on its bucket,
    // and share locks taken first by many transactions, then upgraded, made
    // settlements on one account several times slower (measured).
    let mut rest = settled;
    let mut written = Vec::with_capacity(shares.len() * 2);
    for (key, held) in shares {
        let bucket = key.4;
        let spent = held.min(rest);
        rest -= spent;
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            format!("UPDATE credit_buckets SET held = held - {p}1, settled = settled + {p}2 WHERE id = {p}3"),
            [held.into(), spent.into(), bucket.into()],
        ))
        .await?;
        for (kind, amount) in [(Kind::Settle, spent), (Kind::Release, held - spent)] {
            if amount > 0 {
                written.push(Entry {
                    account,
                    bucket,
                    kind,
                    amount,
                    key: format!("{}:{id}:{bucket}", kind.as_str()),
                    actor,
                    reference: Some(&reference),
                    hold: Some(id),
                    card: Some(rate_card.clone()),
                });
            }
        }
    }
    entries_in(db, written, now).await?;
    Ok(Some(settled))
}

/// What an account has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Spendable now, over unexpired buckets.
    pub available: i64,
    /// Set aside for calls in progress.
    pub held: i64,
}

/// The account's totals now (its free quota renewed first, when due: a
/// write once per cycle, a read otherwise).
pub async fn totals(db: &DatabaseConnection, account: Uuid, quota: Option<FreeQuota>) -> Result<Totals> {
    let now = Utc::now();
    let mut rows = buckets_of(db, account).await?;
    if let Some(q) = quota.filter(|q| q.amount > 0)
        && let Some(key) = quota_key(db, account, q, now).await?
        && !rows.iter().any(|b| b.idempotency_key == key)
    {
        let txn = crate::services::begin_write(db).await?;
        renew_quota_in(&txn, account, quota, now).await?;
        txn.commit().await?;
        rows = buckets_of(db, account).await?;
    }
    let mut t = Totals::default();
    for b in rows {
        t.held = t.held.saturating_add(b.held);
        if b.expires_at.is_none_or(|e| e > now) {
            t.available = t.available.saturating_add(b.granted - b.settled - b.held - b.expired);
        }
    }
    Ok(t)
}

/// The key of the account's quota bucket for the cycle `now` is in, and
/// when that cycle ends (`None`: no such account).
pub async fn quota_key(
    db: &impl ConnectionTrait,
    account: Uuid,
    quota: FreeQuota,
    now: DateTime<Utc>,
) -> Result<Option<String>, DbErr> {
    Ok(anchor(db, account)
        .await?
        .map(|anchor| quota_bucket_key(account, quota, quota_cycle(quota, anchor, now).0)))
}

/// Whether the account's free quota for the cycle `now` is in is still to
/// be granted (two reads; the grant itself stays idempotent by its key).
async fn quota_due(
    db: &impl ConnectionTrait,
    account: Uuid,
    quota: FreeQuota,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let Some(key) = quota_key(db, account, quota, now).await? else {
        return Ok(false);
    };
    Ok(buckets::Entity::find()
        .filter(buckets::Column::IdempotencyKey.eq(key))
        .one(db)
        .await?
        .is_none())
}

/// When the account's quota cycles start from (its creation).
pub async fn anchor(db: &impl ConnectionTrait, account: Uuid) -> Result<Option<DateTime<Utc>>, DbErr> {
    users::Entity::find_by_id(account)
        .select_only()
        .column(users::Column::CreatedAt)
        .into_tuple::<DateTime<Utc>>()
        .one(db)
        .await
}

/// The account's buckets, in spending order.
pub async fn buckets_of(db: &impl ConnectionTrait, account: Uuid) -> Result<Vec<buckets::Model>, DbErr> {
    let mut rows = buckets::Entity::find()
        .filter(buckets::Column::AccountId.eq(account))
        .all(db)
        .await?;
    rows.sort_by_key(spending_order);
    Ok(rows)
}

/// The account's ledger, newest first: `limit` entries after `offset`,
/// of `kind` only when given.
pub async fn entries_of(
    db: &impl ConnectionTrait,
    account: Uuid,
    kind: Option<Kind>,
    offset: u64,
    limit: u64,
) -> Result<Vec<entries::Model>, DbErr> {
    let mut query = entries::Entity::find().filter(entries::Column::AccountId.eq(account));
    if let Some(kind) = kind {
        query = query.filter(entries::Column::Kind.eq(kind.as_str()));
    }
    query
        .order_by_desc(entries::Column::CreatedAt)
        .order_by_desc(entries::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await
}

/// Starts a transaction for work that must run on one instance at a time
/// (the sweep): on PostgreSQL it takes a transaction-scoped advisory lock
/// and returns `None` when another instance holds it; on SQLite the write
/// lock `BEGIN IMMEDIATE` takes is the same guarantee.
pub(crate) async fn exclusive(
    db: &DatabaseConnection,
    lock: i64,
) -> Result<Option<sea_orm::DatabaseTransaction>, DbErr> {
    let txn = crate::services::begin_write(db).await?;
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        let row = txn
            .query_one_raw(Statement::from_sql_and_values(
                sea_orm::DatabaseBackend::Postgres,
                "SELECT pg_try_advisory_xact_lock($1) AS locked",
                [lock.into()],
            ))
            .await?;
        let locked: bool = row.map(|r| r.try_get("", "locked")).transpose()?.unwrap_or(false);
        if !locked {
            txn.rollback().await?;
            return Ok(None);
        }
    }
    Ok(Some(txn))
}
