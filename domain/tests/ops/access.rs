//! Access, computed from the grants at a moment: none at first, an admin's
//! grant for some days, an admin always.

use crate::support::{World, unique_email, visitor};
use chrono::{Duration, Utc};
use domain::access::{self, state_for};
use domain::{Actor, DomainError};
use entity::users;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use wire::access::AccessReason;
use wire::email::Email;

#[tokio::test]
async fn access_follows_the_grants_in_time() {
    let world = World::new().await;
    let email = unique_email("member");
    let user_actor = world.register(&email, None).await;
    let user = user_actor.user().unwrap().user.clone();
    let now = Utc::now();
    assert!(!state_for(world.db(), &user, now).await.unwrap().granted);

    // Only an admin (or the operator) grants.
    let address = Email::parse(&email).unwrap();
    assert!(matches!(
        access::grant_access(&world.services, &user_actor, &address, 3).await,
        Err(DomainError::Forbidden)
    ));
    assert!(matches!(
        access::grant_access(&world.services, &visitor(), &address, 3).await,
        Err(DomainError::NotSignedIn)
    ));
    let ends = access::grant_access(&world.services, &Actor::Operator, &address, 3)
        .await
        .unwrap();

    let during = state_for(world.db(), &user, now + Duration::days(1)).await.unwrap();
    assert!(during.granted);
    assert_eq!(during.reason, Some(AccessReason::AdminGrant));
    assert_eq!(during.until, Some(ends.timestamp()));

    let after = state_for(world.db(), &user, now + Duration::days(4)).await.unwrap();
    assert!(!after.granted);
    assert_eq!(after.ended_at, Some(ends.timestamp()), "it remembers when access ended");

    // Nobody with that address: nothing granted, and the refusal names it.
    let nobody = unique_email("nobody");
    assert!(matches!(
        access::grant_access(&world.services, &Actor::Operator, &Email::parse(&nobody).unwrap(), 3).await,
        Err(DomainError::NoAccount { email }) if email == nobody
    ));
}

#[tokio::test]
async fn an_admin_has_access_without_grants() {
    let world = World::new().await;
    let actor = world.register(&unique_email("admin"), None).await;
    let mut admin = actor.user().unwrap().user.clone().into_active_model();
    admin.is_admin = Set(true);
    admin.email_verified_at = Set(Some(Utc::now()));
    let admin: users::Model = admin.update(world.db()).await.unwrap();
    let state = state_for(world.db(), &admin, Utc::now()).await.unwrap();
    assert!(state.granted);
    assert_eq!(state.reason, Some(AccessReason::Admin));
    assert_eq!(state.until, None, "an admin's access does not end");
    assert_eq!(users::Entity::find().all(world.db()).await.unwrap().len(), 1);
}

#[tokio::test]
async fn days_out_of_range_are_refused_whoever_asks() {
    let world = World::new().await;
    let email = unique_email("member");
    world.register(&email, None).await;
    let address = Email::parse(&email).unwrap();
    for days in [0, -3, wire::invites::MAX_DAYS + 1, i64::MAX] {
        assert!(
            matches!(
                access::grant_access(&world.services, &Actor::Operator, &address, days).await,
                Err(DomainError::Invalid { .. })
            ),
            "{days}"
        );
    }
    // The admin check comes first: a visitor learns nothing about the input.
    assert!(matches!(
        access::grant_access(&world.services, &visitor(), &address, 0).await,
        Err(DomainError::NotSignedIn)
    ));
    assert!(matches!(
        domain::invites::create_for_days(
            &world.services,
            &visitor(),
            address,
            Some(i64::MAX),
            None,
            0,
            Default::default()
        )
        .await,
        Err(DomainError::NotSignedIn)
    ));
}
