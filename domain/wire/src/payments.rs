//! Payments as the pages see them: what is on sale, and where a checkout
//! stands (`stripe_payment`).

use crate::requirement::{Match, Requirement, Rule};
use serde::{Deserialize, Serialize};

/// Where the gate sends signed-in users without access.
pub const PAYMENT_PATH: &str = "/payment";
/// The offers, for everyone.
pub const PRICING_PATH: &str = "/pricing";
/// Where Checkout returns to after paying.
pub const SUCCESS_PATH: &str = "/payment/success";
/// Stripe's webhook endpoint.
pub const WEBHOOK_PATH: &str = "/webhooks/stripe";

/// How an offer bills.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OfferKind {
    /// A subscription renewed every month.
    Monthly,
    /// A subscription renewed every year.
    Yearly,
    /// One payment for this many days of access.
    Pass { days: u32 },
}

impl OfferKind {
    /// Stripe Checkout's `mode` for it.
    pub const fn checkout_mode(self) -> &'static str {
        match self {
            OfferKind::Monthly | OfferKind::Yearly => "subscription",
            OfferKind::Pass { .. } => "payment",
        }
    }

    pub const fn is_subscription(self) -> bool {
        matches!(self, OfferKind::Monthly | OfferKind::Yearly)
    }
}

/// An offer as the pricing page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    /// Stable id (`monthly`), used in URLs and metadata.
    pub id: String,
    pub kind: OfferKind,
    /// The price as shown (`9 USD`); Stripe's price decides what is charged.
    pub price: String,
}

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

/// The gate's rules for payments: the offers are public, buying needs a
/// verified address.
pub const GATE: &[Rule] = &[
    Rule(Match::Exact(PAYMENT_PATH), Requirement::Verified),
    Rule(Match::Exact(SUCCESS_PATH), Requirement::Verified),
    Rule(Match::Exact("/api/billing/offers"), Requirement::Public),
    Rule(Match::Prefix("/api/billing/"), Requirement::Verified),
];
