//! PostgreSQL: a hold's writes as one statement, and a settlement as one.
//!
//! A round trip to a PostgreSQL server costs far more than one to SQLite's
//! file in the same process, and a bucket row stays locked from its update
//! until its transaction ends: every statement after the update lengthens
//! the time other replies of that account wait. So on PostgreSQL the
//! writes the SQLite path makes one by one go as one data-modifying `WITH`
//! statement each, doing the same things in the same lock order (buckets,
//! then the account's month row) with the same conditions, so the
//! database still refuses an overdraft or a passed cap whatever two
//! requests read. The same tests run on both paths (the sequential model,
//! the races, the deadlock test).
//!
//! A hold: one statement, which commits by itself and finds its bucket
//! itself when the first bucket in spending order pays all of it (nearly
//! always); else one read, then the statement with the shares the read
//! chose. A settlement on its own: one statement.

use super::{Kind, NewHold, OPEN, Released};
use crate::credits::spending;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, RuntimeErr, Statement, Value};
use uuid::Uuid;

/// Binds values in order, naming each `$n`.
#[derive(Default)]
struct Binds(Vec<Value>);

impl Binds {
    fn add(&mut self, value: impl Into<Value>) -> String {
        self.0.push(value.into());
        format!("${}", self.0.len())
    }
}

/// The code of the error a hold's statement raises to undo itself
/// (migration `m20261206_000003_credit_hold_abort`).
const LOST_RACE: &str = "CRH01";

/// The buckets a hold takes from.
pub(super) enum Shares<'a> {
    /// These shares, in spending order (after a read of the buckets).
    Chosen(&'a [(Uuid, i64)]),
    /// The whole amount from the account's first bucket in spending order
    /// (the free quota among them when `quota`), found by the statement
    /// itself: no read before it. Nothing is taken when that bucket has
    /// less, or the month's cap has no room for it.
    First { quota: bool },
}

/// The `want` and `t0`, `t1`… parts of a hold's statement for chosen
/// shares: one update per share, each only after the one before it took
/// its share, so the buckets are locked in spending order (as every writer
/// locks them) and a refused share stops the rest.
fn chosen(b: &mut Binds, shares: &[(Uuid, i64)]) -> String {
    let want = shares
        .iter()
        .map(|&(bucket, share)| {
            format!(
                "({}::uuid, {}::bigint, {}::uuid)",
                b.add(bucket),
                b.add(share),
                b.add(Uuid::new_v4())
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut takes = format!("want (bucket, share, entry) AS (VALUES {want}), ");
    for (i, &(bucket, share)) in shares.iter().enumerate() {
        let after = if i == 0 {
            String::new()
        } else {
            format!(" AND EXISTS (SELECT 1 FROM t{})", i - 1)
        };
        let (bucket, share) = (b.add(bucket), b.add(share));
        takes.push_str(&format!(
            "t{i} AS (UPDATE credit_buckets SET held = held + {share}::bigint WHERE id = {bucket}::uuid \
             AND granted - settled - held - expired >= {share}::bigint{after} RETURNING id), "
        ));
    }
    takes
}

/// Takes every share, counts the amount against the month under its cap,
/// and writes the hold and its entries, in one statement that commits by
/// itself: all of it, or nothing. Whether the hold was written (not: a
/// bucket did not have its share, or the cap refused; the caller reads
/// what is left and retries).
///
/// Each share is taken by its conditional update (on the row's latest
/// version; in spending order, each after the one before), the month
/// counts the amount only when every share was taken
/// (the cap's conditional upsert, after the buckets: the lock order), and
/// the hold and its entries are written only when it did. When some but
/// not all of that happened, the statement raises `LOST_RACE`, which
/// undoes all of it.
pub(super) async fn hold(db: &impl ConnectionTrait, h: &NewHold<'_>, shares: Shares<'_>) -> Result<bool, DbErr> {
    let mut b = Binds::default();
    let amount = b.add(h.amount);
    // The bucket the hold is taken from, when one (on the hold's row, for
    // its settlement).
    let (head, n, one) = match shares {
        Shares::Chosen(shares) => {
            let one = match shares {
                [(bucket, _)] => format!("{}::uuid", b.add(*bucket)),
                _ => "NULL::uuid".to_owned(),
            };
            (chosen(&mut b, shares), shares.len(), one)
        }
        Shares::First { quota } => {
            // The first bucket in spending order as the statement starts;
            // its update applies to the row's latest version, so it takes
            // the share only if that bucket still has it.
            let first = format!(
                "SELECT b.id FROM credit_buckets b WHERE {} ORDER BY {} LIMIT 1",
                super::spendable_sql(
                    &format!("{}::uuid", b.add(h.account)),
                    &format!("{}::timestamptz", b.add(h.now)),
                    quota
                ),
                super::spending_order_sql("b."),
            );
            // A cap without room for it, as the statement starts: take
            // nothing (the read that follows sizes the reply to the room
            // left). The month's upsert below still decides.
            let full = format!(
                "EXISTS (SELECT 1 FROM credit_accounts a WHERE a.account_id = {}::uuid AND NOT {})",
                b.add(h.account),
                spending::under_cap(
                    "a",
                    &format!("{}::integer", b.add(h.month)),
                    &format!("{amount}::bigint")
                )
            );
            let entry = b.add(Uuid::new_v4());
            (
                format!(
                    "t0 AS (UPDATE credit_buckets SET held = held + {amount}::bigint WHERE id = ({first}) \
                     AND granted - settled - held - expired >= {amount}::bigint AND NOT {full} RETURNING id), \
                     want (bucket, share, entry) AS (SELECT id, {amount}::bigint, {entry}::uuid FROM t0), "
                ),
                1,
                "(SELECT id FROM t0)".to_owned(),
            )
        }
    };
    let taken = (0..n)
        .map(|i| format!("SELECT id FROM t{i}"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let (id, account, month, now) = (b.add(h.id), b.add(h.account), b.add(h.month), b.add(h.now));
    let (reference, card) = (b.add(h.reference), b.add(h.card));
    let counts = spending::counts_under_cap();
    let sql = format!(
        "WITH {head}taken AS ({taken}), \
         counted AS (INSERT INTO credit_accounts (account_id, month, month_spent, updated_at) \
           SELECT {account}::uuid, {month}::integer, {amount}::bigint, {now}::timestamptz \
           WHERE (SELECT count(*) FROM taken) = {n} {counts} RETURNING 1), \
         made AS (INSERT INTO credit_holds (id, account_id, reference, model, amount, state, rate_card, expires_at, created_at, month, bucket_id) \
           SELECT {id}::uuid, {account}::uuid, {reference}, {model}, {amount}::bigint, '{OPEN}', {card}, {expires}, {now}::timestamptz, {month}::integer, {one} \
           WHERE EXISTS (SELECT 1 FROM counted) RETURNING id), \
         written AS (INSERT INTO credit_entries (id, account_id, bucket_id, kind, amount, idempotency_key, actor, reference, hold_id, rate_card, created_at) \
           SELECT w.entry, {account}::uuid, w.bucket, '{hold}', w.share, '{hold}:' || m.id || ':' || w.bucket, {actor}, {reference}, m.id, {card}, {now}::timestamptz \
           FROM want w CROSS JOIN made m) \
         SELECT CASE WHEN EXISTS (SELECT 1 FROM made) THEN true \
           WHEN (SELECT count(*) FROM taken) = 0 THEN false \
           ELSE credit_hold_lost_race() END AS made",
        model = b.add(h.model),
        expires = b.add(h.expires_at),
        actor = b.add(h.actor),
        hold = Kind::Hold.as_str(),
    );
    match db
        .query_one_raw(Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Postgres,
            sql,
            b.0,
        ))
        .await
    {
        Ok(row) => Ok(row.map(|r| r.try_get::<bool>("", "made")).transpose()?.unwrap_or(false)),
        Err(e) if lost_race(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Whether `e` is the error a hold's statement raises to undo itself.
fn lost_race(e: &DbErr) -> bool {
    match e {
        DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e)) => {
            matches!(&**e, sea_orm::sqlx::Error::Database(e) if e.code().is_some_and(|c| c == LOST_RACE))
        }
        _ => false,
    }
}

/// What [`resolve`] did.
pub(super) enum Resolved {
    /// What was settled, or `None` when the hold was resolved before.
    Done(Option<i64>),
    /// Nothing: the hold spans several buckets; resolve it step by step.
    Spread,
}

/// Resolves hold `id`, when it was held from one bucket (nearly every
/// hold), in one statement: moves it from open (settling `cost`, at most
/// what was held), updates its bucket and writes the settle and release
/// entries; with `month`, also gives the released part back to the month
/// the hold counted against (after the bucket: the lock order). Without
/// `month`, what to give back is added to `released`. A hold spread over
/// several buckets is left as it was ([`Resolved::Spread`]): its caller
/// resolves it step by step, locking the buckets in spending order.
#[allow(clippy::too_many_arguments)]
pub(super) async fn resolve(
    db: &impl ConnectionTrait,
    id: Uuid,
    cost: i64,
    state: &str,
    actor: &str,
    now: DateTime<Utc>,
    month: bool,
    released: &mut Vec<Released>,
) -> Result<Resolved, DbErr> {
    let mut b = Binds::default();
    let (id, cost, now, state, actor) = (b.add(id), b.add(cost), b.add(now), b.add(state), b.add(actor));
    let (settle, release) = (Kind::Settle.as_str(), Kind::Release.as_str());
    let give_back = if month {
        // After the bucket: `spent` is counted before the month row is
        // touched.
        ", given AS (UPDATE credit_accounts a \
           SET month_spent = GREATEST(a.month_spent - (h.amount - h.settled), 0) FROM h \
           WHERE a.account_id = h.account_id AND a.month = h.month AND h.amount > h.settled \
           AND (SELECT count(*) FROM spent) >= 0)"
    } else {
        ""
    };
    // Held from one bucket (`bucket_id`), the share is the hold's amount
    // and pays all of the settlement. A mismatch would show in the
    // reconciliation (or trip the bucket's CHECK), never be applied unseen.
    let sql = format!(
        "WITH h AS (UPDATE credit_holds SET state = {state}, settled = LEAST(amount, {cost}::bigint), \
           resolved_at = {now}::timestamptz WHERE id = {id}::uuid AND state = '{OPEN}' AND bucket_id IS NOT NULL \
           RETURNING id, account_id, bucket_id, amount, settled, reference, rate_card, month), \
         spent AS (UPDATE credit_buckets b SET held = b.held - h.amount, settled = b.settled + h.settled \
           FROM h WHERE b.id = h.bucket_id RETURNING b.id), \
         written AS (INSERT INTO credit_entries (id, account_id, bucket_id, kind, amount, idempotency_key, actor, reference, hold_id, rate_card, created_at) \
           SELECT gen_random_uuid(), h.account_id, h.bucket_id, k.kind, k.amount, k.kind || ':' || h.id || ':' || h.bucket_id, \
             {actor}, h.reference, h.id, h.rate_card, {now}::timestamptz \
           FROM h CROSS JOIN LATERAL (VALUES ('{settle}', h.settled), ('{release}', h.amount - h.settled)) k (kind, amount) \
           WHERE k.amount > 0 AND (SELECT count(*) FROM spent) >= 0){give_back} \
         SELECT EXISTS (SELECT 1 FROM credit_holds WHERE id = {id}::uuid AND bucket_id IS NULL) AS spread, \
           h.account_id, h.amount, h.settled, h.month \
         FROM (SELECT 1) AS always LEFT JOIN h ON true"
    );
    let Some(row) = db
        .query_one_raw(Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Postgres,
            sql,
            b.0,
        ))
        .await?
    else {
        return Ok(Resolved::Done(None));
    };
    let Some(amount) = row.try_get::<Option<i64>>("", "amount")? else {
        // Held from one bucket: resolved before. Spread: step by step.
        return Ok(if row.try_get("", "spread")? {
            Resolved::Spread
        } else {
            Resolved::Done(None)
        });
    };
    let settled: i64 = row.try_get::<Option<i64>>("", "settled")?.unwrap_or(0);
    if !month
        && let Some(of) = row.try_get::<Option<i32>>("", "month")?
        && amount > settled
    {
        released.push(Released {
            account: row.try_get("", "account_id")?,
            month: of,
            amount: amount - settled,
        });
    }
    Ok(Resolved::Done(Some(settled)))
}
