//! Sign-up, verification and sign-in as operations.

use crate::support::{PASSWORD, World, unique_email, visitor};
use domain::DomainError;
use domain::accounts::password::{self, Credentials, Registration, Verification};
use domain::accounts::sessions;
use entity::{mail_outbox, users};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use wire::i18n::Locale;

/// The token in the last link mailed to `email`.
async fn mailed_token(world: &World, email: &str) -> String {
    let mail = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::Recipient.contains(email))
        .all(world.db())
        .await
        .unwrap()
        .pop()
        .expect("a mail went out");
    let at = mail.text_body.find("token=").expect("a link with a token") + "token=".len();
    mail.text_body[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect()
}

fn credentials(email: &str, password: &str, device: Option<String>) -> Credentials {
    Credentials {
        email: email.into(),
        password: password.into(),
        remember: false,
        next: None,
        device,
    }
}

#[tokio::test]
async fn signing_up_creates_an_unproven_account_mails_its_link_and_signs_in() {
    let world = World::new().await;
    let email = unique_email("new");
    let actor = world.register(&email, None).await;

    let session = actor.user().unwrap();
    assert_eq!(session.user.email, email);
    assert!(
        session.user.email_verified_at.is_none(),
        "nothing proved the address yet"
    );
    assert!(!session.access.granted, "no invite, no payment, no grant");
    assert!(
        session
            .user
            .password_hash
            .as_deref()
            .is_some_and(|h| h.starts_with("$argon2id$"))
    );
    assert!(!mailed_token(&world, &email).await.is_empty());

    // The same address again, in any letter case: refused, with its methods.
    let again = password::register(
        &world.services,
        &visitor(),
        Registration {
            display_name: "Eve".into(),
            email: email.to_uppercase(),
            password: PASSWORD.into(),
            invite: None,
            remember: false,
            locale: Locale::En,
        },
    )
    .await;
    match again {
        Err(DomainError::EmailTaken { methods }) => assert_eq!(methods, [wire::auth::PASSWORD_METHOD]),
        other => panic!("expected EmailTaken, got {other:?}"),
    }
    assert_eq!(users::Entity::find().all(world.db()).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_verification_link_proves_the_address_only_in_the_accounts_session() {
    let world = World::new().await;
    let email = unique_email("verify");
    let owner = world.register(&email, None).await;
    let token = mailed_token(&world, &email).await;

    // Someone else's browser (no session) is sent to sign in first, and the
    // link stays usable.
    let elsewhere = password::verify_email(&world.services, &visitor(), &token)
        .await
        .unwrap();
    assert!(matches!(elsewhere, Verification::SignInFirst { ref next } if next.starts_with("/signin?verify=1")));

    let Verification::Verified { session, .. } = password::verify_email(&world.services, &owner, &token).await.unwrap()
    else {
        panic!("the owner's session proves the address");
    };
    let old = owner.session().unwrap().id.clone();
    assert!(
        sessions::resolve(&world.services, &session.token)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        sessions::resolve(&world.services, &old).await.unwrap().is_none(),
        "a privilege change gives the session a new id"
    );
    let user = users::Entity::find().one(world.db()).await.unwrap().unwrap();
    assert!(user.email_verified_at.is_some());
    // A link works once.
    assert!(matches!(
        password::verify_email(&world.services, &owner, &token).await,
        Err(DomainError::LinkExpired)
    ));
}

#[tokio::test]
async fn signing_in_checks_the_password_and_remembers_the_browser() {
    let world = World::new().await;
    let email = unique_email("sign-in");
    world.register(&email, None).await;
    let services = &world.services;

    for wrong in [
        credentials(&email, "not the password at all", None),
        credentials(&unique_email("nobody"), PASSWORD, None),
    ] {
        assert!(matches!(
            password::sign_in(services, &visitor(), wrong).await,
            Err(DomainError::InvalidCredentials)
        ));
    }

    let first = password::sign_in(services, &visitor(), credentials(&email, PASSWORD, None))
        .await
        .unwrap();
    let device = first.new_device.expect("a first sign-in from a browser makes it known");
    let current = sessions::resolve(services, &first.signed_in.session.token)
        .await
        .unwrap()
        .expect("the new session is live");
    assert_eq!(current.user.email, email);
    assert_eq!(current.auth_method, wire::auth::PASSWORD_METHOD);

    let second = password::sign_in(services, &visitor(), credentials(&email, PASSWORD, Some(device)))
        .await
        .unwrap();
    assert!(second.new_device.is_none(), "a known browser keeps its cookie");
    assert_ne!(second.signed_in.session.token, first.signed_in.session.token);
}
