//! A build without payments is invite only: an address registers only with
//! an open invite (or as one of `ADMIN_EMAILS`). Every other test's
//! registrations are admitted by the test clients (`helpers::admit`); this
//! one meets the gate as a stranger does.

use crate::helpers::{Backend, PASSWORD, TestApp, expect_json, unique_email};
use crate::support::location;
use wire::features::{main_path, no_access_path};

#[tokio::test]
async fn a_stranger_cannot_register_and_is_told_it_is_invite_only() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let b = app.browser();
    let email = unique_email("stranger");
    let form = [
        ("display_name", "Stranger"),
        ("email", email.as_str()),
        ("password", PASSWORD),
    ];
    let refused = b
        .send_form("/api/auth/register", &form, &[("sec-fetch-site", "same-origin")])
        .await;
    assert_eq!(expect_json(refused, 403).await, "InviteOnly");
    let address = wire::email::Email::parse(&email).unwrap();
    let account = domain::accounts::rules::find_by_email(app.db(), &address)
        .await
        .unwrap();
    assert!(account.is_none(), "no account is made");
    assert!(b.session().is_none(), "and no session");

    // The sign-up page says so before anyone tries.
    let page = b.get("/signup").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let note = wire::i18n::Locale::default().t(wire::i18n::Key::InviteOnlyNote);
    assert!(html.contains(note), "the sign-up page names the rule");

    // Admitted (an open invite for the address), the same request registers.
    let admitted = b.call("/api/auth/register", &form).await;
    assert_eq!(expect_json(admitted, 200).await, "/verify-email");
    // Users without access are sent to the invite-only notice, not to a payment page.
    assert_eq!(no_access_path(), "/invite-only");
    assert_eq!(location(&b.get(main_path()).await), "/verify-email");
}
