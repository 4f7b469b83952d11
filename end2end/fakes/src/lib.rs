#![recursion_limit = "256"]
//! Local fakes of Google's and GitHub's sign-in and of Stripe, for tests only.
//!
//! They speak the real wire formats, so the app's production client code runs
//! against them unchanged: authorization pages that redirect back with a
//! code, token endpoints that check the client secret, the exact redirect
//! URI, the PKCE verifier and single use of codes; Google's RS256-signed ID
//! token and its JWKS; GitHub's `/user` and `/user/emails`. Tests pick the
//! person who signs in on the fake's consent page (a browser fills the
//! form; Rust tests post it), and can ask for a tampered ID token. The fake
//! Stripe (`stripe`) serves the API calls the app makes and sends signed
//! webhooks when its hosted checkout page is paid. The fake model APIs
//! (`llm`) stream OpenAI-compatible, Anthropic and Gemini replies.

mod github;
mod google;
mod html;
pub mod llm;
pub mod stripe;

use axum::Router;
use axum::routing::post;
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

pub const GOOGLE_CLIENT_ID: &str = "app-test.apps.googleusercontent.com";
pub const GOOGLE_CLIENT_SECRET: &str = "GOCSPX-app-test-secret";
pub const GITHUB_CLIENT_ID: &str = "Iv1.apptest00000001";
pub const GITHUB_CLIENT_SECRET: &str = "app-test-github-secret";

/// The fakes' shared state.
#[derive(Clone, Default)]
pub struct Fakes {
    state: Arc<Mutex<State>>,
    base: String,
}

#[derive(Default)]
struct State {
    redirect_uris: HashSet<String>,
    google: google::Provider,
    github: github::Provider,
    stripe: stripe::Stripe,
    llm: llm::Llm,
}

impl Fakes {
    /// Serves the fakes on `addr` (port 0 picks one) in the background.
    pub async fn start(addr: SocketAddr) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let base = format!("http://{}", listener.local_addr()?);
        let fakes = Fakes {
            state: Arc::default(),
            base,
        };
        let app = fakes.router();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(fakes)
    }

    /// The fakes' base URL.
    pub fn url(&self) -> &str {
        &self.base
    }

    /// Registers a redirect URI for both providers' clients (exactly matched).
    pub fn allow_redirect(&self, uri: &str) {
        self.lock().redirect_uris.insert(uri.to_owned());
    }

    /// The settings that point the app at these fakes.
    pub fn app_env(&self) -> Vec<(&'static str, String)> {
        let b = &self.base;
        vec![
            ("GOOGLE_CLIENT_ID", GOOGLE_CLIENT_ID.to_owned()),
            ("GOOGLE_CLIENT_SECRET", GOOGLE_CLIENT_SECRET.to_owned()),
            ("GOOGLE_AUTH_URL", format!("{b}/google/o/oauth2/v2/auth")),
            ("GOOGLE_TOKEN_URL", format!("{b}/google/token")),
            ("GOOGLE_JWKS_URL", format!("{b}/google/oauth2/v3/certs")),
            ("GOOGLE_ISSUER", self.google_issuer()),
            ("GITHUB_CLIENT_ID", GITHUB_CLIENT_ID.to_owned()),
            ("GITHUB_CLIENT_SECRET", GITHUB_CLIENT_SECRET.to_owned()),
            ("GITHUB_AUTH_URL", format!("{b}/github/login/oauth/authorize")),
            ("GITHUB_TOKEN_URL", format!("{b}/github/login/oauth/access_token")),
            ("GITHUB_API_URL", format!("{b}/github/api")),
            ("STRIPE_SECRET_KEY", stripe::SECRET_KEY.to_owned()),
            ("STRIPE_WEBHOOK_SECRET", stripe::WEBHOOK_SECRET.to_owned()),
            ("STRIPE_API_BASE", format!("{b}/stripe/")),
            ("STRIPE_OFFERS", stripe::OFFERS.to_owned()),
            ("OPENAI_API_BASE", format!("{b}/openai/v1/")),
            ("OPENAI_API_KEY", llm::OPENAI_KEY.to_owned()),
            ("ANTHROPIC_API_BASE", format!("{b}/anthropic/")),
            ("ANTHROPIC_API_KEY", llm::ANTHROPIC_KEY.to_owned()),
            ("GEMINI_API_BASE", format!("{b}/gemini/")),
            ("GEMINI_API_KEY", llm::GEMINI_KEY.to_owned()),
            ("CHAT_MODELS", llm::MODELS.to_owned()),
            ("CHAT_PRICES", llm::PRICES.to_owned()),
            ("CREDITS_FREE_QUOTA", llm::QUOTA.to_owned()),
        ]
    }

    /// The `iss` of the fake's ID tokens.
    pub fn google_issuer(&self) -> String {
        format!("{}/google", self.base)
    }

    /// How many token requests each provider has answered (for tests of replays).
    pub fn token_requests(&self) -> (usize, usize) {
        let s = self.lock();
        (s.google.token_requests, s.github.token_requests)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn router(&self) -> Router {
        Router::new()
            .route("/_fake/redirects", post(allow_redirect))
            .nest("/google", google::router())
            .nest("/github", github::router())
            .nest("/stripe", stripe::router())
            .merge(stripe::control())
            .merge(llm::router())
            .with_state(self.clone())
    }

    fn redirect_allowed(&self, uri: &str) -> bool {
        self.lock().redirect_uris.contains(uri)
    }
}

#[derive(serde::Deserialize)]
struct Redirect {
    uri: String,
}

/// `POST /_fake/redirects {"uri": …}`: registers a redirect URI.
async fn allow_redirect(
    axum::extract::State(fakes): axum::extract::State<Fakes>,
    axum::Json(r): axum::Json<Redirect>,
) -> &'static str {
    fakes.allow_redirect(&r.uri);
    "ok"
}

/// A random URL-safe token.
fn random_token(bytes: usize) -> String {
    use base64::Engine as _;
    use rand::RngCore as _;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// PKCE S256: base64url(sha256(verifier)).
fn pkce_s256(verifier: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()))
}

/// `uri` with `pairs` appended to its query.
fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = uri.to_owned();
    for (i, (k, v)) in pairs.iter().enumerate() {
        out.push(if i == 0 && !uri.contains('?') { '?' } else { '&' });
        out.push_str(k);
        out.push('=');
        out.push_str(&percent(v));
    }
    out
}

fn percent(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Client credentials from HTTP Basic or the form body.
fn client_credentials(headers: &axum::http::HeaderMap, form: &HashMap<String, String>) -> Option<(String, String)> {
    use base64::Engine as _;
    if let Some(basic) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    {
        let decoded = base64::engine::general_purpose::STANDARD.decode(basic).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (id, secret) = text.split_once(':')?;
        return Some((unpercent(id), unpercent(secret)));
    }
    Some((form.get("client_id")?.clone(), form.get("client_secret")?.clone()))
}

/// Decodes `application/x-www-form-urlencoded` escapes (RFC 6749 §2.3.1 encodes Basic credentials so).
fn unpercent(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
