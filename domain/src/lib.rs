//! The app's business operations, callable without a request: from a page's
//! server function, an HTTP handler, the CLI, a background job or a test.
//!
//! An operation is a function `op(&Services, &Actor, input) -> Result<Outcome,
//! DomainError>`: it says who acts ([`actor::Actor`]), runs its writes in its
//! own transaction, and returns what happened as data (a session token,
//! where the user goes next, a stream of reply events); cookies, statuses
//! and redirects are the adapters'. Nothing here knows Leptos or axum.

pub mod access;
pub mod accounts;
pub mod actor;
#[cfg(feature = "chat")]
pub mod chat;
pub mod credits;
pub mod error;
pub mod features;
pub mod invites;
pub mod janitor;
pub mod limits;
pub mod mail;
pub mod net;
#[cfg(feature = "stripe_payment")]
pub mod payments;
pub mod secret;
pub mod services;
pub mod settings;
pub mod tasks;
pub mod text;

pub use actor::{Actor, Client, CurrentSession, Role};
pub use error::{DomainError, Result};
pub use services::Services;
