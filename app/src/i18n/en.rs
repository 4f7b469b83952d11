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
        Key::ChatEmptyBody => "Ask anything: the reply appears as it is written.",
        #[cfg(feature = "chat")]
        Key::ChatNew => "New chat",
        #[cfg(feature = "chat")]
        Key::ChatConversations => "Conversations",
        #[cfg(feature = "chat")]
        Key::ChatSearch => "Search conversations",
        #[cfg(feature = "chat")]
        Key::ChatNoConversations => "No conversations yet.",
        #[cfg(feature = "chat")]
        Key::ChatNoMatches => "No conversation titles match.",
        #[cfg(feature = "chat")]
        Key::ChatRename => "Rename",
        #[cfg(feature = "chat")]
        Key::ChatDelete => "Delete",
        #[cfg(feature = "chat")]
        Key::ChatDeleteConfirm => "Delete this conversation and its messages?",
        #[cfg(feature = "chat")]
        Key::ChatCancel => "Cancel",
        #[cfg(feature = "chat")]
        Key::ChatSave => "Save",
        #[cfg(feature = "chat")]
        Key::ChatTitleLabel => "Conversation title",
        #[cfg(feature = "chat")]
        Key::ChatModel => "Model",
        #[cfg(feature = "chat")]
        Key::ChatDemoModel => "Demo model (offline)",
        #[cfg(feature = "chat")]
        Key::ChatMessageLabel => "Message",
        #[cfg(feature = "chat")]
        Key::ChatPlaceholder => "Ask anything. Enter sends, Shift+Enter starts a new line.",
        #[cfg(feature = "chat")]
        Key::ChatCharCount => "{count} / {max} characters",
        #[cfg(feature = "chat")]
        Key::ChatSend => "Send",
        #[cfg(feature = "chat")]
        Key::ChatStop => "Stop",
        #[cfg(feature = "chat")]
        Key::ChatHistoryTrimmed => {
            "The model saw only the latest part of this conversation: {count} older messages did not fit in its context."
        }
        #[cfg(feature = "chat")]
        Key::ChatRegenerate => "Regenerate",
        #[cfg(feature = "chat")]
        Key::ChatCopy => "Copy",
        #[cfg(feature = "chat")]
        Key::ChatCopied => "Copied",
        #[cfg(feature = "chat")]
        Key::ChatCopyFailed => "Could not copy",
        #[cfg(feature = "chat")]
        Key::ChatRetry => "Retry",
        #[cfg(feature = "chat")]
        Key::ChatYou => "You",
        #[cfg(feature = "chat")]
        Key::ChatAssistant => "Assistant",
        #[cfg(feature = "chat")]
        Key::ChatWriting => "Writing…",
        #[cfg(feature = "chat")]
        Key::ChatStopped => "Stopped: the rest of this reply was not written.",
        #[cfg(feature = "chat")]
        Key::ChatJumpToLatest => "Jump to latest",
        #[cfg(feature = "chat")]
        Key::ChatLoadFailed => "This could not be loaded.",
        #[cfg(feature = "chat")]
        Key::ChatErrIdleTimeout => "The model stopped responding before it finished.",
        #[cfg(feature = "chat")]
        Key::ChatErrUnreachable => "The model provider could not be reached. It may be down.",
        #[cfg(feature = "chat")]
        Key::ChatErrRefused => "The model provider refused the request.",
        #[cfg(feature = "chat")]
        Key::ChatErrProvider => "The model provider reported an error.",
        #[cfg(feature = "chat")]
        Key::ChatErrInterrupted => "The reply was cut off.",
        #[cfg(feature = "chat")]
        Key::ChatErrNetwork => "The server could not be reached. Check your connection and try again.",
        #[cfg(all(feature = "local_auth", any(feature = "google_auth", feature = "github_auth")))]
        Key::Or => "or",
        Key::EmailLabel => "Email",
        Key::PasswordLabel => "Password",
        Key::DisplayNameLabel => "Name",
        Key::RememberMe => "Keep me signed in",
        Key::SignInTitle => "Sign in",
        Key::SignInButton => "Sign in",
        Key::SignInLink => "Sign in",
        Key::SigningIn => "Signing in…",
        Key::SignUpTitle => "Create your account",
        Key::SignUpButton => "Create account",
        Key::SignUpLink => "Sign up",
        Key::CreatingAccount => "Creating your account…",
        Key::NoAccountYet => "New here?",
        Key::CreateAccountLink => "Create an account",
        Key::HaveAccount => "Already have an account?",
        Key::SignOut => "Sign out",
        Key::SigningOut => "Signing out…",
        Key::Continue => "Continue",
        Key::Save => "Save",
        Key::Saved => "Saved.",
        Key::Saving => "Saving…",
        Key::Sending => "Sending…",
        Key::Deleting => "Deleting…",
        Key::NavAdmin => "Admin",
        #[cfg(feature = "local_auth")]
        Key::MethodEmailPassword => "email and password",
        #[cfg(feature = "google_auth")]
        Key::MethodGoogle => "Google",
        #[cfg(feature = "github_auth")]
        Key::MethodGitHub => "GitHub",
        #[cfg(feature = "google_auth")]
        Key::ContinueWithGoogle => "Continue with Google",
        #[cfg(feature = "github_auth")]
        Key::ContinueWithGitHub => "Continue with GitHub",
        Key::NoticeSignInToVerify => {
            "Sign in to confirm your email address. If you did not create this account, reset its password instead: that proves the address is yours."
        }
        Key::NoticePasswordResetSignIn => {
            "Your password has been changed and every session was signed out. Sign in with your new password."
        }
        #[cfg(feature = "local_auth")]
        Key::PasswordHint => "At least 8 characters. A long phrase is easier to remember and harder to guess.",
        #[cfg(feature = "local_auth")]
        Key::NewPasswordLabel => "New password",
        #[cfg(feature = "local_auth")]
        Key::CurrentPasswordLabel => "Current password",
        #[cfg(feature = "local_auth")]
        Key::ForgotPasswordLink => "Forgot your password?",
        #[cfg(feature = "local_auth")]
        Key::ForgotTitle => "Reset your password",
        #[cfg(feature = "local_auth")]
        Key::ForgotBody => {
            "Enter the email address of your account and we will send you a link to choose a new password."
        }
        #[cfg(feature = "local_auth")]
        Key::ForgotButton => "Send reset link",
        #[cfg(feature = "local_auth")]
        Key::ForgotSent => "If an account exists for that email, a reset link is on its way. It works for one hour.",
        Key::BackToSignIn => "Back to sign in",
        #[cfg(feature = "local_auth")]
        Key::ResetTitle => "Choose a new password",
        #[cfg(feature = "local_auth")]
        Key::ResetButton => "Set new password",
        #[cfg(feature = "local_auth")]
        Key::ResetAskAgain => "Need a new link?",
        #[cfg(feature = "local_auth")]
        Key::VerifyTitle => "Verify your email",
        #[cfg(feature = "local_auth")]
        Key::VerifyConfirmBody => "Confirm that this email address is yours.",
        #[cfg(feature = "local_auth")]
        Key::VerifyConfirmButton => "Confirm my email",
        #[cfg(feature = "local_auth")]
        Key::Verifying => "Confirming…",
        #[cfg(feature = "local_auth")]
        Key::VerifySentTo => "We sent a confirmation link to {email}. Open it to verify your email address.",
        #[cfg(feature = "local_auth")]
        Key::VerifyCheckSpam => "The link works for 24 hours. Not there? Check your spam folder, or send a new one.",
        #[cfg(feature = "local_auth")]
        Key::VerifyResend => "Send a new link",
        #[cfg(feature = "local_auth")]
        Key::VerifyResent => "A new link is on its way.",
        #[cfg(feature = "local_auth")]
        Key::VerifyDone => "Your email address is verified.",
        #[cfg(feature = "local_auth")]
        Key::VerifySignInFirst => "Sign in to see your verification status.",
        Key::InviteWelcome => "You are invited! Your access lasts until {until}.",
        #[cfg(not(feature = "stripe_payment"))]
        Key::InviteOnlyNote => "Registration is by invitation only.",
        #[cfg(not(feature = "stripe_payment"))]
        Key::InviteOnlyTitle => "This service is invite only",
        #[cfg(not(feature = "stripe_payment"))]
        Key::InviteOnlyBody => {
            "Accounts are by invitation. If you have an invite, use the link in your invitation email."
        }
        #[cfg(feature = "stripe_payment")]
        Key::PaymentTitle => "Choose how to get access",
        #[cfg(feature = "stripe_payment")]
        Key::PaymentBody => {
            "Your account needs access to use the app: choose a plan below, or use the link in an invitation email."
        }
        #[cfg(feature = "stripe_payment")]
        Key::PricingTitle => "Pricing",
        #[cfg(feature = "stripe_payment")]
        Key::PricingIntro => "Pick a plan. You can change or cancel it any time from your account page.",
        #[cfg(feature = "stripe_payment")]
        Key::OfferMonthly => "Monthly",
        #[cfg(feature = "stripe_payment")]
        Key::OfferYearly => "Yearly",
        #[cfg(feature = "stripe_payment")]
        Key::OfferPass => "{days}-day pass",
        #[cfg(feature = "stripe_payment")]
        Key::PerMonth => "per month, renews automatically",
        #[cfg(feature = "stripe_payment")]
        Key::PerYear => "per year, renews automatically",
        #[cfg(feature = "stripe_payment")]
        Key::PassTerms => "one payment for {days} days of access, no renewal",
        #[cfg(feature = "stripe_payment")]
        Key::ChooseOffer => "Choose",
        #[cfg(feature = "stripe_payment")]
        Key::OpeningCheckout => "Opening checkout…",
        #[cfg(feature = "stripe_payment")]
        Key::SignUpToBuy => "Create an account to continue",
        #[cfg(feature = "stripe_payment")]
        Key::PaymentsOff => "Online payment is not available yet. Ask us for an invitation.",
        #[cfg(feature = "stripe_payment")]
        Key::CheckoutCancelled => "Checkout was cancelled. Nothing was charged.",
        #[cfg(feature = "stripe_payment")]
        Key::SuccessTitle => "Confirming your payment",
        #[cfg(feature = "stripe_payment")]
        Key::SuccessWaiting => "Waiting for Stripe to confirm your payment…",
        #[cfg(feature = "stripe_payment")]
        Key::SuccessSlow => {
            "This is taking longer than usual. You can leave this page: your access starts as soon as the payment is confirmed."
        }
        #[cfg(feature = "stripe_payment")]
        Key::SuccessGranted => "Payment confirmed. Taking you in…",
        #[cfg(feature = "stripe_payment")]
        Key::SuccessFailed => "The payment did not go through, and nothing was charged. You can try again.",
        #[cfg(feature = "stripe_payment")]
        Key::SuccessExpired => "This checkout expired before it was paid. Start again from the pricing page.",
        #[cfg(feature = "stripe_payment")]
        Key::SuccessUnknown => "We could not find this checkout.",
        #[cfg(feature = "stripe_payment")]
        Key::BackToPricing => "See plans",
        #[cfg(feature = "stripe_payment")]
        Key::BillingSection => "Billing",
        #[cfg(feature = "stripe_payment")]
        Key::BillingHint => "Change your plan, update your card, cancel, or download invoices on Stripe.",
        #[cfg(feature = "stripe_payment")]
        Key::ManageBilling => "Manage billing",
        #[cfg(feature = "stripe_payment")]
        Key::OpeningPortal => "Opening…",
        #[cfg(feature = "stripe_payment")]
        Key::ErrPaymentsUnavailable => "Payments are unavailable right now. Please try again in a few minutes.",
        #[cfg(feature = "stripe_payment")]
        Key::ErrAlreadySubscribed => "You already have an active subscription. Manage it from your account page.",
        #[cfg(feature = "stripe_payment")]
        Key::ErrSubscriptionNotCancelled => {
            "Your subscription could not be cancelled right now, so your account was not deleted. Please try again in a few minutes, or cancel it under Manage billing first."
        }
        Key::WelcomeName => "Welcome, {name}!",
        Key::AccountTitle => "Your account",
        Key::ProfileSection => "Profile",
        Key::EmailVerifiedBadge => "verified",
        Key::EmailUnverifiedBadge => "not verified yet",
        Key::AccessSection => "Access",
        Key::AccessUntil => "You have access until {date} ({reason}).",
        Key::AccessNoEnd => "You have access with no end date ({reason}).",
        Key::AccessEnded => "Your access ended on {date}.",
        Key::AccessNone => "Your account does not have access yet.",
        Key::GetAccess => "Get access",
        Key::ReasonInvite => "invitation",
        Key::ReasonPayment => "payment",
        Key::ReasonAdminGrant => "granted by an administrator",
        Key::ReasonAdmin => "administrator",
        #[cfg(feature = "local_auth")]
        Key::PasswordSection => "Password",
        #[cfg(feature = "local_auth")]
        Key::NoPasswordYet => {
            "Your account has no password: you sign in with a provider. To add one, ask for a password link."
        }
        #[cfg(feature = "local_auth")]
        Key::SetPasswordLink => "Send me a password link",
        #[cfg(feature = "local_auth")]
        Key::ChangePasswordButton => "Change password",
        #[cfg(feature = "local_auth")]
        Key::PasswordChanged => "Your password has been changed. Your other sessions were signed out.",
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::ProvidersSection => "Sign-in providers",
        Key::ProviderLinked => "{provider} is now linked to your account.",
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::Link => "Link",
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::Unlink => "Unlink",
        Key::SessionsSection => "Signed-in devices",
        Key::LastActive => "last active",
        Key::ThisDevice => "This device",
        Key::SignOutSession => "End session",
        Key::SignOutOthers => "Sign out all other devices",
        Key::OtherSessionsEnded => "Signed out {count} other sessions.",
        Key::DeleteSection => "Delete account",
        Key::DeleteConfirmPassword => "Enter your password to confirm. This cannot be undone.",
        Key::DeleteConfirmEmail => "Type your email address to confirm. This cannot be undone.",
        Key::DeleteButton => "Delete my account",
        Key::AdminTitle => "Admin",
        Key::InviteSection => "Invites",
        Key::AccessDaysLabel => "Access (days)",
        Key::ValidDaysLabel => "Link valid (days)",
        Key::SendInvite => "Send invite",
        Key::InviteSent => "Invitation sent to {email}.",
        Key::InviteStatusLabel => "Status",
        Key::InviteAccessUntil => "Access until",
        Key::InviteExpires => "Link valid until",
        Key::InvitePending => "Pending",
        Key::InviteRedeemed => "Redeemed",
        Key::InviteExpired => "Expired",
        Key::InviteRevoked => "Revoked",
        Key::Revoke => "Revoke",
        Key::GrantSection => "Grant access to an account",
        Key::GrantButton => "Grant access",
        Key::AccessGranted => "Access granted until {date}.",
        Key::ErrRequired => "This field is required.",
        Key::ErrEmailInvalid => "That does not look like an email address.",
        Key::ErrEmailTooLong => "That email address is too long.",
        Key::ErrPasswordTooShort => "Use at least 8 characters.",
        Key::ErrPasswordTooLong => "Use at most 1024 characters.",
        Key::ErrPasswordCommon => "This password is too common or easy to guess. Choose another one.",
        Key::ErrCurrentPasswordWrong => "Your current password is not right.",
        Key::ErrNameTooLong => "Use at most 80 characters.",
        Key::ErrConfirmMismatch => "That does not match. Nothing was deleted.",
        Key::ErrDaysInvalid => "Enter a whole number of days from 1 to 3650.",
        Key::ErrDateInvalid => "Enter a valid date.",
        #[cfg(feature = "chat")]
        Key::ErrMessageTooLong => "A message can be at most 16,000 characters: shorten it or split it in two.",
        #[cfg(feature = "chat")]
        Key::ErrTitleTooLong => "A title can be at most 100 characters.",
        Key::ErrValueInvalid => "This value is not valid.",
        Key::ErrEmailTaken => "An account with this email already exists.",
        Key::ErrEmailTakenUse => {
            "An account with this email already exists. Sign in with {methods}, the way you did before."
        }
        Key::ErrInvalidCredentials => "Wrong email or password.",
        Key::ErrRateLimited => "Too many attempts. Please try again in {minutes} min.",
        Key::ErrBusy => "The server is busy right now. Please try again in a moment.",
        #[cfg(feature = "chat")]
        Key::ErrTooManyReplies => {
            "You already have {count} replies in progress. Wait for one to finish, then send again."
        }
        Key::ErrInviteOnly => "This service is invite only.",
        Key::ErrLinkExpired => "This link is invalid or has expired. Ask for a new one.",
        Key::ErrNotSignedIn => "Please sign in first.",
        Key::ErrAccessRequired => "Your account needs access for this.",
        Key::ErrEmailNotVerified => "Please verify your email address first.",
        Key::ErrForbidden => "You are not allowed to do this.",
        Key::ErrNotFound => "We could not find that.",
        Key::ErrLastSignInMethod => "This is your only way to sign in, so it cannot be removed.",
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::OAuthDenied => "Sign-in was cancelled.",
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::OAuthExpired => "That sign-in attempt expired or was not started here. Please try again.",
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::OAuthProvider => "The provider could not confirm your sign-in. Please try again.",
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::OAuthNoVerifiedEmail => {
            "Your provider account has no verified email address. Verify one there, then try again."
        }
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::OAuthAlreadyLinked => "That account is already linked to another user.",
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::OAuthNotConfigured => "This sign-in method is not set up yet.",
        Key::OAuthVerifyFirst => "Confirm your email address before linking another way to sign in.",
        Key::MailHello => "Hi {name},",
        Key::MailIgnore => "If you did not ask for this, you can ignore this email.",
        #[cfg(feature = "local_auth")]
        Key::MailVerifySubject => "Confirm your email for {product}",
        #[cfg(feature = "local_auth")]
        Key::MailVerifyBody => "Confirm your email address for {product} with the link below within 24 hours.",
        #[cfg(feature = "local_auth")]
        Key::MailVerifyButton => "Confirm my email",
        #[cfg(feature = "local_auth")]
        Key::MailResetSubject => "Reset your {product} password",
        #[cfg(feature = "local_auth")]
        Key::MailResetBody => {
            "Someone asked to reset the password of your {product} account. Choose a new password with the link below within one hour."
        }
        #[cfg(feature = "local_auth")]
        Key::MailResetButton => "Choose a new password",
        Key::MailInviteSubject => "You are invited to {product}",
        Key::MailInviteBody => {
            "You are invited to {product}. Your access lasts until {until}. Create your account with the link below before {expires}."
        }
        Key::MailInviteButton => "Accept the invitation",
        Key::DaysDefaultHint => "Empty: the configured default.",
    }
}
