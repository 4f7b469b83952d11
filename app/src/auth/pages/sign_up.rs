use super::{AuthCard, divider, oauth_error, providers, query};
use crate::components::form::{FormError, Notice};
use crate::i18n::{Key, use_locale};
use crate::invites::invite_preview;
use crate::routes;
use leptos::prelude::*;
use leptos_router::components::A;

/// `/signup`: create an account with the methods this build has. With an
/// invite link (`?invite=…`) the invited email is filled in and the page
/// says what the invite gives.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let locale = use_locale();
    let invite = query("invite");
    let preview = Resource::new(
        move || invite.get(),
        |token| async move {
            match token {
                Some(token) => Some(invite_preview(token).await),
                None => None,
            }
        },
    );
    let invited_email = Signal::derive(move || {
        preview
            .get()
            .flatten()
            .and_then(|r| r.ok())
            .map(|p| p.email)
            .unwrap_or_default()
    });
    let invite_notice = Signal::derive(move || match preview.get().flatten() {
        Some(Ok(p)) => Some(
            locale
                .t(Key::InviteWelcome)
                .replace("{until}", &crate::access::format_date(p.access_until)),
        ),
        _ => None,
    });
    let invite_problem = Signal::derive(move || match preview.get().flatten() {
        Some(Err(e)) => Some(e.message(locale)),
        _ => None,
    });
    let remember = RwSignal::new(false);
    view! {
        <AuthCard title=Key::SignUpTitle>
            <Transition fallback=|| ()>
                <Notice message=invite_notice />
                <FormError message=invite_problem />
            </Transition>
            <FormError message=oauth_error() />
            {invite_only_note(invite_notice)}
            {password_form(invite, invited_email, remember)}
            {divider()}
            {providers(Signal::derive(|| None), invite.into(), remember)}
            <p class="text-sm">
                {locale.t(Key::HaveAccount)} " "
                <A href=routes::SIGN_IN_PATH attr:class="link">{locale.t(Key::SignInLink)}</A>
            </p>
        </AuthCard>
    }
}

/// Without payments, only invited addresses may register: say so up front.
#[cfg(not(feature = "stripe_payment"))]
fn invite_only_note(invited: Signal<Option<String>>) -> impl IntoView {
    let locale = use_locale();
    view! {
        <Show when=move || invited.get().is_none()>
            <p class="text-sm text-indigo-800 dark:text-indigo-200">{locale.t(Key::InviteOnlyNote)}</p>
        </Show>
    }
}

#[cfg(feature = "stripe_payment")]
fn invite_only_note(_invited: Signal<Option<String>>) -> impl IntoView {}

#[cfg(feature = "local_auth")]
fn password_form(invite: Memo<Option<String>>, email: Signal<String>, remember: RwSignal<bool>) -> impl IntoView {
    use super::{check_email, check_new_password};
    use crate::auth::local::Register;
    use crate::components::form::{CheckField, FormState, Submit, TextField, follow_on_success};
    use crate::error::Field;
    let action = ServerAction::<Register>::new();
    let state = FormState::of(action);
    follow_on_success(state.value);
    let check_name = |v: &str| match crate::auth::check_display_name(v) {
        Ok(_) => None,
        Err(crate::error::Problem::TooLong) => Some(Key::ErrNameTooLong),
        Err(_) => Some(Key::ErrRequired),
    };
    view! {
        <ActionForm action=action attr:class="flex flex-col gap-4" attr:data-testid="sign-up-form">
            <FormError message=state.form_error() />
            <TextField
                label=Key::DisplayNameLabel
                name="display_name"
                autocomplete="name"
                check=check_name
                max_chars=crate::auth::MAX_NAME_CHARS
                error=state.field_error(Field::DisplayName)
            />
            <TextField
                label=Key::EmailLabel
                name="email"
                kind="email"
                autocomplete="email"
                value=email
                readonly=invite.get_untracked().is_some()
                check=check_email
                error=state.field_error(Field::Email)
            />
            <TextField
                label=Key::PasswordLabel
                name="password"
                kind="password"
                autocomplete="new-password"
                hint=Key::PasswordHint
                check=check_new_password
                error=state.field_error(Field::Password)
            />
            <input type="hidden" name="invite" prop:value=move || invite.get().unwrap_or_default() />
            <CheckField label=Key::RememberMe name="remember" checked=remember />
            <Submit label=Key::SignUpButton pending_label=Key::CreatingAccount pending=state.pending />
        </ActionForm>
    }
}

#[cfg(not(feature = "local_auth"))]
fn password_form(_invite: Memo<Option<String>>, _email: Signal<String>, remember: RwSignal<bool>) -> impl IntoView {
    super::remember_only(remember)
}
