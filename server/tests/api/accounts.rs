//! Email and password accounts, sessions and the gate, through HTTP.

use crate::helpers::{Backend, Browser, PASSWORD, TestApp, expect_json, unique_email};
use crate::on_each_database;
use crate::support::{location, register, registered_and_verified, sign_in, signed_in_admin, verify_from_mail};
use serde_json::{Value, json};
use wire::features::{main_path, no_access_path};

async fn viewer(b: &Browser) -> Value {
    expect_json(b.call("/api/session/viewer", &[]).await, 200).await
}

async fn registering_verifying_and_being_routed_by_access(app: TestApp) {
    let b = app.browser();
    let email = unique_email("ada");
    let to = expect_json(register(&b, &email, &[]).await, 200).await;
    assert_eq!(to, "/verify-email", "a new account verifies its email first");
    assert_eq!(location(&b.get(main_path()).await), "/verify-email");
    let me = viewer(&b).await;
    assert_eq!(me["email"], email.as_str());
    assert_eq!(me["email_verified"], false);

    let landed = verify_from_mail(&app, &b, &email).await;
    assert_eq!(
        landed,
        no_access_path(),
        "no invite and no payment: to the no-access page"
    );
    let me = viewer(&b).await;
    assert_eq!(me["email_verified"], true);
    assert_eq!(me["access"]["granted"], false);
    let main = b.get(main_path()).await;
    assert_eq!(main.status(), 303);
    assert_eq!(location(&main), no_access_path());
    assert_eq!(b.get(no_access_path()).await.status(), 200);
}
on_each_database!(registering_verifying_and_being_routed_by_access);

async fn an_invited_email_goes_straight_to_the_main_route(app: TestApp) {
    let admin = signed_in_admin(&app, "admin").await;
    let guest = unique_email("guest");
    let invite = admin
        .call(
            "/api/admin/invites/create",
            &[("email", &guest), ("access_days", "30"), ("valid_days", "14")],
        )
        .await;
    let invite = expect_json(invite, 200).await;
    assert_eq!(invite["invite"]["status"], "Pending");

    let mail = app.mail.first_to(&guest).await;
    let token = mail.token_in("/signup");
    let b = app.browser();
    let to = expect_json(register(&b, &guest, &[("invite", &token)]).await, 200).await;
    assert_eq!(
        to,
        main_path(),
        "the invite link proved the address: no verification, no payment"
    );
    assert_eq!(b.get(main_path()).await.status(), 200);
    let access = &viewer(&b).await["access"];
    assert_eq!(access["granted"], true);
    assert_eq!(access["reason"], "Invite");
    let until = access["until"].as_i64().unwrap();
    let expected = chrono::Utc::now().timestamp() + 30 * 86_400;
    assert!((until - expected).abs() < 120, "access lasts until the invite's date");
}
on_each_database!(an_invited_email_goes_straight_to_the_main_route);

#[tokio::test]
async fn registering_an_email_that_has_an_account_fails_with_a_clear_message() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let email = unique_email("dup");
    expect_json(register(&app.browser(), &email, &[]).await, 200).await;
    let again = register(&app.browser(), &email.to_uppercase(), &[]).await;
    assert_eq!(
        expect_json(again, 409).await,
        json!({ "EmailTaken": { "methods": ["email"] } })
    );
}

#[tokio::test]
async fn weak_passwords_are_refused_next_to_the_password_field() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let b = app.browser();
    for (password, problem) in [("short", "TooShort"), ("iloveyou", "Common"), ("Password1", "Common")] {
        let email = unique_email("weak");
        let response = b
            .call(
                "/api/auth/register",
                &[("display_name", "Ada"), ("email", &email), ("password", password)],
            )
            .await;
        assert_eq!(
            expect_json(response, 400).await,
            json!({ "Invalid": { "field": "Password", "problem": problem } }),
            "{password}"
        );
    }
    assert!(b.session().is_none(), "nothing was created or signed in");
}

#[tokio::test]
async fn sign_in_and_reset_do_not_reveal_whether_an_account_exists() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let known = unique_email("known");
    registered_and_verified(&app, &app.browser(), &known).await;
    let unknown = unique_email("nobody");

    let b = app.browser();
    let wrong = sign_in(&b, &known, "not the password at all").await;
    let (s1, body1) = (wrong.status(), wrong.text().await.unwrap());
    let missing = sign_in(&b, &unknown, "not the password at all").await;
    let (s2, body2) = (missing.status(), missing.text().await.unwrap());
    assert_eq!((s1.as_u16(), s2.as_u16()), (401, 401));
    assert_eq!(body1, body2);
    assert_eq!(body1, "\"InvalidCredentials\"");

    let a = b.call("/api/auth/forgot-password", &[("email", &known)]).await;
    let (s1, body1) = (a.status(), a.text().await.unwrap());
    let c = b.call("/api/auth/forgot-password", &[("email", &unknown)]).await;
    let (s2, body2) = (c.status(), c.text().await.unwrap());
    assert_eq!((s1, &body1), (s2, &body2));
    assert_eq!(s1, 200);
    // Only the real account gets mail (after the verification mail).
    assert!(app.mail.nth_to(&known, 2).await.subject.contains("password"));
    assert!(app.mail.all_to(&unknown).await.is_empty());
}

#[tokio::test]
async fn the_per_account_limit_holds_while_forwarding_headers_rotate() {
    // Forwarding headers are believed (the peer is a "trusted proxy"), so
    // every attempt comes from a different client IP.
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[("TRUSTED_PROXIES", "127.0.0.1"), ("RATE_LIMIT_SIGN_IN_PER_IP", "5/15m")],
    )
    .await
    .unwrap();
    let victim = unique_email("victim");
    registered_and_verified(&app, &app.browser(), &victim).await;
    let attacker = app.browser();
    for i in 0..10 {
        let ip = format!("198.51.100.{i}");
        let r = attacker
            .call_with(
                "/api/auth/sign-in",
                &[("email", &victim), ("password", "guess-number-x")],
                &[("x-forwarded-for", &ip), ("sec-fetch-site", "same-origin")],
            )
            .await;
        assert_eq!(r.status(), 401, "attempt {i}");
    }
    // The eleventh, from yet another IP and even with the right password.
    let r = attacker
        .call_with(
            "/api/auth/sign-in",
            &[("email", &victim), ("password", PASSWORD)],
            &[("x-forwarded-for", "203.0.113.77"), ("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "Retry-After {retry}");
    assert!(
        expect_json(r, 429).await["RateLimited"]["retry_after_secs"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert!(attacker.session().is_none());
    // Another account is not affected.
    let other = unique_email("other");
    registered_and_verified(&app, &app.browser(), &other).await;
    let r = sign_in(&app.browser(), &other, PASSWORD).await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn registrations_are_limited_per_address_whatever_the_ip() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[
            ("TRUSTED_PROXIES", "127.0.0.1"),
            ("RATE_LIMIT_EMAIL_PER_ACCOUNT", "2/1h"),
        ],
    )
    .await
    .unwrap();
    let email = unique_email("spammed");
    let attempt = |i: u8| {
        let b = app.browser();
        let email = email.clone();
        async move {
            let ip = format!("192.0.2.{i}");
            b.call_with(
                "/api/auth/register",
                &[("display_name", "X"), ("email", &email), ("password", "short")],
                &[("x-forwarded-for", &ip), ("sec-fetch-site", "same-origin")],
            )
            .await
            .status()
        }
    };
    assert_eq!(attempt(1).await, 400);
    assert_eq!(attempt(2).await, 400);
    assert_eq!(attempt(3).await, 429);
}

#[tokio::test]
async fn too_many_attempts_from_one_ip_get_429_with_retry_after() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("RATE_LIMIT_SIGN_IN_PER_IP", "3/1h")])
        .await
        .unwrap();
    let b = app.browser();
    for _ in 0..3 {
        assert_eq!(sign_in(&b, &unique_email("x"), "whatever-it-is").await.status(), 401);
    }
    let r = sign_in(&b, &unique_email("x"), "whatever-it-is").await;
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 1000, "about 20 minutes: {retry}");
}

async fn the_session_id_changes_at_sign_in_and_is_dead_after_sign_out(app: TestApp) {
    let email = unique_email("sess");
    let b = app.browser();
    registered_and_verified(&app, &b, &email).await;
    let first = b.session().expect("signed in after registering");

    let to = expect_json(sign_in(&b, &email, PASSWORD).await, 200).await;
    assert_eq!(to, no_access_path());
    let second = b.session().unwrap();
    assert_ne!(first, second, "a new id at every sign-in");
    let stale = app.browser();
    stale.set_cookie(app::server::cookies::PLAIN_SESSION, &first);
    assert_eq!(viewer(&stale).await, Value::Null, "the replaced session is gone");

    let home = expect_json(b.call("/api/auth/sign-out", &[]).await, 200).await;
    assert_eq!(home, "/");
    assert!(b.session().is_none(), "the cookie is cleared");
    let old = app.browser();
    old.set_cookie(app::server::cookies::PLAIN_SESSION, &second);
    assert_eq!(
        viewer(&old).await,
        Value::Null,
        "sign-out ended the session on the server"
    );
    assert!(old.session().is_none(), "and the dead cookie was removed");
    old.set_cookie(app::server::cookies::PLAIN_SESSION, &second);
    let page = old.get("/account").await;
    assert_eq!(page.status(), 303);
    assert!(location(&page).starts_with("/signin?next="));
    assert!(
        page.headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().contains("Max-Age=0")),
        "a dead session's cookie is removed"
    );
}
on_each_database!(the_session_id_changes_at_sign_in_and_is_dead_after_sign_out);

#[tokio::test]
async fn session_cookies_are_host_only_http_only_lax_and_secure_over_https() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("PUBLIC_URL", "https://app.example")])
        .await
        .unwrap();
    let b = app.browser();
    let r = register(&b, &unique_email("https"), &[("remember", "on")]).await;
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with(&format!("__Host-{}_session=", wire::brand::SLUG)),
        "{cookie}"
    );
    for attribute in ["Path=/", "HttpOnly", "SameSite=Lax", "Secure", "Max-Age=2592000"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
    let token = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
    assert!(token.len() >= 43, "at least 256 bits, base64: {token}");

    let b = app.browser();
    let r = register(&b, &unique_email("https"), &[]).await;
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(
        !cookie.contains("Max-Age"),
        "without remember-me it ends with the browser: {cookie}"
    );
}

#[tokio::test]
async fn sessions_end_after_the_idle_and_the_absolute_timeout() {
    use entity::sessions;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let idle = app.browser();
    registered_and_verified(&app, &idle, &unique_email("idle")).await;
    let absolute = app.browser();
    registered_and_verified(&app, &absolute, &unique_email("abs")).await;
    let hash = |b: &Browser| domain::accounts::sessions::hash_token(&b.session().unwrap());

    let long_ago = chrono::Utc::now() - chrono::Duration::days(4);
    sessions::Entity::update_many()
        .col_expr(sessions::Column::LastSeenAt, Expr::value(long_ago))
        .filter(sessions::Column::Id.eq(hash(&idle)))
        .exec(app.db())
        .await
        .unwrap();
    sessions::Entity::update_many()
        .col_expr(sessions::Column::ExpiresAt, Expr::value(chrono::Utc::now()))
        .filter(sessions::Column::Id.eq(hash(&absolute)))
        .exec(app.db())
        .await
        .unwrap();
    let before = sessions::Entity::find().count(app.db()).await.unwrap();
    assert_eq!(
        viewer(&idle).await,
        Value::Null,
        "idle for longer than SESSION_IDLE_TIMEOUT (3 days)"
    );
    assert_eq!(viewer(&absolute).await, Value::Null, "past its absolute end");
    assert_eq!(
        sessions::Entity::find().count(app.db()).await.unwrap(),
        before - 2,
        "both rows are gone"
    );
}

#[tokio::test]
async fn sign_out_other_devices_ends_every_session_but_this_one() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let email = unique_email("devices");
    let laptop = app.browser();
    registered_and_verified(&app, &laptop, &email).await;
    let phone = app.browser();
    expect_json(sign_in(&phone, &email, PASSWORD).await, 200).await;
    let tablet = app.browser();
    expect_json(sign_in(&tablet, &email, PASSWORD).await, 200).await;

    let listed = expect_json(laptop.call("/api/account/overview", &[]).await, 200).await;
    let sessions = listed["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 3);
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);

    let ended = expect_json(laptop.call("/api/account/sessions/revoke-others", &[]).await, 200).await;
    assert_eq!(ended, 2);
    assert_eq!(viewer(&phone).await, Value::Null);
    assert_eq!(viewer(&tablet).await, Value::Null);
    assert_eq!(viewer(&laptop).await["email"], email.as_str());

    // Someone else's session id is "not found", not ended.
    let stranger = app.browser();
    registered_and_verified(&app, &stranger, &unique_email("stranger")).await;
    let laptop_id = domain::accounts::sessions::hash_token(&laptop.session().unwrap());
    let r = stranger
        .call("/api/account/sessions/revoke", &[("id", &laptop_id)])
        .await;
    assert_eq!(expect_json(r, 404).await, "NotFound");
    assert_eq!(viewer(&laptop).await["email"], email.as_str());
}

#[tokio::test]
async fn a_cross_site_post_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let b = app.browser();
    registered_and_verified(&app, &b, &unique_email("csrf")).await;
    for headers in [
        vec![("sec-fetch-site", "cross-site"), ("origin", "https://evil.example")],
        vec![("sec-fetch-site", "same-site")],
        vec![("origin", "https://evil.example")],
    ] {
        let r = b.call_with("/api/auth/sign-out", &[], &headers).await;
        assert_eq!(expect_json(r, 403).await, "Forbidden", "{headers:?}");
    }
    assert!(viewer(&b).await.is_object(), "still signed in: the sign-out never ran");
    let email = unique_email("forged");
    let r = b
        .call_with(
            "/api/auth/register",
            &[("display_name", "X"), ("email", &email), ("password", PASSWORD)],
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(r.status(), 403);
    let stored = domain::accounts::rules::find_by_email(app.db(), &wire::email::Email::parse(&email).unwrap())
        .await
        .unwrap();
    assert!(stored.is_none());
}

#[tokio::test]
async fn protected_server_functions_and_pages_refuse_callers_without_access() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let anonymous = app.browser();
    assert_eq!(
        expect_json(anonymous.call("/api/app/home", &[]).await, 401).await,
        "NotSignedIn"
    );
    assert_eq!(
        expect_json(anonymous.call("/api/account/overview", &[]).await, 401).await,
        "NotSignedIn"
    );
    let page = anonymous.get(&format!("{}?x=1", main_path())).await;
    assert_eq!(page.status(), 303);
    assert_eq!(location(&page), format!("/signin?next={}%3Fx%3D1", main_path()));

    let unverified = app.browser();
    expect_json(register(&unverified, &unique_email("unv"), &[]).await, 200).await;
    assert_eq!(
        expect_json(unverified.call("/api/app/home", &[]).await, 403).await,
        "EmailNotVerified"
    );

    let member = app.browser();
    registered_and_verified(&app, &member, &unique_email("nopay")).await;
    assert_eq!(
        expect_json(member.call("/api/app/home", &[]).await, 403).await,
        "AccessRequired"
    );
    assert_eq!(
        expect_json(member.call("/api/admin/invites", &[]).await, 403).await,
        "Forbidden"
    );
    assert_eq!(location(&member.get("/admin").await), no_access_path());
    assert_eq!(
        location(&member.get("/signin").await),
        no_access_path(),
        "signed-in users skip sign-in"
    );
    assert_eq!(
        expect_json(member.call("/api/not-declared", &[]).await, 404).await,
        "NotFound"
    );
}

#[test]
fn every_server_function_is_declared_in_the_gate() {
    let undeclared: Vec<_> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .filter(|path| wire::gate::requirement(path).is_none())
        .collect();
    assert!(undeclared.is_empty(), "not in the gate's table: {undeclared:?}");
    assert!(leptos::server_fn::axum::server_fn_paths().count() > 15);
}

async fn a_password_reset_from_the_delivered_email_ends_every_session(app: TestApp) {
    let email = unique_email("reset");
    let b = app.browser();
    registered_and_verified(&app, &b, &email).await;
    let other = app.browser();
    expect_json(sign_in(&other, &email, PASSWORD).await, 200).await;

    expect_json(
        app.browser()
            .call("/api/auth/forgot-password", &[("email", &email)])
            .await,
        200,
    )
    .await;
    let mail = app.mail.nth_to(&email, 2).await;
    let token = mail.token_in("/reset-password");
    let fresh = app.browser();
    let weak = fresh
        .call(
            "/api/auth/reset-password",
            &[("token", &token), ("password", "12345678")],
        )
        .await;
    assert_eq!(
        expect_json(weak, 400).await,
        json!({ "Invalid": { "field": "Password", "problem": "Common" } }),
        "the link survives a refused password"
    );
    let new_password = "a brand new passphrase";
    let to = fresh
        .call(
            "/api/auth/reset-password",
            &[("token", &token), ("password", new_password)],
        )
        .await;
    assert_eq!(expect_json(to, 200).await, "/signin?reset=1");
    assert_eq!(viewer(&b).await, Value::Null);
    assert_eq!(viewer(&other).await, Value::Null);
    let again = fresh
        .call(
            "/api/auth/reset-password",
            &[("token", &token), ("password", "yet another passphrase")],
        )
        .await;
    assert_eq!(expect_json(again, 400).await, "LinkExpired", "single use");
    assert_eq!(sign_in(&app.browser(), &email, PASSWORD).await.status(), 401);
    assert_eq!(sign_in(&app.browser(), &email, new_password).await.status(), 200);
}
on_each_database!(a_password_reset_from_the_delivered_email_ends_every_session);

#[tokio::test]
async fn changing_the_password_keeps_this_session_with_a_new_id_and_ends_the_others() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let email = unique_email("change");
    let b = app.browser();
    registered_and_verified(&app, &b, &email).await;
    let other = app.browser();
    expect_json(sign_in(&other, &email, PASSWORD).await, 200).await;
    let before = b.session().unwrap();

    let wrong = b
        .call(
            "/api/account/password",
            &[
                ("current_password", "not it at all"),
                ("password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(
        expect_json(wrong, 400).await,
        json!({ "Invalid": { "field": "CurrentPassword", "problem": "Invalid" } })
    );
    let ok = b
        .call(
            "/api/account/password",
            &[("current_password", PASSWORD), ("password", "a brand new passphrase")],
        )
        .await;
    expect_json(ok, 200).await;
    assert_ne!(
        b.session().unwrap(),
        before,
        "a new session id after a privilege change"
    );
    assert!(viewer(&b).await.is_object());
    assert_eq!(viewer(&other).await, Value::Null);
}

#[tokio::test]
async fn deleting_the_account_removes_it_and_frees_the_email() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let email = unique_email("bye");
    let b = app.browser();
    registered_and_verified(&app, &b, &email).await;
    let wrong = b.call("/api/account/delete", &[("confirm", "not my password")]).await;
    assert_eq!(
        expect_json(wrong, 400).await,
        json!({ "Invalid": { "field": "Confirm", "problem": "Mismatch" } })
    );
    assert_eq!(
        expect_json(b.call("/api/account/delete", &[("confirm", PASSWORD)]).await, 200).await,
        "/"
    );
    assert_eq!(viewer(&b).await, Value::Null);
    assert_eq!(sign_in(&app.browser(), &email, PASSWORD).await.status(), 401);
    assert_eq!(register(&app.browser(), &email, &[]).await.status(), 200);
}

#[tokio::test]
async fn a_verification_link_works_once() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let email = unique_email("once");
    let b = app.browser();
    expect_json(register(&b, &email, &[]).await, 200).await;
    let token = app.mail.first_to(&email).await.token_in("/verify-email");
    expect_json(b.call("/api/auth/verify-email", &[("token", &token)]).await, 200).await;
    let again = b.call("/api/auth/verify-email", &[("token", &token)]).await;
    assert_eq!(expect_json(again, 400).await, "LinkExpired");
    let forged = b.call("/api/auth/verify-email", &[("token", "not-a-real-token")]).await;
    assert_eq!(expect_json(forged, 400).await, "LinkExpired");
}

#[tokio::test]
async fn sign_in_follows_next_only_to_local_pages_the_user_may_open() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let email = unique_email("next");
    registered_and_verified(&app, &app.browser(), &email).await;
    for (next, expected) in [
        ("/account", "/account"),
        ("//evil.example/x", no_access_path()),
        ("https://evil.example", no_access_path()),
        (main_path(), no_access_path()),
    ] {
        let b = app.browser();
        let r = b
            .call(
                "/api/auth/sign-in",
                &[("email", &email), ("password", PASSWORD), ("next", next)],
            )
            .await;
        assert_eq!(expect_json(r, 200).await, expected, "{next}");
    }
}

#[tokio::test]
async fn a_plain_form_post_without_javascript_is_redirected() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let email = unique_email("nojs");
    registered_and_verified(&app, &app.browser(), &email).await;
    let b = app.browser();
    let r = b
        .call_with(
            "/api/auth/sign-in",
            &[("email", &email), ("password", PASSWORD)],
            &[("accept", "text/html"), ("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), no_access_path());
    assert!(b.session().is_some());
}
