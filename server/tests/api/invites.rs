//! Invites, access grants and admins.

use crate::helpers::{Backend, TestApp, expect_json, unique_email};
use crate::support::{location, make_admin, register, registered_and_verified, verify_from_mail};
use server::cli::accounts::{Command, Until, execute};
use wire::email::Email;
use wire::features::{main_path, no_access_path};

async fn admin(app: &TestApp) -> crate::helpers::Browser {
    let b = app.browser();
    let email = unique_email("admin");
    registered_and_verified(app, &b, &email).await;
    make_admin(app, &email).await;
    b
}

#[tokio::test]
async fn only_admins_can_manage_invites_and_grants() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let member = app.browser();
    registered_and_verified(&app, &member, &unique_email("member")).await;
    let form = [("email", "x@example.com"), ("access_days", "30"), ("valid_days", "14")];
    assert_eq!(
        expect_json(member.call("/api/admin/invites/create", &form).await, 403).await,
        "Forbidden"
    );
    assert_eq!(
        expect_json(app.browser().call("/api/admin/invites/create", &form).await, 401).await,
        "NotSignedIn"
    );
    let grant = [("email", "x@example.com"), ("days", "3")];
    assert_eq!(
        expect_json(member.call("/api/admin/access/grant", &grant).await, 403).await,
        "Forbidden"
    );
    assert!(app.mail.all_to("x@example.com").await.is_empty());
}

#[tokio::test]
async fn an_expired_invite_grants_nothing_and_the_user_is_sent_to_payment() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let email = unique_email("late");
    execute(
        Command::InviteCreate {
            email: Email::parse(&email).unwrap(),
            access: Until::Days(30),
            expires: Until::At(chrono::Utc::now() - chrono::Duration::hours(1)),
            credits: 0,
        },
        &app.services,
    )
    .await
    .unwrap();
    let token = app.mail.first_to(&email).await.token_in("/signup");
    assert_eq!(
        expect_json(app.browser().call("/api/auth/invite", &[("token", &token)]).await, 400).await,
        "LinkExpired"
    );
    let b = app.browser();
    let registered = register(&b, &email, &[("invite", &token)]).await;
    if !wire::features::OPEN_SIGN_UP {
        // Invite only: the expired invite admits no one.
        assert_eq!(expect_json(registered, 403).await, "InviteOnly");
        return;
    }
    let to = expect_json(registered, 200).await;
    assert_eq!(to, "/verify-email", "an expired link proves nothing");
    assert_eq!(verify_from_mail_second(&app, &b, &email).await, no_access_path());
}

/// The verification mail is the second one (after the invite).
async fn verify_from_mail_second(app: &TestApp, b: &crate::helpers::Browser, email: &str) -> String {
    let token = app.mail.nth_to(email, 2).await.token_in("/verify-email");
    expect_json(b.call("/api/auth/verify-email", &[("token", &token)]).await, 200)
        .await
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn an_invited_email_registering_without_the_link_gets_access_once_verified() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let admin = admin(&app).await;
    let email = unique_email("typed");
    let form = [("email", email.as_str()), ("access_days", "7"), ("valid_days", "7")];
    expect_json(admin.call("/api/admin/invites/create", &form).await, 200).await;
    let b = app.browser();
    assert_eq!(expect_json(register(&b, &email, &[]).await, 200).await, "/verify-email");
    // Not before the address is proven.
    assert_eq!(location(&b.get(main_path()).await), "/verify-email");
    assert_eq!(verify_from_mail_second(&app, &b, &email).await, main_path());
}

#[tokio::test]
async fn revoking_an_invite_ends_the_access_it_granted() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let admin = admin(&app).await;
    let email = unique_email("revoked");
    let form = [("email", email.as_str()), ("access_days", "30"), ("valid_days", "14")];
    let invite = expect_json(admin.call("/api/admin/invites/create", &form).await, 200).await;
    let token = app.mail.first_to(&email).await.token_in("/signup");
    let b = app.browser();
    assert_eq!(
        expect_json(register(&b, &email, &[("invite", &token)]).await, 200).await,
        main_path()
    );

    let listed = expect_json(admin.call("/api/admin/invites", &[]).await, 200).await;
    assert_eq!(listed["invites"][0]["email"], email.as_str());
    assert_eq!(listed["invites"][0]["status"], "Redeemed");
    assert_eq!(
        listed["access_for_hours"],
        30 * 24,
        "the default an empty field stands for"
    );
    let id = invite["invite"]["id"].as_str().unwrap();
    expect_json(admin.call("/api/admin/invites/revoke", &[("id", id)]).await, 200).await;
    let r = b.get(main_path()).await;
    assert_eq!(location(&r), no_access_path(), "access is computed on every request");
    let me = expect_json(b.call("/api/session/viewer", &[]).await, 200).await;
    assert_eq!(me["access"]["granted"], false);
    assert_eq!(
        expect_json(
            admin.call("/api/admin/invites/revoke", &[("id", "not-an-id")]).await,
            404
        )
        .await,
        "NotFound"
    );
}

#[tokio::test]
async fn sending_an_invite_again_keeps_the_first_link_working() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let admin = admin(&app).await;
    let email = unique_email("twice");
    let form = [("email", email.as_str()), ("access_days", "30"), ("valid_days", "14")];
    let first = expect_json(admin.call("/api/admin/invites/create", &form).await, 200).await;
    assert_eq!(first["resent"], false);
    let first_token = app.mail.first_to(&email).await.token_in("/signup");
    let longer = [("email", email.as_str()), ("access_days", "60"), ("valid_days", "14")];
    let second = expect_json(admin.call("/api/admin/invites/create", &longer).await, 200).await;
    assert_eq!(second["resent"], true, "the page says it was sent again");
    assert_eq!(second["invite"]["id"], first["invite"]["id"], "the same invite");
    assert_eq!(second["invite"]["status"], "Pending");
    assert!(
        second["invite"]["access_until"].as_i64() > first["invite"]["access_until"].as_i64(),
        "the later terms win"
    );
    let listed = expect_json(admin.call("/api/admin/invites", &[]).await, 200).await;
    let rows: Vec<_> = listed["invites"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["email"] == email.as_str())
        .collect();
    assert_eq!(rows.len(), 1, "one invite, not a revoked one and a new one: {rows:?}");

    // The first email's link still admits the guest.
    let offer = expect_json(
        app.browser().call("/api/auth/invite", &[("token", &first_token)]).await,
        200,
    )
    .await;
    assert_eq!(offer["email"], email.as_str());
    let b = app.browser();
    assert_eq!(
        expect_json(register(&b, &email, &[("invite", &first_token)]).await, 200).await,
        main_path()
    );
}

#[tokio::test]
async fn a_replaced_invite_link_says_a_newer_invitation_was_sent() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let admin = admin(&app).await;
    let email = unique_email("replaced");
    let form = [("email", email.as_str()), ("access_days", "30"), ("valid_days", "14")];
    let first = expect_json(admin.call("/api/admin/invites/create", &form).await, 200).await;
    let old_token = app.mail.first_to(&email).await.token_in("/signup");
    let id = first["invite"]["id"].as_str().unwrap();
    expect_json(admin.call("/api/admin/invites/revoke", &[("id", id)]).await, 200).await;
    let gone = app.browser().call("/api/auth/invite", &[("token", &old_token)]).await;
    assert_eq!(expect_json(gone, 400).await, "LinkExpired", "revoked, nothing newer");
    let second = expect_json(admin.call("/api/admin/invites/create", &form).await, 200).await;
    assert_eq!(second["resent"], false, "the revoked invite is not reopened");
    let superseded = app.browser().call("/api/auth/invite", &[("token", &old_token)]).await;
    assert_eq!(expect_json(superseded, 400).await, "InviteSuperseded");
}

#[tokio::test]
async fn an_admin_grant_gives_access_for_the_given_days() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let admin = admin(&app).await;
    let email = unique_email("granted");
    let b = app.browser();
    registered_and_verified(&app, &b, &email).await;
    let granted = expect_json(
        admin
            .call("/api/admin/access/grant", &[("email", &email), ("days", "5")])
            .await,
        200,
    )
    .await;
    assert_eq!(granted["email"], email.as_str(), "the answer names the account");
    let expected = chrono::Utc::now().timestamp() + 5 * 86_400;
    assert!((granted["until"].as_i64().unwrap() - expected).abs() < 60);
    let me = expect_json(b.call("/api/session/viewer", &[]).await, 200).await;
    assert_eq!(me["access"]["reason"], "AdminGrant");
    assert_eq!(b.get(main_path()).await.status(), 200);
    let nobody = admin
        .call(
            "/api/admin/access/grant",
            &[("email", "nobody@example.com"), ("days", "5")],
        )
        .await;
    assert_eq!(
        expect_json(nobody, 404).await,
        serde_json::json!({ "NoAccount": { "email": "nobody@example.com" } }),
        "the refusal says which address has no account"
    );
    let bad = admin
        .call("/api/admin/access/grant", &[("email", &email), ("days", "0")])
        .await;
    assert_eq!(
        expect_json(bad, 400).await,
        serde_json::json!({ "Invalid": { "field": "Days", "problem": "Invalid" } })
    );
}

#[tokio::test]
async fn the_cli_creates_lists_and_revokes_invites_and_makes_admins() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let email = unique_email("cli");
    execute(
        Command::InviteCreate {
            email: Email::parse(&email).unwrap(),
            access: Until::Default,
            expires: Until::Days(2),
            credits: 0,
        },
        &app.services,
    )
    .await
    .unwrap();
    let mail = app.mail.first_to(&email).await;
    assert!(mail.subject.contains("invited"), "{}", mail.subject);
    execute(Command::InviteList, &app.services).await.unwrap();
    execute(
        Command::InviteRevoke {
            email: Email::parse(&email).unwrap(),
        },
        &app.services,
    )
    .await
    .unwrap();
    assert!(
        execute(
            Command::InviteRevoke {
                email: Email::parse("none@example.com").unwrap()
            },
            &app.services
        )
        .await
        .is_err()
    );
    let token = mail.token_in("/signup");
    let b = app.browser();
    // The revoked invite admits no one where sign-up is invite only;
    // elsewhere the address registers like any other, without its access.
    let (status, to) = if wire::features::OPEN_SIGN_UP {
        (200, "/verify-email")
    } else {
        (403, "InviteOnly")
    };
    assert_eq!(
        expect_json(register(&b, &email, &[("invite", &token)]).await, status).await,
        to
    );

    let boss = unique_email("boss");
    execute(
        Command::AdminCreate {
            email: Email::parse(&boss).unwrap(),
        },
        &app.services,
    )
    .await
    .unwrap();
    let user = domain::accounts::rules::find_by_email(app.db(), &Email::parse(&boss).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(user.is_admin);
}

#[tokio::test]
async fn addresses_in_admin_emails_become_admins_once_verified() {
    let boss = unique_email("chief");
    let app = TestApp::spawn_with(Backend::Sqlite, &[("ADMIN_EMAILS", &boss)])
        .await
        .unwrap();
    let b = app.browser();
    expect_json(register(&b, &boss, &[]).await, 200).await;
    let me = expect_json(b.call("/api/session/viewer", &[]).await, 200).await;
    assert_eq!(me["is_admin"], false, "not before the address is proven");
    let to = verify_from_mail(&app, &b, &boss).await;
    assert_eq!(to, main_path(), "admins have access");
    assert_eq!(b.get("/admin").await.status(), 200);
}

#[tokio::test]
async fn an_invite_with_credits_grants_them_once_when_redeemed() {
    use entity::credit_buckets;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let admin = admin(&app).await;
    let email = unique_email("credited");
    let create = |credits: &'static str| {
        let email = email.clone();
        let admin = &admin;
        async move {
            let form = [
                ("email", email.as_str()),
                ("access_days", ""),
                ("valid_days", ""),
                ("credits", credits),
            ];
            admin.call("/api/admin/invites/create", &form).await
        }
    };
    for bad in ["-5", "1.234", "lots"] {
        assert_eq!(
            expect_json(create(bad).await, 400).await,
            serde_json::json!({ "Invalid": { "field": "Credits", "problem": "Invalid" } }),
            "{bad}"
        );
    }
    // In the display unit (two decimals by default).
    let sent = expect_json(create("12.50").await, 200).await;
    assert_eq!(sent["invite"]["credits"], 1250);
    // Sent again with fewer: the invite keeps the larger amount.
    let again = expect_json(create("5").await, 200).await;
    assert_eq!(
        (again["resent"].as_bool(), again["invite"]["credits"].as_i64()),
        (Some(true), Some(1250))
    );
    let listed = expect_json(admin.call("/api/admin/invites", &[]).await, 200).await;
    assert_eq!(listed["invites"][0]["credits"], 1250);

    let token = app.mail.first_to(&email).await.token_in("/signup");
    let b = app.browser();
    assert_eq!(
        expect_json(register(&b, &email, &[("invite", &token)]).await, 200).await,
        main_path()
    );
    // Signing in again redeems nothing more.
    let again = app.browser();
    expect_json(
        crate::support::sign_in(&again, &email, crate::helpers::PASSWORD).await,
        200,
    )
    .await;
    let user = domain::accounts::users::find_by_email(&app.services.db, &Email::parse(&email).unwrap())
        .await
        .unwrap()
        .unwrap();
    let granted: Vec<i64> = credit_buckets::Entity::find()
        .filter(credit_buckets::Column::AccountId.eq(user.id))
        .filter(credit_buckets::Column::Source.eq("grant"))
        .all(&app.services.db)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.granted)
        .collect();
    assert_eq!(granted, [1250], "one grant of the invite's credits");
    let wallet = expect_json(
        b.call("/api/account/credits/wallet", &[("kind", "grant"), ("page", "0")])
            .await,
        200,
    )
    .await;
    assert!(
        wallet["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["note"] == "invite" && e["amount"] == 1250),
        "the wallet says the credits came with the invitation: {wallet}"
    );
}

/// Sending the same invite twice at once (a double click) makes one
/// invite, so its credits are granted once.
async fn invites_sent_at_once_to_one_address_make_one_invite(app: TestApp) {
    let email = Email::parse(&unique_email("twice")).unwrap();
    let sends = futures::future::join_all((0..8).map(|_| {
        let services = app.services.clone();
        let email = email.clone();
        async move {
            domain::invites::create(
                &services,
                &domain::Actor::Operator,
                domain::invites::NewInvite {
                    email,
                    access_until: chrono::Utc::now() + chrono::Duration::days(7),
                    expires_at: chrono::Utc::now() + chrono::Duration::days(7),
                    locale: Default::default(),
                    credits: 100,
                },
            )
            .await
        }
    }))
    .await;
    assert!(sends.iter().all(Result::is_ok), "{sends:?}");
    let invites = domain::invites::for_email(&app.services.db, &email).await.unwrap();
    assert_eq!(invites.len(), 1, "one invite, sent again seven times");
}
crate::on_each_database!(invites_sent_at_once_to_one_address_make_one_invite);
