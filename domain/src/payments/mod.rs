//! Payments: who paid, for what, until when. Card data stays with the
//! provider. The only provider is Stripe (`stripe_payment`).

pub mod stripe;
