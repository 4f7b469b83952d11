//! What an account commits in a calendar month (UTC) and the cap its user
//! may set on it.
//!
//! Every hold counts its whole amount against the month it is taken in,
//! in the hold's transaction, by one conditional upsert: a hold that would
//! pass the cap is refused by the database, whatever two requests read.
//! Its release gives back what was not settled, to that month only (a
//! hold records its month). So `month_spent` is what the month's replies
//! settled plus what its open holds set aside.

use chrono::{DateTime, Datelike, TimeZone, Utc};
use entity::credit_accounts as accounts;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set, Statement};
use uuid::Uuid;

/// The month of `at`, as `yyyymm`.
pub fn month_of(at: DateTime<Utc>) -> i32 {
    at.year() * 100 + i32::try_from(at.month()).unwrap_or(1)
}

/// When the month of `at` ends: the first instant of the next, UTC.
pub fn month_end(at: DateTime<Utc>) -> DateTime<Utc> {
    let (year, month) = if at.month() == 12 {
        (at.year() + 1, 1)
    } else {
        (at.year(), at.month() + 1)
    };
    Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0).single().unwrap_or(at)
}

/// An account's month: its cap and what it has committed in `month`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Month {
    pub cap: Option<i64>,
    pub spent: i64,
}

impl Month {
    /// What may still be committed this month (`None`: no cap).
    pub fn left(&self) -> Option<i64> {
        self.cap.map(|cap| (cap - self.spent).max(0))
    }
}

/// The account's cap and what it has committed in `month`.
pub async fn month(db: &impl ConnectionTrait, account: Uuid, month: i32) -> Result<Month, DbErr> {
    Ok(match accounts::Entity::find_by_id(account).one(db).await? {
        Some(row) => Month {
            cap: row.monthly_cap,
            spent: if row.month == month { row.month_spent } else { 0 },
        },
        None => Month::default(),
    })
}

fn placeholder(db: &impl ConnectionTrait) -> &'static str {
    match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "$",
        _ => "?",
    }
}

/// Counts `amount` against the account's `month`, unless that would pass
/// its cap; whether it did. The database decides (a conditional upsert).
/// A month never goes back: a hold stamped with the old month that
/// commits after the new one began is refused (its caller retries with a
/// fresh clock), so the new month's spending is never overwritten.
pub(super) async fn commit(
    db: &impl ConnectionTrait,
    account: Uuid,
    month: i32,
    amount: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let p = placeholder(db);
    let done = db
        .execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            format!(
                "INSERT INTO credit_accounts (account_id, month, month_spent, updated_at) \
                 VALUES ({p}1, {p}2, {p}3, {p}4) {}",
                counts_under_cap()
            ),
            [account.into(), month.into(), amount.into(), now.into()],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The conflict clause of an insert of (account, month, amount, now) into
/// `credit_accounts` that adds the amount to the month's spending, moves
/// the month only forward and refuses to pass the cap ([`commit`]; the
/// PostgreSQL hold writes it inside its one statement).
pub(super) fn counts_under_cap() -> String {
    format!(
        "ON CONFLICT (account_id) DO UPDATE SET \
         month_spent = CASE WHEN credit_accounts.month = excluded.month THEN credit_accounts.month_spent ELSE 0 END \
         + excluded.month_spent, month = excluded.month, updated_at = excluded.updated_at \
         WHERE excluded.month >= credit_accounts.month AND {}",
        under_cap("credit_accounts", "excluded.month", "excluded.month_spent")
    )
}

/// Whether the `credit_accounts` row `row` has room under its cap (if
/// any) for `amount` more in `month` (SQL expressions): the one
/// definition of the cap's test.
pub(super) fn under_cap(row: &str, month: &str, amount: &str) -> String {
    format!(
        "({row}.monthly_cap IS NULL \
         OR CASE WHEN {row}.month = {month} THEN {row}.month_spent ELSE 0 END + {amount} <= {row}.monthly_cap)"
    )
}

/// Gives `amount` (released, not spent) back to the account's `month`;
/// nothing once that month is over.
pub(super) async fn give_back(db: &impl ConnectionTrait, account: Uuid, month: i32, amount: i64) -> Result<(), DbErr> {
    if amount <= 0 {
        return Ok(());
    }
    let p = placeholder(db);
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        format!(
            "UPDATE credit_accounts SET month_spent = CASE WHEN month_spent > {p}1 THEN month_spent - {p}1 ELSE 0 END \
             WHERE account_id = {p}2 AND month = {p}3"
        ),
        [amount.into(), account.into(), month.into()],
    ))
    .await?;
    Ok(())
}

/// Sets (or with `None` removes) the account's monthly cap.
pub async fn set_cap(
    db: &impl ConnectionTrait,
    account: Uuid,
    cap: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    accounts::Entity::insert(accounts::ActiveModel {
        account_id: Set(account),
        monthly_cap: Set(cap),
        month: Set(month_of(now)),
        month_spent: Set(0),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(accounts::Column::AccountId)
            .update_columns([accounts::Column::MonthlyCap, accounts::Column::UpdatedAt])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_numbered_and_end_at_the_next_one() {
        let at = Utc.with_ymd_and_hms(2026, 12, 31, 23, 59, 59).unwrap();
        assert_eq!(month_of(at), 202_612);
        assert_eq!(month_end(at), Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap());
        let at = Utc.with_ymd_and_hms(2027, 2, 1, 0, 0, 0).unwrap();
        assert_eq!(month_of(at), 202_702);
        assert_eq!(month_end(at), Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap());
    }

    #[test]
    fn what_is_left_under_a_cap() {
        assert_eq!(Month { cap: None, spent: 5 }.left(), None);
        assert_eq!(
            Month {
                cap: Some(10),
                spent: 4
            }
            .left(),
            Some(6)
        );
        assert_eq!(
            Month { cap: Some(3), spent: 4 }.left(),
            Some(0),
            "a cap lowered below the month's spending"
        );
    }
}
