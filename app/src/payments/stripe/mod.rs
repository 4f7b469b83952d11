//! Stripe (`stripe_payment`): the pricing and payment pages, Checkout, the
//! billing portal, and the webhook that grants access. Stripe holds all
//! card data; Keel keeps who paid, for what, and until when.

#[cfg(feature = "ssr")]
pub mod checkout;
#[cfg(feature = "ssr")]
pub mod client;
pub mod offers;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod settings;
#[cfg(feature = "ssr")]
pub mod signature;
#[cfg(feature = "ssr")]
pub mod subscription;
#[cfg(feature = "ssr")]
pub mod webhook;

use crate::error::AppError;
use leptos::prelude::*;
use offers::Offer;
use serde::{Deserialize, Serialize};

/// Where the gate sends signed-in users without access.
pub const PAYMENT_PATH: &str = "/payment";
/// The offers, for everyone.
pub const PRICING_PATH: &str = "/pricing";
/// Where Checkout returns to after paying.
pub const SUCCESS_PATH: &str = "/payment/success";

/// What the pricing page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pricing {
    pub offers: Vec<Offer>,
    /// `false` when the deployment has no Stripe keys yet.
    pub enabled: bool,
}

/// Where a checkout stands, for the success page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckoutProgress {
    /// Not confirmed by Stripe's webhook yet.
    Waiting,
    /// Access granted: go to `landing`.
    Granted { landing: String },
    /// A delayed payment method failed.
    Failed,
    /// The session expired unpaid.
    Expired,
}

/// The offers on sale.
#[server(endpoint = "billing/offers")]
pub async fn get_pricing() -> Result<Pricing, AppError> {
    let services = crate::services::use_services()?;
    let settings = services.stripe.as_ref().map(|s| &s.settings);
    Ok(Pricing {
        offers: settings
            .map(|s| s.offers.iter().map(|o| o.offer.clone()).collect())
            .unwrap_or_default(),
        enabled: settings.is_some(),
    })
}

/// Starts paying for `offer`: the Stripe Checkout URL to send the browser to.
#[server(endpoint = "billing/checkout")]
pub async fn start_checkout(offer: String) -> Result<String, AppError> {
    crate::error::finish(
        async {
            let services = crate::services::use_services()?;
            let current = crate::auth::ssr::require_user()?;
            checkout::start(&services, &current, &offer).await
        }
        .await,
    )
}

/// Where the checkout `session_id` stands (the success page polls this).
#[server(endpoint = "billing/progress")]
pub async fn get_checkout_progress(session_id: String) -> Result<CheckoutProgress, AppError> {
    crate::error::finish(
        async {
            let services = crate::services::use_services()?;
            let current = crate::auth::ssr::require_user()?;
            checkout::progress(&services, &current, &session_id).await
        }
        .await,
    )
}

/// Whether the user has a Stripe customer (and so a billing portal).
#[server(endpoint = "billing/account")]
pub async fn has_billing() -> Result<bool, AppError> {
    let services = crate::services::use_services()?;
    let current = crate::auth::ssr::require_user()?;
    Ok(services.stripe.is_some() && checkout::customer_of(&services, current.user.id).await?.is_some())
}

/// A Stripe billing portal URL (change plan, card, cancel, invoices).
#[server(endpoint = "billing/portal")]
pub async fn open_billing_portal() -> Result<String, AppError> {
    crate::error::finish(
        async {
            let services = crate::services::use_services()?;
            let current = crate::auth::ssr::require_user()?;
            checkout::portal(&services, &current).await
        }
        .await,
    )
}
