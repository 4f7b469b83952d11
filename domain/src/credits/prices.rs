//! Rate cards: what a model's tokens cost, in credits per million tokens
//! of each kind (input, output, input read from the provider's cache,
//! input written to it) plus an optional fee per request. Configured in
//! `CHAT_PRICES`, stored in `credit_prices` from the moment they take
//! effect (a changed price is a new row; what was priced keeps its card).
//!
//! A model without a card cannot be billed: with credits enforced it is
//! refused, unless its card says `free`.

use chrono::{DateTime, Utc};
use entity::credit_prices as rows;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A rate card as configured: either free, or priced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceConfig {
    pub model: String,
    pub card: Card,
    /// When it takes effect (`from=`); `None`: as soon as the server starts
    /// with it.
    pub from: Option<DateTime<Utc>>,
}

/// Prices in credits (smallest unit) per million tokens, and per request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    /// Costs nothing, holds nothing (the demo model).
    pub free: bool,
    /// The free quota may pay for it.
    pub quota: bool,
    pub input: i64,
    pub output: i64,
    pub cached_input: i64,
    pub cache_write: i64,
    pub request_fee: i64,
}

/// The card of a free model.
pub const FREE: Card = Card {
    free: true,
    quota: true,
    input: 0,
    output: 0,
    cached_input: 0,
    cache_write: 0,
    request_fee: 0,
};

/// Tokens of one call. `input` counts all of the prompt, including what
/// was read from or written to the provider's cache.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tokens {
    pub input: i64,
    pub output: i64,
    pub cached: i64,
    pub cache_write: i64,
}

const MILLION: i128 = 1_000_000;

impl Card {
    /// What `t` costs: each kind at its price, the sum rounded up to a
    /// whole credit, plus the fee. Saturates rather than overflows.
    pub fn cost(&self, t: Tokens) -> i64 {
        if self.free {
            return 0;
        }
        let plain = (t.input.max(0) - t.cached.max(0) - t.cache_write.max(0)).max(0);
        wire::credits::cost(
            &[
                (plain, self.input),
                (t.cached, self.cached_input),
                (t.cache_write, self.cache_write),
                (t.output, self.output),
            ],
            self.request_fee,
        )
    }

    /// The most output tokens `budget` credits pay for after `input`
    /// tokens of prompt (all at the full input price) and the fee.
    pub fn affordable_output(&self, budget: i64, input: i64) -> u64 {
        if self.free {
            return u64::MAX;
        }
        let left = (i128::from(budget) - i128::from(self.request_fee)) * MILLION
            - i128::from(input.max(0)) * i128::from(self.input);
        if left <= 0 || self.output <= 0 {
            return 0;
        }
        u64::try_from(left / i128::from(self.output)).unwrap_or(u64::MAX)
    }

    /// The card as stored on ledger rows.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(s: &str) -> Option<Card> {
        serde_json::from_str(s).ok()
    }
}

/// Parses `CHAT_PRICES`: comma-separated entries, each the model id then
/// `|`-separated fields: `free`, or `in=N|out=N` with optional
/// `cached=N` (defaults to `in`), `write=N` (defaults to `in`), `fee=N`,
/// `quota` (the free quota may pay) and `from=<RFC 3339 time>`. Prices are
/// credits per million tokens; each given number must be above zero.
pub fn parse_prices(value: &str) -> Result<Vec<PriceConfig>, String> {
    let mut out: Vec<PriceConfig> = Vec::new();
    for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let mut fields = entry.split('|').map(str::trim);
        let model = fields.next().unwrap_or_default();
        if model.is_empty() {
            return Err(format!("`{entry}`: start with the model id"));
        }
        let mut card = Card::default();
        let (mut input, mut output, mut cached, mut write, mut fee) = (None, None, None, None, None);
        let mut from = None;
        for field in fields {
            match field.split_once('=') {
                None if field == "free" => card = FREE,
                None if field == "quota" => card.quota = true,
                Some(("from", when)) => {
                    from = Some(
                        DateTime::parse_from_rfc3339(when)
                            .map_err(|_| format!("`{model}`: from={when} is not an RFC 3339 time"))?
                            .with_timezone(&Utc),
                    );
                }
                Some((key, _)) if !["in", "out", "cached", "write", "fee"].contains(&key) => {
                    return Err(format!(
                        "`{model}`: unknown field `{key}` (in, out, cached, write, fee, from)"
                    ));
                }
                Some((key, number)) => {
                    let n = number
                        .parse::<i64>()
                        .map_err(|_| format!("`{model}`: {key}={number} is not a whole number of credits"))?;
                    if n <= 0 {
                        return Err(format!(
                            "`{model}`: {key}={number}: a price must be above zero (write `{model}|free` for a free model)"
                        ));
                    }
                    let slot = match key {
                        "in" => &mut input,
                        "out" => &mut output,
                        "cached" => &mut cached,
                        "write" => &mut write,
                        "fee" => &mut fee,
                        _ => {
                            return Err(format!(
                                "`{model}`: unknown field `{key}` (in, out, cached, write, fee)"
                            ));
                        }
                    };
                    *slot = Some(n);
                }
                None => {
                    return Err(format!(
                        "`{model}`: unknown field `{field}` (free, quota, in=, out=, …)"
                    ));
                }
            }
        }
        if !card.free {
            let (Some(i), Some(o)) = (input, output) else {
                return Err(format!(
                    "`{model}`: give in= and out= (credits per million tokens), or `free`"
                ));
            };
            card.input = i;
            card.output = o;
            card.cached_input = cached.unwrap_or(i);
            card.cache_write = write.unwrap_or(i);
            card.request_fee = fee.unwrap_or(0);
        } else if input.or(output).or(cached).or(write).or(fee).is_some() {
            return Err(format!("`{model}`: a free model has no prices"));
        }
        if out.iter().any(|p| p.model == model && p.from == from) {
            return Err(format!("`{model}` is priced twice"));
        }
        out.push(PriceConfig {
            model: model.to_owned(),
            card,
            from,
        });
    }
    Ok(out)
}

fn card_of(row: &rows::Model) -> Card {
    Card {
        free: row.free,
        quota: row.quota,
        input: row.input,
        output: row.output,
        cached_input: row.cached_input,
        cache_write: row.cache_write,
        request_fee: row.request_fee,
    }
}

/// The card in effect for `model` at `at`.
pub async fn current(db: &impl ConnectionTrait, model: &str, at: DateTime<Utc>) -> Result<Option<Card>, DbErr> {
    Ok(rows::Entity::find()
        .filter(rows::Column::Model.eq(model))
        .filter(rows::Column::EffectiveFrom.lte(at))
        .order_by_desc(rows::Column::EffectiveFrom)
        .one(db)
        .await?
        .map(|r| card_of(&r)))
}

/// Every stored card, newest first per model.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<(String, DateTime<Utc>, Card)>, DbErr> {
    Ok(rows::Entity::find()
        .order_by_asc(rows::Column::Model)
        .order_by_desc(rows::Column::EffectiveFrom)
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.model.clone(), r.effective_from, card_of(&r)))
        .collect())
}

/// Stores the configured cards: a card with `from=` once at that time; a
/// card without it from `now`, unless the card in effect already says the
/// same. Returns how many rows were added.
pub async fn seed(db: &impl ConnectionTrait, configured: &[PriceConfig], now: DateTime<Utc>) -> Result<u64, DbErr> {
    let mut added = 0;
    for p in configured {
        if p.from.is_none() && current(db, &p.model, now).await? == Some(p.card) {
            continue;
        }
        let c = p.card;
        let row = rows::ActiveModel {
            id: Set(Uuid::new_v4()),
            model: Set(p.model.clone()),
            effective_from: Set(p.from.unwrap_or(now)),
            free: Set(c.free),
            quota: Set(c.quota),
            input: Set(c.input),
            output: Set(c.output),
            cached_input: Set(c.cached_input),
            cache_write: Set(c.cache_write),
            request_fee: Set(c.request_fee),
            created_at: Set(now),
        };
        added += rows::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([rows::Column::Model, rows::Column::EffectiveFrom])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_parse_with_defaults_and_flags() {
        let p = parse_prices("gpt|in=150|out=600|cached=75|quota, demo|free, c|in=3000|out=15000|write=3750|fee=2")
            .unwrap();
        assert_eq!(p[0].card.cached_input, 75);
        assert_eq!(p[0].card.cache_write, 150, "write defaults to in");
        assert!(p[0].card.quota && !p[0].card.free);
        assert!(p[1].card.free);
        assert_eq!(p[2].card.request_fee, 2);
    }

    #[test]
    fn bad_prices_name_the_model() {
        for (value, says) in [
            ("gpt|in=0|out=1", "above zero"),
            ("gpt|in=-5|out=1", "above zero"),
            ("gpt|in=1", "give in= and out="),
            ("gpt|in=1.5|out=2", "whole number"),
            ("gpt|free|in=1", "no prices"),
            ("gpt|colour=blue", "unknown field"),
            ("gpt|in=1|out=1,gpt|in=2|out=2", "twice"),
            ("gpt|in=1|out=1|from=tomorrow", "RFC 3339"),
        ] {
            let err = parse_prices(value).unwrap_err();
            assert!(err.contains(says) && err.contains("gpt"), "{value}: {err}");
        }
    }

    #[test]
    fn cost_prices_each_kind_apart_and_rounds_up() {
        let card = Card {
            input: 1_000,
            output: 4_000,
            cached_input: 100,
            cache_write: 1_250,
            request_fee: 3,
            ..Card::default()
        };
        // 600 plain input, 300 cached, 100 written, 250 output.
        let t = Tokens {
            input: 1_000,
            output: 250,
            cached: 300,
            cache_write: 100,
        };
        // 600_000 + 30_000 + 125_000 + 1_000_000 = 1_755_000 µ → 2 credits, + 3.
        assert_eq!(card.cost(t), 5);
        assert_eq!(card.cost(Tokens::default()), 3, "the fee alone");
        assert_eq!(FREE.cost(t), 0);
        // Nothing overflows.
        let huge = Card {
            input: i64::MAX,
            output: i64::MAX,
            ..Card::default()
        };
        let t = Tokens {
            input: i64::MAX,
            output: i64::MAX,
            ..Tokens::default()
        };
        assert_eq!(huge.cost(t), i64::MAX);
    }

    #[test]
    fn affordable_output_is_what_the_budget_pays_for() {
        let card = Card {
            input: 1_000,
            output: 2_000_000,
            request_fee: 1,
            ..Card::default()
        };
        // 10 credits: 1 fee, 1,000 input tokens = 1 credit → 8 credits = 4 tokens.
        assert_eq!(card.affordable_output(10, 1_000), 4);
        let cost = card.cost(Tokens {
            input: 1_000,
            output: 4,
            ..Tokens::default()
        });
        assert!(cost <= 10, "{cost}");
        assert_eq!(card.affordable_output(1, 1_000), 0);
        assert_eq!(FREE.affordable_output(0, 1_000_000), u64::MAX);
    }
}
