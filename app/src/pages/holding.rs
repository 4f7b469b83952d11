use crate::access::AccessState;
use crate::error::AppError;
use crate::i18n::{Key, use_locale};
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// What the main page greets the user with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeInfo {
    pub display_name: String,
    pub access: AccessState,
}

/// The main page's data; needs valid access (the gate declares `/api/app/*` so).
#[server(endpoint = "app/home")]
pub async fn home_summary() -> Result<HomeInfo, AppError> {
    let (_, actor) = crate::server::context()?;
    let current = crate::server::finish(actor.member())?;
    Ok(HomeInfo {
        display_name: current.user.display_name.clone(),
        access: current.access.clone(),
    })
}

/// A greeting with the user's name and how long their access lasts, from
/// the viewer the page already carries (nothing to wait for).
#[component]
pub fn Welcome() -> impl IntoView {
    let locale = use_locale();
    let viewer = crate::components::viewer::use_viewer();
    move || {
        viewer.get().map(|v| {
            view! {
                <p class="text-lg font-medium" data-testid="welcome">
                    {locale.t(Key::WelcomeName).replace("{name}", &v.display_name)}
                </p>
                <p class="text-sm text-primary-800 dark:text-primary-200" data-testid="access-status">
                    {crate::auth::pages::describe_access(locale, &v.access)}
                </p>
            }
        })
    }
}

/// The signed-in main page of builds without `chat`.
#[component]
pub fn HoldingPage() -> impl IntoView {
    let locale = use_locale();
    view! {
        <Title text=locale.t(Key::HoldingTitle) />
        <section class="mx-auto flex max-w-2xl flex-col gap-4 px-4 py-20 text-center">
            <h1 class="text-3xl font-bold">{locale.t(Key::HoldingTitle)}</h1>
            <Welcome />
            <p class="text-primary-800 dark:text-primary-200">{locale.t(Key::HoldingBody)}</p>
        </section>
    }
}
