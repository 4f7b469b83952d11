//! Access, computed from the grants at a moment: none at first, an admin's
//! grant for some days, an admin always.

use crate::support::{World, unique_email, visitor};
use chrono::{Duration, Utc};
use domain::access::{self, state_for};
use domain::accounts::sessions;
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

/// A session reads its user's grants with it (one query, one row per
/// grant): the access it carries weighs all of them, and no other user's.
#[tokio::test]
async fn a_session_carries_the_access_of_all_its_users_grants() {
    let world = World::new().await;
    let member = world.register(&unique_email("grants"), None).await;
    let other = world.register(&unique_email("other"), None).await;
    let user = member.user().unwrap().user.clone();
    let now = Utc::now();
    // The other user's open-ended grant must not reach this session.
    let others = other.user().unwrap().user.id;
    grant(&world, others, now - Duration::days(1), None, false, "other").await;
    assert!(
        !session_access(&world, &user).await.granted,
        "no grants of its own: no access"
    );

    let ended = now - Duration::days(2);
    grant(&world, user.id, now - Duration::days(9), Some(ended), false, "ended").await;
    grant(
        &world,
        user.id,
        now - Duration::days(1),
        Some(now + Duration::days(30)),
        true,
        "revoked",
    )
    .await;
    let access = session_access(&world, &user).await;
    assert!(!access.granted, "an ended and a revoked grant give no access");
    assert_eq!(access.ended_at, Some(ended.timestamp()));

    let until = now + Duration::days(5);
    grant(&world, user.id, now - Duration::days(1), Some(until), false, "open").await;
    let access = session_access(&world, &user).await;
    assert!(access.granted, "the third grant gives access");
    assert_eq!(access.until, Some(until.timestamp()));
    assert_eq!(access.reason, Some(AccessReason::AdminGrant));
    let apart = state_for(world.db(), &user, Utc::now()).await.unwrap();
    assert_eq!(
        (access.granted, access.until, access.ended_at),
        (apart.granted, apart.until, apart.ended_at),
        "the session's access is the one its grants give when read apart"
    );
}

/// Records an admin grant for `user_id`, revoked at once when `revoked`.
async fn grant(
    world: &World,
    user_id: uuid::Uuid,
    starts_at: chrono::DateTime<Utc>,
    ends_at: Option<chrono::DateTime<Utc>>,
    revoked: bool,
    reference: &str,
) {
    let reason = AccessReason::AdminGrant;
    access::grant(
        world.db(),
        access::NewGrant {
            user_id,
            reason,
            reference: Some(reference.to_owned()),
            starts_at,
            ends_at,
            created_by: None,
        },
    )
    .await
    .unwrap();
    if revoked {
        access::revoke_reference(world.db(), reason, reference, Utc::now())
            .await
            .unwrap();
    }
}

/// The access a fresh session of `user` carries, resolved as a request's.
async fn session_access(world: &World, user: &users::Model) -> wire::access::AccessState {
    let client = crate::support::client();
    let started = sessions::start(&world.services, user.id, wire::auth::PASSWORD_METHOD, false, &client)
        .await
        .unwrap();
    sessions::resolve(&world.services, &started.token)
        .await
        .unwrap()
        .expect("a live session")
        .access
}
