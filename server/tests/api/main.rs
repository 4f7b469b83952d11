//! Black-box tests: the real app on port 0 with a fresh database per test,
//! driven over HTTP. Tests marked `on_each_database!` run on SQLite and on
//! PostgreSQL (`cargo xtask test` starts a server and sets XTASK_TEST_PG_URL).
//! Mail goes to a real SMTP server when the test command runs one
//! (XTASK_TEST_SMTP_PORT), else to the app's outbox folder.

mod helpers;
mod support;

mod accounts;
mod assets;
#[cfg(feature = "chat")]
mod chat;
#[cfg(feature = "chat")]
mod credits;
// SIGKILL and a second process: Unix.
#[cfg(all(feature = "chat", unix))]
mod credits_crash;
mod credits_model;
mod database;
mod health;
mod http_basics;
mod invites;
// A build without payments: sign-up by invitation only.
#[cfg(not(feature = "stripe_payment"))]
mod invite_only;
mod mail;
mod prerender;
// Google's flow is the one most of these drive (GitHub's own are gated inside).
#[cfg(feature = "google_auth")]
mod oauth;
#[cfg(feature = "stripe_payment")]
mod payments;
mod security_accounts;
mod security_background;
mod security_limits;
#[cfg(feature = "stripe_payment")]
mod security_payments;
