//! What a product feature adds to the app, as one descriptor: its link in
//! the header, its card on the landing page, its server routes, and what
//! it says at start-up. (Its card on the account page is listed apart,
//! in `features::account_cards`: see there.) Each feature defines its
//! own (`chat::FEATURE`, `payments::FEATURE`, …); the registry
//! (`features::ALL`) lists them. Its gate rules, paths and strings are
//! on the wire side (`wire::features`, its locale files).

use crate::i18n::Key;
use leptos::prelude::AnyView;
use std::sync::Arc;

#[cfg(feature = "ssr")]
use domain::services::Services;

/// A link in the header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nav {
    pub path: &'static str,
    pub label: Key,
}

/// A card on the account page, made with the page (its resources are
/// created outside the page's suspense, so it hydrates) and rendered in
/// the account's sections.
pub type AccountCard = Arc<dyn Fn() -> AnyView + Send + Sync>;

/// A product feature's hookup.
#[derive(Clone, Copy)]
pub struct Feature {
    /// Its Cargo feature's name.
    pub name: &'static str,
    /// Its link in the header; the first feature with one is the app's
    /// main page (it must be `wire::features::main_path`).
    pub nav: Option<Nav>,
    /// Its card on the landing page: title and text.
    pub pitch: Option<(Key, Key)>,
    /// Where users obtain credits through it (payments: the pricing page).
    pub credits_path: Option<&'static str>,
    /// Routes behind the session and the gate (the chat's reply stream,
    /// a provider's sign-in routes).
    #[cfg(feature = "ssr")]
    pub routes: fn() -> axum::Router<Services>,
    /// Routes outside the session (Stripe's webhook signs its requests).
    #[cfg(feature = "ssr")]
    pub open_routes: fn(&Services) -> axum::Router<Services>,
    /// Says once, at start-up, how it is configured.
    #[cfg(feature = "ssr")]
    pub report: fn(&Services),
}

impl Feature {
    /// A feature that adds nothing yet; the methods below add its parts.
    pub const fn named(name: &'static str) -> Self {
        Feature {
            name,
            nav: None,
            pitch: None,
            credits_path: None,
            #[cfg(feature = "ssr")]
            routes: axum::Router::new,
            #[cfg(feature = "ssr")]
            open_routes: |_| axum::Router::new(),
            #[cfg(feature = "ssr")]
            report: |_| {},
        }
    }

    pub const fn nav(mut self, path: &'static str, label: Key) -> Self {
        self.nav = Some(Nav { path, label });
        self
    }

    pub const fn pitch(mut self, title: Key, body: Key) -> Self {
        self.pitch = Some((title, body));
        self
    }

    pub const fn credits_path(mut self, path: &'static str) -> Self {
        self.credits_path = Some(path);
        self
    }

    #[cfg(feature = "ssr")]
    pub const fn routes(mut self, routes: fn() -> axum::Router<Services>) -> Self {
        self.routes = routes;
        self
    }

    #[cfg(feature = "ssr")]
    pub const fn open_routes(mut self, routes: fn(&Services) -> axum::Router<Services>) -> Self {
        self.open_routes = routes;
        self
    }

    #[cfg(feature = "ssr")]
    pub const fn report(mut self, report: fn(&Services)) -> Self {
        self.report = report;
        self
    }
}
