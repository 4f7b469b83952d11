//! A Stripe webhook delivery, applied by the domain: checked over the raw
//! body, applied once, and access follows.

use crate::support::{World, unique_email};
use bytes::Bytes;
use chrono::Utc;
use domain::Actor;
use domain::payments::stripe::offers::parse_offers;
use domain::payments::stripe::settings::{DEFAULT_WEBHOOK_BODY_LIMIT, StripeSettings};
use domain::payments::stripe::webhook::{self, Event, Outcome, WebhookError};
use entity::{access_grants, stripe_customers, users};
use fakes::Fakes;
use fakes::stripe::{self as fake, OFFERS, SECRET_KEY, WEBHOOK_SECRET, event};
use sea_orm::{EntityTrait, PaginatorTrait, Set};
use serde_json::json;
use std::time::Duration;
use wire::access::AccessReason;

const DAY: i64 = 86_400;

async fn world_with_stripe(fakes: &Fakes) -> World {
    let api_base = format!("{}/stripe/", fakes.url());
    World::with(|s| {
        s.features.stripe = Some(StripeSettings {
            secret_key: SECRET_KEY.into(),
            webhook_secrets: vec![WEBHOOK_SECRET.into()],
            api_base,
            offers: parse_offers(OFFERS).unwrap(),
            past_due_grace: Duration::from_secs(3 * DAY as u64),
            webhook_body_limit: DEFAULT_WEBHOOK_BODY_LIMIT,
        });
    })
    .await
}

/// `user` as a Stripe customer (as the app records at the first checkout).
async fn customer(world: &World, user: &users::Model) -> String {
    let id = format!("cus_{}", &user.id.simple().to_string()[..12]);
    stripe_customers::Entity::insert(stripe_customers::ActiveModel {
        user_id: Set(user.id),
        customer_id: Set(id.clone()),
        created_at: Set(Utc::now()),
    })
    .exec(world.db())
    .await
    .unwrap();
    id
}

/// Stripe's event for a paid 7-day pass bought by `user`.
fn pass_paid(user: &users::Model, customer: &str) -> Bytes {
    let session = json!({
        "id": format!("cs_test_{}", uuid::Uuid::new_v4().simple()),
        "object": "checkout.session",
        "mode": "payment",
        "status": "complete",
        "payment_status": "paid",
        "customer": customer,
        "client_reference_id": user.id.to_string(),
        "metadata": { "user_id": user.id.to_string(), "offer": "pass-7", "pass_days": "7" },
        "created": fake::now(),
        "expires_at": fake::now() + DAY,
    });
    Bytes::from(serde_json::to_vec(&event("checkout.session.completed", session, fake::now())).unwrap())
}

#[tokio::test]
async fn a_signed_payment_grants_access_once_and_a_forged_one_nothing() {
    let fakes = Fakes::start(([127, 0, 0, 1], 0).into()).await.unwrap();
    let world = world_with_stripe(&fakes).await;
    let services = &world.services;
    let user = world
        .register(&unique_email("payer"), None)
        .await
        .user()
        .unwrap()
        .user
        .clone();
    let cus = customer(&world, &user).await;
    let body = pass_paid(&user, &cus);
    let grants = || async { access_grants::Entity::find().count(world.db()).await.unwrap() };

    for forged in [
        None,
        Some(fake::sign(&body, "whsec_someone_else", fake::now())),
        Some(fake::sign(b"another body", WEBHOOK_SECRET, fake::now())),
    ] {
        assert!(matches!(
            webhook::receive(services, forged, body.clone()).await,
            Err(WebhookError::Signature(_))
        ));
    }
    assert_eq!(grants().await, 0, "nothing was applied");

    let signed = fake::sign(&body, WEBHOOK_SECRET, fake::now());
    let (event, outcome) = webhook::receive(services, Some(signed.clone()), body.clone())
        .await
        .unwrap();
    assert_eq!(outcome, Outcome::Applied);
    let access = domain::access::state_for(world.db(), &user, Utc::now()).await.unwrap();
    assert!(access.granted);
    assert_eq!(access.reason, Some(AccessReason::Payment));
    let expected = Utc::now().timestamp() + 7 * DAY;
    assert!((access.until.unwrap() - expected).abs() < 60, "seven days");

    // Delivered again, or applied again directly: nothing changes.
    let (_, again) = webhook::receive(services, Some(signed), body.clone()).await.unwrap();
    assert_eq!(again, Outcome::Duplicate);
    assert_eq!(
        webhook::process(services, &Actor::Stripe, &event).await.unwrap(),
        Outcome::Duplicate
    );
    assert_eq!(grants().await, 1);
}

#[tokio::test]
async fn events_the_app_does_not_act_on_or_for_unknown_accounts_are_ignored() {
    let fakes = Fakes::start(([127, 0, 0, 1], 0).into()).await.unwrap();
    let world = world_with_stripe(&fakes).await;
    let other: Event = serde_json::from_value(event("customer.created", json!({"id": "cus_x"}), fake::now())).unwrap();
    assert_eq!(
        webhook::process(&world.services, &Actor::Stripe, &other).await.unwrap(),
        Outcome::Ignored
    );
    // A payment for a customer the app never recorded.
    let ghost = users::Model {
        id: uuid::Uuid::new_v4(),
        ..world
            .register(&unique_email("real"), None)
            .await
            .user()
            .unwrap()
            .user
            .clone()
    };
    let body = pass_paid(&ghost, "cus_unknown");
    let (_, outcome) = webhook::receive(
        &world.services,
        Some(fake::sign(&body, WEBHOOK_SECRET, fake::now())),
        body.clone(),
    )
    .await
    .unwrap();
    assert_eq!(outcome, Outcome::Ignored);
    assert_eq!(access_grants::Entity::find().count(world.db()).await.unwrap(), 0);
}

#[tokio::test]
async fn only_stripe_or_the_operator_applies_an_event() {
    let fakes = Fakes::start(([127, 0, 0, 1], 0).into()).await.unwrap();
    let world = world_with_stripe(&fakes).await;
    let member = world.register(&unique_email("payer"), None).await;
    let user = member.user().unwrap().user.clone();
    let cus = customer(&world, &user).await;
    let event: Event = serde_json::from_slice(&pass_paid(&user, &cus)).unwrap();
    for actor in [member, crate::support::visitor(), Actor::Job("janitor")] {
        assert!(webhook::process(&world.services, &actor, &event).await.is_err());
    }
    assert_eq!(access_grants::Entity::find().count(world.db()).await.unwrap(), 0);
    assert_eq!(
        webhook::process(&world.services, &Actor::Operator, &event)
            .await
            .unwrap(),
        Outcome::Applied
    );
}
