use crate::i18n::{Key, use_locale};
use leptos::prelude::*;
use leptos_meta::Title;
use wire::paths::HOME_PATH;

/// Shown for any unknown path, with a 404 status on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let locale = use_locale();
    view! {
        <Title text=locale.t(Key::NotFoundTitle) />
        <section class="mx-auto flex max-w-2xl flex-col items-center gap-4 px-4 py-20 text-center">
            <p class="text-6xl font-bold text-accent-700 dark:text-accent-400">"404"</p>
            <h1 class="text-2xl font-semibold">{locale.t(Key::NotFoundTitle)}</h1>
            <p class="text-primary-800 dark:text-primary-200">{locale.t(Key::NotFoundBody)}</p>
            <a href=HOME_PATH class="btn-primary">{locale.t(Key::NotFoundBack)}</a>
        </section>
    }
}
