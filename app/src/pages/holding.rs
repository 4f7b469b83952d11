use crate::i18n::{Key, use_locale};
use leptos::prelude::*;
use leptos_meta::Title;

/// The signed-in main page of builds without `chat`.
#[component]
pub fn HoldingPage() -> impl IntoView {
    let locale = use_locale();
    view! {
        <Title text=locale.t(Key::HoldingTitle) />
        <section class="mx-auto flex max-w-2xl flex-col gap-4 px-4 py-20 text-center">
            <h1 class="text-3xl font-bold">{locale.t(Key::HoldingTitle)}</h1>
            <p class="text-indigo-800 dark:text-indigo-200">{locale.t(Key::HoldingBody)}</p>
        </section>
    }
}
