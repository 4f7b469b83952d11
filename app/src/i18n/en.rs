//! English texts.

use super::Key;

pub(super) fn text(key: Key) -> &'static str {
    match key {
        Key::SkipToContent => "Skip to content",
        Key::NavHome => "Home",
        Key::NavOpenApp => "Open the app",
        #[cfg(feature = "chat")]
        Key::NavChat => "Chat",
        Key::ThemeLabel => "Colour theme",
        Key::ThemeSystem => "System theme",
        Key::ThemeLight => "Light theme",
        Key::ThemeDark => "Dark theme",
        Key::LanguageLabel => "Language",
        Key::Loading => "Loading…",
        Key::ErrorGeneric => "Something went wrong. Please try again.",
        Key::FooterTagline => "AI chat, accounts and billing in one Rust codebase.",
        Key::FooterRights => "All rights reserved.",
        Key::HeroTitle => "Your AI assistant, ready when you are",
        Key::HeroSubtitle => {
            "Sign up in seconds, choose how you pay, and start working with leading AI models. Your conversations stay yours."
        }
        Key::CtaLearnMore => "How it works",
        Key::FeaturesTitle => "Everything you need, nothing you don't",
        Key::FeatureAccountsTitle => "Your account, your way",
        Key::FeatureAccountsBody => "Sign in with the method you prefer. Invited guests get in without paying.",
        #[cfg(feature = "stripe_payment")]
        Key::FeatureBillingTitle => "Simple, secure billing",
        #[cfg(feature = "stripe_payment")]
        Key::FeatureBillingBody => "Pay by card through Stripe. Change plan or cancel any time.",
        #[cfg(feature = "chat")]
        Key::FeatureChatTitle => "Streaming AI chat",
        #[cfg(feature = "chat")]
        Key::FeatureChatBody => "Answers appear as they are written, from the model you choose.",
        Key::FeatureFastTitle => "Fast on any device",
        Key::FeatureFastBody => "A light page that works on a phone as well as on a desktop.",
        Key::NotFoundTitle => "Page not found",
        Key::NotFoundBody => "The page you are looking for does not exist or has moved.",
        Key::NotFoundBack => "Back to the home page",
        Key::HoldingTitle => "You're in",
        Key::HoldingBody => {
            "Your account is ready. New features are on their way; we will let you know when they arrive."
        }
        #[cfg(feature = "chat")]
        Key::ChatTitle => "Chat",
        #[cfg(feature = "chat")]
        Key::ChatEmptyTitle => "Start a conversation",
        #[cfg(feature = "chat")]
        Key::ChatEmptyBody => "Your conversations will appear here.",
    }
}
