//! Payments against the fake Stripe: signed webhooks, idempotency, any
//! arrival order, failures that leave nothing half-written, checkout
//! retries, access expiry and re-subscribing, the billing portal.

use crate::helpers::{Backend, Browser, TestApp, expect_json, unique_email};
use crate::on_each_database;
use crate::support::registered_and_verified;
use chrono::Utc;
use entity::{access_grants, stripe_customers, stripe_events, stripe_subscriptions};
use fakes::stripe::{self as fake, WEBHOOK_SECRET, event, invoice, subscription};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, Set};
use serde_json::{Value, json};
use wire::access::AccessState;

const DAY: i64 = 86_400;

/// POSTs `body` to the webhook with `signature` (or none).
async fn post_webhook(app: &TestApp, body: &[u8], signature: Option<&str>) -> u16 {
    let mut request = app
        .client
        .post(app.url("/webhooks/stripe"))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(sig) = signature {
        request = request.header("stripe-signature", sig);
    }
    request.send().await.expect("request").status().as_u16()
}

/// Sends `event` signed as Stripe would, now.
async fn send(app: &TestApp, event: &Value) -> u16 {
    let body = serde_json::to_vec(event).unwrap();
    post_webhook(app, &body, Some(&fake::sign(&body, WEBHOOK_SECRET, fake::now()))).await
}

async fn count_events(app: &TestApp) -> u64 {
    stripe_events::Entity::find().count(app.db()).await.unwrap()
}

/// A verified user without access, signed in.
async fn customer(app: &TestApp) -> (Browser, entity::users::Model) {
    let b = app.browser();
    let email = unique_email("payer");
    assert_eq!(registered_and_verified(app, &b, &email).await, "/payment");
    let parsed = wire::email::Email::parse(&email).unwrap();
    let user = domain::accounts::rules::find_by_email(app.db(), &parsed)
        .await
        .unwrap()
        .unwrap();
    (b, user)
}

/// A Stripe customer for `user`, as the app records it at its first checkout.
async fn stripe_customer_of(app: &TestApp, user: &entity::users::Model) -> String {
    let id = format!("cus_{}", &user.id.simple().to_string()[..12]);
    stripe_customers::Entity::insert(stripe_customers::ActiveModel {
        user_id: Set(user.id),
        customer_id: Set(id.clone()),
        created_at: Set(Utc::now()),
    })
    .exec(app.db())
    .await
    .unwrap();
    id
}

async fn access_of(app: &TestApp, user: &entity::users::Model) -> AccessState {
    let mut s = domain::access::state_for(app.db(), user, Utc::now()).await.unwrap();
    s.checked_at = 0;
    s
}

/// A completed Checkout Session for a pass of `days`, paid now.
fn pass_completed(user: &entity::users::Model, customer: &str, days: u32) -> Value {
    let session = json!({
        "id": format!("cs_test_{}", uuid::Uuid::new_v4().simple()),
        "object": "checkout.session",
        "mode": "payment",
        "status": "complete",
        "payment_status": "paid",
        "customer": customer,
        "client_reference_id": user.id.to_string(),
        "metadata": { "user_id": user.id.to_string(), "offer": "pass-7", "pass_days": days.to_string() },
        "created": fake::now(),
        "expires_at": fake::now() + DAY,
    });
    event("checkout.session.completed", session, fake::now())
}

#[tokio::test]
async fn webhook_signatures_are_checked_over_the_raw_body() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (_, user) = customer(&app).await;
    let cus = stripe_customer_of(&app, &user).await;
    let body = serde_json::to_vec(&pass_completed(&user, &cus, 7)).unwrap();
    let now = fake::now();

    // A flipped byte, a timestamp 301 s off either way, no header: 400 and nothing written.
    let mut flipped = body.clone();
    let at = flipped.iter().position(|b| *b == b'7').unwrap();
    flipped[at] = b'8';
    let good = fake::sign(&body, WEBHOOK_SECRET, now);
    assert_eq!(post_webhook(&app, &flipped, Some(&good)).await, 400);
    assert_eq!(
        post_webhook(&app, &body, Some(&fake::sign(&body, WEBHOOK_SECRET, now - 301))).await,
        400
    );
    assert_eq!(
        post_webhook(&app, &body, Some(&fake::sign(&body, WEBHOOK_SECRET, now + 301))).await,
        400
    );
    assert_eq!(post_webhook(&app, &body, None).await, 400);
    assert_eq!(
        post_webhook(&app, &body, Some(&fake::sign(&body, "whsec_wrong", now))).await,
        400
    );
    assert_eq!(count_events(&app).await, 0);
    assert!(!access_of(&app, &user).await.granted);

    // Two v1 values, one of them right: accepted.
    let v1 = good.split_once(",v1=").unwrap().1;
    let two = format!("t={now},v1={},v1={v1}", "ab".repeat(32));
    assert_eq!(post_webhook(&app, &body, Some(&two)).await, 200);
    assert_eq!(count_events(&app).await, 1);
    assert!(access_of(&app, &user).await.granted);
}

#[tokio::test]
async fn several_webhook_secrets_are_accepted_while_one_is_rotated() {
    let secrets = format!("whsec_new_one,{WEBHOOK_SECRET}");
    let app = TestApp::spawn_with(Backend::Sqlite, &[("STRIPE_WEBHOOK_SECRET", &secrets)])
        .await
        .unwrap();
    let (_, user) = customer(&app).await;
    let cus = stripe_customer_of(&app, &user).await;
    for secret in ["whsec_new_one", WEBHOOK_SECRET] {
        let body = serde_json::to_vec(&pass_completed(&user, &cus, 7)).unwrap();
        assert_eq!(
            post_webhook(&app, &body, Some(&fake::sign(&body, secret, fake::now()))).await,
            200
        );
    }
}

/// The same event ten times at once, then ten more after a restart: one effect.
async fn a_redelivered_event_changes_nothing(app: TestApp) {
    let (_, user) = customer(&app).await;
    let cus = stripe_customer_of(&app, &user).await;
    let event = pass_completed(&user, &cus, 7);
    let statuses = futures::future::join_all((0..10).map(|_| send(&app, &event))).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let once = access_of(&app, &user).await;
    assert!(once.granted);
    let until = once.until.unwrap();
    let expected = Utc::now().timestamp() + 7 * DAY;
    assert!(
        (until - expected).abs() < 60,
        "seven days, not seventy: {until} vs {expected}"
    );
    let grants = access_grants::Entity::find().count(app.db()).await.unwrap();
    assert_eq!(count_events(&app).await, 1);

    // Restart on the same database.
    let mut app = app;
    app.shutdown();
    let url = app.database_url.clone();
    let again = TestApp::spawn_with(app.backend, &[("DATABASE_URL", &url)])
        .await
        .unwrap();
    let statuses = futures::future::join_all((0..10).map(|_| send(&again, &event))).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(access_of(&again, &user).await, once);
    assert_eq!(access_grants::Entity::find().count(again.db()).await.unwrap(), grants);
    assert_eq!(count_events(&again).await, 1);
}
on_each_database!(a_redelivered_event_changes_nothing);

/// One subscription's life: subscribed 40 days ago, cancelled at the end of
/// its period 10 days ago.
fn lifecycle(user: &entity::users::Model, customer: &str, sub: &str, now: i64) -> Vec<Value> {
    let (start, end) = (now - 40 * DAY, now - 10 * DAY);
    let session = json!({
        "id": format!("cs_test_{sub}"),
        "object": "checkout.session",
        "mode": "subscription",
        "status": "complete",
        "payment_status": "paid",
        "customer": customer,
        "subscription": sub,
        "client_reference_id": user.id.to_string(),
        "metadata": { "user_id": user.id.to_string(), "offer": "monthly" },
        "created": start,
        "expires_at": start + DAY,
    });
    vec![
        event("checkout.session.completed", session, start),
        event("invoice.paid", invoice(sub, customer, true, start, end), start + 1),
        event(
            "customer.subscription.updated",
            subscription(sub, customer, "active", start, end, true),
            start + 5 * DAY,
        ),
        event(
            "customer.subscription.deleted",
            subscription(sub, customer, "canceled", start, end, true),
            end,
        ),
    ]
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut all = Vec::new();
    for p in permutations(n - 1) {
        for i in 0..=p.len() {
            let mut q = p.clone();
            q.insert(i, n - 1);
            all.push(q);
        }
    }
    all
}

async fn every_order_of_a_subscriptions_events_ends_the_same(app: TestApp) {
    let orders = permutations(4);
    assert_eq!(orders.len(), 24);
    let now = fake::now();
    let mut results = Vec::new();
    for (i, order) in orders.iter().enumerate() {
        let (_, user) = customer(&app).await;
        let cus = stripe_customer_of(&app, &user).await;
        let sub = format!("sub_order{i}");
        let events = lifecycle(&user, &cus, &sub, now);
        for &e in order {
            assert_eq!(send(&app, &events[e]).await, 200, "order {order:?}");
        }
        let row = stripe_subscriptions::Entity::find_by_id(sub)
            .one(app.db())
            .await
            .unwrap()
            .unwrap();
        results.push((
            access_of(&app, &user).await,
            row.status,
            row.access_until,
            row.user_id == Some(user.id),
        ));
    }
    let end = now - 10 * DAY;
    let first = &results[0];
    assert!(!first.0.granted, "the subscription ended");
    assert_eq!(first.0.ended_at, Some(end), "access ended with the paid period");
    assert_eq!(first.1.as_deref(), Some("canceled"));
    assert!(first.3, "linked to its user");
    for (order, r) in orders.iter().zip(&results) {
        assert_eq!(r, first, "order {order:?}");
    }
}
// 24 accounts from one IP in a few seconds.
on_each_database!(
    every_order_of_a_subscriptions_events_ends_the_same,
    &[
        ("RATE_LIMIT_SIGN_UP_PER_IP", "1000/1m"),
        ("RATE_LIMIT_EMAIL_PER_IP", "1000/1m")
    ]
);

#[tokio::test]
async fn a_failure_inside_processing_leaves_nothing_and_the_retry_succeeds() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (_, user) = customer(&app).await;
    let cus = stripe_customer_of(&app, &user).await;
    let now = fake::now();
    let paid = event(
        "invoice.paid",
        invoice("sub_fail", &cus, true, now, now + 30 * DAY),
        now,
    );
    // The database refuses the grant, after the event id and the
    // subscription were written in the same transaction.
    app.db()
        .execute_unprepared(
            "CREATE TRIGGER inject_failure BEFORE INSERT ON access_grants \
             WHEN NEW.reference = 'sub_fail' BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .await
        .unwrap();
    assert_eq!(send(&app, &paid).await, 500);
    assert_eq!(count_events(&app).await, 0, "the event is not recorded");
    assert!(
        stripe_subscriptions::Entity::find_by_id("sub_fail".to_owned())
            .one(app.db())
            .await
            .unwrap()
            .is_none()
    );
    assert!(!access_of(&app, &user).await.granted);

    app.db()
        .execute_unprepared("DROP TRIGGER inject_failure")
        .await
        .unwrap();
    assert_eq!(send(&app, &paid).await, 200, "Stripe's retry");
    assert!(access_of(&app, &user).await.granted);
    assert_eq!(count_events(&app).await, 1);
}

#[tokio::test]
async fn other_events_are_acknowledged_and_ignored() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let e = event(
        "customer.created",
        json!({ "id": "cus_1", "object": "customer" }),
        fake::now(),
    );
    assert_eq!(send(&app, &e).await, 200);
    assert_eq!(count_events(&app).await, 0);
}

#[tokio::test]
async fn a_retried_checkout_request_creates_one_session() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (b, _) = customer(&app).await;
    let calls =
        futures::future::join_all((0..4).map(|_| b.call("/api/billing/checkout", &[("offer", "monthly")]))).await;
    let mut urls = Vec::new();
    for r in calls {
        urls.push(expect_json(r, 200).await.as_str().unwrap().to_owned());
    }
    urls.dedup();
    assert_eq!(urls.len(), 1, "one checkout URL: {urls:?}");
    let again = expect_json(b.call("/api/billing/checkout", &[("offer", "monthly")]).await, 200).await;
    assert_eq!(again, urls[0].as_str());
    let keys = app.fakes.stripe_idempotency_keys();
    let mut session_keys: Vec<_> = keys
        .iter()
        .filter(|(p, _)| p == "/v1/checkout/sessions")
        .map(|(_, k)| k)
        .collect();
    session_keys.dedup();
    assert_eq!(session_keys.len(), 1, "{keys:?}");
    let mut customer_keys: Vec<_> = keys
        .iter()
        .filter(|(p, _)| p == "/v1/customers")
        .map(|(_, k)| k)
        .collect();
    customer_keys.dedup();
    assert_eq!(customer_keys.len(), 1, "{keys:?}");
    assert_eq!(app.fakes.stripe_counts(), (1, 1), "one session, one customer");
    // Another offer is another session.
    let pass = expect_json(b.call("/api/billing/checkout", &[("offer", "pass-7")]).await, 200).await;
    assert_ne!(pass, urls[0].as_str());
    assert_eq!(app.fakes.stripe_counts(), (2, 1));
}

#[tokio::test]
async fn checkout_needs_a_verified_user_and_a_known_offer() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let anonymous = app.browser();
    assert_eq!(
        expect_json(
            anonymous.call("/api/billing/checkout", &[("offer", "monthly")]).await,
            401
        )
        .await,
        "NotSignedIn"
    );
    let offers = expect_json(anonymous.call("/api/billing/offers", &[]).await, 200).await;
    assert_eq!(offers["enabled"], true);
    assert_eq!(offers["offers"].as_array().unwrap().len(), 3);
    assert!(
        !offers.to_string().contains("price_fake"),
        "price ids stay on the server"
    );
    let (b, _) = customer(&app).await;
    assert_eq!(
        expect_json(b.call("/api/billing/checkout", &[("offer", "lifetime")]).await, 404).await,
        "NotFound"
    );
    assert_eq!(app.fakes.stripe_counts(), (0, 0));
}

/// Pays through the fake's hosted page; waits for the webhooks.
async fn pay(app: &TestApp, checkout_url: &str) -> String {
    let id = checkout_url.rsplit('/').next().unwrap();
    let (success, events) = app.fakes.complete_checkout(id).expect("an open session");
    for e in &events {
        assert_eq!(app.fakes.deliver(e).await, 200);
    }
    success
}

#[tokio::test]
async fn paying_grants_access_the_success_page_waits_for_it_and_it_lapses() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (b, user) = customer(&app).await;
    let url = expect_json(b.call("/api/billing/checkout", &[("offer", "monthly")]).await, 200).await;
    let url = url.as_str().unwrap();
    let session_id = url.rsplit('/').next().unwrap().to_owned();
    // Before the webhook: waiting, whatever the redirect says.
    let progress = expect_json(
        b.call("/api/billing/progress", &[("session_id", &session_id)]).await,
        200,
    )
    .await;
    assert_eq!(progress, "Waiting");
    // Someone else's session is not found.
    let (other, _) = customer(&app).await;
    expect_json(
        other
            .call("/api/billing/progress", &[("session_id", &session_id)])
            .await,
        404,
    )
    .await;

    let success = pay(&app, url).await;
    assert!(
        success.ends_with(&format!("/payment/success?session_id={session_id}")),
        "{success}"
    );
    let progress = expect_json(
        b.call("/api/billing/progress", &[("session_id", &session_id)]).await,
        200,
    )
    .await;
    assert_eq!(progress["Granted"]["landing"], wire::features::main_path());
    let access = access_of(&app, &user).await;
    assert!(access.granted);
    assert_eq!(access.reason, Some(wire::access::AccessReason::Payment));
    assert_eq!(b.get(wire::features::main_path()).await.status(), 200);

    // A second subscription is refused while this one runs; the portal opens.
    assert_eq!(
        expect_json(b.call("/api/billing/checkout", &[("offer", "yearly")]).await, 409).await,
        "AlreadySubscribed"
    );
    assert_eq!(expect_json(b.call("/api/billing/account", &[]).await, 200).await, true);
    let portal = expect_json(b.call("/api/billing/portal", &[]).await, 200).await;
    assert!(portal.as_str().unwrap().contains("/stripe/portal/cus_"), "{portal}");
    assert!(
        app.fakes
            .stripe_idempotency_keys()
            .iter()
            .any(|(p, _)| p == "/v1/billing_portal/sessions")
    );

    // The subscription ends: back to /payment, and paying again works.
    let sub = stripe_subscriptions::Entity::find()
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    let past = fake::now() - DAY;
    let lapsed = event(
        "customer.subscription.updated",
        subscription(&sub.id, &sub.customer_id, "past_due", past - 30 * DAY, past, false),
        fake::now(),
    );
    let ended = event(
        "customer.subscription.deleted",
        subscription(&sub.id, &sub.customer_id, "canceled", past - 30 * DAY, past, false),
        fake::now(),
    );
    // Renewal failed (past due), then Stripe ended the subscription: access ends when it did.
    assert_eq!(send(&app, &lapsed).await, 200);
    assert_eq!(send(&app, &ended).await, 200);
    assert!(!access_of(&app, &user).await.granted);
    let page = b.get(wire::features::main_path()).await;
    assert_eq!(page.status(), 303);
    assert_eq!(crate::support::location(&page), "/payment");
    let again = expect_json(b.call("/api/billing/checkout", &[("offer", "monthly")]).await, 200).await;
    assert_ne!(again.as_str().unwrap(), url, "a new session after the first completed");
    pay(&app, again.as_str().unwrap()).await;
    assert!(access_of(&app, &user).await.granted, "re-subscribed");
}

#[tokio::test]
async fn a_past_due_subscription_keeps_access_for_the_grace_period() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("STRIPE_PAST_DUE_GRACE", "2d")])
        .await
        .unwrap();
    let (_, user) = customer(&app).await;
    let cus = stripe_customer_of(&app, &user).await;
    let now = fake::now();
    let (start, end) = (now - 31 * DAY, now - DAY);
    assert_eq!(
        send(
            &app,
            &event("invoice.paid", invoice("sub_late", &cus, true, start, end), start)
        )
        .await,
        200
    );
    assert!(!access_of(&app, &user).await.granted, "the paid period is over");
    let failed = event(
        "invoice.payment_failed",
        invoice("sub_late", &cus, false, end, end + 30 * DAY),
        end + 60,
    );
    assert_eq!(send(&app, &failed).await, 200);
    let access = access_of(&app, &user).await;
    assert!(access.granted, "past due: grace");
    assert_eq!(access.until, Some(end + 2 * DAY));
}
