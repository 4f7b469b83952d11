//! The signed-in user in the browser: known on the server when the page
//! is rendered and handed to the browser with it, fetched again when its
//! access answer goes stale, and the gate applied to client-side navigation.
//!
//! The viewer is a plain signal, not a resource: the server already knows
//! it synchronously (the session middleware resolved it), so no part of the
//! page waits on it and nothing is streamed out of order for it. (Reading
//! one resource in the header and in the page's `<Suspense>` left a small
//! fraction of server-rendered responses unfinished under concurrency.)

use crate::auth::{Viewer, get_viewer};
use crate::gate;
use crate::i18n::use_locale;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

/// The current user (`None` when signed out).
#[derive(Clone, Copy)]
pub struct ViewerState(RwSignal<Option<Viewer>>);

impl ViewerState {
    /// The viewer, tracked.
    pub fn get(self) -> Option<Viewer> {
        self.0.get()
    }

    /// Whether someone is signed in, tracked.
    pub fn signed_in(self) -> bool {
        self.0.with(Option::is_some)
    }

    /// The viewer, untracked.
    pub fn get_untracked(self) -> Option<Viewer> {
        self.0.get_untracked()
    }

    /// The user renamed themselves: every part of the page that shows the
    /// name (the header) follows at once.
    pub fn renamed(self, display_name: String) {
        self.0.update(|v| {
            if let Some(v) = v {
                v.display_name = display_name;
            }
        });
    }

    /// Reads the viewer by reference, tracked.
    pub fn with<R>(self, f: impl FnOnce(Option<&Viewer>) -> R) -> R {
        self.0.with(|v| f(v.as_ref()))
    }
}

/// Provides [`ViewerState`]; refetches it on navigation once the access it
/// carries is stale (after a few minutes, or when access runs out).
pub fn provide_viewer() -> ViewerState {
    let initial = crate::codec::shared(viewer_of_this_request);
    let state = ViewerState(RwSignal::new(initial));
    provide_context(state);
    let location = use_location();
    // Effects run in the browser only.
    Effect::new(move |_| {
        location.pathname.track();
        let stale = state
            .0
            .with_untracked(|v| v.as_ref().is_some_and(|v| now_secs() >= v.access.stale_at()));
        if stale {
            leptos::task::spawn_local(async move {
                // On failure the old answer stays; the server enforces the
                // gate on every request whatever the browser believes.
                if let Ok(fresh) = get_viewer().await {
                    state.0.set(fresh);
                }
            });
        }
    });
    state
}

/// On the server, the session the middleware resolved for this request; in
/// the browser (only reached when the page carried no viewer), nobody.
fn viewer_of_this_request() -> Option<Viewer> {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<crate::server::RequestSession>().cloned())
            .and_then(|s| s.0)
            .map(|s| s.viewer())
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// The viewer state.
pub fn use_viewer() -> ViewerState {
    use_context::<ViewerState>().expect("provide_viewer() runs in App")
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
    let viewer = use_viewer();
    let location = use_location();
    let path = location.pathname.get_untracked();
    let search = location.search.get_untracked();
    let redirect = Memo::new(move |_| {
        viewer.with(|viewer| {
            let denial = gate::requirement(&path).and_then(|req| gate::check(viewer, req).err())?;
            let requested = if search.is_empty() {
                path.clone()
            } else {
                format!("{path}?{search}")
            };
            Some(gate::redirect_for(viewer, denial, &requested))
        })
    });
    move || match redirect.get() {
        Some(to) => view! { <Redirect path=to /> }.into_any(),
        None => children().into_any(),
    }
}

/// What the signed-in user's access is, in a sentence ("Your access ended
/// on 2026-12-01."), for the pages the gate sends users without access to.
#[component]
pub fn AccessNotice() -> impl IntoView {
    let viewer = use_viewer();
    let locale = use_locale();
    move || {
        viewer.get().map(|v| {
            view! {
                <p data-testid="access-status" class="font-medium">
                    {crate::auth::pages::describe_access(locale, &v.access)}
                </p>
            }
        })
    }
}
