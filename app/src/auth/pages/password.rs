use super::{AuthCard, check_email, check_new_password, query};
use crate::auth::local::{ForgotPassword, ResetPassword};
use crate::components::PostForm;
use crate::components::form::{FormError, FormState, Notice, Submit, TextField, follow_on_success};
use crate::error::Field;
use crate::i18n::{Key, use_locale};
use leptos::prelude::*;
use wire::paths as routes;

/// `/forgot-password`: asks for the email and always answers the same way,
/// whether or not an account has it.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let locale = use_locale();
    let action = ServerAction::<ForgotPassword>::new();
    let state = FormState::of(action);
    let sent = Signal::derive(move || state.succeeded().get().then(|| locale.t(Key::ForgotSent).to_owned()));
    view! {
        <AuthCard title=Key::ForgotTitle>
            <p>{locale.t(Key::ForgotBody)}</p>
            <Notice message=sent />
            <PostForm action=action attr:class="flex flex-col gap-4">
                <FormError message=state.form_error() />
                <TextField
                    label=Key::EmailLabel
                    name="email"
                    kind="email"
                    autocomplete="email"
                    check=check_email
                    error=state.field_error(Field::Email)
                />
                <Submit label=Key::ForgotButton pending_label=Key::Sending pending=state.pending />
            </PostForm>
            <a href=routes::SIGN_IN_PATH class="link text-sm">{locale.t(Key::BackToSignIn)}</a>
        </AuthCard>
    }
}

/// `/reset-password?token=…`: sets a new password from the emailed link.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let locale = use_locale();
    let token = query("token");
    let action = ServerAction::<ResetPassword>::new();
    let state = FormState::of(action);
    follow_on_success(state.value);
    let missing = Signal::derive(move || {
        token
            .get()
            .is_none()
            .then(|| crate::error::AppError::LinkExpired.message(locale))
    });
    view! {
        <AuthCard title=Key::ResetTitle>
            <FormError message=missing />
            <PostForm action=action attr:class="flex flex-col gap-4">
                <FormError message=state.form_error() />
                <input type="hidden" name="token" value=move || token.get().unwrap_or_default() />
                <TextField
                    label=Key::NewPasswordLabel
                    name="password"
                    kind="password"
                    autocomplete="new-password"
                    hint=Key::PasswordHint
                    check=check_new_password
                    error=state.field_error(Field::Password)
                />
                <Submit label=Key::ResetButton pending_label=Key::Saving pending=state.pending />
            </PostForm>
            <a href=routes::FORGOT_PASSWORD_PATH class="link text-sm">{locale.t(Key::ResetAskAgain)}</a>
        </AuthCard>
    }
}
