//! The account pages: sign in, sign up, verify email, forgot and reset
//! password, and the account page. Each shows only the sign-in methods this
//! build has.

mod account;
#[cfg(feature = "local_auth")]
mod password;
mod sign_in;
mod sign_up;
#[cfg(feature = "local_auth")]
mod verify;

pub use account::AccountPage;
pub(crate) use account::describe_access;
#[cfg(feature = "local_auth")]
pub use password::{ForgotPasswordPage, ResetPasswordPage};
pub use sign_in::SignInPage;
pub use sign_up::SignUpPage;
#[cfg(feature = "local_auth")]
pub use verify::VerifyEmailPage;

/// With passwords: the page that verifies an email address.
#[cfg(feature = "local_auth")]
#[component(transparent)]
pub fn VerifyEmailRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    use leptos_router::{components::Route, path};
    view! { <Route path=path!("/verify-email") view={leptos_router::Lazy::<VerifyEmailView>::new()} /> }.into_inner()
}

// The pages a mailed link opens load their code on first visit (`crate::chunk`).
#[cfg(feature = "local_auth")]
crate::lazy_page!(VerifyEmailView, verify_email, || view! { <VerifyEmailPage /> });

#[cfg(feature = "local_auth")]
#[component(transparent)]
pub fn ForgotPasswordRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    use leptos_router::{components::Route, path};
    view! { <Route path=path!("/forgot-password") view={leptos_router::Lazy::<ForgotPasswordView>::new()} /> }
        .into_inner()
}

#[cfg(feature = "local_auth")]
crate::lazy_page!(ForgotPasswordView, forgot_password, || view! { <ForgotPasswordPage /> });

#[cfg(feature = "local_auth")]
#[component(transparent)]
pub fn ResetPasswordRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    use leptos_router::{components::Route, path};
    view! { <Route path=path!("/reset-password") view={leptos_router::Lazy::<ResetPasswordView>::new()} /> }
        .into_inner()
}

#[cfg(feature = "local_auth")]
crate::lazy_page!(ResetPasswordView, reset_password, || view! { <ResetPasswordPage /> });

use crate::i18n::{Key, use_locale};
use leptos::prelude::*;
use leptos_meta::Title;

/// The card every account page sits in.
#[component]
fn AuthCard(title: Key, children: Children) -> impl IntoView {
    let locale = use_locale();
    view! {
        <Title text=locale.t(title) />
        <section class="mx-auto flex w-full max-w-md flex-col gap-5 px-4 py-12">
            <h1 class="text-2xl font-bold">{locale.t(title)}</h1>
            <div class="card flex flex-col gap-5">{children()}</div>
        </section>
    }
}

/// "or", between the password form and the provider buttons (when a build
/// has both and a provider is configured).
fn divider() -> impl IntoView {
    #[cfg(all(feature = "local_auth", any(feature = "google_auth", feature = "github_auth")))]
    {
        let locale = use_locale();
        crate::components::use_setup().offers_a_provider().then(|| {
            view! {
                <div class="flex items-center gap-3 text-sm text-primary-700 dark:text-primary-300" role="separator">
                    <span class="h-px flex-1 bg-primary-200 dark:bg-primary-700"></span>
                    {locale.t(Key::Or)}
                    <span class="h-px flex-1 bg-primary-200 dark:bg-primary-700"></span>
                </div>
            }
        })
    }
}

/// The provider buttons of this build.
fn providers(next: Signal<Option<String>>, invite: Signal<Option<String>>, remember: RwSignal<bool>) -> impl IntoView {
    #[cfg(any(feature = "google_auth", feature = "github_auth"))]
    {
        use crate::auth::oauth::ProviderButtons;
        view! { <ProviderButtons next=next invite=invite remember=remember /> }
    }
    #[cfg(not(any(feature = "google_auth", feature = "github_auth")))]
    let _ = (next, invite, remember);
}

/// Without a password form, "remember me" stands alone (for provider sign-ins).
#[cfg(not(feature = "local_auth"))]
fn remember_only(remember: RwSignal<bool>) -> impl IntoView {
    use crate::components::form::CheckField;
    view! { <CheckField label=Key::RememberMe name="remember" checked=remember /> }
}

/// A query parameter of the current URL.
fn query(name: &'static str) -> Memo<Option<String>> {
    let map = leptos_router::hooks::use_query_map();
    Memo::new(move |_| map.with(|m| m.get(name)).filter(|v| !v.is_empty()))
}

/// The message of `?oauth_error=…&methods=…`, when a provider sign-in
/// came back refused.
fn oauth_error() -> Signal<Option<String>> {
    #[cfg(any(feature = "google_auth", feature = "github_auth"))]
    {
        let code = query("oauth_error");
        let methods = query("methods");
        Signal::derive(move || {
            let failure = crate::auth::oauth::OAuthFailure::from_code(&code.get()?)?;
            let methods: Vec<String> = methods
                .get()
                .map(|m| m.split(',').map(str::to_owned).collect())
                .unwrap_or_default();
            Some(crate::auth::oauth::failure_message(failure, &methods))
        })
    }
    #[cfg(not(any(feature = "google_auth", feature = "github_auth")))]
    Signal::derive(|| None)
}

/// Browser-side check of an email field.
#[cfg(feature = "local_auth")]
fn check_email(value: &str) -> Option<Key> {
    use crate::auth::email::{Email, EmailError};
    match Email::parse(value) {
        Ok(_) => None,
        Err(EmailError::Empty) => Some(Key::ErrRequired),
        Err(EmailError::TooLong) => Some(Key::ErrEmailTooLong),
        Err(EmailError::Invalid) => Some(Key::ErrEmailInvalid),
    }
}

/// Browser-side check of a new password (the common-password list is checked on the server).
#[cfg(feature = "local_auth")]
fn check_new_password(value: &str) -> Option<Key> {
    use crate::error::Problem;
    match crate::auth::password::check_length(value) {
        Ok(()) => None,
        Err(Problem::Required) => Some(Key::ErrRequired),
        Err(Problem::TooLong) => Some(Key::ErrPasswordTooLong),
        Err(_) => Some(Key::ErrPasswordTooShort),
    }
}
