//! Payments: who paid, for what, until when. Card data stays with the
//! provider. The only provider is Stripe (`stripe_payment`): pricing,
//! Checkout, the billing portal and the webhook that grants access.

pub mod stripe;
