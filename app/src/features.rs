//! The feature registry: each product feature compiled into this build,
//! listed once ([`ALL`]), with the page routes it mounts. Adding a feature
//! is its own folder plus a line here; the header, the landing page, the
//! account page and the server's start-up read the list and name no
//! feature themselves. (Its gate rules and start page are in
//! `wire::features`, its operations and services in `domain::features`.)

use crate::feature::{AccountCard, Feature, Nav};
use crate::i18n::Key;

/// Every product feature of this build, in a stable order.
pub const ALL: &[Feature] = &[
    #[cfg(feature = "local_auth")]
    Feature::named("local_auth"),
    #[cfg(feature = "google_auth")]
    crate::auth::oauth::GOOGLE,
    #[cfg(feature = "github_auth")]
    crate::auth::oauth::GITHUB,
    #[cfg(feature = "db_sqlite")]
    Feature::named("db_sqlite"),
    #[cfg(feature = "db_pg")]
    Feature::named("db_pg"),
    #[cfg(feature = "stripe_payment")]
    crate::payments::FEATURE,
    #[cfg(feature = "chat")]
    crate::chat::FEATURE,
];

// The page routes each feature mounts (one route per transparent
// component: with `erase_components` a component may not return several),
// or nothing in a build without it.

#[cfg(feature = "local_auth")]
pub use crate::auth::pages::{ForgotPasswordRoute, ResetPasswordRoute, VerifyEmailRoute};
#[cfg(not(feature = "local_auth"))]
#[leptos::component(transparent)]
pub fn VerifyEmailRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    no_routes()
}
#[cfg(not(feature = "local_auth"))]
#[leptos::component(transparent)]
pub fn ForgotPasswordRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    no_routes()
}
#[cfg(not(feature = "local_auth"))]
#[leptos::component(transparent)]
pub fn ResetPasswordRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    no_routes()
}

/// Without payments, users without access learn the service is invite only.
#[cfg(not(feature = "stripe_payment"))]
pub use crate::pages::InviteOnlyRoute as PaymentRoute;
#[cfg(feature = "stripe_payment")]
pub use crate::payments::stripe::pages::{PaymentRoute, PaymentSuccessRoute, PricingRoute};
#[cfg(not(feature = "stripe_payment"))]
#[leptos::component(transparent)]
pub fn PaymentSuccessRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    no_routes()
}
#[cfg(not(feature = "stripe_payment"))]
#[leptos::component(transparent)]
pub fn PricingRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    no_routes()
}

#[cfg(feature = "chat")]
pub use crate::chat::ChatRoutes;
/// Without `chat` there are no chat routes: `/chat` is a 404.
#[cfg(not(feature = "chat"))]
#[leptos::component(transparent)]
pub fn ChatRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    no_routes()
}

/// No routes: a feature's routes in a build without it. (Type-erased, so
/// it also fits where components are erased, as in the WASM.)
#[allow(dead_code)]
fn no_routes() -> leptos_router::any_nested_route::AnyNestedRoute {
    use leptos_router::any_nested_route::IntoAnyNestedRoute;
    ().into_any_nested_route()
}

/// The header's link to the main page: the first feature's that has one,
/// else the holding page.
pub fn main_nav() -> Nav {
    ALL.iter().find_map(|f| f.nav).unwrap_or(Nav {
        path: wire::paths::HOLDING_PATH,
        label: Key::NavOpenApp,
    })
}

/// The landing page's cards of this build's features that this instance
/// offers (payments without a Stripe key promise nothing).
pub fn pitches(setup: &crate::components::Setup) -> Vec<(Key, Key)> {
    ALL.iter()
        .filter(|f| setup.offers(f.name))
        .filter_map(|f| f.pitch)
        .collect()
}

/// The account page's cards of this build's features, made now (with
/// the page): a line per feature that has one. Called, not read from
/// [`ALL`]: a function pointer in the registry's data would keep the card
/// in the main WASM module, which every page loads; called only from the
/// account page, it goes into that page's chunk.
pub fn account_cards() -> Vec<AccountCard> {
    vec![
        #[cfg(feature = "stripe_payment")]
        crate::payments::stripe::pages::account_card(),
    ]
}

/// The names of the features of this build, for logs and diagnostics.
pub fn enabled() -> Vec<&'static str> {
    ALL.iter().map(|f| f.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_feature_is_listed_once() {
        let mut names = enabled();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        assert!(!ALL.is_empty());
    }

    #[test]
    fn the_headers_main_link_is_where_members_start() {
        assert_eq!(main_nav().path, wire::features::main_path());
    }
}
