//! Attacks on payments: a webhook that costs the server its CPU, access
//! from things the app does not sell, money taken back (refunds, charge-backs)
//! that kept its access, an account deleted while its card is charged.

use crate::helpers::{Backend, Browser, PASSWORD, TestApp, expect_json, unique_email};
use crate::on_each_database;
use crate::support::registered_and_verified;
use chrono::Utc;
use entity::{stripe_events, stripe_subscriptions};
use fakes::stripe::{self as fake, WEBHOOK_SECRET, charge, dispute, event, invoice, subscription};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use wire::access::AccessState;

const DAY: i64 = 86_400;

async fn post_webhook(app: &TestApp, body: &[u8], signature: &str) -> u16 {
    app.client
        .post(app.url("/webhooks/stripe"))
        .header("content-type", "application/json")
        .header("stripe-signature", signature)
        .body(body.to_vec())
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

async fn send(app: &TestApp, event: &Value) -> u16 {
    let body = serde_json::to_vec(event).unwrap();
    post_webhook(app, &body, &fake::sign(&body, WEBHOOK_SECRET, fake::now())).await
}

fn macs(app: &TestApp) -> u64 {
    app.services.features.stripe.as_ref().unwrap().webhook_macs()
}

async fn customer(app: &TestApp) -> (Browser, entity::users::Model) {
    let b = app.browser();
    let email = unique_email("payer");
    registered_and_verified(app, &b, &email).await;
    let parsed = wire::email::Email::parse(&email).unwrap();
    let user = domain::accounts::rules::find_by_email(app.db(), &parsed)
        .await
        .unwrap()
        .unwrap();
    (b, user)
}

async fn access_of(app: &TestApp, user: &entity::users::Model) -> AccessState {
    domain::access::state_for(app.db(), user, Utc::now()).await.unwrap()
}

async fn outcome_of(app: &TestApp, event: &Value) -> String {
    stripe_events::Entity::find_by_id(event["id"].as_str().unwrap().to_owned())
        .one(app.db())
        .await
        .unwrap()
        .map(|e| e.outcome)
        .unwrap_or_default()
}

/// Buys `offer` through the fake's hosted page; returns its events.
async fn buy(app: &TestApp, b: &Browser, offer: &str) -> Vec<Value> {
    let url = expect_json(b.call("/api/billing/checkout", &[("offer", offer)]).await, 200).await;
    let id = url.as_str().unwrap().rsplit('/').next().unwrap().to_owned();
    let (_, events) = app.fakes.complete_checkout(&id).expect("an open session");
    for e in &events {
        assert_eq!(app.fakes.deliver(e).await, 200);
    }
    events
}

#[tokio::test]
async fn a_webhook_with_5000_v1_values_is_refused_without_computing_one_mac() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let body = vec![b' '; 200 * 1024];
    let empties = format!("t={}{}", fake::now(), ",v1=".repeat(5_000));
    let bogus = format!("t={}{}", fake::now(), format!(",v1={}", "ab".repeat(32)).repeat(1_500));
    for header in [empties, bogus] {
        assert_eq!(post_webhook(&app, &body, &header).await, 400);
    }
    assert_eq!(
        macs(&app),
        0,
        "no HMAC over the body for a header that cannot be Stripe's"
    );
    // A real event costs one MAC per configured secret, however many v1 values.
    let (_, user) = customer(&app).await;
    let e = event(
        "customer.created",
        json!({"id": "cus_x", "object": "customer", "metadata": {"user_id": user.id.to_string()}}),
        fake::now(),
    );
    let body = serde_json::to_vec(&e).unwrap();
    let good = fake::sign(&body, WEBHOOK_SECRET, fake::now());
    let v1 = good.split_once(",v1=").unwrap().1;
    let header = format!(
        "t={},v1={},v1={},v1={v1}",
        fake::now(),
        "00".repeat(32),
        "11".repeat(32)
    );
    assert_eq!(post_webhook(&app, &body, &header).await, 200);
    assert_eq!(macs(&app), 1);
}

#[tokio::test]
async fn a_webhook_body_over_its_limit_is_refused_before_any_work() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("STRIPE_WEBHOOK_BODY_LIMIT_BYTES", "65536")])
        .await
        .unwrap();
    let body = vec![b' '; 100 * 1024];
    let signature = fake::sign(&body, WEBHOOK_SECRET, fake::now());
    assert_eq!(post_webhook(&app, &body, &signature).await, 413);
    assert_eq!(macs(&app), 0);
}

#[tokio::test]
async fn a_subscription_for_a_price_the_app_does_not_sell_grants_nothing() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (_, user) = customer(&app).await;
    let now = fake::now();
    let sub_id = "sub_dashboard_made";
    let mut sub = subscription(sub_id, "cus_elsewhere", "active", now, now + 30 * DAY, false);
    sub["items"]["data"][0]["price"]["id"] = json!("price_not_on_sale");
    sub["metadata"] = json!({ "user_id": user.id.to_string() });
    let mut inv = invoice(sub_id, "cus_elsewhere", true, now, now + 30 * DAY);
    inv["lines"]["data"][0]["pricing"]["price_details"]["price"] = json!("price_not_on_sale");
    inv["parent"]["subscription_details"]["metadata"] = json!({ "user_id": user.id.to_string() });
    let events = [
        event("customer.subscription.created", sub, now),
        event("invoice.paid", inv, now + 1),
    ];
    for e in &events {
        assert_eq!(send(&app, e).await, 200);
        assert_eq!(outcome_of(&app, e).await, "ignored");
    }
    assert!(!access_of(&app, &user).await.granted);
}

#[tokio::test]
async fn a_checkout_session_the_app_did_not_create_grants_nothing() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (_, user) = customer(&app).await;
    // A Payment Link's session: paid, for this customer, but no offer of the app's.
    let session = json!({
        "id": "cs_live_payment_link",
        "object": "checkout.session",
        "mode": "payment",
        "status": "complete",
        "payment_status": "paid",
        "payment_intent": "pi_from_a_payment_link",
        "client_reference_id": user.id.to_string(),
        "metadata": { "user_id": user.id.to_string(), "pass_days": "365" },
        "created": fake::now(),
        "expires_at": fake::now() + DAY,
    });
    let e = event("checkout.session.completed", session, fake::now());
    assert_eq!(send(&app, &e).await, 200);
    assert_eq!(outcome_of(&app, &e).await, "ignored");
    assert!(!access_of(&app, &user).await.granted);
}

async fn a_refunded_pass_loses_its_access(app: TestApp) {
    let (b, user) = customer(&app).await;
    let events = buy(&app, &b, "pass-7").await;
    assert!(access_of(&app, &user).await.granted);
    let session = &events[0]["data"]["object"];
    let intent = session["payment_intent"].as_str().unwrap();
    let cus = session["customer"].as_str().unwrap();
    // A partial refund is a gesture: access stays.
    assert_eq!(
        send(
            &app,
            &event("charge.refunded", charge(intent, cus, 500, 100), fake::now())
        )
        .await,
        200
    );
    assert!(access_of(&app, &user).await.granted);
    // A full refund takes it.
    let refunded = event("charge.refunded", charge(intent, cus, 500, 500), fake::now());
    assert_eq!(send(&app, &refunded).await, 200);
    assert!(!access_of(&app, &user).await.granted);
    // Redelivered, or the same refund under another event id: still none.
    assert_eq!(send(&app, &refunded).await, 200);
    assert_eq!(
        send(
            &app,
            &event("charge.refunded", charge(intent, cus, 500, 500), fake::now())
        )
        .await,
        200
    );
    assert!(!access_of(&app, &user).await.granted);
}
on_each_database!(a_refunded_pass_loses_its_access);

#[tokio::test]
async fn a_charge_back_suspends_access_a_won_dispute_restores_it_and_a_lost_one_does_not() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    for (closed, granted_after) in [("won", true), ("lost", false)] {
        let (b, user) = customer(&app).await;
        let events = buy(&app, &b, "pass-7").await;
        let intent = events[0]["data"]["object"]["payment_intent"]
            .as_str()
            .unwrap()
            .to_owned();
        let dp = format!("dp_{closed}");
        assert_eq!(
            send(
                &app,
                &event(
                    "charge.dispute.created",
                    dispute(&dp, &intent, "needs_response"),
                    fake::now()
                )
            )
            .await,
            200
        );
        assert!(
            !access_of(&app, &user).await.granted,
            "{closed}: suspended while disputed"
        );
        assert_eq!(
            send(
                &app,
                &event("charge.dispute.closed", dispute(&dp, &intent, closed), fake::now())
            )
            .await,
            200
        );
        assert_eq!(access_of(&app, &user).await.granted, granted_after, "{closed}");
        // A late `created` (out of order) does not reopen a closed dispute.
        send(
            &app,
            &event(
                "charge.dispute.created",
                dispute(&dp, &intent, "needs_response"),
                fake::now() - 60,
            ),
        )
        .await;
        assert_eq!(
            access_of(&app, &user).await.granted,
            granted_after,
            "{closed}: after a late event"
        );
    }
    // An inquiry (no money taken) changes nothing.
    let (b, user) = customer(&app).await;
    let events = buy(&app, &b, "pass-7").await;
    let intent = events[0]["data"]["object"]["payment_intent"]
        .as_str()
        .unwrap()
        .to_owned();
    send(
        &app,
        &event(
            "charge.dispute.created",
            dispute("dp_inquiry", &intent, "warning_needs_response"),
            fake::now(),
        ),
    )
    .await;
    assert!(access_of(&app, &user).await.granted);
}

#[tokio::test]
async fn a_dispute_that_arrives_before_its_purchase_still_counts() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (b, user) = customer(&app).await;
    let url = expect_json(b.call("/api/billing/checkout", &[("offer", "pass-7")]).await, 200).await;
    let id = url.as_str().unwrap().rsplit('/').next().unwrap().to_owned();
    let (_, events) = app.fakes.complete_checkout(&id).unwrap();
    let intent = events[0]["data"]["object"]["payment_intent"]
        .as_str()
        .unwrap()
        .to_owned();
    // The charge-back first, then the purchase.
    send(
        &app,
        &event(
            "charge.dispute.created",
            dispute("dp_early", &intent, "needs_response"),
            fake::now(),
        ),
    )
    .await;
    for e in &events {
        assert_eq!(app.fakes.deliver(e).await, 200);
    }
    assert!(!access_of(&app, &user).await.granted);
}

#[tokio::test]
async fn a_refunded_subscription_payment_ends_its_access() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (b, user) = customer(&app).await;
    let events = buy(&app, &b, "monthly").await;
    assert!(access_of(&app, &user).await.granted);
    let cus = events[0]["data"]["object"]["customer"].as_str().unwrap();
    assert_eq!(
        send(
            &app,
            &event(
                "charge.refunded",
                charge("pi_first_invoice", cus, 900, 900),
                fake::now()
            )
        )
        .await,
        200
    );
    assert!(!access_of(&app, &user).await.granted);
}

async fn deleting_an_account_cancels_its_subscription_at_stripe_first(app: TestApp) {
    let (b, user) = customer(&app).await;
    buy(&app, &b, "monthly").await;
    let sub = stripe_subscriptions::Entity::find()
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(app.fakes.stripe_subscription(&sub.id).unwrap()["status"], "active");

    // Stripe is down: nothing is deleted, and the user is told why.
    app.fakes.stripe_fail_cancels(true);
    let refused = b.call("/api/account/delete", &[("confirm", PASSWORD)]).await;
    assert_eq!(expect_json(refused, 503).await, "SubscriptionNotCancelled");
    assert!(
        entity::users::Entity::find_by_id(user.id)
            .one(app.db())
            .await
            .unwrap()
            .is_some()
    );

    app.fakes.stripe_fail_cancels(false);
    expect_json(b.call("/api/account/delete", &[("confirm", PASSWORD)]).await, 200).await;
    assert_eq!(app.fakes.stripe_subscription(&sub.id).unwrap()["status"], "canceled");
    assert!(
        app.fakes
            .stripe_idempotency_keys()
            .iter()
            .any(|(path, key)| path == &format!("/v1/subscriptions/{}", sub.id)
                && key == &format!("{}-cancel-{}", wire::brand::SLUG, sub.id))
    );
    assert!(
        entity::users::Entity::find_by_id(user.id)
            .one(app.db())
            .await
            .unwrap()
            .is_none()
    );

    // Stripe's events about it, after the account is gone, bring nothing back.
    let fake_sub = app.fakes.stripe_subscription(&sub.id).unwrap();
    let now = fake::now();
    let mut paid = invoice(&sub.id, &sub.customer_id, true, now, now + 30 * DAY);
    paid["parent"]["subscription_details"]["metadata"] = json!({ "user_id": user.id.to_string() });
    for e in [
        event("customer.subscription.deleted", fake_sub, now),
        event("invoice.paid", paid, now),
    ] {
        assert_eq!(send(&app, &e).await, 200);
        assert_eq!(outcome_of(&app, &e).await, "ignored");
    }
    assert_eq!(stripe_subscriptions::Entity::find().count(app.db()).await.unwrap(), 0);
    assert_eq!(entity::access_grants::Entity::find().count(app.db()).await.unwrap(), 0);
}
on_each_database!(deleting_an_account_cancels_its_subscription_at_stripe_first);
