use super::{LocaleSwitcher, ThemeToggle};
use crate::brand::PRODUCT_NAME;
use crate::i18n::{Key, use_locale};
use crate::routes::{HOME_PATH, main_path};
use leptos::prelude::*;
use leptos_router::components::A;

/// The top bar: brand, navigation, language and theme controls.
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
                <div class="flex flex-1 items-center gap-3 text-sm">
                    <A href=HOME_PATH attr:class="nav-link">{locale.t(Key::NavHome)}</A>
                    {nav_main_link(locale)}
                </div>
                <div class="flex items-center gap-2">
                    <LocaleSwitcher />
                    <ThemeToggle />
                </div>
            </nav>
        </header>
    }
}

/// The link to the main page: the chat when compiled in, else the holding page.
fn nav_main_link(locale: crate::i18n::Locale) -> impl IntoView {
    #[cfg(feature = "chat")]
    let key = Key::NavChat;
    #[cfg(not(feature = "chat"))]
    let key = Key::NavOpenApp;
    view! { <A href=main_path() attr:class="nav-link">{locale.t(key)}</A> }
}
