//! Steps the account tests share: register, verify, sign in, and sign in
//! through the fake providers' consent pages.

use crate::helpers::{Browser, PASSWORD, TestApp, expect_json, unique_email};
#[cfg(any(feature = "google_auth", feature = "github_auth"))]
use std::collections::HashMap;

/// Registers through the sign-up server function.
pub async fn register(b: &Browser, email: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let mut form = vec![
        ("display_name", "Ada Lovelace"),
        ("email", email),
        ("password", PASSWORD),
    ];
    form.extend_from_slice(extra);
    b.call("/api/auth/register", &form).await
}

/// Signs in with email and password.
pub async fn sign_in(b: &Browser, email: &str, password: &str) -> reqwest::Response {
    b.call("/api/auth/sign-in", &[("email", email), ("password", password)])
        .await
}

/// Opens the verification link from the newest mail to `email` and confirms it.
pub async fn verify_from_mail(app: &TestApp, b: &Browser, email: &str) -> String {
    let mail = app.mail.first_to(email).await;
    let token = mail.token_in("/verify-email");
    let to = expect_json(b.call("/api/auth/verify-email", &[("token", &token)]).await, 200).await;
    to.as_str().unwrap().to_owned()
}

/// Registers, verifies the email from the delivered mail, and returns where the user lands.
pub async fn registered_and_verified(app: &TestApp, b: &Browser, email: &str) -> String {
    let to = expect_json(register(b, email, &[]).await, 200).await;
    assert_eq!(to, "/verify-email");
    verify_from_mail(app, b, email).await
}

/// A new account, verified and made an admin, signed in in the browser
/// returned; `tag` names its email.
pub async fn signed_in_admin(app: &TestApp, tag: &str) -> Browser {
    let admin = app.browser();
    let email = unique_email(tag);
    registered_and_verified(app, &admin, &email).await;
    make_admin(app, &email).await;
    admin
}

/// Makes an account an admin directly in the database.
pub async fn make_admin(app: &TestApp, email: &str) {
    use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
    let email = wire::email::Email::parse(email).unwrap();
    let user = domain::accounts::rules::find_by_email(app.db(), &email)
        .await
        .unwrap()
        .unwrap();
    let mut active = user.into_active_model();
    active.is_admin = Set(true);
    active.update(app.db()).await.unwrap();
}

/// The person who signs in at a fake provider.
#[cfg(any(feature = "google_auth", feature = "github_auth"))]
#[derive(Clone, Debug)]
pub struct Person {
    pub email: String,
    pub name: String,
    pub id: String,
    pub verified: bool,
}

#[cfg(any(feature = "google_auth", feature = "github_auth"))]
impl Person {
    pub fn new(email: &str) -> Self {
        Person {
            email: email.to_owned(),
            name: "Grace Hopper".to_owned(),
            id: String::new(),
            verified: true,
        }
    }
}

#[cfg(any(feature = "google_auth", feature = "github_auth"))]
fn query_of(url: &str) -> HashMap<String, String> {
    let parsed = reqwest::Url::parse(url).unwrap();
    parsed
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The sign-in providers this build has (a product may leave one out:
/// tests that need a particular one carry its feature's `cfg`).
#[cfg(any(feature = "google_auth", feature = "github_auth"))]
pub fn providers() -> Vec<&'static str> {
    [
        ("google", cfg!(feature = "google_auth")),
        ("github", cfg!(feature = "github_auth")),
    ]
    .into_iter()
    .filter_map(|(provider, built)| built.then_some(provider))
    .collect()
}

/// `GET /auth/{provider}/start?…`: returns the provider's authorize URL.
#[cfg(any(feature = "google_auth", feature = "github_auth"))]
pub async fn start(b: &Browser, provider: &str, query: &str) -> String {
    let path = if query.is_empty() {
        format!("/auth/{provider}/start")
    } else {
        format!("/auth/{provider}/start?{query}")
    };
    let response = b.get(&path).await;
    assert_eq!(response.status(), 303, "start redirects to the provider");
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Opens the fake's consent page and approves as `person`; returns the
/// callback URL the provider redirects back to.
#[cfg(any(feature = "google_auth", feature = "github_auth"))]
pub async fn consent(app: &TestApp, authorize_url: &str, person: &Person, tamper: Option<&str>) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = http.get(authorize_url).send().await.unwrap();
    assert_eq!(page.status(), 200, "the provider accepts the authorization request");
    let q = query_of(authorize_url);
    let is_google = authorize_url.contains("/google/");
    let mut form: Vec<(String, String)> = q.into_iter().collect();
    form.push(("email".into(), person.email.clone()));
    form.push(("name".into(), person.name.clone()));
    form.push((if is_google { "sub" } else { "id" }.into(), person.id.clone()));
    if person.verified {
        form.push(("email_verified".into(), "true".into()));
    }
    form.push(("decision".into(), "allow".into()));
    if let Some(t) = tamper {
        form.push(("tamper".into(), t.into()));
    }
    let approve = if is_google {
        format!("{}/google/o/oauth2/v2/auth/approve", app.fakes.url())
    } else {
        format!("{}/github/login/oauth/authorize/approve", app.fakes.url())
    };
    let response = http.post(approve).form(&form).send().await.unwrap();
    assert!(
        response.status().is_redirection(),
        "consent redirects back: {}",
        response.status()
    );
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Signs in through `provider` as `person`; returns the callback's response.
#[cfg(any(feature = "google_auth", feature = "github_auth"))]
pub async fn oauth(app: &TestApp, b: &Browser, provider: &str, person: &Person) -> reqwest::Response {
    let authorize = start(b, provider, "").await;
    let callback = consent(app, &authorize, person, None).await;
    b.get(&callback).await
}

/// Where a response redirects to.
pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default()
}
