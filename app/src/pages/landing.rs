use crate::brand::PRODUCT_NAME;
use crate::i18n::{Key, use_locale};
use leptos::prelude::*;
use leptos_meta::Title;
use wire::features::main_path;

/// The public landing page: what the product is and where to start.
#[component]
pub fn LandingPage() -> impl IntoView {
    let locale = use_locale();
    // Accounts, each feature's own card (the registry's), then speed.
    let features: Vec<(Key, Key)> = std::iter::once((Key::FeatureAccountsTitle, Key::FeatureAccountsBody))
        .chain(crate::features::pitches(&crate::components::use_setup()))
        .chain([(Key::FeatureFastTitle, Key::FeatureFastBody)])
        .collect();

    view! {
        <Title text="" />
        <section class="bg-gradient-to-b from-primary-100 to-primary-50 dark:from-primary-900 dark:to-primary-950">
            <div class="mx-auto flex max-w-5xl flex-col items-start gap-6 px-4 py-16 sm:py-24">
                <p class="rounded-full bg-accent-300 px-3 py-1 text-xs font-semibold uppercase tracking-wide text-primary-950">
                    {PRODUCT_NAME}
                </p>
                <h1 class="max-w-3xl text-4xl font-bold tracking-tight sm:text-5xl">
                    {locale.t(Key::HeroTitle)}
                </h1>
                <p class="max-w-2xl text-lg text-primary-800 dark:text-primary-200">
                    {locale.t(Key::HeroSubtitle)}
                </p>
                <div class="flex flex-wrap gap-3">
                    <a href=main_path() class="btn-primary">{locale.t(Key::NavOpenApp)}</a>
                    <a href="#features" class="btn-secondary">{locale.t(Key::CtaLearnMore)}</a>
                </div>
            </div>
        </section>
        <section id="features" class="mx-auto max-w-5xl px-4 py-16">
            <h2 class="mb-8 text-2xl font-semibold">{locale.t(Key::FeaturesTitle)}</h2>
            <ul class="grid gap-4 sm:grid-cols-2">
                {features
                    .into_iter()
                    .map(|(title, body)| {
                        view! {
                            <li class="card">
                                <h3 class="mb-2 font-semibold">{locale.t(title)}</h3>
                                <p class="text-primary-800 dark:text-primary-200">{locale.t(body)}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
