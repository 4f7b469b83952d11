//! The AI chat (`chat`): the providers behind one trait ([`provider`]),
//! their stream formats ([`stream`]), the catalogue and limits
//! ([`settings`]), what fits a model's context ([`context`]), the user's
//! conversations ([`conversations`]), a reply's life ([`reply`]) and the
//! replies a dead process left open ([`janitor`]).

mod billing;
pub mod context;
pub mod conversations;
pub mod janitor;
pub mod provider;
pub mod reply;
pub mod search;
pub mod settings;
pub mod stream;
