//! The app's calls to Stripe's API, through `async-stripe` (1.0, per-area
//! crates). Every POST carries an idempotency key derived from what it
//! does, so a retried request returns the first answer instead of creating
//! a second customer or session. The base URL comes from config, so tests
//! run this same code against the fake Stripe in `end2end/fakes`.

use super::settings::StripeSettings;
use secrecy::ExposeSecret;
use std::collections::HashMap;
use stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeRequest};
use stripe_billing::billing_portal_session::CreateBillingPortalSession;
use stripe_billing::subscription::CancelSubscription;
use stripe_checkout::CheckoutSessionMode;
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionPaymentIntentData,
    CreateCheckoutSessionSubscriptionData,
};
use stripe_core::customer::CreateCustomer;

/// Why a call to Stripe failed (logged; users read a generic message).
#[derive(Debug, thiserror::Error)]
pub enum StripeCallError {
    #[error("Stripe: {0}")]
    Api(#[from] stripe::StripeError),
    #[error("idempotency key: {0:?}")]
    Key(stripe::IdempotentKeyError),
    #[error("Stripe answered without {0}")]
    Incomplete(&'static str),
}

/// The Stripe client and its settings.
pub struct Stripe {
    client: Client,
    pub settings: StripeSettings,
    /// Serialises webhook transactions in this process (SQLite has one writer).
    pub(crate) webhook_lock: tokio::sync::Mutex<()>,
    /// Webhook signatures checked at once (each off the runtime's threads).
    pub(crate) verifying: tokio::sync::Semaphore,
    /// HMACs of webhook bodies computed so far (the cost an unauthenticated
    /// caller can impose; tests read it).
    pub(crate) webhook_macs: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for Stripe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stripe")
            .field("api_base", &self.settings.api_base)
            .finish_non_exhaustive()
    }
}

/// A Checkout Session the app asked for.
pub struct CheckoutRequest<'a> {
    pub idempotency_key: &'a str,
    pub customer: &'a str,
    pub user_id: &'a str,
    pub offer_id: &'a str,
    pub price_id: &'a str,
    pub mode: &'static str,
    pub pass_days: Option<u32>,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
}

/// What Stripe created.
pub struct CreatedSession {
    pub id: String,
    pub url: String,
    pub expires_at: i64,
}

/// Webhook signatures verified at once, each on a blocking thread.
const VERIFYING_AT_ONCE: usize = 4;

fn key(value: &str) -> Result<RequestStrategy, StripeCallError> {
    IdempotencyKey::new(value)
        .map(RequestStrategy::Idempotent)
        .map_err(StripeCallError::Key)
}

impl Stripe {
    pub fn new(settings: StripeSettings) -> Result<Self, StripeCallError> {
        let client = ClientBuilder::new(settings.secret_key.expose_secret())
            .url(settings.api_base.clone())
            .app_info(
                wire::brand::PRODUCT_NAME,
                Some(env!("CARGO_PKG_VERSION").to_owned()),
                None,
            )
            .timeout(std::time::Duration::from_secs(20))
            .build()?;
        Ok(Stripe {
            client,
            settings,
            webhook_lock: tokio::sync::Mutex::new(()),
            verifying: tokio::sync::Semaphore::new(VERIFYING_AT_ONCE),
            webhook_macs: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// HMACs of webhook bodies computed so far.
    pub fn webhook_macs(&self) -> u64 {
        self.webhook_macs.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Cancels a subscription now (once: the key names it). One Stripe
    /// no longer has is as good as cancelled.
    pub async fn cancel_subscription(&self, id: &str) -> Result<(), StripeCallError> {
        let sent = CancelSubscription::new(id)
            .customize()
            .request_strategy(key(&format!("{}-cancel-{id}", wire::brand::SLUG))?)
            .send(&self.client)
            .await;
        match sent {
            Ok(_) | Err(stripe::StripeError::Stripe(_, 404)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Creates the Stripe customer of `user_id` (once: the key is the user's id).
    pub async fn create_customer(&self, user_id: &str, email: &str, name: &str) -> Result<String, StripeCallError> {
        let customer = CreateCustomer::new()
            .email(email)
            .name(name)
            .metadata(HashMap::from([("user_id".to_owned(), user_id.to_owned())]))
            .customize()
            .request_strategy(key(&format!("{}-customer-{user_id}", wire::brand::SLUG))?)
            .send(&self.client)
            .await?;
        Ok(customer.id.to_string())
    }

    /// Creates a Checkout Session for one offer.
    pub async fn create_checkout_session(&self, r: &CheckoutRequest<'_>) -> Result<CreatedSession, StripeCallError> {
        let mut metadata = HashMap::from([
            ("user_id".to_owned(), r.user_id.to_owned()),
            ("offer".to_owned(), r.offer_id.to_owned()),
        ]);
        if let Some(days) = r.pass_days {
            metadata.insert("pass_days".to_owned(), days.to_string());
        }
        let mut item = CreateCheckoutSessionLineItems::new();
        item.price = Some(r.price_id.to_owned());
        item.quantity = Some(1);
        let mut request = CreateCheckoutSession::new()
            .customer(r.customer)
            .client_reference_id(r.user_id)
            .line_items(vec![item])
            .success_url(r.success_url)
            .cancel_url(r.cancel_url)
            .metadata(metadata.clone());
        // The subscription (or payment) carries the user too, so its own
        // events name them even when they arrive before the session's.
        if r.mode == "subscription" {
            let mut data = CreateCheckoutSessionSubscriptionData::new();
            data.metadata = Some(metadata);
            request = request.mode(CheckoutSessionMode::Subscription).subscription_data(data);
        } else {
            let mut data = CreateCheckoutSessionPaymentIntentData::new();
            data.metadata = Some(metadata);
            request = request.mode(CheckoutSessionMode::Payment).payment_intent_data(data);
        }
        let session = request
            .customize()
            .request_strategy(key(r.idempotency_key)?)
            .send(&self.client)
            .await?;
        Ok(CreatedSession {
            id: session.id.to_string(),
            url: session.url.ok_or(StripeCallError::Incomplete("a checkout URL"))?,
            expires_at: session.expires_at,
        })
    }

    /// Opens a billing portal session for `customer`; `idempotency_key`
    /// makes a double click open one session.
    pub async fn create_portal_session(
        &self,
        customer: &str,
        return_url: &str,
        idempotency_key: &str,
    ) -> Result<String, StripeCallError> {
        let session = CreateBillingPortalSession::new()
            .customer(customer)
            .return_url(return_url)
            .customize()
            .request_strategy(key(idempotency_key)?)
            .send(&self.client)
            .await?;
        Ok(session.url)
    }
}
