use super::viewer::use_viewer;
use super::{LocaleSwitcher, NavLink, ThemeToggle};
use crate::brand::PRODUCT_NAME;
use crate::i18n::{Key, use_locale};
use leptos::prelude::*;
use wire::paths::{ACCOUNT_PATH, ADMIN_PATH, HOME_PATH, SIGN_IN_PATH, SIGN_UP_PATH};

/// The top bar: brand, navigation, the user's menu (or sign-in links),
/// language and theme controls. On a phone the links and the language
/// collapse behind a menu button (brand, theme and menu stay in one row).
#[component]
pub fn Header() -> impl IntoView {
    let locale = use_locale();
    let open = RwSignal::new(false);
    // Following a link (or going back) closes the menu.
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        location.pathname.track();
        open.set(false);
    });
    let menu_class = move || {
        if open.get() {
            "order-last flex w-full flex-col items-start gap-3 pb-1 text-sm md:order-none md:w-auto md:flex-1 md:flex-row md:items-center md:pb-0"
        } else {
            "hidden flex-1 items-center gap-3 text-sm md:flex"
        }
    };
    view! {
        <header class="border-b border-primary-200 bg-white/80 backdrop-blur dark:border-primary-800 dark:bg-primary-900/80">
            <nav
                class="mx-auto flex max-w-5xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3"
                aria-label=locale.t(Key::NavLabel)
                on:keydown=move |ev| {
                    if ev.key() == "Escape" && open.get_untracked() {
                        open.set(false);
                    }
                }
            >
                <NavLink href=HOME_PATH class="flex items-center gap-2 rounded text-lg font-bold focus:outline-none focus-visible:ring-2 focus-visible:ring-accent-400">
                    <img src="/favicon.svg" alt="" width="28" height="28" />
                    <span>{PRODUCT_NAME}</span>
                </NavLink>
                <div id="site-menu" class=menu_class data-testid="site-menu">
                    <div class="flex flex-col items-start gap-3 md:flex-1 md:flex-row md:flex-wrap md:items-center">
                        <NavLink href=HOME_PATH class="nav-link">{locale.t(Key::NavHome)}</NavLink>
                        {nav_main_link(locale)}
                    </div>
                    <div class="flex flex-col items-start gap-3 md:flex-row md:flex-wrap md:items-center md:gap-2">
                        <UserMenu />
                        <LocaleSwitcher />
                    </div>
                </div>
                <div class="ml-auto flex items-center gap-2 md:ml-0">
                    <ThemeToggle />
                    <button
                        type="button"
                        class="btn-icon md:hidden"
                        aria-controls="site-menu"
                        aria-expanded=move || open.get().to_string()
                        aria-label=locale.t(Key::NavMenu)
                        data-testid="menu-button"
                        on:click=move |_| open.update(|o| *o = !*o)
                    >
                        <span aria-hidden="true">{move || if open.get() { "✕" } else { "☰" }}</span>
                    </button>
                </div>
            </nav>
            <crate::credits::LowBalance />
        </header>
    }
}

/// The link to the main page (the registry's: the chat when compiled in,
/// else the holding page).
fn nav_main_link(locale: crate::i18n::Locale) -> impl IntoView {
    let nav = crate::features::main_nav();
    view! { <NavLink href=nav.path class="nav-link">{locale.t(nav.label)}</NavLink> }
}

/// Signed in: the account link (and admin link); signed out: sign in / sign up.
#[component]
fn UserMenu() -> impl IntoView {
    let locale = use_locale();
    let viewer = use_viewer();
    move || {
        match viewer.get() {
        Some(v) => view! {
            {v.is_admin.then(|| view! { <NavLink href=ADMIN_PATH class="nav-link">{locale.t(Key::NavAdmin)}</NavLink> })}
            <crate::credits::BalancePill />
            <NavLink href=ACCOUNT_PATH class="nav-link" test_id="account-link">{v.display_name}</NavLink>
        }
        .into_any(),
        None => view! {
            <NavLink href=SIGN_IN_PATH class="nav-link" test_id="sign-in-link">{locale.t(Key::SignInLink)}</NavLink>
            <NavLink href=SIGN_UP_PATH class="nav-link">{locale.t(Key::SignUpLink)}</NavLink>
        }
        .into_any(),
    }
    }
}
