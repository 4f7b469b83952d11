//! The paths every build has. A feature's own paths are in its module
//! (`chat::CHAT_PATH`, `payments::PAYMENT_PATH`, …); where a signed-in user
//! starts is the registry's (`features::main_path`).

/// The landing page.
pub const HOME_PATH: &str = "/";
/// The holding page: the signed-in main page while `chat` is compiled out.
pub const HOLDING_PATH: &str = "/home";
pub const SIGN_IN_PATH: &str = "/signin";
pub const SIGN_UP_PATH: &str = "/signup";
pub const VERIFY_EMAIL_PATH: &str = "/verify-email";
pub const FORGOT_PASSWORD_PATH: &str = "/forgot-password";
pub const RESET_PASSWORD_PATH: &str = "/reset-password";
pub const ACCOUNT_PATH: &str = "/account";
pub const ADMIN_PATH: &str = "/admin";
/// The user's credits: balance, buckets, ledger.
pub const WALLET_PATH: &str = "/wallet";
/// Shown instead of the payment page in a build without payments.
pub const INVITE_ONLY_PATH: &str = "/invite-only";
