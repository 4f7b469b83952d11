//! Stripe: Checkout, webhooks and the billing portal (payments issue).

/// Path of the page the access gate sends users without access to.
pub const PAYMENT_PATH: &str = "/payment";
