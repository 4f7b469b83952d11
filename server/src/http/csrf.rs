//! Refuses state-changing requests (forms, server functions) that another
//! site made the browser send. Browsers label every request with
//! `Sec-Fetch-Site`; where it is missing, `Origin` must be this site. A
//! request with neither did not come from a browser page.

use app::error::AppError;
use app::server::session::error_response;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderMap, Method, header};

/// The origin users reach the site at (`https://app.example.com`).
#[derive(Clone, Debug)]
pub struct SiteOrigin(pub std::sync::Arc<str>);

/// Middleware: 403 for cross-site POST/PUT/PATCH/DELETE (and a redirect
/// to the sign-in page for a cross-site provider start).
pub async fn same_site_only(State(origin): State<SiteOrigin>, request: Request, next: Next) -> Response {
    let starts_flow = starts_sign_in(request.uri().path());
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) && !starts_flow;
    if safe || allowed(request.headers(), &origin.0) {
        return next.run(request).await;
    }
    if starts_flow {
        tracing::warn!(path = %request.uri().path(), "a provider sign-in started from another site: refused");
        return app::server::session::see_other(&format!("{}?oauth_error=expired", wire::paths::SIGN_IN_PATH));
    }
    tracing::warn!(
        path = %request.uri().path(),
        origin = ?request.headers().get(header::ORIGIN),
        fetch_site = ?request.headers().get("sec-fetch-site"),
        "cross-site request refused"
    );
    error_response(AppError::Forbidden)
}

/// Whether `path` starts a provider sign-in (a `GET` that changes state).
fn starts_sign_in(path: &str) -> bool {
    wire::auth::methods().iter().any(|m| m.start_path() == Some(path))
}

/// Whether a state-changing request may proceed.
pub fn allowed(headers: &HeaderMap, site_origin: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        // `none`: the user typed or bookmarked it. `same-site` is a sibling
        // subdomain, which is not us.
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if origin == site_origin {
        return true;
    }
    // Same origin as the host the request was sent to (a site reached by
    // several names, or a test on a random port).
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, h)| h);
    matches!((origin_host, host), (Some(o), Some(h)) if o == h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    const SITE: &str = "https://app.example.com";

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(allowed(&headers(&[("sec-fetch-site", "same-origin")]), SITE));
        assert!(allowed(&headers(&[("sec-fetch-site", "none")]), SITE));
        assert!(!allowed(&headers(&[("sec-fetch-site", "cross-site")]), SITE));
        assert!(!allowed(&headers(&[("sec-fetch-site", "same-site")]), SITE));
        // Even with a matching Origin, a cross-site label wins.
        assert!(!allowed(
            &headers(&[("sec-fetch-site", "cross-site"), ("origin", SITE)]),
            SITE
        ));
    }

    #[test]
    fn otherwise_the_origin_must_be_this_site() {
        assert!(allowed(&headers(&[("origin", SITE)]), SITE));
        assert!(!allowed(&headers(&[("origin", "https://evil.example")]), SITE));
        assert!(!allowed(&headers(&[("origin", "null")]), SITE));
        assert!(allowed(
            &headers(&[("origin", "http://127.0.0.1:4000"), ("host", "127.0.0.1:4000")]),
            SITE
        ));
        assert!(!allowed(
            &headers(&[("origin", "http://127.0.0.1:4001"), ("host", "127.0.0.1:4000")]),
            SITE
        ));
        // Not from a browser page.
        assert!(allowed(&HeaderMap::new(), SITE));
    }
}
