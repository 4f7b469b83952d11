use super::viewer::use_viewer;
use super::{LocaleSwitcher, ThemeToggle};
use crate::brand::PRODUCT_NAME;
use crate::i18n::{Key, use_locale};
use leptos::prelude::*;
use leptos_router::components::A;
use wire::paths::{ACCOUNT_PATH, ADMIN_PATH, HOME_PATH, SIGN_IN_PATH, SIGN_UP_PATH};

/// The top bar: brand, navigation, the user's menu (or sign-in links),
/// language and theme controls.
#[component]
pub fn Header() -> impl IntoView {
    let locale = use_locale();
    view! {
        <header class="border-b border-indigo-200 bg-white/80 backdrop-blur dark:border-indigo-800 dark:bg-indigo-900/80">
            <nav class="mx-auto flex max-w-5xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
                <A href=HOME_PATH attr:class="flex items-center gap-2 rounded text-lg font-bold focus:outline-none focus-visible:ring-2 focus-visible:ring-amber-400">
                    <img src="/favicon.svg" alt="" width="28" height="28" />
                    <span>{PRODUCT_NAME}</span>
                </A>
                <div class="flex flex-1 flex-wrap items-center gap-3 text-sm">
                    <A href=HOME_PATH attr:class="nav-link">{locale.t(Key::NavHome)}</A>
                    {nav_main_link(locale)}
                </div>
                <div class="flex flex-wrap items-center gap-2 text-sm">
                    <UserMenu />
                    <LocaleSwitcher />
                    <ThemeToggle />
                </div>
            </nav>
        </header>
    }
}

/// The link to the main page (the registry's: the chat when compiled in,
/// else the holding page).
fn nav_main_link(locale: crate::i18n::Locale) -> impl IntoView {
    let nav = crate::features::main_nav();
    view! { <A href=nav.path attr:class="nav-link">{locale.t(nav.label)}</A> }
}

/// Signed in: the account link (and admin link); signed out: sign in / sign up.
#[component]
fn UserMenu() -> impl IntoView {
    let locale = use_locale();
    let viewer = use_viewer();
    move || match viewer.get() {
        Some(v) => view! {
            {v.is_admin.then(|| view! { <A href=ADMIN_PATH attr:class="nav-link">{locale.t(Key::NavAdmin)}</A> })}
            <A href=ACCOUNT_PATH attr:class="nav-link" attr:data-testid="account-link">{v.display_name}</A>
        }
        .into_any(),
        None => view! {
            <A href=SIGN_IN_PATH attr:class="nav-link" attr:data-testid="sign-in-link">{locale.t(Key::SignInLink)}</A>
            <A href=SIGN_UP_PATH attr:class="nav-link">{locale.t(Key::SignUpLink)}</A>
        }
        .into_any(),
    }
}
