//! The AI chat: the product's main page (`chat`). This module owns the route
//! and its strings so they vanish from builds without `chat`, the decoding
//! of the providers' streams ([`stream`]) and the providers themselves
//! ([`provider`]) with their [`settings`], the user's [`conversations`]
//! (owner-scoped server functions) and the streaming [`reply`] endpoint.
//! The chat UI is still to come (issue 5).

pub mod conversations;
#[cfg(feature = "ssr")]
pub mod provider;
#[cfg(feature = "ssr")]
pub mod reply;
#[cfg(feature = "ssr")]
pub mod settings;
#[cfg(feature = "ssr")]
pub mod stream;

use crate::components::Gated;
use crate::i18n::{Key, use_locale};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Route;
use leptos_router::path;

/// The chat's route group, mounted by [`crate::App`].
#[component(transparent)]
pub fn ChatRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    view! { <Route path=path!("/chat") view=|| view! { <Gated><ChatPage /></Gated> } /> }.into_inner()
}

/// The chat page: an empty conversation list until the chat issue lands.
#[component]
pub fn ChatPage() -> impl IntoView {
    let locale = use_locale();
    view! {
        <Title text=locale.t(Key::ChatTitle) />
        <section class="mx-auto flex max-w-3xl flex-col items-center gap-3 px-4 py-16 text-center">
            <crate::pages::Welcome />
            <h1 class="text-2xl font-semibold">{locale.t(Key::ChatEmptyTitle)}</h1>
            <p class="text-indigo-800 dark:text-indigo-200">{locale.t(Key::ChatEmptyBody)}</p>
        </section>
    }
}
