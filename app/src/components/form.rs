//! Form building blocks: labelled fields with inline validation and the
//! server's error shown next to them, alerts, and submit buttons with a
//! pending state.

use super::use_hydrated;
use crate::error::{AppError, Field};
use crate::i18n::{Key, use_locale};
use leptos::prelude::*;

/// The last result of a server action, as signals the form reads.
pub struct FormState<T: Send + Sync + 'static> {
    pub value: Signal<Option<Result<T, AppError>>>,
    pub pending: Memo<bool>,
}

// Signals are `Copy` whatever they hold; a derive would demand `T: Copy`.
impl<T: Send + Sync + 'static> Clone for FormState<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Send + Sync + 'static> Copy for FormState<T> {}

impl<T: Clone + Send + Sync + 'static> FormState<T> {
    /// The state of a `ServerAction`.
    pub fn of<A>(action: ServerAction<A>) -> Self
    where
        A: leptos::server_fn::ServerFn<Output = T, Error = AppError> + Clone + Send + Sync + 'static,
        A::Output: Send + Sync + 'static,
    {
        FormState {
            value: Signal::derive(move || action.value().get()),
            pending: action.pending(),
        }
    }

    /// The server's message for `field`, if its last answer was about it.
    pub fn field_error(self, field: Field) -> Signal<Option<String>> {
        let locale = use_locale();
        Signal::derive(move || match self.value.get() {
            Some(Err(e)) if e.field() == Some(field) => Some(e.message(locale)),
            _ => None,
        })
    }

    /// The server's message when it is not about one field.
    pub fn form_error(self) -> Signal<Option<String>> {
        let locale = use_locale();
        Signal::derive(move || match self.value.get() {
            Some(Err(e)) if e.field().is_none() => Some(e.message(locale)),
            _ => None,
        })
    }

    /// Whether the last submission succeeded.
    pub fn succeeded(self) -> Signal<bool> {
        Signal::derive(move || matches!(self.value.get(), Some(Ok(_))))
    }
}

/// A check run in the browser as the user types (after leaving the field
/// once): the error message, or `None`.
pub type Check = fn(&str) -> Option<Key>;

/// A labelled input with a hint, inline validation and the server's error.
#[component]
pub fn TextField(
    label: Key,
    name: &'static str,
    /// Tells this field apart from a same-named one in another form on the
    /// page: its id becomes `field-{scope}-{name}` (ids must be unique, or
    /// one form's label focuses the other's input).
    #[prop(optional)]
    scope: Option<&'static str>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    /// The value the field starts with (rendered by the server).
    #[prop(default = None)]
    value: Option<String>,
    #[prop(optional)] readonly: bool,
    #[prop(optional)] hint: Option<Key>,
    /// A hint made at run time (instead of `hint`).
    #[prop(optional, into)]
    hint_text: Option<Signal<String>>,
    #[prop(optional)] check: Option<Check>,
    #[prop(optional, into)] error: Signal<Option<String>>,
    #[prop(default = true)] required: bool,
    #[prop(optional)] max_chars: Option<usize>,
) -> impl IntoView {
    let locale = use_locale();
    let id = field_id(scope, name);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let (local, set_local) = signal(None::<Key>);
    let touched = RwSignal::new(false);
    let run_check = move |text: String| {
        if let Some(check) = check {
            set_local.set(check(&text));
        }
    };
    let shown = move || local.get().map(|k| locale.t(k).to_owned()).or_else(|| error.get());
    let described = {
        let error_id = error_id.clone();
        let hint_id = hint_id.clone();
        move || {
            let mut ids = Vec::new();
            if hint.is_some() || hint_text.is_some() {
                ids.push(hint_id.clone());
            }
            if shown().is_some() {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    view! {
        <div class="flex flex-col gap-1">
            <label for=id.clone() class="text-sm font-medium">
                {locale.t(label)}
            </label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                required=required
                readonly=readonly
                maxlength=max_chars.map(|m| m.to_string())
                value=value
                class="input"
                aria-invalid=move || shown().is_some().to_string()
                aria-describedby=described
                on:blur=move |ev| {
                    touched.set(true);
                    run_check(event_target_value(&ev));
                }
                on:input=move |ev| {
                    if touched.get_untracked() {
                        run_check(event_target_value(&ev));
                    }
                }
            />
            {hint
                .map(|h| Signal::stored(locale.t(h).to_owned()))
                .or(hint_text)
                .map(|h| view! { <p id=hint_id class="text-sm text-primary-700 dark:text-primary-300">{h}</p> })}
            <p id=error_id class="field-error" role="alert" aria-live="polite">
                {shown}
            </p>
        </div>
    }
}

/// A field's element id: `field-{name}`, or `field-{scope}-{name}`.
fn field_id(scope: Option<&str>, name: &str) -> String {
    match scope {
        Some(scope) => format!("field-{scope}-{name}"),
        None => format!("field-{name}"),
    }
}

/// A checkbox with its label.
#[component]
pub fn CheckField(label: Key, name: &'static str, #[prop(optional)] checked: Option<RwSignal<bool>>) -> impl IntoView {
    let locale = use_locale();
    let id = format!("field-{name}");
    let label_for = id.clone();
    view! {
        <label for=label_for class="flex items-center gap-2 text-sm">
            <input
                id=id
                name=name
                type="checkbox"
                class="h-4 w-4 accent-primary-700 dark:accent-accent-400"
                on:change=move |ev| {
                    if let Some(c) = checked {
                        c.set(event_target_checked(&ev));
                    }
                }
            />
            {locale.t(label)}
        </label>
    }
}

/// A submit button that is disabled and says so while the form is being sent
/// (and until the page is interactive).
#[component]
pub fn Submit(
    label: Key,
    pending_label: Key,
    #[prop(into)] pending: Signal<bool>,
    #[prop(optional)] danger: bool,
    /// A secondary action (sign out): the outlined style.
    #[prop(optional)]
    secondary: bool,
) -> impl IntoView {
    let locale = use_locale();
    let hydrated = use_hydrated();
    let class = match (danger, secondary) {
        (true, _) => "btn-danger",
        (false, true) => "btn-secondary",
        (false, false) => "btn-primary",
    };
    view! {
        <button
            type="submit"
            class=class
            disabled=move || pending.get() || !hydrated.get()
            aria-busy=move || pending.get().to_string()
        >
            {move || locale.t(if pending.get() { pending_label } else { label })}
        </button>
    }
}

/// An error box for messages that belong to the whole form.
#[component]
pub fn FormError(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <Show when=move || message.get().is_some()>
            <p role="alert" class="alert-error" data-testid="form-error">
                {move || message.get()}
            </p>
        </Show>
    }
}

/// A notice (success or information).
#[component]
pub fn Notice(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <Show when=move || message.get().is_some()>
            <p role="status" class="alert-info" data-testid="notice">
                {move || message.get()}
            </p>
        </Show>
    }
}

/// Leaves for `to` with a full page load, so the page is rendered for the
/// session the last action started or ended.
pub fn navigate_hard(to: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window()
        && window.location().assign(to).is_err()
    {
        leptos::logging::warn!("could not navigate to {to}");
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = to;
}

/// Follows the path a successful action returned with a full page load.
pub fn follow_on_success(value: Signal<Option<Result<String, AppError>>>) {
    Effect::new(move |_| {
        if let Some(Ok(to)) = value.get() {
            navigate_hard(&to);
        }
    });
}
