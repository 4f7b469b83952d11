//! Credits as operations: what a user sees of their own, and what an
//! administrator (or the operator at the command line) grants and reads.

use super::ledger::{self, Grant, Totals};
use super::{Kind, Source};
use crate::actor::Actor;
use crate::error::{DomainError, Result};
use crate::services::Services;
use chrono::{DateTime, Utc};
use entity::{credit_buckets, credit_entries};
use uuid::Uuid;
use wire::email::Email;

/// The signed-in user's balance, as the header shows it.
pub async fn my_balance(services: &Services, actor: &Actor) -> Result<wire::credits::Balance> {
    let user = actor.user()?.user.id;
    let credits = &services.settings.credits;
    let totals = ledger::totals(&services.db, user, credits.free_quota).await?;
    Ok(wire::credits::Balance {
        available: totals.available,
        held: totals.held,
        enforced: credits.enforce,
        low_at: credits.low_balance,
        units: credits.units,
    })
}

/// An administrator's grant.
#[derive(Clone, Debug)]
pub struct NewGrant {
    pub email: Email,
    /// In the smallest unit.
    pub amount: i64,
    /// Why: kept on the ledger entry.
    pub reason: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Grants credits to the account of `email` (an admin or the operator
/// acts); the account's totals after it.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn grant(services: &Services, actor: &Actor, new: NewGrant) -> Result<Totals> {
    actor.require_admin()?;
    if new.amount <= 0 {
        return Err(DomainError::internal("a grant adds credits: give an amount above zero"));
    }
    if new.reason.trim().is_empty() {
        return Err(DomainError::internal("say why the credits are granted"));
    }
    let user = account_of(services, &new.email).await?;
    ledger::grant(
        &services.db,
        Grant {
            account: user,
            source: Source::Grant,
            amount: new.amount,
            expires_at: new.expires_at,
            key: format!("admin:{}", Uuid::new_v4()),
            actor: actor.label(),
            reference: Some(new.reason.trim().to_owned()),
        },
    )
    .await?;
    tracing::info!(account = %user, amount = new.amount, "credits granted");
    ledger::totals(&services.db, user, services.settings.credits.free_quota).await
}

/// An account's credits in full: totals, buckets and the newest entries.
#[derive(Clone, Debug)]
pub struct Statement {
    pub totals: Totals,
    pub buckets: Vec<credit_buckets::Model>,
    pub entries: Vec<credit_entries::Model>,
}

/// The statement of the account of `email` (an admin or the operator reads).
pub async fn statement(services: &Services, actor: &Actor, email: &Email, kind: Option<Kind>) -> Result<Statement> {
    actor.require_admin()?;
    let user = account_of(services, email).await?;
    Ok(Statement {
        totals: ledger::totals(&services.db, user, services.settings.credits.free_quota).await?,
        buckets: ledger::buckets_of(&services.db, user).await?,
        entries: ledger::entries_of(&services.db, user, kind, 0, 50).await?,
    })
}

async fn account_of(services: &Services, email: &Email) -> Result<Uuid> {
    Ok(crate::accounts::users::find_by_email(&services.db, email)
        .await?
        .ok_or_else(|| DomainError::NoAccount {
            email: email.as_str().to_owned(),
        })?
        .id)
}
