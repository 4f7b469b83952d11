//! Stripe (`stripe_payment`): the pricing and payment pages, Checkout, the
//! billing portal, and the webhook that grants access. Stripe holds all
//! card data; the app keeps who paid, for what, and until when.

pub mod pages;
#[cfg(feature = "ssr")]
pub mod webhook;

use crate::error::AppError;
use leptos::prelude::*;
pub use wire::payments::{CheckoutProgress, Offer, OfferKind, Pricing};
pub use wire::payments::{PAYMENT_PATH, PRICING_PATH, SUCCESS_PATH};

#[cfg(feature = "ssr")]
use {
    crate::server::{context, finish},
    domain::payments::stripe::checkout as ops,
};

/// The offers on sale.
#[server(endpoint = "billing/offers")]
pub async fn get_pricing() -> Result<Pricing, AppError> {
    let (services, _) = context()?;
    Ok(ops::pricing(&services))
}

/// Starts paying for `offer`: the Stripe Checkout URL to send the browser to.
#[server(endpoint = "billing/checkout")]
pub async fn start_checkout(offer: String) -> Result<String, AppError> {
    let (services, actor) = context()?;
    finish(ops::start(&services, &actor, &offer).await)
}

/// Where the checkout `session_id` stands (the success page polls this).
#[server(endpoint = "billing/progress")]
pub async fn get_checkout_progress(session_id: String) -> Result<CheckoutProgress, AppError> {
    let (services, actor) = context()?;
    finish(ops::progress(&services, &actor, &session_id).await)
}

/// Whether the user has a Stripe customer (and so a billing portal).
#[server(endpoint = "billing/account")]
pub async fn has_billing() -> Result<bool, AppError> {
    let (services, actor) = context()?;
    finish(ops::has_billing(&services, &actor).await)
}

/// A Stripe billing portal URL (change plan, card, cancel, invoices).
#[server(endpoint = "billing/portal")]
pub async fn open_billing_portal() -> Result<String, AppError> {
    let (services, actor) = context()?;
    finish(ops::portal(&services, &actor).await)
}
