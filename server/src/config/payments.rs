//! Stripe settings (`stripe_payment`): the secret key, the webhook
//! secrets, the API base URL (tests point it at the fake Stripe), the
//! offers and the past-due grace period. Without `STRIPE_SECRET_KEY`
//! payments are off: the pricing page says so and checkout refuses.

use super::{ConfigError, invalid};
use domain::payments::stripe::offers::parse_offers;
use domain::payments::stripe::settings::{DEFAULT_WEBHOOK_BODY_LIMIT, StripeSettings};
use domain::settings::parse_duration;
use secrecy::SecretString;

pub(super) fn stripe(get: &impl Fn(&str) -> Option<String>) -> Result<Option<StripeSettings>, ConfigError> {
    let Some(secret_key) = get("STRIPE_SECRET_KEY") else {
        return Ok(None);
    };
    if !["sk_", "rk_"].iter().any(|p| secret_key.starts_with(p)) {
        return Err(invalid(
            "STRIPE_SECRET_KEY",
            "<hidden>",
            "a Stripe secret key starts with sk_ or rk_",
        ));
    }
    let webhook_secrets: Vec<SecretString> = get("STRIPE_WEBHOOK_SECRET")
        .ok_or(ConfigError::Missing {
            name: "STRIPE_WEBHOOK_SECRET",
            why: "payments are on (STRIPE_SECRET_KEY), and webhooks are how they grant access",
        })?
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| SecretString::from(s.to_owned()))
        .collect();
    if webhook_secrets.is_empty() {
        return Err(invalid("STRIPE_WEBHOOK_SECRET", "", "name at least one whsec_… secret"));
    }
    let offers = get("STRIPE_OFFERS").ok_or(ConfigError::Missing {
        name: "STRIPE_OFFERS",
        why: "payments are on (STRIPE_SECRET_KEY), so there must be something to buy",
    })?;
    let offers = parse_offers(&offers).map_err(|reason| invalid("STRIPE_OFFERS", &offers, &reason))?;
    let mut api_base = get("STRIPE_API_BASE").unwrap_or_else(|| "https://api.stripe.com/".to_owned());
    if !(api_base.starts_with("https://") || api_base.starts_with("http://")) {
        return Err(invalid("STRIPE_API_BASE", &api_base, "must be an http(s) URL"));
    }
    // async-stripe appends `v1/…` to the base as written.
    if !api_base.ends_with('/') {
        api_base.push('/');
    }
    let grace = get("STRIPE_PAST_DUE_GRACE").unwrap_or_else(|| "3d".to_owned());
    let past_due_grace = if grace.trim() == "0" {
        std::time::Duration::ZERO
    } else {
        parse_duration(&grace).map_err(|reason| invalid("STRIPE_PAST_DUE_GRACE", &grace, &reason))?
    };
    let webhook_body_limit: usize = super::parse(
        get,
        "STRIPE_WEBHOOK_BODY_LIMIT_BYTES",
        &DEFAULT_WEBHOOK_BODY_LIMIT.to_string(),
    )?;
    if !(4096..=8 * 1024 * 1024).contains(&webhook_body_limit) {
        return Err(invalid(
            "STRIPE_WEBHOOK_BODY_LIMIT_BYTES",
            &webhook_body_limit.to_string(),
            "must be between 4096 and 8388608",
        ));
    }
    Ok(Some(StripeSettings {
        secret_key: SecretString::from(secret_key),
        webhook_secrets,
        api_base,
        offers,
        past_due_grace,
        webhook_body_limit,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(pairs: &[(&str, &str)]) -> Result<Option<StripeSettings>, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        stripe(&|k: &str| map.get(k).cloned())
    }

    const OFFERS: &str = "monthly:price_1M:month:9 USD";

    #[test]
    fn payments_are_off_without_a_key() {
        assert!(read(&[]).expect("ok").is_none());
    }

    #[test]
    fn a_key_needs_webhook_secrets_and_offers() {
        let err = read(&[("STRIPE_SECRET_KEY", "sk_test_1"), ("STRIPE_OFFERS", OFFERS)]).expect_err("no secret");
        assert!(err.to_string().contains("STRIPE_WEBHOOK_SECRET"), "{err}");
        let err =
            read(&[("STRIPE_SECRET_KEY", "sk_test_1"), ("STRIPE_WEBHOOK_SECRET", "whsec_1")]).expect_err("no offers");
        assert!(err.to_string().contains("STRIPE_OFFERS"), "{err}");
        let err = read(&[("STRIPE_SECRET_KEY", "pk_test_1")]).expect_err("publishable key");
        assert!(err.to_string().contains("sk_"), "{err}");
    }

    #[test]
    fn secrets_rotate_and_the_base_gets_its_slash() {
        let s = read(&[
            ("STRIPE_SECRET_KEY", "sk_test_1"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_old, whsec_new"),
            ("STRIPE_OFFERS", OFFERS),
            ("STRIPE_API_BASE", "http://127.0.0.1:9/stripe"),
            ("STRIPE_PAST_DUE_GRACE", "7d"),
        ])
        .expect("ok")
        .expect("on");
        assert_eq!(s.webhook_secrets.len(), 2);
        assert_eq!(s.api_base, "http://127.0.0.1:9/stripe/");
        assert_eq!(s.past_due_grace.as_secs(), 7 * 86_400);
        assert_eq!(s.offers[0].price_id, "price_1M");
        assert!(!format!("{s:?}").contains("sk_test_1"), "the key is not printed");
    }
}
