//! What the app needs to take payments through Stripe. The server reads these
//! from the environment (`server/src/config/payments.rs`); tests build them.

use super::offers::PricedOffer;
use secrecy::SecretString;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct StripeSettings {
    /// `STRIPE_SECRET_KEY` (`sk_live_…`, `sk_test_…` or a restricted `rk_…`).
    pub secret_key: SecretString,
    /// `STRIPE_WEBHOOK_SECRET`: one or more endpoint secrets (`whsec_…`);
    /// several while one is being rotated out.
    pub webhook_secrets: Vec<SecretString>,
    /// `STRIPE_API_BASE`, ending in `/` (default `https://api.stripe.com/`).
    pub api_base: String,
    /// `STRIPE_OFFERS`.
    pub offers: Vec<PricedOffer>,
    /// `STRIPE_PAST_DUE_GRACE`: how long a past-due subscription keeps access
    /// after its paid period.
    pub past_due_grace: Duration,
    /// `STRIPE_WEBHOOK_BODY_LIMIT_BYTES`: larger webhook bodies get 413
    /// before anything is computed over them.
    pub webhook_body_limit: usize,
}

/// Stripe's events are a few KiB; 256 KiB leaves room for large invoices.
pub const DEFAULT_WEBHOOK_BODY_LIMIT: usize = 256 * 1024;

impl StripeSettings {
    pub fn offer(&self, id: &str) -> Option<&PricedOffer> {
        self.offers.iter().find(|o| o.offer.id == id)
    }
}
