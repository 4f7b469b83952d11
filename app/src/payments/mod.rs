//! Payments: who paid, for what, until when. Card data stays with the
//! provider. The only provider is Stripe (`stripe_payment`): pricing,
//! Checkout, the billing portal and the webhook that grants access.

pub mod stripe;

/// Payments' hookup: the landing page's card, Stripe's webhook (outside the session: Stripe signs its
/// requests), and a note at start-up when payments are off.
pub const FEATURE: crate::feature::Feature = {
    let feature = crate::feature::Feature::named("stripe_payment")
        .pitch(
            crate::i18n::Key::FeatureBillingTitle,
            crate::i18n::Key::FeatureBillingBody,
        )
        .credits_path(wire::payments::PRICING_PATH);
    #[cfg(feature = "ssr")]
    let feature = feature.open_routes(stripe::webhook::router).report(report);
    feature
};

/// Warns when payments are compiled in but not configured.
#[cfg(feature = "ssr")]
fn report(services: &domain::services::Services) {
    if services.features.stripe.is_none() {
        tracing::warn!(
            "payments are compiled in but not configured (no STRIPE_SECRET_KEY): /pricing says so, checkout refuses"
        );
    }
}
