//! The pages of payments: `/pricing` (everyone), `/payment` (where the gate
//! sends users without access), `/payment/success` (waits for the webhook),
//! and the billing card of the account page.

use super::{
    CheckoutProgress, OpenBillingPortal, PRICING_PATH, StartCheckout, get_checkout_progress, get_pricing, has_billing,
};
use super::{Offer, OfferKind};
use crate::components::PostForm;
use crate::components::form::{FormError, FormState, Notice, Submit, follow_on_success, navigate_hard};
use crate::components::viewer::use_viewer;
use crate::components::{AccessNotice, SignOutButton, use_setup};
use crate::error::AppError;
use crate::i18n::{Key, Locale, use_locale};
use crate::pages::{AllSet, AskForInvite, InviteOnly};
use leptos::prelude::*;
use leptos_meta::Title;
use wire::paths as routes;

pub use super::PAYMENT_PATH;

/// How often the success page asks whether the webhook has arrived.
const POLL_EVERY_MS: u64 = 1000;
/// After this many polls the page says it is taking longer than usual.
const SLOW_AFTER_POLLS: u32 = 20;

fn query(name: &'static str) -> Memo<Option<String>> {
    let map = leptos_router::hooks::use_query_map();
    Memo::new(move |_| map.with(|m| m.get(name)).filter(|v| !v.is_empty()))
}

fn offer_name(locale: Locale, kind: OfferKind) -> String {
    match kind {
        OfferKind::Monthly => locale.t(Key::OfferMonthly).to_owned(),
        OfferKind::Yearly => locale.t(Key::OfferYearly).to_owned(),
        OfferKind::Pass { days } => locale.t(Key::OfferPass).replace("{days}", &days.to_string()),
    }
}

fn offer_terms(locale: Locale, kind: OfferKind) -> String {
    match kind {
        OfferKind::Monthly => locale.t(Key::PerMonth).to_owned(),
        OfferKind::Yearly => locale.t(Key::PerYear).to_owned(),
        OfferKind::Pass { days } => locale.t(Key::PassTerms).replace("{days}", &days.to_string()),
    }
}

/// The offers, each with a button that opens Stripe Checkout (or, signed
/// out, a link to sign up first).
#[component]
fn Offers() -> impl IntoView {
    let locale = use_locale();
    let viewer = use_viewer();
    let offers = crate::codec::load(|| (), |_| get_pricing());
    view! {
        <Suspense fallback=move || view! { <p aria-busy="true">{locale.t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                let signed_in = viewer.signed_in();
                match offers.await {
                    Ok(p) if p.enabled && !p.offers.is_empty() => view! {
                        <ul class="grid gap-4 sm:grid-cols-2" data-testid="offers">
                            {p.offers.into_iter().map(|o| view! { <OfferCard offer=o signed_in=signed_in /> }).collect_view()}
                        </ul>
                    }
                    .into_any(),
                    Ok(_) => view! {
                        <div class="alert-info flex flex-col gap-2" data-testid="payments-off">
                            <p>{locale.t(Key::PaymentsOff)}</p>
                            <AskForInvite />
                        </div>
                    }
                    .into_any(),
                    Err(e) => view! { <p role="alert" class="alert-error">{e.message(locale)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OfferCard(offer: Offer, signed_in: bool) -> impl IntoView {
    let locale = use_locale();
    let action = ServerAction::<StartCheckout>::new();
    let state = FormState::of(action);
    // Success is a Stripe Checkout URL: leave for it.
    follow_on_success(state.value);
    let offer_id = offer.id.clone();
    let button = if signed_in {
        view! {
            <PostForm action=action attr:class="flex flex-col gap-2">
                <input type="hidden" name="offer" value=offer_id />
                <Submit label=Key::ChooseOffer pending_label=Key::OpeningCheckout pending=state.pending />
                <FormError message=state.form_error() />
            </PostForm>
        }
        .into_any()
    } else {
        view! { <a href=routes::SIGN_UP_PATH class="btn-primary text-center">{locale.t(Key::SignUpToBuy)}</a> }
            .into_any()
    };
    view! {
        <li class="card flex flex-col gap-3" data-testid=format!("offer-{}", offer.id)>
            <h2 class="text-lg font-semibold">{offer_name(locale, offer.kind)}</h2>
            <p class="text-2xl font-bold">{offer.price.clone()}</p>
            <p class="text-sm">{offer_terms(locale, offer.kind)}</p>
            {button}
        </li>
    }
}

/// `/pricing`: the offers, for everyone.
#[component]
pub fn PricingPage() -> impl IntoView {
    let locale = use_locale();
    view! {
        <Title text=locale.t(Key::PricingTitle) />
        <section class="mx-auto flex w-full max-w-3xl flex-col gap-6 px-4 py-12">
            <h1 class="text-2xl font-bold">{locale.t(Key::PricingTitle)}</h1>
            <p>{locale.t(Key::PricingIntro)}</p>
            <Offers />
        </section>
    }
}

/// `/payment`: where a signed-in user without access lands. It says why
/// (never had access, or it ended on a date) and offers the plans; with
/// payments not configured it is the invite-only page, and a user who has
/// access is told so and sent on.
#[component]
pub fn PaymentPage() -> impl IntoView {
    let viewer = use_viewer();
    let payments = use_setup().offers("stripe_payment");
    move || {
        if viewer.with(|v| v.is_some_and(|v| v.access.granted)) {
            view! { <AllSet /> }.into_any()
        } else if payments {
            view! { <Plans /> }.into_any()
        } else {
            view! { <InviteOnly /> }.into_any()
        }
    }
}

/// The payment page's plans, for a user without access.
#[component]
fn Plans() -> impl IntoView {
    let locale = use_locale();
    let cancelled = query("cancelled");
    let cancelled_notice = Signal::derive(move || cancelled.get().map(|_| locale.t(Key::CheckoutCancelled).to_owned()));
    view! {
        <Title text=locale.t(Key::PaymentTitle) />
        <section class="mx-auto flex w-full max-w-3xl flex-col gap-6 px-4 py-12">
            <div class="flex flex-wrap items-center justify-between gap-3">
                <h1 class="text-2xl font-bold">{locale.t(Key::PaymentTitle)}</h1>
                <SignOutButton />
            </div>
            <Notice message=cancelled_notice />
            <div class="card flex flex-col gap-2">
                <AccessNotice />
                <p>{locale.t(Key::PaymentBody)}</p>
            </div>
            <Offers />
        </section>
    }
}

/// `/payment/success?session_id=…`: Stripe sends the browser here after
/// paying, but only the signed webhook grants access, so this page asks the
/// server until it has, then moves on to the main route.
#[component]
pub fn PaymentSuccessPage() -> impl IntoView {
    let locale = use_locale();
    let session_id = query("session_id");
    let polls = RwSignal::new(0u32);
    let progress = crate::codec::load(
        move || (session_id.get(), polls.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_checkout_progress(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    // In the browser: ask again while waiting; leave once access is granted.
    Effect::new(move |_| match progress.get() {
        Some(Ok(CheckoutProgress::Waiting)) => {
            set_timeout(
                // (The user may have left the page by then.)
                move || _ = polls.try_update(|n| *n += 1),
                std::time::Duration::from_millis(POLL_EVERY_MS),
            );
        }
        Some(Ok(CheckoutProgress::Granted { landing })) => navigate_hard(&landing),
        // A dropped connection: try again a little later.
        Some(Err(AppError::ServerFn(_) | AppError::Internal)) => {
            set_timeout(
                move || _ = polls.try_update(|n| *n += 1),
                std::time::Duration::from_millis(POLL_EVERY_MS * 3),
            );
        }
        _ => {}
    });
    let status = move || {
        let slow = polls.get() >= SLOW_AFTER_POLLS;
        let (key, testid, busy) = match progress.get() {
            None | Some(Ok(CheckoutProgress::Waiting)) => (
                if slow { Key::SuccessSlow } else { Key::SuccessWaiting },
                "waiting",
                true,
            ),
            Some(Ok(CheckoutProgress::Granted { .. })) => (Key::SuccessGranted, "granted", true),
            Some(Ok(CheckoutProgress::Failed)) => (Key::SuccessFailed, "failed", false),
            Some(Ok(CheckoutProgress::Expired)) => (Key::SuccessExpired, "expired", false),
            Some(Err(AppError::NotFound)) => (Key::SuccessUnknown, "unknown", false),
            Some(Err(_)) => (Key::SuccessWaiting, "waiting", true),
        };
        view! {
            <p role="status" aria-live="polite" aria-busy=busy.to_string() data-testid="checkout-progress" data-state=testid>
                {locale.t(key)}
            </p>
            {(!busy).then(|| view! { <a href=PRICING_PATH class="btn-primary self-start">{locale.t(Key::BackToPricing)}</a> })}
        }
    };
    view! {
        <Title text=locale.t(Key::SuccessTitle) />
        <section class="mx-auto flex w-full max-w-xl flex-col gap-4 px-4 py-12">
            <h1 class="text-2xl font-bold">{locale.t(Key::SuccessTitle)}</h1>
            <div class="card flex flex-col gap-4">
                <Transition fallback=move || view! { <p aria-busy="true">{locale.t(Key::SuccessWaiting)}</p> }>
                    {status}
                </Transition>
            </div>
        </section>
    }
}

/// The account page's billing card (listed in `features::account_cards`): its
/// resource is made now, with the page (not inside its suspense), so it
/// hydrates.
pub fn account_card() -> crate::feature::AccountCard {
    let billing = crate::codec::load(|| (), |_| has_billing());
    std::sync::Arc::new(move || view! { <BillingCard billing /> }.into_any())
}

/// The account page's billing card: opens the Stripe billing portal.
#[component]
pub fn BillingCard(billing: crate::codec::Loaded<Result<bool, AppError>>) -> impl IntoView {
    let locale = use_locale();
    let action = ServerAction::<OpenBillingPortal>::new();
    let state = FormState::of(action);
    follow_on_success(state.value);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                billing.await.unwrap_or(false).then(|| view! {
                    <section class="card flex flex-col gap-4" data-testid="billing">
                        <h2 class="text-lg font-semibold">{locale.t(Key::BillingSection)}</h2>
                        <p>{locale.t(Key::BillingHint)}</p>
                        <PostForm action=action attr:class="flex flex-col gap-2">
                            <Submit label=Key::ManageBilling pending_label=Key::OpeningPortal pending=state.pending />
                            <FormError message=state.form_error() />
                        </PostForm>
                    </section>
                })
            })}
        </Suspense>
    }
}

// Each page loads its code on first visit (`crate::chunk`).

/// The page users without access land on.
#[component(transparent)]
pub fn PaymentRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    use leptos_router::{components::Route, path};
    view! { <Route path=path!("/payment") view={leptos_router::Lazy::<PaymentView>::new()} /> }.into_inner()
}

crate::lazy_page!(PaymentView, payment, || {
    use crate::components::Gated;
    view! { <Gated><PaymentPage /></Gated> }
});

/// Where Stripe Checkout returns to.
#[component(transparent)]
pub fn PaymentSuccessRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    use leptos_router::{components::Route, path};
    view! { <Route path=path!("/payment/success") view={leptos_router::Lazy::<PaymentSuccessView>::new()} /> }
        .into_inner()
}

crate::lazy_page!(PaymentSuccessView, payment_success, || {
    use crate::components::Gated;
    view! { <Gated><PaymentSuccessPage /></Gated> }
});

/// The offers, for everyone.
#[component(transparent)]
pub fn PricingRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    use leptos_router::{components::Route, path};
    view! { <Route path=path!("/pricing") view={leptos_router::Lazy::<PricingView>::new()} /> }.into_inner()
}

crate::lazy_page!(PricingView, pricing, || view! { <PricingPage /> });
