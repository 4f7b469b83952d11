//! The keys of every translated string.

/// One user-facing string; see `en.rs` for its English text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    SkipToContent,
    NavHome,
    NavOpenApp,
    #[cfg(feature = "chat")]
    NavChat,
    ThemeLabel,
    ThemeSystem,
    ThemeLight,
    ThemeDark,
    LanguageLabel,
    Loading,
    ErrorGeneric,
    FooterTagline,
    FooterRights,
    HeroTitle,
    HeroSubtitle,
    CtaLearnMore,
    FeaturesTitle,
    FeatureAccountsTitle,
    FeatureAccountsBody,
    #[cfg(feature = "stripe_payment")]
    FeatureBillingTitle,
    #[cfg(feature = "stripe_payment")]
    FeatureBillingBody,
    #[cfg(feature = "chat")]
    FeatureChatTitle,
    #[cfg(feature = "chat")]
    FeatureChatBody,
    FeatureFastTitle,
    FeatureFastBody,
    NotFoundTitle,
    NotFoundBody,
    NotFoundBack,
    HoldingTitle,
    HoldingBody,
    #[cfg(feature = "chat")]
    ChatTitle,
    #[cfg(feature = "chat")]
    ChatEmptyTitle,
    #[cfg(feature = "chat")]
    ChatEmptyBody,
}

impl Key {
    /// Every key of this build.
    pub const ALL: &[Key] = &[
        Key::SkipToContent,
        Key::NavHome,
        Key::NavOpenApp,
        #[cfg(feature = "chat")]
        Key::NavChat,
        Key::ThemeLabel,
        Key::ThemeSystem,
        Key::ThemeLight,
        Key::ThemeDark,
        Key::LanguageLabel,
        Key::Loading,
        Key::ErrorGeneric,
        Key::FooterTagline,
        Key::FooterRights,
        Key::HeroTitle,
        Key::HeroSubtitle,
        Key::CtaLearnMore,
        Key::FeaturesTitle,
        Key::FeatureAccountsTitle,
        Key::FeatureAccountsBody,
        #[cfg(feature = "stripe_payment")]
        Key::FeatureBillingTitle,
        #[cfg(feature = "stripe_payment")]
        Key::FeatureBillingBody,
        #[cfg(feature = "chat")]
        Key::FeatureChatTitle,
        #[cfg(feature = "chat")]
        Key::FeatureChatBody,
        Key::FeatureFastTitle,
        Key::FeatureFastBody,
        Key::NotFoundTitle,
        Key::NotFoundBody,
        Key::NotFoundBack,
        Key::HoldingTitle,
        Key::HoldingBody,
        #[cfg(feature = "chat")]
        Key::ChatTitle,
        #[cfg(feature = "chat")]
        Key::ChatEmptyTitle,
        #[cfg(feature = "chat")]
        Key::ChatEmptyBody,
    ];
}
