use super::use_hydrated;
use crate::i18n::{Key, Locale, use_locale};
use crate::prefs::set_locale;
use leptos::prelude::*;

/// Lists the languages; choosing one stores it in a cookie through a server
/// function and reloads, so the server renders the page in that language.
#[component]
pub fn LocaleSwitcher() -> impl IntoView {
    let locale = use_locale();
    let hydrated = use_hydrated();
    let save = Action::new(|l: &Locale| set_locale(*l));

    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            reload();
        }
    });
    let busy = move || !hydrated.get() || save.pending().get();

    view! {
        <label class="sr-only" for="locale-switcher">{locale.t(Key::LanguageLabel)}</label>
        <select
            id="locale-switcher"
            data-testid="locale-switcher"
            class="rounded border border-primary-300 bg-transparent px-2 py-1 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-accent-400 disabled:opacity-60 dark:border-primary-700"
            disabled=busy
            aria-busy=move || busy().to_string()
            on:change=move |ev| {
                if let Some(next) = Locale::from_tag(&event_target_value(&ev)) {
                    save.dispatch(next);
                }
            }
        >
            {Locale::ALL
                .into_iter()
                .map(|l| {
                    view! {
                        <option value=l.code() selected=l == locale class="text-primary-950">
                            {l.native_name()}
                        </option>
                    }
                })
                .collect_view()}
        </select>
        <Show when=move || matches!(save.value().get(), Some(Err(_)))>
            <span role="alert" class="text-xs text-red-700 dark:text-red-300">
                {locale.t(Key::ErrorGeneric)}
            </span>
        </Show>
    }
}

fn reload() {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window()
        && w.location().reload().is_err()
    {
        leptos::logging::warn!("could not reload after changing the language");
    }
}
