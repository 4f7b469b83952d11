//! Fake Google: OpenID Connect authorization code flow with PKCE, an
//! RS256-signed ID token, and the JWKS that verifies it.

use crate::{Fakes, GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET, html, pkce_s256, random_token, with_query};
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::json;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The signing key (test-only, committed on purpose) and its id.
const KEY_PEM: &str = include_str!("../keys/google-test-key.pem");
const KEY_ID: &str = "app-fake-google-1";

static SIGNING_KEY: LazyLock<jsonwebtoken::EncodingKey> =
    LazyLock::new(|| jsonwebtoken::EncodingKey::from_rsa_pem(KEY_PEM.as_bytes()).expect("the test key parses"));

#[derive(Default)]
pub(crate) struct Provider {
    codes: HashMap<String, Grant>,
    pub(crate) token_requests: usize,
}

/// What an issued code stands for.
#[derive(Clone, Debug)]
struct Grant {
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    nonce: Option<String>,
    sub: String,
    email: String,
    email_verified: bool,
    name: String,
    /// Makes the ID token wrong in one way (`aud`, `nonce`, `iss`, `exp`,
    /// `sig`; `nbf`: not valid for an hour; `iat`: issued an hour ahead).
    tamper: Option<String>,
}

pub(crate) fn router() -> Router<Fakes> {
    Router::new()
        .route("/o/oauth2/v2/auth", get(authorize))
        .route("/o/oauth2/v2/auth/approve", post(approve))
        .route("/token", post(token))
        .route("/oauth2/v3/certs", get(certs))
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

/// `GET /o/oauth2/v2/auth`: checks the request, shows the account chooser.
async fn authorize(State(fakes): State<Fakes>, Query(q): Query<HashMap<String, String>>) -> Response {
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    if get("client_id") != GOOGLE_CLIENT_ID {
        return (StatusCode::UNAUTHORIZED, Html("Error 401: invalid_client")).into_response();
    }
    if !fakes.redirect_allowed(&get("redirect_uri")) {
        return (StatusCode::BAD_REQUEST, Html("Error 400: redirect_uri_mismatch")).into_response();
    }
    if get("response_type") != "code" || get("code_challenge_method") != "S256" || get("code_challenge").is_empty() {
        return (StatusCode::BAD_REQUEST, Html("Error 400: invalid_request")).into_response();
    }
    if !get("scope").split(' ').any(|s| s == "openid") {
        return (StatusCode::BAD_REQUEST, Html("Error 400: invalid_scope")).into_response();
    }
    let hidden: Vec<(&str, String)> = ["client_id", "redirect_uri", "state", "nonce", "code_challenge"]
        .into_iter()
        .map(|k| (k, get(k)))
        .collect();
    let hidden: Vec<(&str, &str)> = hidden.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Html(html::consent(
        "Sign in with Google (fake)",
        "/google/o/oauth2/v2/auth/approve",
        &hidden,
        &[("Email", "email", ""), ("Name", "name", ""), ("Account id", "sub", "")],
    ))
    .into_response()
}

/// `POST …/approve`: the person chose an account (or cancelled).
async fn approve(State(fakes): State<Fakes>, Form(f): Form<HashMap<String, String>>) -> Response {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let redirect_uri = get("redirect_uri");
    if !fakes.redirect_allowed(&redirect_uri) {
        return (StatusCode::BAD_REQUEST, Html("Error 400: redirect_uri_mismatch")).into_response();
    }
    let state = get("state");
    if get("decision") == "deny" {
        return Redirect::to(&with_query(
            &redirect_uri,
            &[("error", "access_denied"), ("state", &state)],
        ))
        .into_response();
    }
    let email = get("email");
    let sub = match get("sub") {
        s if s.is_empty() => stable_id(&email),
        s => s,
    };
    let code = format!("4/0A{}", random_token(24));
    fakes.lock().google.codes.insert(
        code.clone(),
        Grant {
            client_id: get("client_id"),
            redirect_uri: redirect_uri.clone(),
            code_challenge: get("code_challenge"),
            nonce: f.get("nonce").filter(|n| !n.is_empty()).cloned(),
            sub,
            name: get("name"),
            email_verified: get("email_verified") == "true",
            email,
            tamper: f.get("tamper").cloned(),
        },
    );
    Redirect::to(&with_query(
        &redirect_uri,
        &[("state", &state), ("code", &code), ("scope", "email profile openid")],
    ))
    .into_response()
}

/// A stable account id for an email, like Google's numeric `sub`.
fn stable_id(email: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(email.as_bytes());
    let n = u64::from_be_bytes(digest[..8].try_into().unwrap_or_default()) % 10u64.pow(18);
    format!("1{n:018}")
}

/// `POST /token`: exchanges a code once, with the right client, redirect URI and verifier.
async fn token(State(fakes): State<Fakes>, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    fakes.lock().google.token_requests += 1;
    match crate::client_credentials(&headers, &f) {
        Some((id, secret)) if id == GOOGLE_CLIENT_ID && secret == GOOGLE_CLIENT_SECRET => {}
        _ => return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "Unauthorized"),
    }
    if f.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "Invalid grant_type");
    }
    let code = f.get("code").cloned().unwrap_or_default();
    // Single use: a code is gone once presented, whatever happens next.
    let Some(grant) = fakes.lock().google.codes.remove(&code) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Malformed auth code.");
    };
    if f.get("redirect_uri") != Some(&grant.redirect_uri) || grant.client_id != GOOGLE_CLIENT_ID {
        return oauth_error(StatusCode::BAD_REQUEST, "redirect_uri_mismatch", "Bad Request");
    }
    let verifier = f.get("code_verifier").cloned().unwrap_or_default();
    if pkce_s256(&verifier) != grant.code_challenge {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Invalid code verifier.");
    }
    let id_token = match id_token(&fakes, &grant) {
        Ok(t) => t,
        Err(e) => return oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", &e.to_string()),
    };
    Json(json!({
        "access_token": format!("ya29.{}", random_token(32)),
        "expires_in": 3599,
        "token_type": "Bearer",
        "scope": "openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile",
        "id_token": id_token,
    }))
    .into_response()
}

fn id_token(fakes: &Fakes, g: &Grant) -> anyhow::Result<String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let tamper = g.tamper.as_deref();
    let claims = json!({
        "iss": if tamper == Some("iss") { "https://accounts.evil.example".to_owned() } else { fakes.google_issuer() },
        "azp": g.client_id,
        "aud": if tamper == Some("aud") { "another-app.apps.googleusercontent.com" } else { g.client_id.as_str() },
        "sub": g.sub,
        "email": g.email,
        "email_verified": g.email_verified,
        "name": g.name,
        "nonce": if tamper == Some("nonce") { Some("a-different-nonce".to_owned()) } else { g.nonce.clone() },
        "iat": match tamper {
            Some("exp") => now - 7200,
            Some("iat") => now + 3600,
            _ => now,
        },
        "exp": match tamper {
            Some("exp") => now - 3600,
            Some("iat" | "nbf") => now + 7200,
            _ => now + 3600,
        },
    });
    let mut claims = claims;
    if tamper == Some("nbf") {
        claims["nbf"] = json!(now + 3600);
    }
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(KEY_ID.to_owned());
    let mut token = jsonwebtoken::encode(&header, &claims, &SIGNING_KEY)?;
    if tamper == Some("sig") {
        // Flip the signature's last character: a forged token.
        let last = if token.ends_with('A') { 'B' } else { 'A' };
        token.pop();
        token.push(last);
    }
    Ok(token)
}

/// `GET /oauth2/v3/certs`: the public key, as Google publishes its keys.
async fn certs() -> Response {
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(KEY_PEM).expect("the test key parses");
    let public = key.to_public_key();
    let jwk = json!({
        "kty": "RSA",
        "alg": "RS256",
        "use": "sig",
        "kid": KEY_ID,
        "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
        "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
    });
    (
        [(
            header::CACHE_CONTROL,
            "public, max-age=19665, must-revalidate, no-transform",
        )],
        Json(json!({ "keys": [jwk] })),
    )
        .into_response()
}
