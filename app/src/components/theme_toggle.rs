use super::use_hydrated;
use crate::i18n::{Key, use_locale};
use crate::prefs::{ThemeChoice, initial_theme, set_theme};
use leptos::prelude::*;

/// Cycles system → dark → light, applies it at once and remembers it in a
/// cookie through a server function, so a reload renders the same theme.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let locale = use_locale();
    let hydrated = use_hydrated();
    let (theme, set_theme_signal) = signal(initial_theme());
    let save = Action::new(|choice: &ThemeChoice| set_theme(*choice));
    let failed = move || matches!(save.value().get(), Some(Err(_)));

    let on_click = move |_| {
        let next = theme.get_untracked().next();
        apply_to_document(next);
        set_theme_signal.set(next);
        save.dispatch(next);
    };

    let label = move || match theme.get() {
        ThemeChoice::System => locale.t(Key::ThemeSystem),
        ThemeChoice::Light => locale.t(Key::ThemeLight),
        ThemeChoice::Dark => locale.t(Key::ThemeDark),
    };
    let icon = move || match theme.get() {
        ThemeChoice::System => "◐",
        ThemeChoice::Light => "☀",
        ThemeChoice::Dark => "☾",
    };

    view! {
        <button
            type="button"
            data-testid="theme-toggle"
            data-theme-choice=move || format!("{:?}", theme.get()).to_lowercase()
            class="btn-icon"
            title=label
            aria-label=move || format!("{}: {}", locale.t(Key::ThemeLabel), label())
            disabled=move || !hydrated.get() || save.pending().get()
            aria-busy=move || (!hydrated.get() || save.pending().get()).to_string()
            on:click=on_click
        >
            <span aria-hidden="true">{icon}</span>
        </button>
        <Show when=failed>
            <span role="alert" class="text-xs text-red-700 dark:text-red-300">
                {locale.t(Key::ErrorGeneric)}
            </span>
        </Show>
    }
}

/// Sets `<html data-theme>` so the new colours show without a reload.
fn apply_to_document(choice: ThemeChoice) {
    #[cfg(feature = "hydrate")]
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let result = match choice.attr() {
            Some(value) => root.set_attribute("data-theme", value),
            None => root.remove_attribute("data-theme"),
        };
        if result.is_err() {
            leptos::logging::warn!("could not set data-theme");
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = choice;
}
