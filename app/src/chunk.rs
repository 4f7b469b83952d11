//! Pages that live in their own WASM chunk, loaded when first visited.
//!
//! [`lazy_page!`](crate::lazy_page) declares a route view whose code the
//! build splits out of the main WASM (`cargo xtask build` runs the
//! splitter after `cargo build`): the chat, the account page, payments
//! and the admin console each come as a chunk of their own, so the
//! landing page, sign-in and sign-up hydrate from the main chunk alone.
//!
//! - On the server the page renders as any other, and the chunk (with the
//!   chunks it shares with others) is named in the page's `<head>`: a
//!   direct load of `/chat` fetches the chat chunk alongside the main one,
//!   once the page has painted, with no extra round trip
//!   ([`crate::hydration`]). Such a page sets no `<Meta>`, `<Link>`,
//!   `<Style>` or `<Script>` of its own (`<Title>` is fine): see
//!   [`crate::hydration::page_needs_chunk`].
//! - In the browser the route waits for its chunk. A chunk that fails to
//!   load (offline, a deploy removed it) leaves the current page in place
//!   and shows an alert with a "Try again" button; nothing is lost, and a
//!   success carries on where it stopped (a failed load is not cached).

/// Declares `$route`, a lazily loaded route view built by `$view` whose
/// code goes into the WASM chunk `$chunk` (one chunk per name; a name is
/// a plain identifier, unique in the app):
///
/// ```ignore
/// crate::lazy_page!(ChatView, chat, || view! { <Gated><ChatPage /></Gated> });
/// // in a route table:
/// view! { <Route path=path!("/chat") view={leptos_router::Lazy::<ChatView>::new()} /> }
/// ```
#[macro_export]
// rustfmt re-indents the `cfg_attr` inside at every run, so it skips this
// macro; `#[rustfmt::skip]` itself would make rustc treat the macro as
// macro-expanded, which a `crate::` path cannot name.
#[allow(clippy::deprecated_cfg_attr)]
#[cfg_attr(rustfmt, rustfmt::skip)]
macro_rules! lazy_page {
    ($route:ident, $chunk:ident, $view:expr) => {
        pub use self::$chunk::Page as $route;

        /// The page's code, split into its own chunk in the WASM build.
        #[doc(hidden)]
        mod $chunk {
            #[allow(unused_imports)]
            use super::*;

            /// A route view loaded from its own WASM chunk (see `crate::chunk`).
            pub struct Page;

            #[cfg_attr(
                feature = "hydrate",
                ::leptos::wasm_split::wasm_split(
                    $chunk,
                    wasm_split_path = ::leptos::wasm_split,
                    fallible,
                    preload(#[allow(non_snake_case)] preload_page)
                )
            )]
            #[allow(dead_code, improper_ctypes_definitions)]
            fn page() -> ::std::result::Result<::leptos::prelude::AnyView, ::leptos::wasm_split::SplitLoaderError> {
                ::std::result::Result::Ok(view())
            }

            fn view() -> ::leptos::prelude::AnyView {
                use ::leptos::prelude::IntoAny as _;
                ($view)().into_any()
            }

            impl ::leptos_router::LazyRoute for Page {
                fn data() -> Self {
                    Page
                }

                async fn view(_this: Self) -> ::leptos::prelude::AnyView {
                    #[cfg(feature = "hydrate")]
                    {
                        $crate::chunk::load(page).await
                    }
                    #[cfg(not(feature = "hydrate"))]
                    {
                        $crate::chunk::rendered_on_server(stringify!($chunk));
                        view()
                    }
                }

                async fn preload() {
                    #[cfg(feature = "hydrate")]
                    $crate::chunk::preload(preload_page).await;
                }
            }
        }
    };
}

/// Names the chunk a server-rendered page needs, so the browser fetches
/// it (with the chunks it depends on) with the main module
/// ([`crate::hydration`]).
#[cfg(not(feature = "hydrate"))]
pub fn rendered_on_server(chunk: &'static str) {
    crate::hydration::page_needs_chunk(chunk);
}

/// Loads a chunk and builds its page; while the chunk cannot be loaded,
/// asks the user to try again (see the module's docs). A chunk that still
/// fails once the user asked again while online is likely gone (a new
/// release replaced it): the page is then loaded afresh from the server.
#[cfg(feature = "hydrate")]
pub async fn load<F, Fut>(page: F) -> leptos::prelude::AnyView
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<leptos::prelude::AnyView, leptos::wasm_split::SplitLoaderError>>,
{
    let mut asked = false;
    loop {
        match page().await {
            Ok(view) => return view,
            Err(error) => {
                leptos::logging::warn!("a page's code could not be loaded: {error}");
                if asked && online() {
                    reload();
                }
                retry_prompt().await;
                asked = true;
            }
        }
    }
}

/// Fetches a chunk ahead of use (the router calls it on intent, such as
/// hovering a link); a failure is left to the visit itself.
#[cfg(feature = "hydrate")]
pub async fn preload<F, Fut>(preload: F)
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<(), leptos::wasm_split::SplitLoaderError>>,
{
    if preload().await.is_err() {
        leptos::logging::warn!("a page's code could not be preloaded");
    }
}

/// Whether the browser believes it is online.
#[cfg(feature = "hydrate")]
fn online() -> bool {
    web_sys::window().is_some_and(|w| w.navigator().on_line())
}

#[cfg(feature = "hydrate")]
fn reload() {
    if let Some(location) = web_sys::window().map(|w| w.location()) {
        let _ = location.reload();
    }
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// The prompt on screen, if any: every load that failed meanwhile
    /// waits for its one "Try again".
    static PROMPT: std::cell::RefCell<Option<js_sys::Promise>> = const { std::cell::RefCell::new(None) };
}

/// Shows an alert with a "Try again" button over the current page (or
/// joins the one already shown), and returns once the user asks to try
/// again; the alert is then gone and focus back where it was.
#[cfg(feature = "hydrate")]
async fn retry_prompt() {
    let promise = PROMPT.with(|p| p.borrow().clone()).unwrap_or_else(|| {
        let promise = show_prompt();
        PROMPT.with(|p| *p.borrow_mut() = Some(promise.clone()));
        promise
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Mounts the alert and returns a promise that resolves when its button is
/// pressed (or at once, when there is no page to show it on, after a
/// pause, so a failing load does not spin).
#[cfg(feature = "hydrate")]
fn show_prompt() -> js_sys::Promise {
    use crate::i18n::Key;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;

    let mut resolve = None;
    let promise = js_sys::Promise::new(&mut |res, _rej| resolve = Some(res));
    let resolve = resolve.expect("the Promise executor runs at once");
    let document = web_sys::window().and_then(|w| w.document());
    let host = document.as_ref().and_then(|d| {
        let host = d.create_element("div").ok()?.dyn_into::<web_sys::HtmlElement>().ok()?;
        d.body()?.append_child(&host).ok()?;
        Some(host)
    });
    let (Some(document), Some(host)) = (document, host) else {
        let _ = web_sys::window().map(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 2_000));
        PROMPT.with(|p| *p.borrow_mut() = None);
        return promise;
    };
    // The page's language: the one whose texts were loaded.
    let locale = wire::i18n::loaded_locale().unwrap_or_default();
    let previous = document.active_element();
    let button = NodeRef::<leptos::html::Button>::new();
    let handle = leptos::mount::mount_to(host.clone(), move || {
        view! {
            <div
                role="alert"
                data-chunk-error=""
                class="fixed inset-x-2 bottom-4 z-50 mx-auto flex max-w-lg flex-wrap items-center gap-3 rounded-lg border border-red-300 bg-white p-4 text-sm text-red-900 shadow-lg dark:border-red-700 dark:bg-primary-900 dark:text-red-100"
            >
                <p class="flex-1">{locale.t(Key::ChunkFailed)}</p>
                <button
                    type="button"
                    node_ref=button
                    class="rounded-md bg-primary-700 px-3 py-1.5 font-semibold text-white hover:bg-primary-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-accent-400"
                >
                    {locale.t(Key::ChunkRetry)}
                </button>
            </div>
        }
    });
    let Some(el) = button.get_untracked() else {
        drop(handle);
        host.remove();
        PROMPT.with(|p| *p.borrow_mut() = None);
        let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
        return promise;
    };
    // Keyboard users land on the button (`autofocus` does not apply to
    // an element added after the page loaded).
    let _ = el.focus();
    let mut handle = Some(handle);
    let on_click = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
        PROMPT.with(|p| *p.borrow_mut() = None);
        drop(handle.take());
        host.remove();
        if let Some(previous) = previous.as_ref().and_then(|e| e.dyn_ref::<web_sys::HtmlElement>()) {
            let _ = previous.focus();
        }
        let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
    });
    el.set_onclick(Some(on_click.as_ref().unchecked_ref()));
    // Lives as long as the button (one per failed load, a few bytes).
    on_click.forget();
    promise
}
