//! Sign-in through an identity provider, in the UI: the buttons, and what
//! a refused sign-in tells the user. The flow itself is
//! `domain::accounts::oauth`, behind `server::oauth`'s routes.

use crate::error::AppError;
use crate::i18n::{Key, use_locale};
use leptos::prelude::*;
pub use wire::oauth::{OAuthFailure, start_url};

/// The message of a refused provider sign-in, given the methods of the
/// existing account (for `EmailTaken`).
pub fn failure_message(failure: OAuthFailure, methods: &[String]) -> String {
    let locale = use_locale();
    match failure {
        OAuthFailure::EmailTaken => AppError::EmailTaken {
            methods: methods.to_vec(),
        }
        .message(locale),
        OAuthFailure::InviteOnly => AppError::InviteOnly.message(locale),
        OAuthFailure::RateLimited => AppError::RateLimited { retry_after_secs: 60 }.message(locale),
        other => locale
            .t(match other {
                OAuthFailure::Denied => Key::OAuthDenied,
                OAuthFailure::Expired => Key::OAuthExpired,
                OAuthFailure::NoVerifiedEmail => Key::OAuthNoVerifiedEmail,
                OAuthFailure::AlreadyLinked => Key::OAuthAlreadyLinked,
                OAuthFailure::NotConfigured => Key::OAuthNotConfigured,
                OAuthFailure::VerifyFirst => Key::OAuthVerifyFirst,
                _ => Key::OAuthProvider,
            })
            .to_owned(),
    }
}

/// One button per configured provider ("Continue with Google"); a provider
/// compiled in but not configured shows none. Plain links
/// (`rel="external"`): the browser leaves for the provider.
#[component]
pub fn ProviderButtons(
    #[prop(into)] next: Signal<Option<String>>,
    #[prop(into)] invite: Signal<Option<String>>,
    #[prop(into)] remember: Signal<bool>,
) -> impl IntoView {
    let locale = use_locale();
    let setup = crate::components::use_setup();
    let providers: Vec<(&'static str, Key, &'static str)> = [
        #[cfg(feature = "google_auth")]
        (
            "google_auth",
            wire::auth::GOOGLE_START_PATH,
            Key::ContinueWithGoogle,
            "oauth-google",
        ),
        #[cfg(feature = "github_auth")]
        (
            "github_auth",
            wire::auth::GITHUB_START_PATH,
            Key::ContinueWithGitHub,
            "oauth-github",
        ),
    ]
    .into_iter()
    .filter(|(feature, ..)| setup.offers(feature))
    .map(|(_, path, label, testid)| (path, label, testid))
    .collect();
    (!providers.is_empty()).then(|| {
        view! {
            <div class="flex flex-col gap-2">
                {providers
                    .into_iter()
                    .map(|(path, label, testid)| {
                        let href = move || {
                            start_url(path, next.get().as_deref(), invite.get().as_deref(), remember.get(), false)
                        };
                        view! {
                            <a href=href rel="external" class="btn-secondary w-full" data-testid=testid>
                                {locale.t(label)}
                            </a>
                        }
                    })
                    .collect_view()}
            </div>
        }
    })
}

/// Google sign-in's hookup: its two routes, and a warning at start-up when
/// it is compiled in but not configured.
#[cfg(feature = "google_auth")]
pub const GOOGLE: crate::feature::Feature = {
    let feature = crate::feature::Feature::named("google_auth");
    #[cfg(feature = "ssr")]
    let feature = feature.routes(crate::server::oauth::google_routes).report(|services| {
        if services.features.google.is_none() {
            tracing::warn!(
                "Google sign-in is compiled in but not configured: set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET (docs/oauth.md)"
            );
        }
    });
    feature
};

/// GitHub sign-in's hookup: its two routes, and a warning at start-up when
/// it is compiled in but not configured.
#[cfg(feature = "github_auth")]
pub const GITHUB: crate::feature::Feature = {
    let feature = crate::feature::Feature::named("github_auth");
    #[cfg(feature = "ssr")]
    let feature = feature.routes(crate::server::oauth::github_routes).report(|services| {
        if services.features.github.is_none() {
            tracing::warn!(
                "GitHub sign-in is compiled in but not configured: set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET (docs/oauth.md)"
            );
        }
    });
    feature
};
