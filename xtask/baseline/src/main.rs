//! The yardstick for the app's server render cost: what a new Leptos 0.8 app
//! serves out of the box — one SSR route with a title, a stylesheet link and
//! the hydration scripts, streamed by `leptos_axum`, with no middleware.
//! `cargo xtask bench` runs it beside the app in the same wrk session and
//! prints the app's throughput as a fraction of this one's.
//!
//! Listens on `127.0.0.1:$PORT`; serves HTML only (no WASM is built: the
//! load generator never fetches it).

use axum::Router;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router as PageRouter, Routes};
use leptos_router::path;

fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/baseline.css" />
        <Title text="Baseline" />
        <PageRouter>
            <main>
                <Routes fallback=|| "Not found.">
                    <Route path=path!("") view=Home />
                </Routes>
            </main>
        </PageRouter>
    }
}

#[component]
fn Home() -> impl IntoView {
    let clicks = RwSignal::new(0);
    view! {
        <h1>"A bare Leptos page"</h1>
        <button on:click=move |_| clicks.update(|n| *n += 1)>"Clicked " {clicks} " times"</button>
    }
}

#[tokio::main]
async fn main() {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .expect("PORT: the port to listen on");
    let options = LeptosOptions::builder()
        .output_name("baseline")
        .site_addr(std::net::SocketAddr::from(([127, 0, 0, 1], port)))
        .build();
    let routes = generate_route_list(App);
    let app = Router::new()
        .leptos_routes(&options, routes, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .with_state(options);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("binding the port");
    axum::serve(listener, app).await.expect("serving");
}
