//! At most N failed sign-ins per account per window (ASVS: 10 per 15
//! minutes by default), whatever IP they come from, on every instance: the
//! failures are rows in the database.
//!
//! An attempt first *reserves* a failure (inserts its row, then counts the
//! window). Concurrent guesses therefore cannot all pass the check before
//! any is recorded: whichever counts last sees every row. A successful
//! sign-in releases its reservation; a failed one leaves it as the record.

use crate::limits::Rate;
use crate::limits::RetryAfter;
use chrono::{DateTime, Utc};
use entity::auth_failures::{self, Column};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use wire::email::Email;

/// A counted attempt; release it when the sign-in succeeds.
#[derive(Debug)]
pub struct Reservation(Uuid);

/// The key failures are counted under: a hash, so unknown addresses typed
/// by strangers are not stored.
pub fn account_key(email: &Email) -> String {
    Sha256::digest(email.as_str().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Counts one attempt against `email`; refuses it when the window is full.
pub async fn reserve<C: ConnectionTrait>(
    db: &C,
    email: &Email,
    rate: Rate,
    now: DateTime<Utc>,
) -> Result<Result<Reservation, RetryAfter>, DbErr> {
    let key = account_key(email);
    let id = Uuid::new_v4();
    auth_failures::ActiveModel {
        id: Set(id),
        account_key: Set(key.clone()),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    let since = now - chrono::Duration::from_std(rate.per).unwrap_or(chrono::Duration::MAX);
    let in_window = auth_failures::Entity::find()
        .filter(Column::AccountKey.eq(key.clone()))
        .filter(Column::CreatedAt.gt(since));
    let count = in_window.clone().count(db).await?;
    if count <= u64::from(rate.count) {
        return Ok(Ok(Reservation(id)));
    }
    auth_failures::Entity::delete_by_id(id).exec(db).await?;
    let oldest = in_window
        .filter(Column::Id.ne(id))
        .order_by_asc(Column::CreatedAt)
        .one(db)
        .await?
        .map_or(now, |f| f.created_at);
    let wait = (oldest - since).to_std().unwrap_or_default();
    Ok(Err(RetryAfter(wait.max(std::time::Duration::from_secs(1)))))
}

/// The attempt succeeded: it is not a failure.
pub async fn release<C: ConnectionTrait>(db: &C, reservation: Reservation) -> Result<(), DbErr> {
    auth_failures::Entity::delete_by_id(reservation.0).exec(db).await?;
    Ok(())
}
