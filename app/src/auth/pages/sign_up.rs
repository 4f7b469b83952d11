use super::{AuthCard, divider, oauth_error, providers, query};
use crate::components::form::{FormError, Notice};
use crate::error::AppError;
use crate::i18n::{Key, use_locale};
use crate::invites::{InviteOffer, invite_preview};
use leptos::prelude::*;
use wire::paths as routes;

/// `/signup`: create an account with the methods this build has. With an
/// invite link (`?invite=…`) the invited email is filled in and the page
/// says what the invite gives.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let locale = use_locale();
    let invite = query("invite");
    let preview = crate::codec::load(
        move || invite.get(),
        |token| async move {
            match token {
                Some(token) => Some(invite_preview(token).await),
                None => None,
            }
        },
    );
    let remember = RwSignal::new(false);
    view! {
        <AuthCard title=Key::SignUpTitle>
            <FormError message=oauth_error() />
            <Suspense fallback=move || view! { <p aria-busy="true">{locale.t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    let offer = preview.await;
                    view! {
                        {invite_notices(offer.clone())}
                        {password_form(invite, offer.and_then(|o| o.ok()), remember)}
                    }
                })}
            </Suspense>
            {divider()}
            {providers(Signal::derive(|| None), invite.into(), remember)}
            <p class="text-sm">
                {locale.t(Key::HaveAccount)} " "
                <a href=routes::SIGN_IN_PATH class="link">{locale.t(Key::SignInLink)}</a>
            </p>
        </AuthCard>
    }
}

/// What the invite link gives, that it no longer works, or (without
/// payments) that registration needs an invite.
fn invite_notices(offer: Option<Result<InviteOffer, AppError>>) -> impl IntoView {
    let locale = use_locale();
    let (welcome, problem) = match &offer {
        Some(Ok(o)) => (
            Some(
                locale
                    .t(Key::InviteWelcome)
                    .replace("{until}", &crate::access::format_date(o.access_until)),
            ),
            None,
        ),
        Some(Err(e)) => (None, Some(e.message(locale))),
        None => (None, None),
    };
    let note = (!wire::features::OPEN_SIGN_UP && welcome.is_none()).then(
        || view! { <p class="text-sm text-primary-800 dark:text-primary-200">{locale.t(Key::InviteOnlyNote)}</p> },
    );
    view! {
        <Notice message=Signal::derive(move || welcome.clone()) />
        <FormError message=Signal::derive(move || problem.clone()) />
        {note}
    }
}

#[cfg(feature = "local_auth")]
fn password_form(invite: Memo<Option<String>>, offer: Option<InviteOffer>, remember: RwSignal<bool>) -> impl IntoView {
    use super::{check_email, check_new_password};
    use crate::auth::local::Register;
    use crate::components::PostForm;
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
    let invited = offer.is_some();
    view! {
        <PostForm action=action attr:class="flex flex-col gap-4" attr:data-testid="sign-up-form">
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
                value=offer.map(|o| o.email)
                readonly=invited
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
            <input type="hidden" name="invite" value=move || invite.get().unwrap_or_default() />
            <CheckField label=Key::RememberMe name="remember" checked=remember />
            <Submit label=Key::SignUpButton pending_label=Key::CreatingAccount pending=state.pending />
        </PostForm>
    }
}

#[cfg(not(feature = "local_auth"))]
fn password_form(
    _invite: Memo<Option<String>>,
    _offer: Option<InviteOffer>,
    remember: RwSignal<bool>,
) -> impl IntoView {
    super::remember_only(remember)
}
