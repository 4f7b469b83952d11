//! Fake GitHub: OAuth app authorization with PKCE, the token endpoint
//! (which answers errors with `200 {"error": …}`, as GitHub does), and the
//! REST API's `/user` and `/user/emails`.

use crate::{Fakes, GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET, html, pkce_s256, random_token, with_query};
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use std::collections::HashMap;

#[derive(Default)]
pub(crate) struct Provider {
    codes: HashMap<String, Grant>,
    tokens: HashMap<String, Person>,
    pub(crate) token_requests: usize,
}

#[derive(Clone, Debug)]
struct Person {
    id: u64,
    login: String,
    name: String,
    email: String,
    verified: bool,
}

#[derive(Clone, Debug)]
struct Grant {
    redirect_uri: String,
    code_challenge: Option<String>,
    person: Person,
}

pub(crate) fn router() -> Router<Fakes> {
    Router::new()
        .route("/login/oauth/authorize", get(authorize))
        .route("/login/oauth/authorize/approve", post(approve))
        .route("/login/oauth/access_token", post(token))
        .route("/api/user", get(user))
        .route("/api/user/emails", get(emails))
}

/// `GET /login/oauth/authorize`: checks the request, shows the consent page.
async fn authorize(State(fakes): State<Fakes>, Query(q): Query<HashMap<String, String>>) -> Response {
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    if get("client_id") != GITHUB_CLIENT_ID {
        return (StatusCode::NOT_FOUND, Html("Not Found")).into_response();
    }
    if !fakes.redirect_allowed(&get("redirect_uri")) {
        return (
            StatusCode::BAD_REQUEST,
            Html("The redirect_uri is not associated with this application."),
        )
            .into_response();
    }
    let hidden: Vec<(&str, String)> = ["redirect_uri", "state", "code_challenge", "code_challenge_method"]
        .into_iter()
        .map(|k| (k, get(k)))
        .collect();
    let hidden: Vec<(&str, &str)> = hidden.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Html(html::consent(
        "Authorize the app (fake GitHub)",
        "/github/login/oauth/authorize/approve",
        &hidden,
        &[
            ("Email", "email", ""),
            ("Name", "name", ""),
            ("Username", "login", ""),
            ("User id", "id", ""),
        ],
    ))
    .into_response()
}

async fn approve(State(fakes): State<Fakes>, Form(f): Form<HashMap<String, String>>) -> Response {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let redirect_uri = get("redirect_uri");
    if !fakes.redirect_allowed(&redirect_uri) {
        return (StatusCode::BAD_REQUEST, Html("redirect_uri mismatch")).into_response();
    }
    let state = get("state");
    if get("decision") == "deny" {
        return Redirect::to(&with_query(
            &redirect_uri,
            &[
                ("error", "access_denied"),
                ("error_description", "The user has denied your application access."),
                ("state", &state),
            ],
        ))
        .into_response();
    }
    let email = get("email");
    let login = match get("login") {
        l if l.is_empty() => email.split('@').next().unwrap_or("octocat").to_owned(),
        l => l,
    };
    let id = get("id").parse().unwrap_or_else(|_| stable_id(&email));
    let challenge = match get("code_challenge_method").as_str() {
        "S256" => Some(get("code_challenge")),
        _ => None,
    };
    let code = random_token(15);
    fakes.lock().github.codes.insert(
        code.clone(),
        Grant {
            redirect_uri: redirect_uri.clone(),
            code_challenge: challenge,
            person: Person {
                id,
                login,
                name: get("name"),
                verified: get("email_verified") == "true",
                email,
            },
        },
    );
    Redirect::to(&with_query(&redirect_uri, &[("code", &code), ("state", &state)])).into_response()
}

fn stable_id(email: &str) -> u64 {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(email.as_bytes());
    u64::from_be_bytes(digest[..8].try_into().unwrap_or_default()) % 100_000_000 + 1
}

/// GitHub reports token errors with status 200.
fn github_error(error: &str, description: &str) -> Response {
    Json(json!({
        "error": error,
        "error_description": description,
        "error_uri": "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors",
    }))
    .into_response()
}

/// `POST /login/oauth/access_token`: client id and secret in the body.
async fn token(State(fakes): State<Fakes>, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    fakes.lock().github.token_requests += 1;
    let json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    if !json {
        return (
            StatusCode::NOT_ACCEPTABLE,
            "this fake only speaks JSON; send Accept: application/json",
        )
            .into_response();
    }
    // GitHub documents the credentials as body parameters.
    match (f.get("client_id"), f.get("client_secret")) {
        (Some(id), Some(secret)) if id == GITHUB_CLIENT_ID && secret == GITHUB_CLIENT_SECRET => {}
        _ => {
            return github_error(
                "incorrect_client_credentials",
                "The client_id and/or client_secret passed are incorrect.",
            );
        }
    }
    let code = f.get("code").cloned().unwrap_or_default();
    let Some(grant) = fakes.lock().github.codes.remove(&code) else {
        return github_error("bad_verification_code", "The code passed is incorrect or expired.");
    };
    if f.get("redirect_uri").is_some_and(|r| *r != grant.redirect_uri) {
        return github_error(
            "redirect_uri_mismatch",
            "The redirect_uri MUST match the registered callback URL for this application.",
        );
    }
    if let Some(challenge) = &grant.code_challenge {
        let verifier = f.get("code_verifier").cloned().unwrap_or_default();
        if pkce_s256(&verifier) != *challenge {
            return github_error(
                "bad_verification_code",
                "The code_verifier does not match the code_challenge.",
            );
        }
    }
    let token = format!("gho_{}", random_token(27));
    fakes.lock().github.tokens.insert(token.clone(), grant.person);
    Json(json!({ "access_token": token, "token_type": "bearer", "scope": "read:user,user:email" })).into_response()
}

fn person(fakes: &Fakes, headers: &HeaderMap) -> Option<Person> {
    let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = auth.strip_prefix("Bearer ").or_else(|| auth.strip_prefix("token "))?;
    fakes.lock().github.tokens.get(token).cloned()
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({ "message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401" })),
    )
        .into_response()
}

/// `GET /user`.
async fn user(State(fakes): State<Fakes>, headers: HeaderMap) -> Response {
    let Some(p) = person(&fakes, &headers) else {
        return unauthorized();
    };
    Json(json!({
        "login": p.login,
        "id": p.id,
        "node_id": format!("U_{}", p.id),
        "type": "User",
        "name": if p.name.is_empty() { None } else { Some(p.name) },
        "email": serde_json::Value::Null,
    }))
    .into_response()
}

/// `GET /user/emails`: the primary address, and a secondary one that is
/// verified but not primary (the app must pick the primary).
async fn emails(State(fakes): State<Fakes>, headers: HeaderMap) -> Response {
    let Some(p) = person(&fakes, &headers) else {
        return unauthorized();
    };
    Json(json!([
        { "email": format!("{}@users.noreply.github.com", p.id), "primary": false, "verified": true, "visibility": null },
        { "email": p.email, "primary": true, "verified": p.verified, "visibility": "private" },
    ]))
    .into_response()
}
