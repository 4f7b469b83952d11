//! Business operations called directly, the way the CLI and jobs call
//! them: an [`Actor`](domain::Actor), the services and a fresh database —
//! no HTTP server, no Leptos. The server's black-box tests check the same
//! flows through the browser's door; these pin what the operations
//! themselves promise.

#![cfg(all(feature = "db_sqlite", feature = "local_auth"))]

// Without payments only `limits` runs here (the other modules register
// without an invite), so most of the helpers go unused.
#[cfg_attr(not(feature = "stripe_payment"), allow(dead_code))]
mod support;

// Registering without an invite needs payments compiled in (otherwise
// sign-up is by invite only).
#[cfg(feature = "stripe_payment")]
mod access;
#[cfg(feature = "stripe_payment")]
mod accounts;
#[cfg(all(feature = "chat", feature = "stripe_payment"))]
mod chat;
#[cfg(feature = "stripe_payment")]
mod invites;
mod limits;
#[cfg(feature = "stripe_payment")]
mod payments;
