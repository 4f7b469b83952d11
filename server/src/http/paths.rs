//! One spelling per path: `/account/` is redirected (308, method and body
//! kept) to `/account`, so the gate's table of exact paths is the single
//! truth about what a path needs (a trailing slash must not make a page
//! public).

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

/// Middleware: trailing slashes removed with a permanent redirect.
pub async fn without_trailing_slash(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.len() > 1 && path.ends_with('/') {
        // A browser reads `/\evil.example` as `//evil.example`, another
        // site (and a 308 is cached for good): a path with a backslash,
        // which none of ours has, is not redirected. (Leading slashes are
        // trimmed below, so `//evil.example/` stays on the site.)
        if path.contains('\\') {
            return StatusCode::NOT_FOUND.into_response();
        }
        let trimmed = format!("/{}", path.trim_matches('/'));
        let location = match request.uri().query() {
            Some(query) => format!("{trimmed}?{query}"),
            None => trimmed,
        };
        if let Ok(location) = HeaderValue::from_str(&location) {
            return (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, location)]).into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;
    use tower::ServiceExt as _;

    async fn answer(path: &str) -> (StatusCode, Option<String>) {
        let app = Router::new()
            .route("/account", get(|| async { "ok" }))
            .layer(axum::middleware::from_fn(without_trailing_slash));
        let response = app
            .oneshot(Request::builder().uri(path).body(axum::body::Body::empty()).unwrap())
            .await
            .unwrap();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|l| l.to_str().unwrap().to_owned());
        (response.status(), location)
    }

    #[tokio::test]
    async fn trailing_slashes_redirect_to_the_one_spelling() {
        assert_eq!(answer("/account").await, (StatusCode::OK, None));
        assert_eq!(
            answer("/account/").await,
            (StatusCode::PERMANENT_REDIRECT, Some("/account".into()))
        );
        assert_eq!(
            answer("/account//?next=/x").await,
            (StatusCode::PERMANENT_REDIRECT, Some("/account?next=/x".into()))
        );
        assert_eq!(answer("/").await.0, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn no_redirect_leaves_the_site() {
        assert_eq!(
            answer("//evil.example/").await,
            (StatusCode::PERMANENT_REDIRECT, Some("/evil.example".into()))
        );
        // Browsers read `/\host` in a Location as `//host`.
        for path in ["/\\evil.example/", "/\\/evil.example/", "/a/\\evil/"] {
            assert_eq!(answer(path).await, (StatusCode::NOT_FOUND, None), "{path}");
        }
    }
}
