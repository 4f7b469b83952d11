//! What the browser and the server both see, typed end to end: the paths
//! and the gate's table, the viewer and their access, the fields a form
//! error belongs to, views of records (invites, sessions, conversations),
//! the chat's reply events, and every translated string.
//!
//! Compiled into the server and into the WASM bundle alike, so nothing
//! here depends on Leptos, axum or the database (the database column types
//! of a few enums come with the `db` feature, server side only).

pub mod access;
pub mod account;
pub mod auth;
pub mod brand;
#[cfg(feature = "chat")]
pub mod chat;
pub mod credits;
pub mod email;
pub mod features;
pub mod fields;
pub mod gate;
pub mod i18n;
pub mod invites;
pub mod messages;
pub mod oauth;
pub mod password;
pub mod paths;
#[cfg(feature = "stripe_payment")]
pub mod payments;
pub mod requirement;
pub mod sse;
