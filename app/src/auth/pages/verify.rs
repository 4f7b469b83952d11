use super::{AuthCard, query};
use crate::auth::local::{ResendVerification, VerifyEmail};
use crate::components::PostForm;
use crate::components::form::{FormError, FormState, Notice, Submit, follow_on_success};
use crate::components::viewer::use_viewer;
use crate::gate;
use crate::i18n::{Key, use_locale};
use leptos::prelude::*;
use wire::paths as routes;

/// `/verify-email`: with `?token=…` (the emailed link) a button confirms the
/// address (a button, so mail scanners that open links do not use it up);
/// without, the "check your inbox" notice with a resend button.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let token = query("token");
    view! {
        <AuthCard title=Key::VerifyTitle>
            {move || match token.get() {
                Some(token) => confirm(token).into_any(),
                None => pending_notice().into_any(),
            }}
        </AuthCard>
    }
}

fn confirm(token: String) -> impl IntoView {
    let locale = use_locale();
    let action = ServerAction::<VerifyEmail>::new();
    let state = FormState::of(action);
    follow_on_success(state.value);
    view! {
        <p>{locale.t(Key::VerifyConfirmBody)}</p>
        <PostForm action=action attr:class="flex flex-col gap-4">
            <FormError message=state.form_error() />
            <input type="hidden" name="token" value=token />
            <Submit label=Key::VerifyConfirmButton pending_label=Key::Verifying pending=state.pending />
        </PostForm>
    }
}

fn pending_notice() -> impl IntoView {
    let locale = use_locale();
    let viewer = use_viewer();
    let resend = ServerAction::<ResendVerification>::new();
    let state = FormState::of(resend);
    let sent = Signal::derive(move || state.succeeded().get().then(|| locale.t(Key::VerifyResent).to_owned()));
    move || match viewer.get() {
        Some(v) if !v.email_verified => view! {
            <p>{locale.t(Key::VerifySentTo).replace("{email}", &v.email)}</p>
            <p class="text-sm text-primary-800 dark:text-primary-200">{locale.t(Key::VerifyCheckSpam)}</p>
            <Notice message=sent />
            <PostForm action=resend attr:class="flex flex-col gap-4">
                <FormError message=state.form_error() />
                <Submit label=Key::VerifyResend pending_label=Key::Sending pending=state.pending />
            </PostForm>
        }
        .into_any(),
        Some(v) => view! {
            <p>{locale.t(Key::VerifyDone)}</p>
            <a href=gate::landing(Some(&v)) class="btn-primary">{locale.t(Key::Continue)}</a>
        }
        .into_any(),
        None => view! {
            <p>{locale.t(Key::VerifySignInFirst)}</p>
            <a href=routes::SIGN_IN_PATH class="btn-primary">{locale.t(Key::SignInButton)}</a>
        }
        .into_any(),
    }
}
