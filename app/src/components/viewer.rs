//! The signed-in user in the browser: one resource, fetched with the page
//! and again when its access answer goes stale, and the gate applied to
//! client-side navigation.

use crate::auth::{Viewer, get_viewer};
use crate::error::AppError;
use crate::gate;
use crate::i18n::{Key, use_locale};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

/// The current user (`None` when signed out), as a resource.
#[derive(Clone, Copy)]
pub struct ViewerResource(pub Resource<Result<Option<Viewer>, AppError>>);

/// Provides [`ViewerResource`]; refetches it on navigation once the access
/// it carries is stale (after a few minutes, or when access runs out).
pub fn provide_viewer() -> ViewerResource {
    let resource = ViewerResource(Resource::new(|| (), |_| get_viewer()));
    provide_context(resource);
    let location = use_location();
    Effect::new(move |_| {
        location.pathname.track();
        let stale = resource
            .0
            .get_untracked()
            .and_then(|r| r.ok().flatten())
            .is_some_and(|v| now_secs() >= v.access.stale_at());
        if stale {
            resource.0.refetch();
        }
    });
    resource
}

/// The viewer resource.
pub fn use_viewer() -> ViewerResource {
    use_context::<ViewerResource>().expect("provide_viewer() runs in App")
}

fn now_secs() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        (js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        i64::MAX
    }
}

/// Renders `children` only when the gate lets the viewer open this path;
/// otherwise redirects where the gate says. The server has already applied
/// the same rule to the page load; this covers navigation in the browser.
#[component]
pub fn Gated(children: ChildrenFn) -> impl IntoView {
    let viewer = use_viewer().0;
    let location = use_location();
    let locale = use_locale();
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=move || view! { <p class="p-8 text-center" aria-busy="true">{locale.t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                let viewer = viewer.await.ok().flatten();
                let path = location.pathname.get_untracked();
                let denial = gate::requirement(&path).and_then(|req| gate::check(viewer.as_ref(), req).err());
                match denial {
                    Some(denial) => {
                        let search = location.search.get_untracked();
                        let requested = if search.is_empty() { path } else { format!("{path}?{search}") };
                        let to = gate::redirect_for(viewer.as_ref(), denial, &requested);
                        view! { <Redirect path=to /> }.into_any()
                    }
                    None => children.with_value(|c| c()).into_any(),
                }
            })}
        </Suspense>
    }
}

/// What the signed-in user's access is, in a sentence ("Your access ended
/// on 2026-12-01."), for the pages the gate sends users without access to.
#[component]
pub fn AccessNotice() -> impl IntoView {
    let viewer = use_viewer().0;
    let locale = use_locale();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                viewer
                    .await
                    .ok()
                    .flatten()
                    .map(|v| {
                        view! {
                            <p data-testid="access-status" class="font-medium">
                                {crate::auth::pages::describe_access(locale, &v.access)}
                            </p>
                        }
                    })
            })}
        </Suspense>
    }
}
