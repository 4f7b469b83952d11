//! Attacks on accounts, each written as the attacker would run it: account
//! pre-hijacking through a linked provider or an unproven address, the
//! admin bootstrap, ID tokens from the future, device cookies against
//! lockouts, the sign-in start from another site, trailing-slash paths.

use crate::helpers::{Backend, Browser, PASSWORD, TestApp, expect_json, unique_email};
#[cfg(feature = "github_auth")]
use crate::on_each_database;
#[cfg(any(feature = "google_auth", feature = "github_auth"))]
use crate::support::{Person, consent, oauth, providers, start};
use crate::support::{location, register, registered_and_verified, sign_in};
use entity::sessions;
#[cfg(any(feature = "google_auth", feature = "github_auth"))]
use entity::user_identities;
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};
#[cfg(any(feature = "google_auth", feature = "github_auth"))]
use sea_orm::{ColumnTrait, QueryFilter};
use serde_json::Value;

async fn viewer(b: &Browser) -> Value {
    expect_json(b.call("/api/session/viewer", &[]).await, 200).await
}

async fn user_of(app: &TestApp, email: &str) -> entity::users::Model {
    let email = wire::email::Email::parse(email).unwrap();
    domain::accounts::rules::find_by_email(app.db(), &email)
        .await
        .unwrap()
        .expect("the account exists")
}

/// An identity linked to `user` as the flow used to allow for unverified
/// accounts (a row such accounts may still carry from before the fix).
#[cfg(any(feature = "google_auth", feature = "github_auth"))]
async fn legacy_identity(app: &TestApp, user: uuid::Uuid, provider: &str, subject: &str, email: &str) {
    let now = chrono::Utc::now();
    user_identities::ActiveModel {
        id: Set(uuid::Uuid::new_v4()),
        user_id: Set(user),
        provider: Set(provider.to_owned()),
        subject: Set(subject.to_owned()),
        email: Set(email.to_owned()),
        created_at: Set(now),
        last_used_at: Set(now),
    }
    .insert(app.db())
    .await
    .unwrap();
}

/// The attacker's own GitHub account: its id and its (different) address
/// (a Google-only build plants it as a row that predates the fix).
#[cfg(any(feature = "google_auth", feature = "github_auth"))]
fn attackers_github() -> Person {
    let mut p = Person::new(&unique_email("attacker"));
    p.id = "666000666".into();
    p
}

/// The owner of `email` resets its password from the delivered mail (the
/// `n`-th mail to it) and signs in with the new one.
#[cfg(feature = "github_auth")]
async fn owner_resets(app: &TestApp, email: &str, n: usize) -> Browser {
    let owner = app.browser();
    expect_json(owner.call("/api/auth/forgot-password", &[("email", email)]).await, 200).await;
    let token = app.mail.nth_to(email, n).await.token_in("/reset-password");
    let done = owner
        .call(
            "/api/auth/reset-password",
            &[("token", &token), ("password", "the owner's own passphrase")],
        )
        .await;
    assert_eq!(expect_json(done, 200).await, "/signin?reset=1");
    expect_json(sign_in(&owner, email, "the owner's own passphrase").await, 200).await;
    owner
}

#[cfg(feature = "github_auth")]
async fn an_attacker_who_pre_registered_an_address_loses_every_way_in_when_the_owner_resets_it(app: TestApp) {
    let victim = unique_email("victim");
    // The attacker registers the victim's address, and links their own GitHub.
    let attacker = app.browser();
    expect_json(register(&attacker, &victim, &[]).await, 200).await;
    let github = attackers_github();
    let authorize = start(&attacker, "github", "intent=link").await;
    if authorize.starts_with("http") {
        let callback = consent(&app, &authorize, &github, None).await;
        attacker.get(&callback).await;
    }
    let victim_account = user_of(&app, &victim).await;

    // The real owner proves the address: a password reset from the mail.
    let owner = owner_resets(&app, &victim, 2).await;
    assert_eq!(viewer(&owner).await["id"], victim_account.id.to_string());
    assert_eq!(viewer(&owner).await["email_verified"], true);

    // Every way the attacker had is gone: their session, their password,
    // and their GitHub sign-in lands anywhere but the owner's account.
    assert_eq!(viewer(&attacker).await, Value::Null, "the attacker's session ended");
    assert_eq!(sign_in(&app.browser(), &victim, PASSWORD).await.status(), 401);
    let again = app.browser();
    oauth(&app, &again, "github", &github).await;
    let landed = viewer(&again).await;
    assert_ne!(
        landed["id"],
        victim_account.id.to_string(),
        "the attacker's GitHub does not open the owner's account"
    );
    let linked = user_identities::Entity::find()
        .filter(user_identities::Column::UserId.eq(victim_account.id))
        .count(app.db())
        .await
        .unwrap();
    assert_eq!(linked, 0);
}
#[cfg(feature = "github_auth")]
on_each_database!(an_attacker_who_pre_registered_an_address_loses_every_way_in_when_the_owner_resets_it);

#[cfg(any(feature = "google_auth", feature = "github_auth"))]
#[tokio::test]
async fn an_unverified_account_cannot_link_a_provider() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let b = app.browser();
    expect_json(register(&b, &unique_email("unproven"), &[]).await, 200).await;
    for provider in providers() {
        let r = b.get(&format!("/auth/{provider}/start?intent=link")).await;
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), "/account?oauth_error=verify_first", "{provider}");
    }
    assert_eq!(entity::oauth_flows::Entity::find().count(app.db()).await.unwrap(), 0);
    assert_eq!(user_identities::Entity::find().count(app.db()).await.unwrap(), 0);
}

#[cfg(feature = "github_auth")]
#[tokio::test]
async fn a_provider_linked_before_the_owner_proved_the_address_stops_opening_it() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let victim = unique_email("victim");
    let attacker = app.browser();
    expect_json(register(&attacker, &victim, &[]).await, 200).await;
    let account = user_of(&app, &victim).await;
    let github = attackers_github();
    legacy_identity(&app, account.id, "github", &github.id, &github.email).await;
    // Before the owner shows up, the linked GitHub opens the account...
    let before = app.browser();
    oauth(&app, &before, "github", &github).await;
    assert_eq!(viewer(&before).await["id"], account.id.to_string());
    // ...and after the owner's reset, it does not.
    owner_resets(&app, &victim, 2).await;
    assert_eq!(viewer(&before).await, Value::Null);
    let after = app.browser();
    oauth(&app, &after, "github", &github).await;
    assert_ne!(viewer(&after).await["id"], account.id.to_string());
}

#[cfg(feature = "google_auth")]
#[tokio::test]
async fn the_owner_signing_in_with_google_under_account_linking_removes_the_attackers_ways_in() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("ALLOW_ACCOUNT_LINKING", "true")])
        .await
        .unwrap();
    let victim = unique_email("victim");
    let attacker = app.browser();
    expect_json(register(&attacker, &victim, &[]).await, 200).await;
    let account = user_of(&app, &victim).await;
    let github = attackers_github();
    legacy_identity(&app, account.id, "github", &github.id, &github.email).await;

    let owner = app.browser();
    oauth(&app, &owner, "google", &Person::new(&victim)).await;
    let me = viewer(&owner).await;
    assert_eq!(me["id"], account.id.to_string(), "linked by the verified address");
    assert_eq!(me["email_verified"], true);
    assert_eq!(me["has_password"], false, "the password someone else set is gone");
    assert_eq!(viewer(&attacker).await, Value::Null);
    assert_eq!(sign_in(&app.browser(), &victim, PASSWORD).await.status(), 401);
    let providers: Vec<String> = user_identities::Entity::find()
        .filter(user_identities::Column::UserId.eq(account.id))
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.provider)
        .collect();
    assert_eq!(providers, ["google"], "only the proving identity stays");
}

#[tokio::test]
async fn a_verification_link_opened_outside_the_account_asks_to_sign_in_and_proves_nothing() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let victim = unique_email("victim");
    let attacker = app.browser();
    expect_json(register(&attacker, &victim, &[]).await, 200).await;
    // The owner of the mailbox follows the link they did not ask for.
    let token = app.mail.first_to(&victim).await.token_in("/verify-email");
    let owner = app.browser();
    let to = expect_json(owner.call("/api/auth/verify-email", &[("token", &token)]).await, 200).await;
    let to = to.as_str().unwrap();
    assert!(to.starts_with("/signin?verify=1&next=/verify-email"), "{to}");
    assert!(
        user_of(&app, &victim).await.email_verified_at.is_none(),
        "the attacker's password did not become a verified account's"
    );
    // The attacker's own session can still use it: the password is theirs.
    let done = expect_json(attacker.call("/api/auth/verify-email", &[("token", &token)]).await, 200).await;
    assert_ne!(done, "/verify-email");
    assert_eq!(viewer(&attacker).await["email_verified"], true);
}

#[cfg(feature = "github_auth")]
#[tokio::test]
async fn with_the_address_in_admin_emails_the_pre_registrant_never_becomes_admin() {
    let victim = unique_email("root");
    let app = TestApp::spawn_with(Backend::Sqlite, &[("ADMIN_EMAILS", &victim)])
        .await
        .unwrap();
    let attacker = app.browser();
    expect_json(register(&attacker, &victim, &[]).await, 200).await;
    assert_eq!(viewer(&attacker).await["is_admin"], false);
    let github = attackers_github();
    let authorize = start(&attacker, "github", "intent=link").await;
    if authorize.starts_with("http") {
        let callback = consent(&app, &authorize, &github, None).await;
        attacker.get(&callback).await;
    }
    let owner = owner_resets(&app, &victim, 2).await;
    assert_eq!(viewer(&owner).await["is_admin"], true, "the owner is");
    assert_eq!(viewer(&attacker).await, Value::Null);
    assert_eq!(sign_in(&app.browser(), &victim, PASSWORD).await.status(), 401);
    let again = app.browser();
    oauth(&app, &again, "github", &github).await;
    assert_eq!(
        viewer(&again).await["is_admin"],
        false,
        "the attacker's GitHub is no way into the console"
    );
}

#[cfg(feature = "github_auth")]
#[tokio::test]
async fn unlinking_a_provider_signs_out_the_other_sessions() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let email = unique_email("unlink");
    let laptop = app.browser();
    registered_and_verified(&app, &laptop, &email).await;
    let authorize = start(&laptop, "github", "intent=link").await;
    let person = Person::new(&unique_email("gh"));
    let callback = consent(&app, &authorize, &person, None).await;
    assert_eq!(location(&laptop.get(&callback).await), "/account?linked=github");
    // A session opened through GitHub, elsewhere.
    let phone = app.browser();
    oauth(&app, &phone, "github", &person).await;
    assert_eq!(viewer(&phone).await["email"], email.as_str());
    expect_json(
        laptop
            .call("/api/account/identities/unlink", &[("provider", "github")])
            .await,
        200,
    )
    .await;
    assert_eq!(viewer(&phone).await, Value::Null, "the other session ended");
    assert!(viewer(&laptop).await.is_object(), "this one stays");
}

#[cfg(feature = "github_auth")]
async fn admin_create(app: &TestApp, email: &str) {
    server::cli::accounts::execute(
        server::cli::accounts::Command::AdminCreate {
            email: wire::email::Email::parse(email).unwrap(),
        },
        &app.services,
    )
    .await
    .unwrap();
}

#[cfg(feature = "github_auth")]
#[tokio::test]
async fn admin_create_on_an_address_someone_else_registered_shuts_them_out() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let victim = unique_email("boss");
    let attacker = app.browser();
    expect_json(register(&attacker, &victim, &[]).await, 200).await;
    let account = user_of(&app, &victim).await;
    let github = attackers_github();
    legacy_identity(&app, account.id, "github", &github.id, &github.email).await;

    admin_create(&app, &victim).await;

    // The attacker's session, password and GitHub are all gone.
    assert_eq!(viewer(&attacker).await, Value::Null);
    let r = attacker.get("/admin").await;
    assert_eq!(location(&r), "/signin?next=/admin");
    assert_eq!(sign_in(&app.browser(), &victim, PASSWORD).await.status(), 401);
    let gh = app.browser();
    oauth(&app, &gh, "github", &github).await;
    assert_ne!(viewer(&gh).await["id"], account.id.to_string());
    let promoted = user_of(&app, &victim).await;
    assert!(promoted.is_admin && promoted.password_hash.is_none());
}

#[tokio::test]
async fn a_new_admin_who_sets_their_first_password_is_signed_in() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let email = unique_email("founder");
    let made = domain::accounts::admin::create_admin(
        &app.services,
        &domain::Actor::Operator,
        &wire::email::Email::parse(&email).unwrap(),
    )
    .await
    .unwrap();
    let link = made
        .set_password_link
        .expect("a new admin gets a link to set a password");
    let token = link.split_once("token=").unwrap().1;
    // A browser signed in as someone else follows the link.
    let b = app.browser();
    registered_and_verified(&app, &b, &unique_email("someone")).await;
    let earlier = b.session().expect("signed in as someone else");
    let to = b
        .call(
            "/api/auth/reset-password",
            &[("token", token), ("password", "the founder's own passphrase")],
        )
        .await;
    assert_eq!(
        expect_json(to, 200).await,
        wire::features::main_path(),
        "in, not back to sign-in"
    );
    let me = viewer(&b).await;
    assert_eq!(me["email"], email.as_str());
    assert_eq!(me["is_admin"], true);
    assert_eq!(b.get("/admin").await.status(), 200);
    let old = app.browser();
    old.set_cookie(app::server::cookies::PLAIN_SESSION, &earlier);
    assert_eq!(
        viewer(&old).await,
        Value::Null,
        "the other account's session in that browser ended"
    );
}

#[tokio::test]
async fn the_admin_console_needs_a_verified_address_too() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let email = unique_email("flagged");
    let b = app.browser();
    expect_json(register(&b, &email, &[]).await, 200).await;
    // An admin flag on an unproven address (set before the fix, or by hand).
    let mut active: entity::users::ActiveModel = user_of(&app, &email).await.into();
    active.is_admin = Set(true);
    active.update(app.db()).await.unwrap();
    assert_eq!(location(&b.get("/admin").await), "/verify-email");
    assert_eq!(b.call("/api/admin/invites", &[]).await.status(), 403);
    assert_eq!(viewer(&b).await["is_admin"], false);
}

#[cfg(feature = "google_auth")]
#[tokio::test]
async fn an_id_token_not_valid_yet_or_issued_in_the_future_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    for tamper in ["nbf", "iat"] {
        let b = app.browser();
        let email = unique_email(tamper);
        let authorize = start(&b, "google", "").await;
        let callback = consent(&app, &authorize, &Person::new(&email), Some(tamper)).await;
        let r = b.get(&callback).await;
        assert_eq!(location(&r), "/signin?oauth_error=provider", "{tamper}");
        assert!(b.session().is_none(), "{tamper}");
    }
}

#[cfg(any(feature = "google_auth", feature = "github_auth"))]
#[tokio::test]
async fn a_provider_sign_in_started_from_another_site_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    for provider in providers() {
        let b = app.browser();
        let r = b
            .get_with(&format!("/auth/{provider}/start"), &[("sec-fetch-site", "cross-site")])
            .await;
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), "/signin?oauth_error=expired", "{provider}");
        assert!(b.cookie(app::server::cookies::PLAIN_OAUTH_STATE).is_none());
        // From the site's own page it starts.
        let r = b
            .get_with(&format!("/auth/{provider}/start"), &[("sec-fetch-site", "same-origin")])
            .await;
        assert!(location(&r).starts_with("http"), "{provider}: {}", location(&r));
    }
    let started = u64::try_from(providers().len()).unwrap();
    assert_eq!(
        entity::oauth_flows::Entity::find().count(app.db()).await.unwrap(),
        started
    );
}

#[tokio::test]
async fn a_trailing_slash_does_not_make_a_page_public() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    for path in ["/account/", "/admin/", "/chat/"] {
        let r = app.browser().get(path).await;
        assert_eq!(r.status(), 308, "{path}");
        assert_eq!(location(&r), path.trim_end_matches('/'), "{path}");
    }
    let r = app.browser().get("/account/?tab=1").await;
    assert_eq!(location(&r), "/account?tab=1");
}

#[tokio::test]
async fn a_locked_account_still_opens_for_its_owner_on_a_device_that_signed_in_before() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let email = unique_email("locked");
    let owner = app.browser();
    registered_and_verified(&app, &owner, &email).await;
    expect_json(sign_in(&owner, &email, PASSWORD).await, 200).await;
    assert!(owner.cookie(app::server::cookies::PLAIN_DEVICE).is_some());
    // Strangers' guesses lock the account.
    let stranger = app.browser();
    for i in 0..10 {
        let r = sign_in(&stranger, &email, &format!("guess number {i}")).await;
        assert_eq!(r.status(), 401);
    }
    assert_eq!(sign_in(&stranger, &email, "one more guess").await.status(), 429);
    // A new browser is refused even with the right password...
    assert_eq!(sign_in(&app.browser(), &email, PASSWORD).await.status(), 429);
    // ...the owner's known browser is not.
    expect_json(sign_in(&owner, &email, PASSWORD).await, 200).await;
    // A stolen-looking cookie for another account does nothing.
    let other = app.browser();
    other.set_cookie(
        app::server::cookies::PLAIN_DEVICE,
        &owner.cookie(app::server::cookies::PLAIN_DEVICE).unwrap(),
    );
    let someone = unique_email("someone");
    registered_and_verified(&app, &app.browser(), &someone).await;
    for i in 0..10 {
        sign_in(&stranger, &someone, &format!("guess {i}")).await;
    }
    assert_eq!(sign_in(&other, &someone, PASSWORD).await.status(), 429);
}

#[tokio::test]
async fn a_device_cookie_is_no_way_around_guessing() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let email = unique_email("device");
    let owner = app.browser();
    registered_and_verified(&app, &owner, &email).await;
    expect_json(sign_in(&owner, &email, PASSWORD).await, 200).await;
    // The device itself guessing wrong hits its own limit.
    let mut statuses = Vec::new();
    for i in 0..25 {
        statuses.push(sign_in(&owner, &email, &format!("wrong {i}")).await.status().as_u16());
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    assert!(statuses.iter().filter(|s| **s == 401).count() <= 20, "{statuses:?}");
}

#[tokio::test]
async fn a_password_change_ends_the_reset_links_sent_before() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let email = unique_email("links");
    let b = app.browser();
    registered_and_verified(&app, &b, &email).await;
    expect_json(
        app.browser()
            .call("/api/auth/forgot-password", &[("email", &email)])
            .await,
        200,
    )
    .await;
    let token = app.mail.nth_to(&email, 2).await.token_in("/reset-password");
    expect_json(
        b.call(
            "/api/account/password",
            &[("current_password", PASSWORD), ("password", "a changed passphrase")],
        )
        .await,
        200,
    )
    .await;
    let late = app
        .browser()
        .call(
            "/api/auth/reset-password",
            &[("token", &token), ("password", "the attacker's choice")],
        )
        .await;
    assert_eq!(expect_json(late, 400).await, "LinkExpired");
    assert_eq!(
        sign_in(&app.browser(), &email, "a changed passphrase").await.status(),
        200
    );
    let remaining = sessions::Entity::find().count(app.db()).await.unwrap();
    assert!(remaining >= 1);
}
