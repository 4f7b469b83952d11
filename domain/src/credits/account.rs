//! Credits as operations: what a user sees of their own, and what an
//! administrator (or the operator at the command line) grants and reads.

use super::ledger::{self, Grant, Totals};
use super::spending;
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

/// Sets the signed-in user's monthly spending cap (`None`: no cap), in
/// the smallest unit. A cap below what the month already committed stops
/// new replies until the month ends; nothing already held is undone.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn set_my_cap(services: &Services, actor: &Actor, cap: Option<i64>) -> Result<wire::credits::Spending> {
    let user = actor.user()?.user.id;
    if cap.is_some_and(|c| !(0..=wire::credits::MAX_AMOUNT).contains(&c)) {
        return Err(DomainError::invalid(
            wire::fields::Field::Credits,
            wire::fields::Problem::Invalid,
        ));
    }
    spending::set_cap(&services.db, user, cap, Utc::now()).await?;
    tracing::info!(cap, "monthly spending cap set");
    my_spending(services, user).await
}

async fn my_spending(services: &Services, user: Uuid) -> Result<wire::credits::Spending> {
    let now = Utc::now();
    let month = spending::month(&services.db, user, spending::month_of(now)).await?;
    Ok(wire::credits::Spending {
        spent: month.spent,
        cap: month.cap,
        resets_at: spending::month_end(now).timestamp(),
    })
}

/// The last ledger page the wallet reads (20 million entries back).
const MAX_PAGE: u64 = 1_000_000;

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
    if !(1..=wire::credits::MAX_AMOUNT).contains(&new.amount) {
        return Err(DomainError::invalid(
            wire::fields::Field::Credits,
            wire::fields::Problem::Invalid,
        ));
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

/// The signed-in user's wallet: balance, the free quota's next renewal,
/// buckets, one page of the ledger (of `kind` only, when given) and what
/// each conversation cost.
pub async fn wallet(
    services: &Services,
    actor: &Actor,
    kind: Option<String>,
    page: u64,
) -> Result<wire::credits::Wallet> {
    use wire::credits::{BucketView, ConversationCost, ENTRIES_PER_PAGE, EntryView};
    let user = actor.user()?.user.id;
    let db = &services.db;
    let kind = match kind.as_deref() {
        None | Some("") => None,
        Some(k) => Some(Kind::parse(k).ok_or(DomainError::NotFound)?),
    };
    let balance = my_balance(services, actor).await?;
    let now = Utc::now();
    let quota = match services.settings.credits.free_quota {
        Some(q) => ledger::anchor(db, user)
            .await?
            .map(|anchor| (q.amount, ledger::quota_cycle(q, anchor, now).1.timestamp())),
        None => None,
    };
    let buckets = ledger::buckets_of(db, user).await?;
    let source_of = |id: Uuid| {
        buckets
            .iter()
            .find(|b| b.id == id)
            .map_or_else(String::new, |b| b.source.clone())
    };
    // Any page number is a valid request; past the end, a page is empty.
    let offset = page.min(MAX_PAGE).saturating_mul(ENTRIES_PER_PAGE);
    let mut rows = ledger::entries_of(db, user, kind, offset, ENTRIES_PER_PAGE + 1).await?;
    let more = rows.len() > usize::try_from(ENTRIES_PER_PAGE).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(ENTRIES_PER_PAGE).unwrap_or(usize::MAX));
    let entries = rows
        .into_iter()
        .map(|e| EntryView {
            source: source_of(e.bucket_id),
            // A reply's entries say `reply` (or `title`); a grant its reason.
            note: e.reference.map(|r| match r.split_once(':') {
                Some((what @ ("reply" | "title" | "invite"), _)) => what.to_owned(),
                _ => r,
            }),
            kind: e.kind,
            amount: e.amount,
            at: e.created_at.timestamp(),
        })
        .collect();
    let conversations = conversation_costs(db, user).await?;
    let spending = my_spending(services, user).await?;
    Ok(wire::credits::Wallet {
        spending,
        balance,
        quota,
        buckets: buckets
            .into_iter()
            .map(|b| {
                let expired = b.expires_at.is_some_and(|e| e <= now);
                BucketView {
                    left: if expired {
                        0
                    } else {
                        b.granted - b.settled - b.held - b.expired
                    },
                    source: b.source,
                    granted: b.granted,
                    held: b.held,
                    expires_at: b.expires_at.map(|e| e.timestamp()),
                    expired,
                }
            })
            .collect(),
        entries,
        more,
        conversations: conversations
            .into_iter()
            .map(|(id, title, credits)| ConversationCost { id, title, credits })
            .collect(),
    })
}

/// What each of the user's conversations was charged, the costliest 20.
async fn conversation_costs(db: &sea_orm::DatabaseConnection, user: Uuid) -> Result<Vec<(String, String, i64)>> {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = db.get_database_backend();
    let p = if backend == sea_orm::DatabaseBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "SELECT c.id AS id, c.title AS title, CAST(SUM(m.credits) AS BIGINT) AS credits \
                 FROM chat_messages m JOIN chat_conversations c ON c.id = m.conversation_id \
                 WHERE c.user_id = {p} AND m.credits IS NOT NULL \
                 GROUP BY c.id, c.title ORDER BY credits DESC LIMIT 20"
            ),
            [user.into()],
        ))
        .await?;
    let mut out = Vec::new();
    for row in rows {
        let id: Uuid = row.try_get("", "id")?;
        out.push((id.to_string(), row.try_get("", "title")?, row.try_get("", "credits")?));
    }
    Ok(out)
}
