//! Builds the application (router, database, listener) and runs it until a
//! shutdown signal. `main` and the tests build it the same way.

use crate::config::Config;
use crate::db::Database;
use crate::health;
use crate::http::assets::{self, CachePolicy};
use crate::http::client_ip::{self, TrustedProxies};
use crate::http::csrf::{self, SiteOrigin};
use crate::http::limits::{self, InFlight};
use crate::http::paths;
use crate::http::prerender;
use crate::http::security::{self, SecurityHeaders};
use crate::http::serve::{ServeLimits, serve};
use crate::http::texts;
use crate::state::{AppState, Shared};
use anyhow::Context;
use app::{App, shell};
use axum::Router;
use axum::routing::get;
use domain::Services;
use http::{HeaderName, Request};
use leptos::config::LeptosOptions;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use tokio::net::TcpListener;
use tower::{Layer, ServiceBuilder};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A built application, bound to its port and ready to run.
pub struct Application {
    listener: TcpListener,
    router: Router,
    db: Database,
    services: Services,
    limits: ServeLimits,
}

impl Application {
    /// Opens and migrates the database, builds the router and binds the
    /// listener (port 0 picks a free port: see [`Application::port`]).
    pub async fn build(mut config: Config) -> anyhow::Result<Self> {
        let db = Database::connect(&config.database).await?;
        db.migrate().await?;
        let listener = TcpListener::bind(config.addr())
            .await
            .with_context(|| format!("binding {} (set HOST/PORT to change it)", config.addr()))?;
        let addr = listener.local_addr()?;
        config.accounts.public_url = config.public_url_for(addr);
        let services = Services::new(db.conn.clone(), config.accounts.clone())?;
        domain::credits::prices::seed(&db.conn, &services.settings.credits.prices, chrono::Utc::now())
            .await
            .context("storing the rate cards of CHAT_PRICES")?;
        report(&services);
        let limits = ServeLimits {
            header_read_timeout: config.header_read_timeout,
            shutdown_grace: config.shutdown_grace,
        };
        let state = AppState::new(Shared {
            leptos_options: leptos_options(&config, addr),
            db: db.clone(),
            config: Arc::new(config),
            services: services.clone(),
        });
        Ok(Application {
            listener,
            router: router(state),
            db,
            services,
            limits,
        })
    }

    /// The services the app runs with (tests reach the database through them).
    pub fn services(&self) -> &Services {
        &self.services
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or_default()
    }

    /// Serves until SIGTERM or SIGINT.
    pub async fn run(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish
    /// for up to the grace period, stops the background tasks and closes
    /// the database pool.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        // Background work, supervised: a panic restarts it, `/readyz` tells.
        let tasks = &self.services.tasks;
        let (mailer, stopping) = (self.services.mailer.clone(), tasks.clone());
        tasks.supervise("mailer", move || mailer.clone().run(stopping.stopping()));
        let (services, stopping) = (self.services.clone(), tasks.clone());
        tasks.supervise("janitor", move || {
            domain::janitor::run(services.clone(), stopping.stopping())
        });

        serve(self.listener, self.router, self.limits, shutdown).await;
        self.services.tasks.shutdown().await;
        self.db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Leptos' view of the config: where the built assets are and what they are called.
fn leptos_options(config: &Config, addr: SocketAddr) -> LeptosOptions {
    let mut options = LeptosOptions::builder()
        .output_name(option_env!("LEPTOS_OUTPUT_NAME").unwrap_or(wire::brand::SLUG))
        .site_root(config.site.root.to_string_lossy().as_ref())
        .site_pkg_dir(config.site.pkg_dir.as_str())
        .site_addr(addr)
        .hash_files(config.site.hash_files)
        .build();
    // `<AutoReload>` connects here (it renders only while `LEPTOS_WATCH` is set).
    if let Some(port) = config.site.live_reload {
        options.reload_port = u32::from(port);
    }
    options
}

/// Says once, at start-up, how this build is configured: the mail
/// transport, then whatever each feature has to say.
fn report(services: &Services) {
    if let domain::settings::MailTransport::Folder(dir) = &services.settings.mail.transport {
        tracing::warn!(dir = %dir.display(), "no SMTP_HOST: emails are written to this folder, not sent");
    }
    for feature in app::features::ALL {
        (feature.report)(services);
    }
}

/// What every Leptos render and server function gets in its context.
fn leptos_context(services: Services) -> impl Fn() + Clone + Send + 'static {
    move || {
        security::provide_request_nonce();
        leptos::prelude::provide_context(services.clone());
    }
}

/// The pages' routes, worked out once per process. Leptos works them out by
/// rendering the app with resource loading switched off for the whole
/// process (a global flag; leptos-rs/leptos#4773), so doing it again while
/// another app in the process renders (the API tests run many at once)
/// left that app's resources unloaded and its responses unfinished.
fn pages() -> Vec<AxumRouteListing> {
    static PAGES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    PAGES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole HTTP surface: probes, pages and server functions, OAuth
/// routes, static files, and the middleware every response goes through.
/// The router returned has only a fallback, the stack around the routed
/// app: add routes and layers inside, never to it (they would skip the
/// stack or run twice).
pub fn router(state: AppState) -> Router {
    // The shell reads Leptos' options from the shared state, not a copy per render.
    let shared = state.clone();
    let config = state.config.clone();
    let services = state.services.clone();
    let pages = pages();
    // The texts the browser loads, compressed now rather than at the first page.
    app::i18n::served::all();
    let context = leptos_context(services.clone());

    let not_found = leptos_axum::render_app_to_stream_with_context(context.clone(), {
        let shared = shared.clone();
        move || shell(&shared.leptos_options)
    });
    let not_found = tower::service_fn(move |req: Request<axum::body::Body>| {
        let render = not_found.clone();
        async move { Ok::<_, Infallible>(render(req).await) }
    });
    // The 404 page knows who is signed in, like every other page.
    let not_found =
        axum::middleware::from_fn_with_state(services.clone(), app::server::session::middleware).layer(not_found);
    let files = axum::middleware::from_fn_with_state(CachePolicy::new(&config.site), assets::cache_control)
        .layer(assets::serve_dir(&config.site, not_found));

    // Pages, server functions and each feature's own routes, all behind the
    // session and the gate.
    let accounts = app::features::ALL.iter().fold(
        Router::new().leptos_routes_with_context(&state, pages, context, move || shell(&shared.leptos_options)),
        |router, feature| router.merge((feature.routes)().with_state(services.clone())),
    );
    let accounts = accounts
        // The pages kept prerendered for signed-out visitors (runs inside the session's layer).
        .route_layer(axum::middleware::from_fn_with_state(
            // Not under live reload: there a page changes as it is edited.
            prerender::Prerendered::new(config.site.live_reload.is_none()),
            prerender::serve,
        ))
        // A signed-in page's balance, read before it renders (runs inside the session's layer).
        .route_layer(axum::middleware::from_fn_with_state(
            services.clone(),
            app::credits::page_balance,
        ))
        // Every page, server function and OAuth route: the session, then the gate.
        .route_layer(axum::middleware::from_fn_with_state(
            services.clone(),
            app::server::session::middleware,
        ));

    let router = Router::new()
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        // The texts the browser loads before hydrating.
        .route(texts::ROUTE, get(texts::texts))
        .merge(accounts);
    // Routes outside the session (Stripe's webhook: its own signature check).
    let router = app::features::ALL.iter().fold(router, |router, feature| {
        router.merge((feature.open_routes)(&services).with_state(services.clone()))
    });

    // The stack wraps the whole router, once, rather than each route
    // (`Router::layer`): a request clones the service it goes through,
    // and each `from_fn` layer clones what it wraps again, so per route
    // every request copied the page handler (the app's state, Leptos'
    // options) once per layer. Around the router the innermost service is
    // the router itself, which clones as one reference count.
    let routed = router.fallback_service(files).with_state(state);
    let stack = ServiceBuilder::new()
        .layer(axum::middleware::from_fn(paths::without_trailing_slash))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(axum::middleware::from_fn_with_state(
            SecurityHeaders {
                hsts: config.sends_hsts(),
                live_reload: config.site.live_reload,
            },
            security::add_security_headers,
        ))
        .layer(axum::middleware::from_fn_with_state(
            TrustedProxies(Arc::new(config.accounts.trusted_proxies.clone())),
            client_ip::resolve,
        ))
        .layer(axum::middleware::from_fn_with_state(
            SiteOrigin(site_origin(&config.accounts.public_url).into()),
            csrf::same_site_only,
        ))
        .layer(axum::middleware::from_fn_with_state(
            InFlight::new(config.max_concurrent_requests),
            limits::shed_load,
        ))
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(config.body_limit_bytes))
        // Until the response starts: a streamed page or reply goes on after it.
        .layer(TimeoutLayer::with_status_code(
            http::StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ));
    Router::new().fallback_service(stack.service(routed))
}

/// `scheme://host[:port]` of a URL.
fn site_origin(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", rest.split('/').next().unwrap_or_default()),
        None => url.to_owned(),
    }
}

fn request_span<B>(request: &Request<B>) -> tracing::Span {
    let request_id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id)
}

/// Completes on SIGTERM (orchestrators) or SIGINT (Ctrl-C).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
