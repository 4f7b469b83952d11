use crate::components::viewer::use_viewer;
use crate::components::{AccessNotice, SignOutButton, use_setup};
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

/// `/invite-only`: where users without access land when the instance
/// takes no payments (a build without them, or Stripe not configured),
/// and what a refused registration points to. A user who has access is
/// told so and sent on.
#[component]
pub fn InviteOnlyPage() -> impl IntoView {
    let viewer = use_viewer();
    move || {
        if viewer.with(|v| v.is_some_and(|v| v.access.granted)) {
            view! { <AllSet /> }.into_any()
        } else {
            view! { <InviteOnly /> }.into_any()
        }
    }
}

/// No access, no payments: accounts are by invitation, and whom to ask.
#[component]
pub fn InviteOnly() -> impl IntoView {
    let locale = use_locale();
    let viewer = use_viewer();
    view! {
        <Title text=locale.t(Key::InviteOnlyTitle) />
        <section class="mx-auto flex w-full max-w-xl flex-col gap-4 px-4 py-12" data-testid="invite-only">
            <h1 class="text-2xl font-bold">{locale.t(Key::InviteOnlyTitle)}</h1>
            <div class="card flex flex-col gap-4">
                <AccessNotice />
                <p>{locale.t(Key::InviteOnlyBody)}</p>
                <AskForInvite />
                {move || viewer.signed_in().then(|| view! { <div><SignOutButton /></div> })}
            </div>
        </section>
    }
}

/// "To ask for an invitation, write to …" with the `SUPPORT_EMAIL`
/// link; nothing when no support address is set.
#[component]
pub fn AskForInvite() -> impl IntoView {
    let locale = use_locale();
    use_setup().support_link().map(|(href, email)| {
        let text = locale.t(Key::AskForInvite);
        let (before, after) = text.split_once("{email}").unwrap_or((text, ""));
        view! {
            <p data-testid="support-contact">
                {before.to_owned()}
                <a href=href class="link">{email}</a>
                {after.to_owned()}
            </p>
        }
    })
}

/// For a user who has access and lands on a page about getting it:
/// what their access is, and the way in.
#[component]
pub fn AllSet() -> impl IntoView {
    let locale = use_locale();
    view! {
        <Title text=locale.t(Key::AllSetTitle) />
        <section class="mx-auto flex w-full max-w-xl flex-col gap-4 px-4 py-12" data-testid="all-set">
            <h1 class="text-2xl font-bold">{locale.t(Key::AllSetTitle)}</h1>
            <div class="card flex flex-col gap-4">
                <AccessNotice />
                <a href=wire::features::main_path() class="btn-primary self-start">{locale.t(Key::NavOpenApp)}</a>
            </div>
        </section>
    }
}
