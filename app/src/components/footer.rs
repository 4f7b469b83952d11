use crate::brand::{COPYRIGHT_HOLDER, PRODUCT_NAME};
use crate::i18n::{Key, use_locale};
use leptos::prelude::*;

/// The page footer.
#[component]
pub fn Footer() -> impl IntoView {
    let locale = use_locale();
    view! {
        <footer class="border-t border-primary-200 group-has-[[data-fill-screen]]/app:hidden dark:border-primary-800">
            <div class="mx-auto flex max-w-5xl flex-col gap-1 px-4 py-6 text-sm text-primary-700 sm:flex-row sm:justify-between dark:text-primary-300">
                <p>
                    <strong class="text-primary-950 dark:text-primary-50">{PRODUCT_NAME}</strong>
                    " — "
                    {locale.t(Key::FooterTagline)}
                </p>
                <p>"© " {COPYRIGHT_HOLDER} ". " {locale.t(Key::FooterRights)}</p>
            </div>
        </footer>
    }
}
