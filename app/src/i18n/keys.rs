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
    #[cfg(feature = "chat")]
    ChatNew,
    #[cfg(feature = "chat")]
    ChatConversations,
    #[cfg(feature = "chat")]
    ChatSearch,
    #[cfg(feature = "chat")]
    ChatNoConversations,
    #[cfg(feature = "chat")]
    ChatNoMatches,
    #[cfg(feature = "chat")]
    ChatRename,
    #[cfg(feature = "chat")]
    ChatDelete,
    #[cfg(feature = "chat")]
    ChatDeleteConfirm,
    #[cfg(feature = "chat")]
    ChatCancel,
    #[cfg(feature = "chat")]
    ChatSave,
    #[cfg(feature = "chat")]
    ChatTitleLabel,
    #[cfg(feature = "chat")]
    ChatModel,
    #[cfg(feature = "chat")]
    ChatDemoModel,
    #[cfg(feature = "chat")]
    ChatMessageLabel,
    #[cfg(feature = "chat")]
    ChatPlaceholder,
    #[cfg(feature = "chat")]
    ChatCharCount,
    #[cfg(feature = "chat")]
    ChatSend,
    #[cfg(feature = "chat")]
    ChatStop,
    #[cfg(feature = "chat")]
    ChatHistoryTrimmed,
    #[cfg(feature = "chat")]
    ChatRegenerate,
    #[cfg(feature = "chat")]
    ChatCopy,
    #[cfg(feature = "chat")]
    ChatCopied,
    #[cfg(feature = "chat")]
    ChatCopyFailed,
    #[cfg(feature = "chat")]
    ChatRetry,
    #[cfg(feature = "chat")]
    ChatYou,
    #[cfg(feature = "chat")]
    ChatAssistant,
    #[cfg(feature = "chat")]
    ChatWriting,
    #[cfg(feature = "chat")]
    ChatStopped,
    #[cfg(feature = "chat")]
    ChatJumpToLatest,
    #[cfg(feature = "chat")]
    ChatLoadFailed,
    #[cfg(feature = "chat")]
    ChatErrIdleTimeout,
    #[cfg(feature = "chat")]
    ChatErrUnreachable,
    #[cfg(feature = "chat")]
    ChatErrRefused,
    #[cfg(feature = "chat")]
    ChatErrProvider,
    #[cfg(feature = "chat")]
    ChatErrInterrupted,
    #[cfg(feature = "chat")]
    ChatErrNetwork,
    #[cfg(all(feature = "local_auth", any(feature = "google_auth", feature = "github_auth")))]
    Or,
    EmailLabel,
    PasswordLabel,
    DisplayNameLabel,
    RememberMe,
    SignInTitle,
    SignInButton,
    SignInLink,
    SigningIn,
    SignUpTitle,
    SignUpButton,
    SignUpLink,
    CreatingAccount,
    NoAccountYet,
    CreateAccountLink,
    HaveAccount,
    SignOut,
    SigningOut,
    Continue,
    Save,
    Saved,
    Saving,
    Sending,
    Deleting,
    NavAdmin,
    #[cfg(feature = "local_auth")]
    MethodEmailPassword,
    #[cfg(feature = "google_auth")]
    MethodGoogle,
    #[cfg(feature = "github_auth")]
    MethodGitHub,
    #[cfg(feature = "google_auth")]
    ContinueWithGoogle,
    #[cfg(feature = "github_auth")]
    ContinueWithGitHub,
    NoticeSignInToVerify,
    NoticePasswordResetSignIn,
    #[cfg(feature = "local_auth")]
    PasswordHint,
    #[cfg(feature = "local_auth")]
    NewPasswordLabel,
    #[cfg(feature = "local_auth")]
    CurrentPasswordLabel,
    #[cfg(feature = "local_auth")]
    ForgotPasswordLink,
    #[cfg(feature = "local_auth")]
    ForgotTitle,
    #[cfg(feature = "local_auth")]
    ForgotBody,
    #[cfg(feature = "local_auth")]
    ForgotButton,
    #[cfg(feature = "local_auth")]
    ForgotSent,
    BackToSignIn,
    #[cfg(feature = "local_auth")]
    ResetTitle,
    #[cfg(feature = "local_auth")]
    ResetButton,
    #[cfg(feature = "local_auth")]
    ResetAskAgain,
    #[cfg(feature = "local_auth")]
    VerifyTitle,
    #[cfg(feature = "local_auth")]
    VerifyConfirmBody,
    #[cfg(feature = "local_auth")]
    VerifyConfirmButton,
    #[cfg(feature = "local_auth")]
    Verifying,
    #[cfg(feature = "local_auth")]
    VerifySentTo,
    #[cfg(feature = "local_auth")]
    VerifyCheckSpam,
    #[cfg(feature = "local_auth")]
    VerifyResend,
    #[cfg(feature = "local_auth")]
    VerifyResent,
    #[cfg(feature = "local_auth")]
    VerifyDone,
    #[cfg(feature = "local_auth")]
    VerifySignInFirst,
    InviteWelcome,
    #[cfg(not(feature = "stripe_payment"))]
    InviteOnlyNote,
    #[cfg(not(feature = "stripe_payment"))]
    InviteOnlyTitle,
    #[cfg(not(feature = "stripe_payment"))]
    InviteOnlyBody,
    #[cfg(feature = "stripe_payment")]
    PaymentTitle,
    #[cfg(feature = "stripe_payment")]
    PaymentBody,
    #[cfg(feature = "stripe_payment")]
    PricingTitle,
    #[cfg(feature = "stripe_payment")]
    PricingIntro,
    #[cfg(feature = "stripe_payment")]
    OfferMonthly,
    #[cfg(feature = "stripe_payment")]
    OfferYearly,
    #[cfg(feature = "stripe_payment")]
    OfferPass,
    #[cfg(feature = "stripe_payment")]
    PerMonth,
    #[cfg(feature = "stripe_payment")]
    PerYear,
    #[cfg(feature = "stripe_payment")]
    PassTerms,
    #[cfg(feature = "stripe_payment")]
    ChooseOffer,
    #[cfg(feature = "stripe_payment")]
    OpeningCheckout,
    #[cfg(feature = "stripe_payment")]
    SignUpToBuy,
    #[cfg(feature = "stripe_payment")]
    PaymentsOff,
    #[cfg(feature = "stripe_payment")]
    CheckoutCancelled,
    #[cfg(feature = "stripe_payment")]
    SuccessTitle,
    #[cfg(feature = "stripe_payment")]
    SuccessWaiting,
    #[cfg(feature = "stripe_payment")]
    SuccessSlow,
    #[cfg(feature = "stripe_payment")]
    SuccessGranted,
    #[cfg(feature = "stripe_payment")]
    SuccessFailed,
    #[cfg(feature = "stripe_payment")]
    SuccessExpired,
    #[cfg(feature = "stripe_payment")]
    SuccessUnknown,
    #[cfg(feature = "stripe_payment")]
    BackToPricing,
    #[cfg(feature = "stripe_payment")]
    BillingSection,
    #[cfg(feature = "stripe_payment")]
    BillingHint,
    #[cfg(feature = "stripe_payment")]
    ManageBilling,
    #[cfg(feature = "stripe_payment")]
    OpeningPortal,
    #[cfg(feature = "stripe_payment")]
    ErrPaymentsUnavailable,
    #[cfg(feature = "stripe_payment")]
    ErrAlreadySubscribed,
    #[cfg(feature = "stripe_payment")]
    ErrSubscriptionNotCancelled,
    WelcomeName,
    AccountTitle,
    ProfileSection,
    EmailVerifiedBadge,
    EmailUnverifiedBadge,
    AccessSection,
    AccessUntil,
    AccessNoEnd,
    AccessEnded,
    AccessNone,
    GetAccess,
    ReasonInvite,
    ReasonPayment,
    ReasonAdminGrant,
    ReasonAdmin,
    #[cfg(feature = "local_auth")]
    PasswordSection,
    #[cfg(feature = "local_auth")]
    NoPasswordYet,
    #[cfg(feature = "local_auth")]
    SetPasswordLink,
    #[cfg(feature = "local_auth")]
    ChangePasswordButton,
    #[cfg(feature = "local_auth")]
    PasswordChanged,
    #[cfg(any(feature = "google_auth", feature = "github_auth"))]
    ProvidersSection,
    ProviderLinked,
    #[cfg(any(feature = "google_auth", feature = "github_auth"))]
    Link,
    #[cfg(any(feature = "google_auth", feature = "github_auth"))]
    Unlink,
    SessionsSection,
    LastActive,
    ThisDevice,
    SignOutSession,
    SignOutOthers,
    OtherSessionsEnded,
    DeleteSection,
    DeleteConfirmPassword,
    DeleteConfirmEmail,
    DeleteButton,
    AdminTitle,
    InviteSection,
    AccessDaysLabel,
    ValidDaysLabel,
    SendInvite,
    InviteSent,
    InviteStatusLabel,
    InviteAccessUntil,
    InviteExpires,
    InvitePending,
    InviteRedeemed,
    InviteExpired,
    InviteRevoked,
    Revoke,
    GrantSection,
    GrantButton,
    AccessGranted,
    ErrRequired,
    ErrEmailInvalid,
    ErrEmailTooLong,
    ErrPasswordTooShort,
    ErrPasswordTooLong,
    ErrPasswordCommon,
    ErrCurrentPasswordWrong,
    ErrNameTooLong,
    ErrConfirmMismatch,
    ErrDaysInvalid,
    ErrDateInvalid,
    #[cfg(feature = "chat")]
    ErrMessageTooLong,
    #[cfg(feature = "chat")]
    ErrTitleTooLong,
    ErrValueInvalid,
    ErrEmailTaken,
    ErrEmailTakenUse,
    ErrInvalidCredentials,
    ErrRateLimited,
    ErrBusy,
    #[cfg(feature = "chat")]
    ErrTooManyReplies,
    ErrInviteOnly,
    ErrLinkExpired,
    ErrNotSignedIn,
    ErrAccessRequired,
    ErrEmailNotVerified,
    ErrForbidden,
    ErrNotFound,
    ErrLastSignInMethod,
    #[cfg(any(feature = "google_auth", feature = "github_auth"))]
    OAuthDenied,
    #[cfg(any(feature = "google_auth", feature = "github_auth"))]
    OAuthExpired,
    #[cfg(any(feature = "google_auth", feature = "github_auth"))]
    OAuthProvider,
    #[cfg(any(feature = "google_auth", feature = "github_auth"))]
    OAuthNoVerifiedEmail,
    #[cfg(any(feature = "google_auth", feature = "github_auth"))]
    OAuthAlreadyLinked,
    #[cfg(any(feature = "google_auth", feature = "github_auth"))]
    OAuthNotConfigured,
    OAuthVerifyFirst,
    MailHello,
    MailIgnore,
    #[cfg(feature = "local_auth")]
    MailVerifySubject,
    #[cfg(feature = "local_auth")]
    MailVerifyBody,
    #[cfg(feature = "local_auth")]
    MailVerifyButton,
    #[cfg(feature = "local_auth")]
    MailResetSubject,
    #[cfg(feature = "local_auth")]
    MailResetBody,
    #[cfg(feature = "local_auth")]
    MailResetButton,
    MailInviteSubject,
    MailInviteBody,
    MailInviteButton,
    DaysDefaultHint,
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
        #[cfg(feature = "chat")]
        Key::ChatNew,
        #[cfg(feature = "chat")]
        Key::ChatConversations,
        #[cfg(feature = "chat")]
        Key::ChatSearch,
        #[cfg(feature = "chat")]
        Key::ChatNoConversations,
        #[cfg(feature = "chat")]
        Key::ChatNoMatches,
        #[cfg(feature = "chat")]
        Key::ChatRename,
        #[cfg(feature = "chat")]
        Key::ChatDelete,
        #[cfg(feature = "chat")]
        Key::ChatDeleteConfirm,
        #[cfg(feature = "chat")]
        Key::ChatCancel,
        #[cfg(feature = "chat")]
        Key::ChatSave,
        #[cfg(feature = "chat")]
        Key::ChatTitleLabel,
        #[cfg(feature = "chat")]
        Key::ChatModel,
        #[cfg(feature = "chat")]
        Key::ChatDemoModel,
        #[cfg(feature = "chat")]
        Key::ChatMessageLabel,
        #[cfg(feature = "chat")]
        Key::ChatPlaceholder,
        #[cfg(feature = "chat")]
        Key::ChatCharCount,
        #[cfg(feature = "chat")]
        Key::ChatSend,
        #[cfg(feature = "chat")]
        Key::ChatStop,
        #[cfg(feature = "chat")]
        Key::ChatHistoryTrimmed,
        #[cfg(feature = "chat")]
        Key::ChatRegenerate,
        #[cfg(feature = "chat")]
        Key::ChatCopy,
        #[cfg(feature = "chat")]
        Key::ChatCopied,
        #[cfg(feature = "chat")]
        Key::ChatCopyFailed,
        #[cfg(feature = "chat")]
        Key::ChatRetry,
        #[cfg(feature = "chat")]
        Key::ChatYou,
        #[cfg(feature = "chat")]
        Key::ChatAssistant,
        #[cfg(feature = "chat")]
        Key::ChatWriting,
        #[cfg(feature = "chat")]
        Key::ChatStopped,
        #[cfg(feature = "chat")]
        Key::ChatJumpToLatest,
        #[cfg(feature = "chat")]
        Key::ChatLoadFailed,
        #[cfg(feature = "chat")]
        Key::ChatErrIdleTimeout,
        #[cfg(feature = "chat")]
        Key::ChatErrUnreachable,
        #[cfg(feature = "chat")]
        Key::ChatErrRefused,
        #[cfg(feature = "chat")]
        Key::ChatErrProvider,
        #[cfg(feature = "chat")]
        Key::ChatErrInterrupted,
        #[cfg(feature = "chat")]
        Key::ChatErrNetwork,
        #[cfg(all(feature = "local_auth", any(feature = "google_auth", feature = "github_auth")))]
        Key::Or,
        Key::EmailLabel,
        Key::PasswordLabel,
        Key::DisplayNameLabel,
        Key::RememberMe,
        Key::SignInTitle,
        Key::SignInButton,
        Key::SignInLink,
        Key::SigningIn,
        Key::SignUpTitle,
        Key::SignUpButton,
        Key::SignUpLink,
        Key::CreatingAccount,
        Key::NoAccountYet,
        Key::CreateAccountLink,
        Key::HaveAccount,
        Key::SignOut,
        Key::SigningOut,
        Key::Continue,
        Key::Save,
        Key::Saved,
        Key::Saving,
        Key::Sending,
        Key::Deleting,
        Key::NavAdmin,
        #[cfg(feature = "local_auth")]
        Key::MethodEmailPassword,
        #[cfg(feature = "google_auth")]
        Key::MethodGoogle,
        #[cfg(feature = "github_auth")]
        Key::MethodGitHub,
        #[cfg(feature = "google_auth")]
        Key::ContinueWithGoogle,
        #[cfg(feature = "github_auth")]
        Key::ContinueWithGitHub,
        Key::NoticeSignInToVerify,
        Key::NoticePasswordResetSignIn,
        #[cfg(feature = "local_auth")]
        Key::PasswordHint,
        #[cfg(feature = "local_auth")]
        Key::NewPasswordLabel,
        #[cfg(feature = "local_auth")]
        Key::CurrentPasswordLabel,
        #[cfg(feature = "local_auth")]
        Key::ForgotPasswordLink,
        #[cfg(feature = "local_auth")]
        Key::ForgotTitle,
        #[cfg(feature = "local_auth")]
        Key::ForgotBody,
        #[cfg(feature = "local_auth")]
        Key::ForgotButton,
        #[cfg(feature = "local_auth")]
        Key::ForgotSent,
        Key::BackToSignIn,
        #[cfg(feature = "local_auth")]
        Key::ResetTitle,
        #[cfg(feature = "local_auth")]
        Key::ResetButton,
        #[cfg(feature = "local_auth")]
        Key::ResetAskAgain,
        #[cfg(feature = "local_auth")]
        Key::VerifyTitle,
        #[cfg(feature = "local_auth")]
        Key::VerifyConfirmBody,
        #[cfg(feature = "local_auth")]
        Key::VerifyConfirmButton,
        #[cfg(feature = "local_auth")]
        Key::Verifying,
        #[cfg(feature = "local_auth")]
        Key::VerifySentTo,
        #[cfg(feature = "local_auth")]
        Key::VerifyCheckSpam,
        #[cfg(feature = "local_auth")]
        Key::VerifyResend,
        #[cfg(feature = "local_auth")]
        Key::VerifyResent,
        #[cfg(feature = "local_auth")]
        Key::VerifyDone,
        #[cfg(feature = "local_auth")]
        Key::VerifySignInFirst,
        Key::InviteWelcome,
        #[cfg(not(feature = "stripe_payment"))]
        Key::InviteOnlyNote,
        #[cfg(not(feature = "stripe_payment"))]
        Key::InviteOnlyTitle,
        #[cfg(not(feature = "stripe_payment"))]
        Key::InviteOnlyBody,
        #[cfg(feature = "stripe_payment")]
        Key::PaymentTitle,
        #[cfg(feature = "stripe_payment")]
        Key::PaymentBody,
        #[cfg(feature = "stripe_payment")]
        Key::PricingTitle,
        #[cfg(feature = "stripe_payment")]
        Key::PricingIntro,
        #[cfg(feature = "stripe_payment")]
        Key::OfferMonthly,
        #[cfg(feature = "stripe_payment")]
        Key::OfferYearly,
        #[cfg(feature = "stripe_payment")]
        Key::OfferPass,
        #[cfg(feature = "stripe_payment")]
        Key::PerMonth,
        #[cfg(feature = "stripe_payment")]
        Key::PerYear,
        #[cfg(feature = "stripe_payment")]
        Key::PassTerms,
        #[cfg(feature = "stripe_payment")]
        Key::ChooseOffer,
        #[cfg(feature = "stripe_payment")]
        Key::OpeningCheckout,
        #[cfg(feature = "stripe_payment")]
        Key::SignUpToBuy,
        #[cfg(feature = "stripe_payment")]
        Key::PaymentsOff,
        #[cfg(feature = "stripe_payment")]
        Key::CheckoutCancelled,
        #[cfg(feature = "stripe_payment")]
        Key::SuccessTitle,
        #[cfg(feature = "stripe_payment")]
        Key::SuccessWaiting,
        #[cfg(feature = "stripe_payment")]
        Key::SuccessSlow,
        #[cfg(feature = "stripe_payment")]
        Key::SuccessGranted,
        #[cfg(feature = "stripe_payment")]
        Key::SuccessFailed,
        #[cfg(feature = "stripe_payment")]
        Key::SuccessExpired,
        #[cfg(feature = "stripe_payment")]
        Key::SuccessUnknown,
        #[cfg(feature = "stripe_payment")]
        Key::BackToPricing,
        #[cfg(feature = "stripe_payment")]
        Key::BillingSection,
        #[cfg(feature = "stripe_payment")]
        Key::BillingHint,
        #[cfg(feature = "stripe_payment")]
        Key::ManageBilling,
        #[cfg(feature = "stripe_payment")]
        Key::OpeningPortal,
        #[cfg(feature = "stripe_payment")]
        Key::ErrPaymentsUnavailable,
        #[cfg(feature = "stripe_payment")]
        Key::ErrAlreadySubscribed,
        #[cfg(feature = "stripe_payment")]
        Key::ErrSubscriptionNotCancelled,
        Key::WelcomeName,
        Key::AccountTitle,
        Key::ProfileSection,
        Key::EmailVerifiedBadge,
        Key::EmailUnverifiedBadge,
        Key::AccessSection,
        Key::AccessUntil,
        Key::AccessNoEnd,
        Key::AccessEnded,
        Key::AccessNone,
        Key::GetAccess,
        Key::ReasonInvite,
        Key::ReasonPayment,
        Key::ReasonAdminGrant,
        Key::ReasonAdmin,
        #[cfg(feature = "local_auth")]
        Key::PasswordSection,
        #[cfg(feature = "local_auth")]
        Key::NoPasswordYet,
        #[cfg(feature = "local_auth")]
        Key::SetPasswordLink,
        #[cfg(feature = "local_auth")]
        Key::ChangePasswordButton,
        #[cfg(feature = "local_auth")]
        Key::PasswordChanged,
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::ProvidersSection,
        Key::ProviderLinked,
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::Link,
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::Unlink,
        Key::SessionsSection,
        Key::LastActive,
        Key::ThisDevice,
        Key::SignOutSession,
        Key::SignOutOthers,
        Key::OtherSessionsEnded,
        Key::DeleteSection,
        Key::DeleteConfirmPassword,
        Key::DeleteConfirmEmail,
        Key::DeleteButton,
        Key::AdminTitle,
        Key::InviteSection,
        Key::AccessDaysLabel,
        Key::ValidDaysLabel,
        Key::SendInvite,
        Key::InviteSent,
        Key::InviteStatusLabel,
        Key::InviteAccessUntil,
        Key::InviteExpires,
        Key::InvitePending,
        Key::InviteRedeemed,
        Key::InviteExpired,
        Key::InviteRevoked,
        Key::Revoke,
        Key::GrantSection,
        Key::GrantButton,
        Key::AccessGranted,
        Key::ErrRequired,
        Key::ErrEmailInvalid,
        Key::ErrEmailTooLong,
        Key::ErrPasswordTooShort,
        Key::ErrPasswordTooLong,
        Key::ErrPasswordCommon,
        Key::ErrCurrentPasswordWrong,
        Key::ErrNameTooLong,
        Key::ErrConfirmMismatch,
        Key::ErrDaysInvalid,
        Key::ErrDateInvalid,
        #[cfg(feature = "chat")]
        Key::ErrMessageTooLong,
        #[cfg(feature = "chat")]
        Key::ErrTitleTooLong,
        Key::ErrValueInvalid,
        Key::ErrEmailTaken,
        Key::ErrEmailTakenUse,
        Key::ErrInvalidCredentials,
        Key::ErrRateLimited,
        Key::ErrBusy,
        #[cfg(feature = "chat")]
        Key::ErrTooManyReplies,
        Key::ErrInviteOnly,
        Key::ErrLinkExpired,
        Key::ErrNotSignedIn,
        Key::ErrAccessRequired,
        Key::ErrEmailNotVerified,
        Key::ErrForbidden,
        Key::ErrNotFound,
        Key::ErrLastSignInMethod,
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::OAuthDenied,
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::OAuthExpired,
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::OAuthProvider,
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::OAuthNoVerifiedEmail,
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::OAuthAlreadyLinked,
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::OAuthNotConfigured,
        Key::OAuthVerifyFirst,
        Key::MailHello,
        Key::MailIgnore,
        #[cfg(feature = "local_auth")]
        Key::MailVerifySubject,
        #[cfg(feature = "local_auth")]
        Key::MailVerifyBody,
        #[cfg(feature = "local_auth")]
        Key::MailVerifyButton,
        #[cfg(feature = "local_auth")]
        Key::MailResetSubject,
        #[cfg(feature = "local_auth")]
        Key::MailResetBody,
        #[cfg(feature = "local_auth")]
        Key::MailResetButton,
        Key::MailInviteSubject,
        Key::MailInviteBody,
        Key::MailInviteButton,
        Key::DaysDefaultHint,
    ];
}
