//! The AI chat: the product's main page (`chat`). This module owns the
//! route, the [`page`] with its browser-side [`client`] for the reply
//! stream and the [`markdown`] it renders replies from, and the adapters:
//! the conversations' server functions ([`conversations`]) and the
//! streaming [`reply`] endpoint. The chat itself (providers, a reply's
//! life, conversations) is `domain::chat`; what both sides see is
//! `wire::chat`.

#[cfg(feature = "hydrate")]
pub mod client;
pub mod conversations;
pub mod markdown;
mod markdown_view;
pub mod page;
#[cfg(feature = "ssr")]
pub mod reply;

pub use page::ChatPage;
pub use wire::chat::REPLY_PATH;
pub use wire::chat::{DEMO_MODEL_ID, ReplyRequest};

use crate::components::Gated;
use leptos::prelude::*;
use leptos_router::components::Route;
use leptos_router::path;

/// The chat's route group, mounted by [`crate::App`]; the page (with the
/// Markdown renderer and the highlighter) is the WASM chunk `chat`.
#[component(transparent)]
pub fn ChatRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    view! { <Route path=path!("/chat") view={leptos_router::Lazy::<ChatView>::new()} /> }.into_inner()
}

crate::lazy_page!(ChatView, chat, || view! { <Gated><ChatPage /></Gated> });

/// The chat's hookup: the main page's link, its card on the landing page,
/// its reply stream (behind the session and the gate), and which models
/// it runs on, said at start-up.
pub const FEATURE: crate::feature::Feature = {
    let feature = crate::feature::Feature::named("chat")
        .nav(wire::chat::CHAT_PATH, crate::i18n::Key::NavChat)
        .pitch(crate::i18n::Key::FeatureChatTitle, crate::i18n::Key::FeatureChatBody);
    #[cfg(feature = "ssr")]
    let feature = feature.routes(reply::router).report(report);
    feature
};

/// Says which models the chat runs on (or that it has only the demo).
#[cfg(feature = "ssr")]
fn report(services: &domain::services::Services) {
    let enabled: Vec<&str> = services
        .features
        .chat
        .settings
        .enabled()
        .map(|m| m.id.as_str())
        .collect();
    if enabled.is_empty() {
        tracing::warn!(
            "the chat is not set up: CHAT_DEMO_MODEL is off and CHAT_MODELS enables no model (see .env.example)"
        );
    } else if enabled == [DEMO_MODEL_ID] {
        tracing::warn!(
            "no chat model configured: the chat answers with the offline demo model (see CHAT_MODELS in .env.example)"
        );
    } else {
        tracing::info!(models = ?enabled, "chat models");
    }
    let credits = &services.settings.credits;
    let unpriced: Vec<&str> = enabled
        .iter()
        .copied()
        .filter(|id| *id != DEMO_MODEL_ID && !credits.prices.iter().any(|p| p.model == *id))
        .collect();
    if credits.enforce && !unpriced.is_empty() {
        tracing::warn!(
            models = ?unpriced,
            "these chat models have no price in CHAT_PRICES: replies on them are refused while CREDITS_ENFORCE is on \
             (unless a price stored earlier is still in effect); see docs/credits.md"
        );
    }
}
