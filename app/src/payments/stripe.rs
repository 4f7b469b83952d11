//! Stripe: Checkout, webhooks and the billing portal arrive with the
//! payments issue. Today this owns the page the gate sends users without
//! access to.

use crate::components::{AccessNotice, SignOutButton};
use crate::i18n::{Key, use_locale};
use leptos::prelude::*;
use leptos_meta::Title;

/// Path of the page the access gate sends users without access to.
pub const PAYMENT_PATH: &str = "/payment";

/// `/payment`: where a signed-in user without access lands. It says why
/// they are here (never had access, or it ended on a date).
#[component]
pub fn PaymentPage() -> impl IntoView {
    let locale = use_locale();
    view! {
        <Title text=locale.t(Key::PaymentTitle) />
        <section class="mx-auto flex w-full max-w-xl flex-col gap-4 px-4 py-12">
            <h1 class="text-2xl font-bold">{locale.t(Key::PaymentTitle)}</h1>
            <div class="card flex flex-col gap-4">
                <AccessNotice />
                <p>{locale.t(Key::PaymentBody)}</p>
                <SignOutButton />
            </div>
        </section>
    }
}
