//! The route table and the root component (the paths are `wire::paths`
//! and each feature's own).

use crate::components::{Footer, Gated, Header};
use crate::features::{
    ChatRoutes, ForgotPasswordRoute, PaymentRoute, PaymentSuccessRoute, PricingRoute, ResetPasswordRoute,
    VerifyEmailRoute,
};
use crate::i18n::{Key, provide_locale};
use crate::pages::{HoldingPage, LandingPage, NotFound};
use leptos::prelude::*;
use leptos_meta::{Meta, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// The root component, rendered by the server and hydrated in the browser.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let locale = provide_locale();
    crate::components::provide_hydration_flag();
    // The skip link moves focus into the main content. Following `#main`
    // alone would only change the URL once the router handles the click;
    // before hydration the browser follows it and, `<main>` being
    // focusable (`tabindex="-1"`), focuses it too.
    let skip_to_main = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let main = document()
                .get_element_by_id("main")
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(main) = main {
                ev.prevent_default();
                let _ = main.focus();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };

    view! {
        <Title formatter=|page: String| {
            if page.is_empty() {
                crate::brand::PRODUCT_NAME.to_owned()
            } else {
                format!("{page} · {}", crate::brand::PRODUCT_NAME)
            }
        } />
        // Search engines' summary of every page (Lighthouse's SEO audit).
        <Meta name="description" content=locale.t(Key::MetaDescription) />
        <Router>
            <ViewerScope>
                <a
                    href="#main"
                    on:click=skip_to_main
                    class="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-accent-400 focus:px-3 focus:py-2 focus:text-primary-950"
                >
                    {locale.t(Key::SkipToContent)}
                </a>
                // A page that fills the screen (the chat: it scrolls inside
                // itself) marks its root `data-fill-screen`: the page is then
                // exactly the viewport's height (`dvh`: above a phone's
                // on-screen keyboard) and has no footer. Pure CSS, so the
                // server's HTML is already laid out so.
                <div class="group/app flex min-h-screen flex-col has-[[data-fill-screen]]:h-dvh has-[[data-fill-screen]]:min-h-0">
                    <Header />
                    <main
                        id="main"
                        tabindex="-1"
                        class="flex-1 focus:outline-none has-[[data-fill-screen]]:flex has-[[data-fill-screen]]:min-h-0 has-[[data-fill-screen]]:flex-col"
                    >
                        <Routes fallback=NotFound>
                            <Route path=path!("/") view=LandingPage />
                            <Route path=path!("/home") view={leptos_router::Lazy::<HoldingView>::new()} />
                            <SignInRoute />
                            <SignUpRoute />
                            <AccountRoute />
                            <AdminRoute />
                            <crate::credits::WalletRoute />
                            <VerifyEmailRoute />
                            <ForgotPasswordRoute />
                            <ResetPasswordRoute />
                            <PaymentRoute />
                            <PaymentSuccessRoute />
                            <PricingRoute />
                            <ChatRoutes />
                        </Routes>
                    </main>
                    <Footer />
                </div>
            </ViewerScope>
        </Router>
    }
}

/// Provides the viewer resource inside the router (it watches navigation).
#[component]
fn ViewerScope(children: Children) -> impl IntoView {
    crate::components::viewer::provide_viewer();
    crate::components::setup::provide_setup();
    crate::credits::provide_credits();
    children()
}

// One route per transparent component: with `--cfg erase_components`
// (cargo-leptos debug builds) a component may not return several.

#[component(transparent)]
fn SignInRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    use crate::auth::pages::SignInPage;
    view! { <Route path=path!("/signin") view=|| view! { <Gated><SignInPage /></Gated> } /> }.into_inner()
}

#[component(transparent)]
fn SignUpRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    use crate::auth::pages::SignUpPage;
    view! { <Route path=path!("/signup") view=|| view! { <Gated><SignUpPage /></Gated> } /> }.into_inner()
}

// Pages past sign-in load their code on first visit (`crate::chunk`).

crate::lazy_page!(HoldingView, holding, || view! { <Gated><HoldingPage /></Gated> });

#[component(transparent)]
fn AccountRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    view! { <Route path=path!("/account") view={leptos_router::Lazy::<AccountView>::new()} /> }.into_inner()
}

crate::lazy_page!(AccountView, account, || {
    use crate::auth::pages::AccountPage;
    view! { <Gated><AccountPage /></Gated> }
});

#[component(transparent)]
fn AdminRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    view! { <Route path=path!("/admin") view={leptos_router::Lazy::<AdminView>::new()} /> }.into_inner()
}

crate::lazy_page!(AdminView, admin, || {
    use crate::admin::AdminPage;
    view! { <Gated><AdminPage /></Gated> }
});
