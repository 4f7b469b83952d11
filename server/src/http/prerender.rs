//! Pages served prerendered to signed-out visitors: static generation, as
//! a JavaScript starter's landing page is built once, not per request.
//!
//! A page listed in [`PAGES`] is rendered once per language and theme (the
//! only inputs it may depend on besides the build and the configuration),
//! from a request made of those two alone, and kept. Each signed-out
//! `GET` or `HEAD` of it then gets the kept page with its own CSP nonce put
//! in; the whole middleware stack still runs around it (request id,
//! session, security headers, compression). A signed-in visitor, a query
//! string or any other page is rendered as before, and under live reload
//! (`cargo xtask dev`) nothing is kept.
//!
//! Because the kept page is rendered from the language and theme alone,
//! nothing else a visitor sends (other cookies, headers, the URL's query)
//! can reach what others are served. A page belongs in [`PAGES`] only
//! when everything it shows comes from the build, the configuration, the
//! language and the theme: nothing read from the database, nothing about
//! the visitor.

use super::security::CspNonce;
use app::i18n::Locale;
use app::prefs::ThemeChoice;
use app::server::RequestSession;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderMap, Method, StatusCode, header};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, RwLock};

/// The pages served prerendered.
pub const PAGES: &[&str] = &[wire::paths::HOME_PATH];

/// The largest page kept (a rendered page is a few KB).
const MAX_PAGE_BYTES: usize = 1 << 20;

/// The kept pages of one app, shared by its requests.
#[derive(Clone)]
pub struct Prerendered(Arc<Inner>);

struct Inner {
    /// Off under live reload: a page changes as its code is edited.
    on: bool,
    /// Stands for the nonce in a kept page: 128 random bits, as a real
    /// nonce is, so no page's text holds it by chance.
    placeholder: String,
    pages: RwLock<HashMap<Key, Arc<Page>>>,
}

/// What a kept page may depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Key {
    path: &'static str,
    locale: Locale,
    theme: ThemeChoice,
}

/// A rendered page: its status, its headers and its body, split where the
/// nonce goes.
struct Page {
    status: StatusCode,
    headers: HeaderMap,
    pieces: Vec<Bytes>,
}

impl Prerendered {
    /// Pages kept prerendered when `on`; none otherwise (every page is
    /// rendered per request).
    pub fn new(on: bool) -> Self {
        Prerendered(Arc::new(Inner {
            on,
            placeholder: CspNonce::generate().0,
            pages: RwLock::new(HashMap::new()),
        }))
    }

    /// The page `request` may be served from, if any: a signed-out `GET`
    /// or `HEAD` of a page in [`PAGES`] with no query string.
    fn key(&self, request: &Request) -> Option<Key> {
        if !self.0.on || !matches!(*request.method(), Method::GET | Method::HEAD) || request.uri().query().is_some() {
            return None;
        }
        let path = PAGES.iter().find(|p| **p == request.uri().path())?;
        let signed_out = matches!(request.extensions().get::<RequestSession>(), Some(RequestSession(None)));
        if !signed_out {
            return None;
        }
        Some(Key {
            path,
            locale: app::i18n::locale_of(request.headers()),
            theme: app::prefs::theme_of(request.headers()),
        })
    }

    /// The request the page for `key` is rendered from: the path, the
    /// language and theme as cookies, nobody signed in, the placeholder as
    /// the nonce. Nothing else.
    fn request_for(&self, key: Key) -> Request {
        let mut cookies = format!("{}={}", app::i18n::LOCALE_COOKIE, key.locale.code());
        if let Some(theme) = key.theme.attr() {
            let _ = write!(cookies, "; {}={theme}", app::prefs::THEME_COOKIE);
        }
        let mut request = Request::new(Body::empty());
        *request.uri_mut() = http::Uri::from_static(key.path);
        if let Ok(cookies) = http::HeaderValue::from_str(&cookies) {
            request.headers_mut().insert(header::COOKIE, cookies);
        }
        request
            .headers_mut()
            .insert(header::ACCEPT, http::HeaderValue::from_static("text/html"));
        request.extensions_mut().insert(CspNonce(self.0.placeholder.clone()));
        request.extensions_mut().insert(RequestSession(None));
        request
    }

    fn kept(&self, key: &Key) -> Option<Arc<Page>> {
        self.0.pages.read().ok()?.get(key).cloned()
    }

    fn keep(&self, key: Key, page: Arc<Page>) {
        if let Ok(mut pages) = self.0.pages.write() {
            pages.insert(key, page);
        }
    }

    /// Splits a rendered page where the placeholder stands.
    async fn page_of(&self, response: Response) -> Result<Page, axum::Error> {
        let (parts, body) = response.into_parts();
        let body = axum::body::to_bytes(body, MAX_PAGE_BYTES).await?;
        let placeholder = self.0.placeholder.as_bytes();
        let mut pieces = Vec::new();
        let mut start = 0;
        while let Some(found) = body[start..]
            .windows(placeholder.len())
            .position(|window| window == placeholder)
        {
            pieces.push(body.slice(start..start + found));
            start += found + placeholder.len();
        }
        pieces.push(body.slice(start..));
        Ok(Page {
            status: parts.status,
            headers: parts.headers,
            pieces,
        })
    }
}

impl Page {
    /// The page with `nonce` where the placeholder stood.
    fn response(&self, nonce: &str) -> Response {
        let len = self.pieces.iter().map(Bytes::len).sum::<usize>() + nonce.len() * (self.pieces.len() - 1);
        let mut body = Vec::with_capacity(len);
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                body.extend_from_slice(nonce.as_bytes());
            }
            body.extend_from_slice(piece);
        }
        let mut response = Response::new(Body::from(body));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers.clone();
        response
    }
}

/// Middleware on the pages (inside the session's, which says who is
/// signed in): serves a page of [`PAGES`] to a signed-out visitor from the
/// kept copy, rendering it first if there is none yet.
pub async fn serve(State(prerendered): State<Prerendered>, request: Request, next: Next) -> Response {
    // Every page and server function passes here: nothing is copied
    // unless the request is one to serve.
    let Some(key) = prerendered.key(&request) else {
        return next.run(request).await;
    };
    let Some(nonce) = request.extensions().get::<CspNonce>().map(|n| n.0.clone()) else {
        return next.run(request).await;
    };
    if let Some(page) = prerendered.kept(&key) {
        return page.response(&nonce);
    }
    let rendered = next.clone().run(prerendered.request_for(key)).await;
    match prerendered.page_of(rendered).await {
        Ok(page) => {
            let response = page.response(&nonce);
            // Only a page that rendered is kept (an error is rendered
            // again), and only with the headers every visitor may get: its
            // content type. A page that sets a cookie, or anything else,
            // is rendered for each request.
            let plain = page.headers.keys().all(|name| name == header::CONTENT_TYPE);
            if page.status == StatusCode::OK && plain {
                prerendered.keep(key, Arc::new(page));
            }
            response
        }
        Err(e) => {
            tracing::warn!(error = %e, path = key.path, "cannot prerender a page; rendering it for this request");
            next.run(request).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;
    use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering::SeqCst};
    use tower::ServiceExt as _;

    /// How the test page answers.
    const PLAIN: u8 = 0;
    const SETS_COOKIE: u8 = 1;
    const FAILS: u8 = 2;
    /// Too large to keep, at its first render only.
    const TOO_LARGE_ONCE: u8 = 3;

    /// The test page: counts its renders and echoes the nonce and the
    /// headers it was rendered with.
    #[derive(Clone, Default)]
    struct TestPage {
        renders: Arc<AtomicUsize>,
        mode: Arc<AtomicU8>,
    }

    async fn page(State(page): State<TestPage>, request: Request) -> Response {
        let earlier = page.renders.fetch_add(1, SeqCst);
        let nonce = request
            .extensions()
            .get::<CspNonce>()
            .map(|n| n.0.clone())
            .unwrap_or_default();
        let mut headers: Vec<String> = request
            .headers()
            .iter()
            .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("?")))
            .collect();
        headers.sort();
        let mut body = format!(
            "<script nonce=\"{nonce}\"></script>\n{}\n<script nonce=\"{nonce}\"></script>",
            headers.join("\n")
        );
        let mode = page.mode.load(SeqCst);
        if mode == TOO_LARGE_ONCE && earlier == 0 {
            body.push_str(&" ".repeat(MAX_PAGE_BYTES));
        }
        let mut response = Response::new(Body::from(body));
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, http::HeaderValue::from_static("text/html"));
        match mode {
            SETS_COOKIE => {
                response
                    .headers_mut()
                    .insert(header::SET_COOKIE, http::HeaderValue::from_static("a=b"));
            }
            FAILS => *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR,
            _ => {}
        }
        response
    }

    /// What the security and session middleware do around the pages: a
    /// fresh nonce (echoed as `x-nonce`) and, unless `x-no-session`, a
    /// resolved session with nobody signed in.
    async fn around(mut request: Request, next: Next) -> Response {
        let nonce = CspNonce::generate();
        request.extensions_mut().insert(nonce.clone());
        if !request.headers().contains_key("x-no-session") {
            request.extensions_mut().insert(RequestSession(None));
        }
        let mut response = next.run(request).await;
        response
            .headers_mut()
            .insert("x-nonce", http::HeaderValue::from_str(&nonce.0).unwrap());
        response
    }

    fn app(on: bool, mode: u8) -> (Router, TestPage) {
        let page_state = TestPage::default();
        page_state.mode.store(mode, SeqCst);
        let router = Router::new()
            .route("/", get(page).post(page))
            .route("/other", get(page))
            .with_state(page_state.clone())
            .route_layer(axum::middleware::from_fn_with_state(Prerendered::new(on), serve))
            .layer(axum::middleware::from_fn(around));
        (router, page_state)
    }

    struct Sent {
        status: StatusCode,
        body: String,
    }

    async fn send(app: &Router, method: Method, uri: &str, headers: &[(&str, &str)]) -> Sent {
        let mut request = Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let response = app.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
        let status = response.status();
        let nonce = response.headers()["x-nonce"].to_str().unwrap().to_owned();
        let body = String::from_utf8(
            axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap()
                .to_vec(),
        )
        .unwrap();
        // Every script carries this response's nonce, and no other.
        assert_eq!(
            body.matches(&format!("nonce=\"{nonce}\"")).count(),
            body.matches("nonce=\"").count(),
            "{body}"
        );
        Sent {
            status,
            body: body.replace(&nonce, "NONCE"),
        }
    }

    /// The product's last language (any one not the default would do).
    fn other_locale() -> Locale {
        Locale::ALL[Locale::ALL.len() - 1]
    }

    #[tokio::test]
    async fn a_page_is_rendered_once_per_language_and_theme_from_those_alone() {
        let (app, page) = app(true, PLAIN);
        let other = other_locale().code();
        let theme = format!("{}=dark; other=x", app::prefs::THEME_COOKIE);
        let visitor = [
            ("cookie", theme.as_str()),
            ("accept-language", other),
            ("x-visitor", "one"),
            ("user-agent", "one"),
        ];
        let first = send(&app, Method::GET, "/", &visitor).await;
        assert_eq!(first.status, StatusCode::OK);
        // Rendered from the language and theme alone, as cookies.
        let expected = format!(
            "accept: text/html\ncookie: {}={other}; {}=dark",
            app::i18n::LOCALE_COOKIE,
            app::prefs::THEME_COOKIE
        );
        assert!(first.body.contains(&expected), "{}", first.body);
        assert!(!first.body.contains("visitor") && !first.body.contains("other=x"));

        // Another visitor with the same language and theme: the kept page, their own nonce.
        let cookies = format!(
            "{}=dark; {}={other}",
            app::prefs::THEME_COOKIE,
            app::i18n::LOCALE_COOKIE
        );
        let second = send(&app, Method::GET, "/", &[("cookie", &cookies), ("x-visitor", "two")]).await;
        assert_eq!(second.body, first.body);
        let head = send(&app, Method::HEAD, "/", &visitor).await;
        assert_eq!(head.status, StatusCode::OK);
        assert_eq!(page.renders.load(SeqCst), 1, "one render for them all");

        // Another theme, another language: a render each, then kept.
        send(&app, Method::GET, "/", &[("accept-language", other)]).await;
        send(&app, Method::GET, "/", &[("accept-language", "xx")]).await;
        send(&app, Method::GET, "/", &[("accept-language", other)]).await;
        send(&app, Method::GET, "/", &[]).await;
        let keys: std::collections::HashSet<_> = [
            (other_locale(), ThemeChoice::Dark),
            (other_locale(), ThemeChoice::System),
            (Locale::default(), ThemeChoice::System),
        ]
        .into();
        assert_eq!(page.renders.load(SeqCst), keys.len());
    }

    #[tokio::test]
    async fn other_requests_are_rendered_each_time_from_themselves() {
        let (app, page) = app(true, PLAIN);
        let asks = [("x-visitor", "one")];
        for _ in 0..2 {
            for (method, uri, headers) in [
                (Method::GET, "/?q", &asks[..]),
                (Method::POST, "/", &asks[..]),
                (Method::GET, "/other", &asks[..]),
                // No resolved session: not known to be signed out.
                (Method::GET, "/", &[("x-visitor", "one"), ("x-no-session", "1")][..]),
            ] {
                let sent = send(&app, method, uri, headers).await;
                assert!(sent.body.contains("x-visitor: one"), "{uri}: rendered from the request");
            }
        }
        assert_eq!(page.renders.load(SeqCst), 8);
    }

    #[tokio::test]
    async fn nothing_is_kept_when_off_or_unfit_to_keep() {
        for (on, mode) in [(false, PLAIN), (true, SETS_COOKIE), (true, FAILS)] {
            let (app, page) = app(on, mode);
            let first = send(&app, Method::GET, "/", &[]).await;
            send(&app, Method::GET, "/", &[]).await;
            assert_eq!(page.renders.load(SeqCst), 2, "on {on}, mode {mode}");
            let status = if mode == FAILS {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::OK
            };
            assert_eq!(first.status, status);
        }
    }

    /// A page that cannot be kept (too large to read) is rendered for the
    /// request itself, not answered with an error.
    #[tokio::test]
    async fn a_page_that_cannot_be_kept_is_rendered_for_the_request() {
        let (app, page) = app(true, TOO_LARGE_ONCE);
        let sent = send(&app, Method::GET, "/", &[("x-visitor", "one")]).await;
        assert_eq!(sent.status, StatusCode::OK);
        assert!(sent.body.contains("x-visitor: one"));
        assert_eq!(page.renders.load(SeqCst), 2);
        // The next one renders and keeps it.
        send(&app, Method::GET, "/", &[]).await;
        send(&app, Method::GET, "/", &[]).await;
        assert_eq!(page.renders.load(SeqCst), 3);
    }
}
