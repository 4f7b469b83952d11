//! What a reply may cost and what it did: the chat's use of the credits
//! ledger ([`crate::credits`]).
//!
//! Before the model is asked, the reply is priced at its model's rate card
//! and, with credits enforced, a hold is taken for the prompt (estimated
//! from above: the history actually sent, after trimming) plus the longest
//! reply asked for. A user who cannot afford that reply gets a shorter
//! one (`max_tokens` lowered to what they can pay for), down to
//! `CREDITS_MIN_OUTPUT_TOKENS`; below it the reply is refused before any
//! upstream request. When the reply ends, its usage is priced and settled
//! in the transaction that saves it (never more than held; an overrun is
//! the operator's cost), and the rest is released.

use super::provider::{ChatRequest, Turn};
use super::settings::ModelEntry;
use crate::credits::ledger::{self, Hold, HoldRequest};
use crate::credits::prices::{self, Card, FREE, Tokens};
use crate::error::{DomainError, Result};
use crate::services::Services;
use chrono::{DateTime, Utc};
use entity::credit_usage as usage;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set};
use std::sync::atomic::{AtomicU32, Ordering};
use uuid::Uuid;

/// A reply's pricing, decided before the model is asked.
#[derive(Clone, Debug)]
pub(super) struct Billing {
    pub account: Uuid,
    pub model: String,
    pub card: Card,
    /// With credits enforced and a priced model: the hold taken.
    pub hold: Option<Hold>,
    /// The longest reply to ask for (lowered to what the user can afford).
    pub max_output_tokens: u32,
}

/// The card for `model` now: the stored one, else free for the demo model.
pub(super) async fn card(db: &impl ConnectionTrait, model: &str) -> Result<Option<Card>, DbErr> {
    Ok(match prices::current(db, model, Utc::now()).await? {
        Some(card) => Some(card),
        None if model == super::provider::demo::MODEL_ID => Some(FREE),
        None => None,
    })
}

/// Tokens the prompt cannot exceed: every byte of its UTF-8 a token (the
/// providers' tokenizers are byte-level: no token is shorter than a byte,
/// while an emoji or a rare character can take several; English runs near
/// four bytes a token), a few more per turn for the roles and separators,
/// capped by the model's context window.
pub(super) fn input_ceiling(request: &ChatRequest, entry: &ModelEntry) -> i64 {
    let bytes = request.system.as_deref().map_or(0, str::len)
        + request.turns.iter().map(|t: &Turn| t.text.len()).sum::<usize>();
    let turns = request.turns.len() + usize::from(request.system.is_some());
    wire::credits::input_ceiling(bytes, turns, entry.context_window)
}

/// Prices the reply to `request` and, when credits are enforced, holds
/// what it may cost, lowering `max_output_tokens` to what the user can
/// afford. Refuses an unpriced model, or a user who cannot afford
/// `CREDITS_MIN_OUTPUT_TOKENS`, before anything is asked upstream.
pub(super) async fn prepare(
    services: &Services,
    account: Uuid,
    entry: &ModelEntry,
    request: &ChatRequest,
    reference: &str,
) -> Result<Billing> {
    let credits = &services.settings.credits;
    let card = card(&services.db, &entry.id).await?;
    let configured = request.max_output_tokens;
    let free = Billing {
        account,
        model: entry.id.clone(),
        card: card.unwrap_or(FREE),
        hold: None,
        max_output_tokens: configured,
    };
    let card = match card {
        Some(card) if credits.enforce && !card.free => card,
        // Unpriced: refused while credits are enforced; else recorded at no cost.
        None if credits.enforce => {
            return Err(DomainError::ModelNotPriced {
                model: entry.id.clone(),
            });
        }
        _ => return Ok(free),
    };
    let input = input_ceiling(request, entry);
    // The prompt is held at its dearest input price: a provider may write
    // any of it to its cache, which can cost more than plain input.
    let held_at = Card {
        input: card.input.max(card.cached_input).max(card.cache_write),
        ..card
    };
    let floor = credits.min_output_tokens.min(configured);
    let chosen = AtomicU32::new(configured);
    let hold = ledger::hold(
        &services.db,
        &HoldRequest {
            account,
            model: entry.id.clone(),
            card,
            reference: reference.to_owned(),
            actor: format!("user:{account}"),
            quota: credits.free_quota,
            ttl: credits.hold_ttl,
        },
        |available| {
            let affordable = held_at.affordable_output(available, input);
            let max = u32::try_from(affordable.min(u64::from(configured))).unwrap_or(configured);
            if max < floor {
                return Err(DomainError::OutOfCredits {
                    units: credits.units,
                    available,
                    needed: held_at.cost(Tokens {
                        input,
                        output: i64::from(floor),
                        ..Tokens::default()
                    }),
                });
            }
            chosen.store(max, Ordering::Relaxed);
            Ok(held_at
                .cost(Tokens {
                    input,
                    output: i64::from(max),
                    ..Tokens::default()
                })
                .max(1))
        },
    )
    .await?;
    Ok(Billing {
        account,
        model: entry.id.clone(),
        card,
        hold: Some(hold),
        max_output_tokens: chosen.load(Ordering::Relaxed),
    })
}

/// Prices `tokens` (`None`: the model processed nothing, so nothing is
/// owed, not even the request fee), settles the hold (never more than it
/// holds) and records the call, in the caller's transaction; what was
/// charged. A billing without a hold records the cost without charging.
pub(super) async fn settle(
    db: &impl ConnectionTrait,
    billing: &Billing,
    reference: String,
    purpose: &str,
    tokens: Option<Tokens>,
    now: DateTime<Utc>,
) -> Result<i64, DbErr> {
    let cost = tokens.map_or(0, |t| billing.card.cost(t));
    let tokens = tokens.unwrap_or_default();
    let charged = match billing.hold {
        Some(hold) => match ledger::settle_in(db, hold.id, cost, &format!("user:{}", billing.account), now).await? {
            Some(charged) => charged,
            None => {
                tracing::warn!(reference, hold = %hold.id, cost, "the hold was resolved before its call ended: nothing charged");
                0
            }
        },
        None => 0,
    };
    if cost > charged && billing.hold.is_some() {
        tracing::warn!(
            reference,
            cost,
            charged,
            "a call cost more than was held: the rest is the operator's"
        );
    }
    usage::Entity::insert(usage::ActiveModel {
        id: Set(Uuid::new_v4()),
        account_id: Set(billing.account),
        reference: Set(reference),
        purpose: Set(purpose.to_owned()),
        model: Set(billing.model.clone()),
        input_tokens: Set(tokens.input),
        output_tokens: Set(tokens.output),
        cached_tokens: Set(tokens.cached),
        cache_write_tokens: Set(tokens.cache_write),
        cost: Set(cost),
        charged: Set(charged),
        rate_card: Set(billing.card.to_json()),
        created_at: Set(now),
    })
    .on_conflict(OnConflict::column(usage::Column::Reference).do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    Ok(charged)
}
