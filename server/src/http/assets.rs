//! Static files (WASM, JS, CSS, favicon) from the site root, served
//! precompressed (`.br`, `.gz` written by `cargo xtask build`) with the
//! matching `Content-Encoding`, and cached according to their names.

use crate::config::SiteConfig;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderValue;
use http::header::CACHE_CONTROL;
use tower_http::services::ServeDir;

/// `Cache-Control` of content-hashed files: their name changes with their content.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of files whose name stays the same across releases.
const REVALIDATE: &str = "public, max-age=0, must-revalidate";

/// A file server over the site root that hands misses to `fallback`.
pub fn serve_dir<F>(site: &SiteConfig, fallback: F) -> ServeDir<F> {
    ServeDir::new(&site.root)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
        // A POST to an unknown path gets the app's answer (404), not 405.
        .call_fallback_on_method_not_allowed(true)
        .fallback(fallback)
}

/// Which asset responses may be cached and for how long.
#[derive(Clone, Debug)]
pub struct CachePolicy {
    /// `/pkg/` prefix of the built assets.
    pub pkg_prefix: String,
    pub hashed: bool,
}

impl CachePolicy {
    pub fn new(site: &SiteConfig) -> Self {
        CachePolicy {
            pkg_prefix: format!("/{}/", site.pkg_dir.trim_matches('/')),
            // While a dev tool watches, it rewrites the stylesheet in place.
            hashed: site.hash_files && site.live_reload.is_none(),
        }
    }

    fn header_for(&self, path: &str) -> &'static str {
        if self.hashed && path.starts_with(&self.pkg_prefix) {
            IMMUTABLE
        } else {
            REVALIDATE
        }
    }
}

/// Middleware: sets `Cache-Control` on successful static-file responses.
/// Pages rendered by Leptos (including the 404 page) are left alone.
pub async fn cache_control(State(policy): State<CachePolicy>, request: Request, next: Next) -> Response {
    let value = policy.header_for(request.uri().path());
    let mut response = next.run(request).await;
    let is_page = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if response.status().is_success() && !is_page {
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hashed_pkg_files_are_immutable_and_not_while_a_dev_tool_watches() {
        let site = SiteConfig {
            root: "site".into(),
            pkg_dir: "pkg".into(),
            hash_files: true,
            live_reload: None,
        };
        let policy = CachePolicy::new(&site);
        assert_eq!(policy.header_for("/pkg/mast.0a1b2c.wasm"), IMMUTABLE);
        assert_eq!(policy.header_for("/favicon.svg"), REVALIDATE);
        let unhashed = CachePolicy::new(&SiteConfig {
            hash_files: false,
            ..site.clone()
        });
        assert_eq!(unhashed.header_for("/pkg/mast.wasm"), REVALIDATE);
        let watched = CachePolicy::new(&SiteConfig {
            live_reload: Some(3001),
            ..site
        });
        assert_eq!(watched.header_for("/pkg/mast.0a1b2c.css"), REVALIDATE);
    }
}
