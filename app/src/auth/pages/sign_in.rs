use super::{AuthCard, divider, oauth_error, providers, query};
use crate::components::form::Notice;
use crate::i18n::{Key, use_locale};
use leptos::prelude::*;
use wire::paths as routes;

/// `/signin`: the methods this build has, with notices from the flows that
/// send people here (a verification link, a password reset, provider refusals).
#[component]
pub fn SignInPage() -> impl IntoView {
    let locale = use_locale();
    let next = query("next");
    let notice = {
        let reset = query("reset");
        let verify = query("verify");
        Signal::derive(move || {
            if verify.get().is_some() {
                Some(locale.t(Key::NoticeSignInToVerify).to_owned())
            } else if reset.get().is_some() {
                Some(locale.t(Key::NoticePasswordResetSignIn).to_owned())
            } else {
                None
            }
        })
    };
    let remember = RwSignal::new(false);
    view! {
        <AuthCard title=Key::SignInTitle>
            <Notice message=notice />
            <crate::components::form::FormError message=oauth_error() />
            {password_form(next, remember)}
            {divider()}
            {providers(next.into(), Signal::derive(|| None), remember)}
            <p class="text-sm">
                {locale.t(Key::NoAccountYet)} " "
                <a href=routes::SIGN_UP_PATH class="link">{locale.t(Key::CreateAccountLink)}</a>
            </p>
        </AuthCard>
    }
}

#[cfg(feature = "local_auth")]
fn password_form(next: Memo<Option<String>>, remember: RwSignal<bool>) -> impl IntoView {
    use super::check_email;
    use crate::auth::local::SignIn;
    use crate::components::PostForm;
    use crate::components::form::{CheckField, FormError, FormState, Submit, TextField, follow_on_success};
    use crate::error::Field;
    let locale = use_locale();
    let action = ServerAction::<SignIn>::new();
    let state = FormState::of(action);
    follow_on_success(state.value);
    view! {
        <PostForm action=action attr:class="flex flex-col gap-4" attr:data-testid="sign-in-form">
            <FormError message=state.form_error() />
            <TextField
                label=Key::EmailLabel
                name="email"
                kind="email"
                autocomplete="username"
                check=check_email
                error=state.field_error(Field::Email)
            />
            <TextField
                label=Key::PasswordLabel
                name="password"
                kind="password"
                autocomplete="current-password"
                error=state.field_error(Field::Password)
            />
            <input type="hidden" name="next" value=move || next.get().unwrap_or_default() />
            <div class="flex flex-wrap items-center justify-between gap-2">
                <CheckField label=Key::RememberMe name="remember" checked=remember />
                <a href=routes::FORGOT_PASSWORD_PATH class="link text-sm">{locale.t(Key::ForgotPasswordLink)}</a>
            </div>
            <Submit label=Key::SignInButton pending_label=Key::SigningIn pending=state.pending />
        </PostForm>
    }
}

#[cfg(not(feature = "local_auth"))]
fn password_form(_next: Memo<Option<String>>, remember: RwSignal<bool>) -> impl IntoView {
    super::remember_only(remember)
}
