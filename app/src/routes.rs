//! The route table, the paths of every page, and the root component.

use crate::components::{Footer, Gated, Header};
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
pub const SIGN_IN_PATH: &str = "/signin";
pub const SIGN_UP_PATH: &str = "/signup";
pub const VERIFY_EMAIL_PATH: &str = "/verify-email";
pub const FORGOT_PASSWORD_PATH: &str = "/forgot-password";
pub const RESET_PASSWORD_PATH: &str = "/reset-password";
pub const ACCOUNT_PATH: &str = "/account";
pub const ADMIN_PATH: &str = "/admin";

/// The main route: where a signed-in user with access starts. The one
/// setting for it: the chat when compiled in, otherwise the holding page.
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

/// Where a signed-in user without access goes: the payment page, or in a
/// build without payments, the notice that the service is invite only.
pub const fn no_access_path() -> &'static str {
    #[cfg(feature = "stripe_payment")]
    {
        crate::payments::stripe::PAYMENT_PATH
    }
    #[cfg(not(feature = "stripe_payment"))]
    {
        crate::pages::INVITE_ONLY_PATH
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
            <ViewerScope>
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
                            <Route path=path!("/home") view=|| view! { <Gated><HoldingPage /></Gated> } />
                            <SignInRoute />
                            <SignUpRoute />
                            <AccountRoute />
                            <AdminRoute />
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

#[component(transparent)]
fn AccountRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    use crate::auth::pages::AccountPage;
    view! { <Route path=path!("/account") view=|| view! { <Gated><AccountPage /></Gated> } /> }.into_inner()
}

#[component(transparent)]
fn AdminRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    use crate::admin::AdminPage;
    view! { <Route path=path!("/admin") view=|| view! { <Gated><AdminPage /></Gated> } /> }.into_inner()
}

/// With passwords: the page that verifies an email address.
#[cfg(feature = "local_auth")]
#[component(transparent)]
fn VerifyEmailRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    use crate::auth::pages::VerifyEmailPage;
    view! { <Route path=path!("/verify-email") view=VerifyEmailPage /> }.into_inner()
}

#[cfg(feature = "local_auth")]
#[component(transparent)]
fn ForgotPasswordRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    use crate::auth::pages::ForgotPasswordPage;
    view! { <Route path=path!("/forgot-password") view=ForgotPasswordPage /> }.into_inner()
}

#[cfg(feature = "local_auth")]
#[component(transparent)]
fn ResetPasswordRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    use crate::auth::pages::ResetPasswordPage;
    view! { <Route path=path!("/reset-password") view=ResetPasswordPage /> }.into_inner()
}

// Without passwords there is nothing to verify or reset.
#[cfg(not(feature = "local_auth"))]
#[component(transparent)]
fn VerifyEmailRoute() -> impl leptos_router::MatchNestedRoutes + Clone {}
#[cfg(not(feature = "local_auth"))]
#[component(transparent)]
fn ForgotPasswordRoute() -> impl leptos_router::MatchNestedRoutes + Clone {}
#[cfg(not(feature = "local_auth"))]
#[component(transparent)]
fn ResetPasswordRoute() -> impl leptos_router::MatchNestedRoutes + Clone {}

/// The page users without access land on.
#[cfg(feature = "stripe_payment")]
#[component(transparent)]
fn PaymentRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    use crate::payments::stripe::pages::PaymentPage;
    view! { <Route path=path!("/payment") view=|| view! { <Gated><PaymentPage /></Gated> } /> }.into_inner()
}

/// Where Stripe Checkout returns to.
#[cfg(feature = "stripe_payment")]
#[component(transparent)]
fn PaymentSuccessRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    use crate::payments::stripe::pages::PaymentSuccessPage;
    view! { <Route path=path!("/payment/success") view=|| view! { <Gated><PaymentSuccessPage /></Gated> } /> }
        .into_inner()
}

#[cfg(feature = "stripe_payment")]
#[component(transparent)]
fn PricingRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    use crate::payments::stripe::pages::PricingPage;
    view! { <Route path=path!("/pricing") view=PricingPage /> }.into_inner()
}

/// Without payments, users without access learn the service is invite only.
#[cfg(not(feature = "stripe_payment"))]
#[component(transparent)]
fn PaymentRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    use crate::pages::InviteOnlyPage;
    view! { <Route path=path!("/invite-only") view=InviteOnlyPage /> }.into_inner()
}
#[cfg(not(feature = "stripe_payment"))]
#[component(transparent)]
fn PaymentSuccessRoute() -> impl leptos_router::MatchNestedRoutes + Clone {}
#[cfg(not(feature = "stripe_payment"))]
#[component(transparent)]
fn PricingRoute() -> impl leptos_router::MatchNestedRoutes + Clone {}

#[cfg(feature = "chat")]
use crate::chat::ChatRoutes;

/// Without `chat` there are no chat routes: `/chat` is a 404.
#[cfg(not(feature = "chat"))]
#[component(transparent)]
fn ChatRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {}
