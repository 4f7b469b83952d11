//! Credits settings (`CREDITS_*`) and the rate cards (`CHAT_PRICES`),
//! checked against the chat's model catalogue.

use super::{ConfigError, duration, invalid, parse};
use domain::credits::prices::parse_prices;
use domain::credits::{CreditSettings, FreeQuota, Units};

pub(super) fn settings(get: &impl Fn(&str) -> Option<String>) -> Result<CreditSettings, ConfigError> {
    let decimals: u8 = parse(get, "CREDITS_DECIMALS", "2")?;
    if decimals > wire::credits::MAX_DECIMALS {
        return Err(invalid(
            "CREDITS_DECIMALS",
            &decimals.to_string(),
            &format!("at most {}", wire::credits::MAX_DECIMALS),
        ));
    }
    let per_currency_unit: i64 = parse(get, "CREDITS_PER_CURRENCY_UNIT", "100")?;
    if per_currency_unit <= 0 {
        return Err(invalid(
            "CREDITS_PER_CURRENCY_UNIT",
            &per_currency_unit.to_string(),
            "must be above zero",
        ));
    }
    let min_output_tokens: u32 = parse(get, "CREDITS_MIN_OUTPUT_TOKENS", "64")?;
    if min_output_tokens == 0 {
        return Err(invalid("CREDITS_MIN_OUTPUT_TOKENS", "0", "must be at least 1"));
    }
    let quota_amount: i64 = parse(get, "CREDITS_FREE_QUOTA", "0")?;
    if quota_amount < 0 {
        return Err(invalid(
            "CREDITS_FREE_QUOTA",
            &quota_amount.to_string(),
            "must be zero (off) or more",
        ));
    }
    let every_days: u32 = parse(get, "CREDITS_FREE_QUOTA_DAYS", "30")?;
    if every_days == 0 {
        return Err(invalid("CREDITS_FREE_QUOTA_DAYS", "0", "a cycle is at least one day"));
    }
    let low_balance: i64 = parse(get, "CREDITS_LOW_BALANCE", "100")?;
    if low_balance < 0 {
        return Err(invalid(
            "CREDITS_LOW_BALANCE",
            &low_balance.to_string(),
            "must be zero (never) or more",
        ));
    }
    let raw = get("CHAT_PRICES").unwrap_or_default();
    let prices = parse_prices(&raw).map_err(|reason| invalid("CHAT_PRICES", &raw, &reason))?;
    let hold_ttl = duration(get, "CREDITS_HOLD_TTL", "1h")?;
    if hold_ttl < std::time::Duration::from_secs(60) {
        return Err(invalid(
            "CREDITS_HOLD_TTL",
            &format!("{}s", hold_ttl.as_secs()),
            "at least a minute: a hold must outlive its reply",
        ));
    }
    Ok(CreditSettings {
        enforce: parse(get, "CREDITS_ENFORCE", "true")?,
        units: Units { decimals },
        per_currency_unit,
        min_output_tokens,
        hold_ttl,
        free_quota: (quota_amount > 0).then_some(FreeQuota {
            amount: quota_amount,
            every_days,
        }),
        charge_titles: parse(get, "CREDITS_CHARGE_TITLES", "false")?,
        low_balance,
        prices,
    })
}

/// Every priced model is in the catalogue, and the demo model is free
/// unless `CHAT_PRICES` prices it.
#[cfg(feature = "chat")]
pub(super) fn check_catalogue(
    credits: &mut CreditSettings,
    chat: &domain::chat::settings::ChatSettings,
) -> Result<(), ConfigError> {
    use domain::credits::prices::{FREE, PriceConfig};
    let raw = credits
        .prices
        .iter()
        .map(|p| p.model.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    for p in &credits.prices {
        if !chat.models.iter().any(|m| m.id == p.model) {
            return Err(invalid(
                "CHAT_PRICES",
                &raw,
                &format!("`{}` is not in CHAT_MODELS", p.model),
            ));
        }
    }
    // A reply's hold must outlive the reply: the sweep resolves an expired
    // hold from what was saved, so a reply still running past it (its row
    // deleted with its conversation, say) would go free.
    if credits.hold_ttl < chat.stale_reply_after {
        return Err(invalid(
            "CREDITS_HOLD_TTL",
            &format!("{}s", credits.hold_ttl.as_secs()),
            &format!(
                "must be at least CHAT_STALE_REPLY_AFTER ({}s): a hold must outlive its reply",
                chat.stale_reply_after.as_secs()
            ),
        ));
    }
    let demo = domain::chat::provider::demo::MODEL_ID;
    if !credits.prices.iter().any(|p| p.model == demo) {
        credits.prices.push(PriceConfig {
            model: demo.to_owned(),
            card: FREE,
            from: None,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(pairs: &[(&str, &str)]) -> Result<CreditSettings, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        settings(&|k: &str| map.get(k).cloned())
    }

    #[test]
    fn defaults_enforce_with_two_decimals_and_no_quota() {
        let s = read(&[]).unwrap();
        assert!(s.enforce && s.free_quota.is_none() && !s.charge_titles);
        assert_eq!(s.units.decimals, 2);
        assert_eq!(s.min_output_tokens, 64);
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (name, value) in [
            ("CREDITS_DECIMALS", "19"),
            ("CREDITS_PER_CURRENCY_UNIT", "0"),
            ("CREDITS_MIN_OUTPUT_TOKENS", "0"),
            ("CREDITS_FREE_QUOTA", "-1"),
            ("CREDITS_FREE_QUOTA_DAYS", "0"),
            ("CREDITS_HOLD_TTL", "5s"),
            ("CREDITS_ENFORCE", "maybe"),
            ("CREDITS_LOW_BALANCE", "-5"),
            ("CHAT_PRICES", "gpt|in=0|out=1"),
        ] {
            let err = read(&[(name, value)]).unwrap_err().to_string();
            assert!(err.contains(name), "{name}={value}: {err}");
        }
        let err = read(&[("CHAT_PRICES", "gpt-4o|in=-1|out=5")]).unwrap_err().to_string();
        assert!(err.contains("gpt-4o"), "the model is named: {err}");
    }

    #[test]
    fn a_quota_is_on_when_it_has_an_amount() {
        let s = read(&[("CREDITS_FREE_QUOTA", "500"), ("CREDITS_FREE_QUOTA_DAYS", "7")]).unwrap();
        assert_eq!(
            s.free_quota,
            Some(FreeQuota {
                amount: 500,
                every_days: 7
            })
        );
    }
}
