//! Invites: only an admin (or the operator) makes one; its link admits the
//! invited address, proves it and grants the access it promised, once.

use crate::support::{World, unique_email, visitor};
use chrono::{Duration, Utc};
use domain::invites::{self, NewInvite};
use domain::{Actor, DomainError};
use wire::access::AccessReason;
use wire::email::Email;

fn new_invite(email: &str, access_days: i64) -> NewInvite {
    let now = Utc::now();
    NewInvite {
        email: Email::parse(email).unwrap(),
        access_until: now + Duration::days(access_days),
        expires_at: now + Duration::days(3),
        locale: Default::default(),
        credits: 0,
    }
}

/// The token in an invite's sign-up link.
fn token_of(link: &str) -> String {
    link.split_once("invite=").expect("an invite link").1.to_owned()
}

#[tokio::test]
async fn only_an_admin_or_the_operator_invites() {
    let world = World::new().await;
    let email = unique_email("guest");
    assert!(matches!(
        invites::create(&world.services, &visitor(), new_invite(&email, 10)).await,
        Err(DomainError::NotSignedIn)
    ));
    for job in [Actor::Job("janitor"), Actor::Stripe] {
        assert!(matches!(
            invites::create(&world.services, &job, new_invite(&email, 10)).await,
            Err(DomainError::Forbidden)
        ));
    }
    assert!(
        invites::list(world.db(), 10).await.unwrap().is_empty(),
        "nothing was stored"
    );

    let created = invites::create(&world.services, &Actor::Operator, new_invite(&email, 10))
        .await
        .unwrap();
    assert_eq!(created.invite.email, email);
    assert!(created.invite.created_by.is_none(), "the operator is nobody's account");
    assert!(created.link.starts_with("http://app.test/signup?invite="));
}

#[tokio::test]
async fn an_invite_link_admits_proves_and_grants_once() {
    let world = World::new().await;
    let email = unique_email("invited");
    let created = invites::create(&world.services, &Actor::Operator, new_invite(&email, 10))
        .await
        .unwrap();
    let token = token_of(&created.link);
    let offer = invites::preview(&world.services, &visitor(), &token).await.unwrap();
    assert_eq!(offer.email, email);

    let member = world.register(&email, Some(token.clone())).await;
    let session = member.user().unwrap();
    assert!(
        session.user.email_verified_at.is_some(),
        "following the link proved the address"
    );
    assert!(session.access.granted);
    assert_eq!(session.access.reason, Some(AccessReason::Invite));
    let until = session.access.until.expect("an invite's access ends");
    assert!((until - created.invite.access_until.timestamp()).abs() <= 1);
    member.member().expect("verified, with access: a member");

    // Redeemed: the link is spent.
    assert!(matches!(
        invites::preview(&world.services, &visitor(), &token).await,
        Err(DomainError::LinkExpired)
    ));
}

#[tokio::test]
async fn an_invite_for_another_address_admits_nobody_else() {
    let world = World::new().await;
    let invited = unique_email("invited");
    let created = invites::create(&world.services, &Actor::Operator, new_invite(&invited, 10))
        .await
        .unwrap();
    let stranger = world
        .register(&unique_email("stranger"), Some(token_of(&created.link)))
        .await;
    let session = stranger.user().unwrap();
    assert!(
        session.user.email_verified_at.is_none(),
        "the link proves only its own address"
    );
    assert!(!session.access.granted);
    // The invite is still open for the address it was made for.
    assert!(
        invites::preview(&world.services, &visitor(), &token_of(&created.link))
            .await
            .is_ok()
    );
}
