//! Stripe (`stripe_payment`): Checkout, the billing portal, and the
//! webhook that grants access. Stripe holds all card data; the app keeps who
//! paid, for what, and until when.

pub mod checkout;
pub mod client;
pub mod offers;
pub mod settings;
pub mod signature;
pub mod subscription;
pub mod webhook;
