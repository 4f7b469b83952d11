//! The HTML document around the app, rendered only on the server.

use crate::App;
use crate::hydration::{hydration, stylesheet};
use crate::prefs::initial_theme;
use leptos::prelude::*;
use leptos_meta::MetaTags;

/// The full HTML document. The server stamps `<html lang>` and
/// `<html data-theme>` from the request so the first paint is already in the
/// user's language and theme; the browser reads both back when hydrating.
pub fn shell(options: &LeptosOptions) -> impl IntoView + use<> {
    let locale = crate::i18n::provide_locale();
    let theme = initial_theme().attr();
    view! {
        <!DOCTYPE html>
        <html lang=locale.code() data-theme=theme>
            <head>
                <meta charset="utf-8" />
                // `resizes-content`: a phone's on-screen keyboard shrinks the
                // layout (and `dvh`), so the chat's composer stays above it.
                <meta name="viewport" content="width=device-width, initial-scale=1, interactive-widget=resizes-content" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                // Drawn from it by `cargo xtask build`, for what takes no SVG icon.
                <link rel="icon" href="/favicon-32.png" type="image/png" sizes="32x32" />
                <link rel="apple-touch-icon" href="/apple-touch-icon.png" />
                {stylesheet(options, live_reload())}
                {hydration(options)}
                // Only under `cargo xtask dev`: nothing to render, nor to copy the options for, otherwise.
                {live_reload().then(|| view! { <AutoReload options=options.clone() /> })}
                <MetaTags />
            </head>
            <body class="bg-primary-50 text-primary-950 antialiased dark:bg-primary-950 dark:text-primary-50">
                <App />
            </body>
        </html>
    }
}

/// Whether `cargo xtask dev` / `cargo leptos watch` asked for the
/// live-reload script: `LEPTOS_WATCH=true` exactly, as the server's
/// configuration reads it (it refuses other values at start), not merely
/// set, as Leptos' own check would have it.
/// Read once: the environment does not change while the server runs, and
/// this is asked at every page render.
fn live_reload() -> bool {
    static WATCH: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *WATCH.get_or_init(|| std::env::var("LEPTOS_WATCH").is_ok_and(|v| v.trim() == "true"))
}
