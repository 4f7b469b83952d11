//! The registry of product features, as both sides see them: each
//! compiled-in feature's lines in the gate's table, and the two places a
//! user is sent that depend on which features there are. A new feature's
//! rules are one line in [`GATES`].

use crate::requirement::Rule;

/// Each feature's own rules in the gate's table (read between the pages
/// every build has and the API areas; the first matching rule decides).
pub const GATES: &[&[Rule]] = &[
    #[cfg(feature = "stripe_payment")]
    crate::payments::GATE,
    #[cfg(feature = "chat")]
    crate::chat::GATE,
];

/// Whether anyone may register: with payments compiled in, yes (the gate
/// sends users without access to the payment page); otherwise only an
/// invited address.
pub const OPEN_SIGN_UP: bool = cfg!(feature = "stripe_payment");

/// The main route: where a signed-in user with access starts. The chat
/// when compiled in, otherwise the holding page.
pub const fn main_path() -> &'static str {
    #[cfg(feature = "chat")]
    {
        crate::chat::CHAT_PATH
    }
    #[cfg(not(feature = "chat"))]
    {
        crate::paths::HOLDING_PATH
    }
}

/// Where a signed-in user without access goes: the payment page, or in a
/// build without payments, the notice that the service is invite only.
pub const fn no_access_path() -> &'static str {
    #[cfg(feature = "stripe_payment")]
    {
        crate::payments::PAYMENT_PATH
    }
    #[cfg(not(feature = "stripe_payment"))]
    {
        crate::paths::INVITE_ONLY_PATH
    }
}
