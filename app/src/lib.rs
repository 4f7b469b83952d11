//! The app's UI: components, routes and pages, and the thin adapters that
//! connect them to the business operations (`domain`).
//!
//! Compiled twice: with `ssr` into the server binary, with `hydrate` into
//! the WASM bundle. What both sides see is typed in `wire`; the product
//! features (`local_auth`, `chat`, …) decide which modules exist in both.
//! A server function or HTTP handler reads its context ([`server`]), calls
//! one domain operation, and maps the outcome to the wire.

#![recursion_limit = "256"]

#[cfg(not(any(feature = "local_auth", feature = "google_auth", feature = "github_auth")))]
compile_error!(
    "The app needs at least one sign-in method: enable one of the features `local_auth`, `google_auth` or `github_auth`."
);
#[cfg(not(any(feature = "db_sqlite", feature = "db_pg")))]
compile_error!("The app needs a database: enable the feature `db_sqlite` or `db_pg`.");
#[cfg(all(feature = "ssr", feature = "hydrate"))]
compile_error!(
    "`ssr` and `hydrate` must not be enabled in one build: build the server and the WASM separately (`cargo xtask build`)."
);

pub mod admin;
pub mod auth;
#[cfg(feature = "chat")]
pub mod chat;
pub mod chunk;
pub mod codec;
pub mod components;
pub mod credits;
pub mod error;
pub mod feature;
pub mod features;
/// The document around the app and its scripts: the server's only.
#[cfg(not(feature = "hydrate"))]
pub mod hydration;
pub mod i18n;
pub mod invites;
pub mod pages;
#[cfg(feature = "stripe_payment")]
pub mod payments;
pub mod prefs;
pub mod routes;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(not(feature = "hydrate"))]
pub mod shell;

pub use routes::App;

/// Hydrates the page the server rendered (the WASM's entry point calls
/// this). Asynchronously: a page whose code is a chunk of its own
/// ([`chunk`]) hydrates once the chunk has loaded; controls turn
/// interactive when all of the page has hydrated. `texts` are the
/// page's locale's (`locale`, its `<html lang>`): the WASM carries none,
/// so a page whose texts do not load stays as the server rendered it.
#[cfg(feature = "hydrate")]
pub fn hydrate(locale: &str, texts: &str) {
    let loaded = i18n::Locale::from_tag(locale)
        .ok_or_else(|| format!("the page's language `{locale}` is not one of this build's"))
        .and_then(|locale| wire::i18n::load(locale, texts).map_err(|e| e.to_string()));
    if let Err(e) = loaded {
        leptos::logging::error!("not hydrating: {e}");
        return;
    }
    let _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else {
            return;
        };
        leptos::mount::hydrate_from_async(body, App).await.forget();
        components::hydration_finished();
    });
}
#[cfg(not(feature = "hydrate"))]
pub use shell::shell;
pub use wire::{access, brand, gate};
