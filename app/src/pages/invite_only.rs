use crate::components::viewer::use_viewer;
use crate::components::{AccessNotice, SignOutButton};
use crate::i18n::{Key, use_locale};
use leptos::prelude::*;
use leptos_meta::Title;

pub use wire::paths::INVITE_ONLY_PATH;

/// The invite-only page's route (the registry mounts it in a build
/// without payments).
#[component(transparent)]
pub fn InviteOnlyRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    use leptos_router::{components::Route, path};
    view! { <Route path=path!("/invite-only") view={leptos_router::Lazy::<InviteOnlyView>::new()} /> }.into_inner()
}

crate::lazy_page!(InviteOnlyView, invite_only, || view! { <InviteOnlyPage /> });

/// `/invite-only`: in a build without payments, where users without access
/// land, and what a refused registration points to.
#[component]
pub fn InviteOnlyPage() -> impl IntoView {
    let locale = use_locale();
    let viewer = use_viewer();
    view! {
        <Title text=locale.t(Key::InviteOnlyTitle) />
        <section class="mx-auto flex w-full max-w-xl flex-col gap-4 px-4 py-12">
            <h1 class="text-2xl font-bold">{locale.t(Key::InviteOnlyTitle)}</h1>
            <div class="card flex flex-col gap-4">
                <p>{locale.t(Key::InviteOnlyBody)}</p>
                <AccessNotice />
                {move || viewer.signed_in().then(|| view! { <SignOutButton /> })}
            </div>
        </section>
    }
}
