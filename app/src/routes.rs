//! The route table and the root component.

use crate::components::{Footer, Header};
use crate::i18n::{Key, provide_locale};
use crate::pages::{HoldingPage, LandingPage, NotFound};
use leptos::prelude::*;
use leptos_meta::{Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// The landing page.
pub const HOME_PATH: &str = "/";
/// The holding page: the signed-in main page while `chat` is compiled out.
pub const HOLDING_PATH: &str = "/home";
/// The chat, the product's main page.
#[cfg(feature = "chat")]
pub const CHAT_PATH: &str = "/chat";

/// Where a signed-in user with access starts: the chat when compiled in,
/// otherwise the holding page.
pub const fn main_path() -> &'static str {
    #[cfg(feature = "chat")]
    {
        CHAT_PATH
    }
    #[cfg(not(feature = "chat"))]
    {
        HOLDING_PATH
    }
}

/// The root component, rendered by the server and hydrated in the browser.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let locale = provide_locale();
    crate::components::provide_hydration_flag();

    view! {
        <Title formatter=|page: String| {
            if page.is_empty() {
                crate::brand::PRODUCT_NAME.to_owned()
            } else {
                format!("{page} · {}", crate::brand::PRODUCT_NAME)
            }
        } />
        <Router>
            <a
                href="#main"
                class="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-amber-400 focus:px-3 focus:py-2 focus:text-indigo-950"
            >
                {locale.t(Key::SkipToContent)}
            </a>
            <div class="flex min-h-screen flex-col">
                <Header />
                <main id="main" class="flex-1">
                    <Routes fallback=NotFound>
                        <Route path=path!("/") view=LandingPage />
                        <Route path=path!("/home") view=HoldingPage />
                        <ChatRoutes />
                    </Routes>
                </main>
                <Footer />
            </div>
        </Router>
    }
}

#[cfg(feature = "chat")]
use crate::chat::ChatRoutes;

/// Without `chat` there are no chat routes: `/chat` is a 404.
#[cfg(not(feature = "chat"))]
#[component(transparent)]
fn ChatRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {}
