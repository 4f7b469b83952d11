//! The AI chat: the product's main page (`chat`). This module owns the route
//! and its strings so they vanish from builds without `chat`, the decoding
//! of the providers' streams ([`stream`]) and the providers themselves
//! ([`provider`]) with their [`settings`], the user's [`conversations`]
//! (owner-scoped server functions), the streaming [`reply`] endpoint and
//! the [`page`] that puts them together, with its browser-side [`client`]
//! for the reply stream and the [`markdown`] it renders replies from.

#[cfg(feature = "hydrate")]
pub mod client;
#[cfg(feature = "ssr")]
pub mod context;
pub mod conversations;
pub mod markdown;
mod markdown_view;
pub mod page;
#[cfg(feature = "ssr")]
pub mod provider;
#[cfg(feature = "ssr")]
pub mod reply;
#[cfg(feature = "ssr")]
pub mod settings;
pub mod stream;

pub use page::ChatPage;
use serde::{Deserialize, Serialize};

/// Where the browser posts a message and reads the reply as it streams.
pub const REPLY_PATH: &str = "/api/chat/reply";

/// The demo model's catalogue id, which the picker labels as such.
pub const DEMO_MODEL_ID: &str = "demo";

/// What the browser posts to [`REPLY_PATH`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReplyRequest {
    /// Omitted for a new conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    #[serde(default)]
    pub text: String,
    /// A catalogue id; omitted (or no longer enabled) means the
    /// conversation's model, else the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Answer the last message again instead of a new one (`text` is ignored).
    #[serde(default)]
    pub regenerate: bool,
}

use crate::components::Gated;
use leptos::prelude::*;
use leptos_router::components::Route;
use leptos_router::path;

/// The chat's route group, mounted by [`crate::App`].
#[component(transparent)]
pub fn ChatRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    view! { <Route path=path!("/chat") view=|| view! { <Gated><ChatPage /></Gated> } /> }.into_inner()
}
