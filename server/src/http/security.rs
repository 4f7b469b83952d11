//! Security headers on every response (pages, assets, 404s, health checks),
//! with a fresh CSP nonce per request that Leptos stamps on its scripts.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::HeaderValue;
use http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use rand::RngCore as _;

/// This request's CSP nonce: 128 random bits, URL-safe base64.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

impl CspNonce {
    pub(crate) fn generate() -> Self {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        CspNonce(URL_SAFE_NO_PAD.encode(bytes))
    }
}

/// What the middleware needs to know from the config.
#[derive(Clone, Copy, Debug)]
pub struct SecurityHeaders {
    pub hsts: bool,
    /// The dev tool's live-reload WebSocket port, when one runs
    /// (`SiteConfig::live_reload`).
    pub live_reload: Option<u16>,
}

/// The Content-Security-Policy for a response whose scripts carry `nonce`.
/// `'wasm-unsafe-eval'` lets the page compile its WASM and nothing else;
/// there is no `'unsafe-inline'` anywhere. With `live_reload`, pages opened
/// on this machine may also reach the dev tool's reload WebSocket.
pub fn content_security_policy(nonce: &str, live_reload: Option<u16>) -> String {
    let reload = live_reload
        .map(|port| format!(" ws://127.0.0.1:{port} ws://localhost:{port}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; font-src 'self'; \
         connect-src 'self'{reload}; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// Middleware: mints the nonce, hands it to the page renderer through the
/// request's extensions, and sets the headers on whatever comes back.
pub async fn add_security_headers(State(cfg): State<SecurityHeaders>, mut request: Request, next: Next) -> Response {
    let nonce = CspNonce::generate();
    let csp = content_security_policy(&nonce.0, cfg.live_reload);
    request.extensions_mut().insert(nonce);
    let mut response = next.run(request).await;

    let headers = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        headers.insert(CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(
        REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    // For browsers without CSP `frame-ancestors`.
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=(self)"),
    );
    if cfg.hsts {
        headers.insert(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    response
}

/// Leptos context hook: renders this request's scripts with its nonce.
pub fn provide_request_nonce() {
    use leptos::prelude::use_context;
    if let Some(parts) = use_context::<http::request::Parts>()
        && let Some(nonce) = parts.extensions.get::<CspNonce>()
    {
        leptos::prelude::provide_context(leptos::nonce::Nonce::from_value(nonce.0.as_str()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_128_bit_and_unique() {
        let a = CspNonce::generate().0;
        let b = CspNonce::generate().0;
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 16);
        assert_ne!(a, b);
    }

    #[test]
    fn the_policy_allows_only_nonced_scripts_and_wasm() {
        let csp = content_security_policy("abc", None);
        assert!(csp.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        for directive in ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"] {
            assert!(csp.contains(directive), "{directive}");
        }
        assert!(!csp.contains("unsafe-inline"));
        assert!(csp.contains("connect-src 'self';"));
    }

    #[test]
    fn a_watched_dev_server_lets_pages_reach_the_reload_socket_on_this_machine() {
        let csp = content_security_policy("abc", Some(3001));
        assert!(csp.contains("connect-src 'self' ws://127.0.0.1:3001 ws://localhost:3001;"));
    }
}
