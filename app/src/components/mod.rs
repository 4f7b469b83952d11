//! Building blocks shared by every page.

mod footer;
pub mod form;
mod header;
mod locale_switcher;
mod sign_out;
mod theme_toggle;
pub mod viewer;

pub use footer::Footer;
pub use header::Header;
pub use locale_switcher::LocaleSwitcher;
pub use sign_out::SignOutButton;
pub use theme_toggle::ThemeToggle;
pub use viewer::{AccessNotice, Gated};

use leptos::prelude::*;

/// True once the WASM has hydrated the page.
#[derive(Clone, Copy)]
pub struct Hydrated(pub ReadSignal<bool>);

/// Provides [`Hydrated`]; effects run only in the browser, after hydration,
/// so the flag flips exactly when interactive controls start to work.
pub fn provide_hydration_flag() {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    provide_context(Hydrated(hydrated));
}

/// Whether the page is interactive yet. Controls that need the WASM stay
/// disabled (and show a pending state) until this turns true.
pub fn use_hydrated() -> ReadSignal<bool> {
    use_context::<Hydrated>()
        .map(|h| h.0)
        .unwrap_or_else(|| signal(false).0)
}
