//! Google and GitHub sign-in against the fake providers: the production
//! client code, the real wire formats.

use crate::helpers::{Backend, Browser, TestApp, expect_json, unique_email};
use crate::on_each_database;
use crate::support::{Person, consent, location, oauth, providers, registered_and_verified, start};
use entity::user_identities;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;
use wire::features::{main_path, no_access_path};

async fn viewer(b: &Browser) -> Value {
    expect_json(b.call("/api/session/viewer", &[]).await, 200).await
}

async fn identities(app: &TestApp, provider: &str) -> Vec<user_identities::Model> {
    user_identities::Entity::find()
        .filter(user_identities::Column::Provider.eq(provider))
        .all(app.db())
        .await
        .unwrap()
}

async fn a_google_sign_up_makes_a_verified_account_known_by_provider_and_subject(app: TestApp) {
    let b = app.browser();
    let mut person = Person::new(&unique_email("grace"));
    person.id = "109876543210987654321".into();
    let done = oauth(&app, &b, "google", &person).await;
    assert_eq!(done.status(), 303);
    assert_eq!(
        location(&done),
        no_access_path(),
        "a new account without an invite or payment"
    );
    assert!(b.session().is_some());
    let me = viewer(&b).await;
    assert_eq!(me["email"], person.email.as_str());
    assert_eq!(me["display_name"], "Grace Hopper");
    assert_eq!(me["email_verified"], true, "Google vouched for the address");
    assert_eq!(me["has_password"], false);
    let ids = identities(&app, "google").await;
    assert_eq!(ids.len(), 1);
    assert_eq!(ids[0].subject, person.id);

    // The same Google account with a new address is still the same user.
    let again = app.browser();
    person.email = unique_email("grace.new");
    let done = oauth(&app, &again, "google", &person).await;
    assert_eq!(location(&done), no_access_path());
    assert_eq!(viewer(&again).await["id"], me["id"]);
}
on_each_database!(a_google_sign_up_makes_a_verified_account_known_by_provider_and_subject);

#[cfg(feature = "github_auth")]
async fn a_github_sign_in_uses_the_primary_verified_email(app: TestApp) {
    let b = app.browser();
    let person = Person::new(&unique_email("octo"));
    let done = oauth(&app, &b, "github", &person).await;
    assert_eq!(location(&done), no_access_path());
    let me = viewer(&b).await;
    assert_eq!(
        me["email"],
        person.email.as_str(),
        "not the non-primary noreply address"
    );
    assert_eq!(me["email_verified"], true);
    assert_eq!(identities(&app, "github").await.len(), 1);
}
#[cfg(feature = "github_auth")]
on_each_database!(a_github_sign_in_uses_the_primary_verified_email);

fn with_param(url: &str, key: &str, value: &str) -> String {
    let mut parsed = reqwest::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == key { value.to_owned() } else { v.into_owned() };
            (k.into_owned(), v)
        })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    parsed.to_string()
}

fn is_refused(response: &reqwest::Response, code: &str) -> bool {
    response.status() == 303 && location(response) == format!("/signin?oauth_error={code}")
}

#[tokio::test]
async fn a_wrong_or_missing_state_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    for provider in providers() {
        let b = app.browser();
        let authorize = start(&b, provider, "").await;
        let callback = consent(&app, &authorize, &Person::new(&unique_email("s")), None).await;
        let forged = with_param(&callback, "state", "attacker-chosen-state");
        let r = b.get(&forged).await;
        assert!(is_refused(&r, "expired"), "{provider}: {}", location(&r));
        assert!(b.session().is_none());

        // The right state, but from a browser that did not start the flow (login CSRF).
        let b = app.browser();
        let authorize = start(&b, provider, "").await;
        let callback = consent(&app, &authorize, &Person::new(&unique_email("s")), None).await;
        let victim = app.browser();
        let r = victim.get(&callback).await;
        assert!(is_refused(&r, "expired"), "{provider}");
        assert!(victim.session().is_none());
    }
}

#[tokio::test]
async fn a_replayed_callback_or_code_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let b = app.browser();
    let authorize = start(&b, "google", "").await;
    let state_cookie = b.cookie(app::server::cookies::PLAIN_OAUTH_STATE).unwrap();
    let callback = consent(&app, &authorize, &Person::new(&unique_email("replay")), None).await;
    assert_eq!(b.get(&callback).await.status(), 303);
    assert!(b.session().is_some());

    // The same callback again, cookie and all: the flow is used up.
    let attacker = app.browser();
    attacker.set_cookie(app::server::cookies::PLAIN_OAUTH_STATE, &state_cookie);
    let r = attacker.get(&callback).await;
    assert!(is_refused(&r, "expired"), "{}", location(&r));
    assert!(attacker.session().is_none());

    // The used code in a fresh flow: the provider refuses it.
    let code = reqwest::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let c = app.browser();
    let authorize = start(&c, "google", "").await;
    let fresh = consent(&app, &authorize, &Person::new(&unique_email("replay2")), None).await;
    let r = c.get(&with_param(&fresh, "code", &code)).await;
    assert!(is_refused(&r, "provider"), "{}", location(&r));
    assert!(c.session().is_none());
}

#[tokio::test]
async fn an_id_token_with_a_wrong_nonce_audience_issuer_expiry_or_signature_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    for tamper in ["nonce", "aud", "iss", "exp", "sig"] {
        let b = app.browser();
        let email = unique_email(tamper);
        let authorize = start(&b, "google", "").await;
        let callback = consent(&app, &authorize, &Person::new(&email), Some(tamper)).await;
        let r = b.get(&callback).await;
        assert!(is_refused(&r, "provider"), "{tamper}: {}", location(&r));
        assert!(b.session().is_none(), "{tamper}");
        let created = domain::accounts::rules::find_by_email(app.db(), &wire::email::Email::parse(&email).unwrap())
            .await
            .unwrap();
        assert!(created.is_none(), "{tamper}: no account");
    }
}

#[cfg(feature = "github_auth")]
#[tokio::test]
async fn a_code_or_state_from_the_other_provider_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    // A GitHub code presented to the Google callback (with a Google flow).
    let b = app.browser();
    let google = start(&b, "google", "").await;
    let google_state = reqwest::Url::parse(&google)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let other = app.browser();
    let github = start(&other, "github", "").await;
    let github_callback = consent(&app, &github, &Person::new(&unique_email("mix")), None).await;
    let github_code = reqwest::Url::parse(&github_callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let r = b
        .get(&format!(
            "/auth/google/callback?state={google_state}&code={github_code}"
        ))
        .await;
    assert!(is_refused(&r, "provider"), "{}", location(&r));
    assert!(b.session().is_none());

    // A GitHub flow's state and code brought to the Google callback (mix-up).
    let mixed = github_callback.replace("/auth/github/callback", "/auth/google/callback");
    let r = other.get(&mixed).await;
    assert!(is_refused(&r, "expired"), "{}", location(&r));
    assert!(other.session().is_none());
    assert_eq!(app.fakes.token_requests().1, 0, "the GitHub code was never spent");
}

#[tokio::test]
async fn an_email_that_signs_in_another_way_is_not_taken_over() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let email = unique_email("taken");
    registered_and_verified(&app, &app.browser(), &email).await;
    let b = app.browser();
    let r = oauth(&app, &b, "google", &Person::new(&email)).await;
    assert_eq!(location(&r), "/signin?oauth_error=email_taken&methods=email");
    assert!(b.session().is_none());
    assert!(identities(&app, "google").await.is_empty());
}

#[cfg(feature = "github_auth")]
#[tokio::test]
async fn with_account_linking_a_verified_provider_email_joins_the_existing_account() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("ALLOW_ACCOUNT_LINKING", "true")])
        .await
        .unwrap();
    let email = unique_email("linked");
    let local = app.browser();
    registered_and_verified(&app, &local, &email).await;
    let id = viewer(&local).await["id"].clone();
    let b = app.browser();
    let r = oauth(&app, &b, "github", &Person::new(&email)).await;
    assert_eq!(location(&r), no_access_path());
    assert_eq!(viewer(&b).await["id"], id);
    assert_eq!(identities(&app, "github").await.len(), 1);
}

#[tokio::test]
async fn an_unverified_provider_email_cannot_sign_up() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    for provider in providers() {
        let b = app.browser();
        let mut person = Person::new(&unique_email("unverified"));
        person.verified = false;
        let r = oauth(&app, &b, provider, &person).await;
        assert!(is_refused(&r, "no_verified_email"), "{provider}: {}", location(&r));
        assert!(b.session().is_none());
    }
    assert_eq!(user_identities::Entity::find().count(app.db()).await.unwrap(), 0);
}

#[tokio::test]
async fn cancelling_at_the_provider_is_reported() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let b = app.browser();
    let authorize = start(&b, "google", "").await;
    let state = reqwest::Url::parse(&authorize)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let r = b
        .get(&format!("/auth/google/callback?error=access_denied&state={state}"))
        .await;
    assert!(is_refused(&r, "denied"), "{}", location(&r));
}

#[cfg(feature = "github_auth")]
#[tokio::test]
async fn linking_from_the_account_page_adds_a_provider_and_the_last_method_stays() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let b = app.browser();
    registered_and_verified(&app, &b, &unique_email("owner")).await;
    let authorize = start(&b, "github", "intent=link").await;
    let callback = consent(&app, &authorize, &Person::new(&unique_email("gh-owner")), None).await;
    let r = b.get(&callback).await;
    assert_eq!(location(&r), "/account?linked=github");
    let listed = expect_json(b.call("/api/account/overview", &[]).await, 200).await;
    assert_eq!(listed["identities"][0]["provider"], "github");
    expect_json(
        b.call("/api/account/identities/unlink", &[("provider", "github")])
            .await,
        200,
    )
    .await;

    // An account that only has Google cannot unlink it.
    let g = app.browser();
    oauth(&app, &g, "google", &Person::new(&unique_email("only-google"))).await;
    let r = g
        .call("/api/account/identities/unlink", &[("provider", "google")])
        .await;
    assert_eq!(expect_json(r, 409).await, "LastSignInMethod");
}

#[tokio::test]
async fn an_invited_email_signing_up_with_a_provider_gets_the_invite() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let email = unique_email("invited");
    let now = chrono::Utc::now();
    domain::invites::create(
        &app.services,
        &domain::Actor::Operator,
        domain::invites::NewInvite {
            email: wire::email::Email::parse(&email).unwrap(),
            access_until: now + chrono::Duration::days(10),
            expires_at: now + chrono::Duration::days(3),
            locale: Default::default(),
            credits: 0,
        },
    )
    .await
    .unwrap();
    let b = app.browser();
    let r = oauth(&app, &b, "google", &Person::new(&email)).await;
    assert_eq!(location(&r), main_path());
    assert_eq!(viewer(&b).await["access"]["reason"], "Invite");
}

#[tokio::test]
async fn a_provider_that_is_not_configured_is_explained() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[("GOOGLE_CLIENT_ID", ""), ("GOOGLE_CLIENT_SECRET", "")],
    )
    .await
    .unwrap();
    let r = app.browser().get("/auth/google/start").await;
    assert_eq!(location(&r), "/signin?oauth_error=not_configured");
}

#[tokio::test]
async fn linking_without_a_session_just_asks_to_sign_in() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    for provider in providers() {
        let to = start(&app.browser(), provider, "intent=link").await;
        assert_eq!(
            to, "/signin",
            "{provider}: no flow starts, and nothing to apologise for"
        );
    }
}
