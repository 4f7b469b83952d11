//! Building blocks shared by every page.

mod footer;
pub mod form;
mod header;
mod locale_switcher;
mod nav_link;
mod post_form;
pub mod setup;
mod sign_out;
mod theme_toggle;
pub mod viewer;

pub use footer::Footer;
pub use header::Header;
pub use locale_switcher::LocaleSwitcher;
pub use nav_link::{NavLink, aria_current};
pub use post_form::PostForm;
pub use setup::{Setup, use_setup};
pub use sign_out::SignOutButton;
pub use theme_toggle::ThemeToggle;
pub use viewer::{AccessNotice, Gated};

use leptos::prelude::*;

/// True once the WASM has hydrated the page.
#[derive(Clone, Copy)]
pub struct Hydrated(pub Signal<bool>);

#[cfg(feature = "hydrate")]
thread_local! {
    /// Set by [`crate::hydrate`] once the whole page, including a page
    /// chunk it waited for, has hydrated.
    static HYDRATED: ArcRwSignal<bool> = ArcRwSignal::new(false);
}

/// Provides [`Hydrated`]: false on the server and until the browser has
/// hydrated all of the page, so the flag flips exactly when interactive
/// controls start to work. (Not an effect: effects may run while a lazily
/// loaded page still waits for its chunk, before its controls hydrate.)
pub fn provide_hydration_flag() {
    #[cfg(feature = "hydrate")]
    let flag = HYDRATED.with(|flag| Signal::from(flag.read_only()));
    #[cfg(not(feature = "hydrate"))]
    let flag = Signal::stored(false);
    provide_context(Hydrated(flag));
}

/// Marks the page hydrated (see [`provide_hydration_flag`]).
#[cfg(feature = "hydrate")]
pub(crate) fn hydration_finished() {
    HYDRATED.with(|flag| flag.set(true));
}

/// Whether the page is interactive yet. Controls that need the WASM stay
/// disabled (and show a pending state) until this turns true.
pub fn use_hydrated() -> Signal<bool> {
    use_context::<Hydrated>()
        .map(|h| h.0)
        .unwrap_or_else(|| Signal::stored(false))
}
