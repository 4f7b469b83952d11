//! Credits: the ledger never overdraws however many holds race for it,
//! agrees with a sequential model of itself after every step of a random
//! run, and every reply through the fake model APIs is held, then charged
//! exactly its usage at the rate card (never more than held), or refused
//! before the model is asked.

use crate::chat::{Events, REPLY, assistant_message, exchange};
use crate::credits_model::exactly;
use crate::helpers::{Backend, Browser, TestApp, unique_email};
use crate::on_each_database;
use crate::support::{make_admin, registered_and_verified};
use domain::DomainError;
use domain::credits::ledger::{self, Grant, HoldRequest};
use domain::credits::prices::Card;
use domain::credits::{FreeQuota, Source, sweep};
use entity::{credit_accounts, credit_buckets, credit_entries, credit_holds, credit_usage};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use std::time::Duration;
use uuid::Uuid;

/// A card whose every credit is one token of input or output.
const ONE_A_TOKEN: Card = Card {
    free: false,
    quota: false,
    input: 1_000_000,
    output: 1_000_000,
    cached_input: 100_000,
    cache_write: 1_000_000,
    request_fee: 0,
};

fn grant(account: Uuid, source: Source, amount: i64) -> Grant {
    Grant {
        account,
        source,
        amount,
        expires_at: None,
        key: format!("test:{}", Uuid::new_v4()),
        actor: "operator".into(),
        reference: Some("test".into()),
    }
}

/// A clock past every test hold's expiry (they last an hour), which the
/// app's own janitor, sweeping at the real clock, never reaches: only the
/// test's sweep resolves them.
fn past_expiry() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now() + chrono::Duration::hours(2)
}

fn hold_request(account: Uuid, card: Card) -> HoldRequest {
    HoldRequest {
        account,
        model: "m".into(),
        card,
        reference: format!("test:{}", Uuid::new_v4()),
        actor: "test".into(),
        quota: None,
        ttl: Duration::from_secs(3600),
    }
}

async fn concurrent_holds_of_one_never_overdraw_a_balance_of_one_hundred(app: TestApp) {
    let db = app.db().clone();
    let account = Uuid::new_v4();
    assert!(ledger::grant(&db, grant(account, Source::Grant, 100)).await.unwrap());
    // A reader watches the balance the whole time.
    let watching = tokio::spawn({
        let db = db.clone();
        async move {
            let mut lowest = i64::MAX;
            for _ in 0..200 {
                let t = ledger::totals(&db, account, None).await.unwrap();
                lowest = lowest.min(t.available);
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            lowest
        }
    });
    let outcomes = futures::future::join_all((0..200).map(|_| {
        let db = db.clone();
        async move { ledger::hold(&db, &hold_request(account, ONE_A_TOKEN), exactly(1)).await }
    }))
    .await;
    let taken: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    let refused = outcomes
        .iter()
        .filter(|o| matches!(o, Err(DomainError::OutOfCredits { .. })))
        .count();
    assert_eq!(taken.len(), 100, "exactly the balance is held");
    assert_eq!(refused, 100, "the rest are refused as out of credits");
    assert!(watching.await.unwrap() >= 0, "the balance is never seen below zero");
    let t = ledger::totals(&db, account, None).await.unwrap();
    assert_eq!((t.available, t.held), (0, 100));

    // Settling each once spends the hundred; settling again does nothing.
    for hold in &taken {
        assert_eq!(ledger::settle(&db, hold.id, 1, "test").await.unwrap(), Some(1));
        assert_eq!(ledger::settle(&db, hold.id, 1, "test").await.unwrap(), None);
    }
    let t = ledger::totals(&db, account, None).await.unwrap();
    assert_eq!((t.available, t.held), (0, 0));
    assert_eq!(sweep::reconcile(&db).await.unwrap(), 0);
}
on_each_database!(concurrent_holds_of_one_never_overdraw_a_balance_of_one_hundred);

/// Spending order: the free quota (only for a model it may pay), then by
/// priority, the soonest to expire first; an expired bucket never pays. A
/// hold the first bucket pays alone records that bucket (its settlement
/// reads nothing else); one spread over two records none; both settle
/// from the buckets they were held in, as does a hold from before the
/// bucket was recorded.
async fn holds_take_from_buckets_in_spending_order(app: TestApp) {
    let db = app.db().clone();
    let account = Uuid::new_v4();
    let expiring = |source, amount, days: i64| Grant {
        expires_at: Some(chrono::Utc::now() + chrono::Duration::days(days)),
        ..grant(account, source, amount)
    };
    for g in [
        grant(account, Source::Purchase, 100),
        expiring(Source::Grant, 30, 10),
        expiring(Source::Grant, 20, 2),
        expiring(Source::Promotion, 40, -1),
        expiring(Source::FreeQuota, 50, 30),
    ] {
        assert!(ledger::grant(&db, g).await.unwrap());
    }
    let bucket = |source: Source, granted: i64| {
        let db = db.clone();
        async move {
            let all = ledger::buckets_of(&db, account).await.unwrap();
            all.into_iter()
                .find(|b| b.source == source.as_str() && b.granted == granted)
                .unwrap()
        }
    };
    let held_in = |id| {
        let db = db.clone();
        async move {
            credit_holds::Entity::find_by_id(id)
                .one(&db)
                .await
                .unwrap()
                .unwrap()
                .bucket_id
        }
    };
    let soon = bucket(Source::Grant, 20).await;
    let later = bucket(Source::Grant, 30).await;

    // 15 from the grant expiring first; not the free quota (this model
    // may not use it), not the expired promotion.
    let one = ledger::hold(&db, &hold_request(account, ONE_A_TOKEN), exactly(15))
        .await
        .unwrap();
    assert_eq!(bucket(Source::Grant, 20).await.held, 15);
    assert_eq!(held_in(one.id).await, Some(soon.id));
    // 10 more: the 5 left there, then 5 from the next grant.
    let spread = ledger::hold(&db, &hold_request(account, ONE_A_TOKEN), exactly(10))
        .await
        .unwrap();
    assert_eq!(
        (
            bucket(Source::Grant, 20).await.held,
            bucket(Source::Grant, 30).await.held
        ),
        (20, 5)
    );
    assert_eq!(held_in(spread.id).await, None);
    // A model the free quota may pay: the quota first.
    let quota_card = Card {
        quota: true,
        ..ONE_A_TOKEN
    };
    let from_quota = ledger::hold(&db, &hold_request(account, quota_card), exactly(7))
        .await
        .unwrap();
    assert_eq!(bucket(Source::FreeQuota, 50).await.held, 7);
    // A hold taken before holds recorded their bucket.
    let old = ledger::hold(&db, &hold_request(account, ONE_A_TOKEN), exactly(3))
        .await
        .unwrap();
    assert_eq!(held_in(old.id).await, Some(later.id));
    credit_holds::Entity::update_many()
        .col_expr(
            credit_holds::Column::BucketId,
            sea_orm::sea_query::Expr::value(Option::<Uuid>::None),
        )
        .filter(credit_holds::Column::Id.eq(old.id))
        .exec(&db)
        .await
        .unwrap();

    assert_eq!(ledger::settle(&db, one.id, 12, "test").await.unwrap(), Some(12));
    assert_eq!(ledger::settle(&db, spread.id, 8, "test").await.unwrap(), Some(8));
    assert_eq!(ledger::settle(&db, from_quota.id, 99, "test").await.unwrap(), Some(7));
    assert_eq!(ledger::settle(&db, old.id, 2, "test").await.unwrap(), Some(2));
    for id in [one.id, spread.id, from_quota.id, old.id] {
        assert_eq!(ledger::settle(&db, id, 1, "test").await.unwrap(), None, "resolved once");
    }
    let (soon, later) = (bucket(Source::Grant, 20).await, bucket(Source::Grant, 30).await);
    // The spread hold settles in spending order: its 8 from the 5 left in
    // the first grant, then 3 from the next.
    assert_eq!((soon.held, soon.settled), (0, 12 + 5));
    assert_eq!((later.held, later.settled), (0, 3 + 2));
    assert_eq!(bucket(Source::FreeQuota, 50).await.settled, 7);
    let untouched = [bucket(Source::Purchase, 100).await, bucket(Source::Promotion, 40).await];
    assert!(untouched.iter().all(|b| b.held == 0 && b.settled == 0), "{untouched:?}");
    assert_eq!(sweep::reconcile(&db).await.unwrap(), 0);
    // A hold naming a bucket its entries are not on is reported.
    credit_holds::Entity::update_many()
        .col_expr(
            credit_holds::Column::BucketId,
            sea_orm::sea_query::Expr::value(Some(later.id)),
        )
        .filter(credit_holds::Column::Id.eq(one.id))
        .exec(&db)
        .await
        .unwrap();
    assert_eq!(sweep::reconcile(&db).await.unwrap(), 1);
}
on_each_database!(holds_take_from_buckets_in_spending_order);

/// The mismatches the reconciliation finds while one column of the rows
/// `filter` picks is off by `by` (a test's way of making the stored totals
/// lie); none once it is put back.
async fn mismatches_while_off<E: EntityTrait>(
    db: &sea_orm::DatabaseConnection,
    column: E::Column,
    by: i64,
    filter: impl sea_orm::sea_query::IntoCondition + Clone,
) -> u64
where
    E::Column: sea_orm::sea_query::IntoIden + Copy + std::fmt::Debug,
{
    use sea_orm::sea_query::{Expr, ExprTrait};
    let add = |by: i64| {
        E::update_many()
            .col_expr(column, Expr::col(column).add(by))
            .filter(filter.clone())
            .exec(db)
    };
    add(by).await.unwrap();
    let found = sweep::reconcile(db).await.unwrap();
    add(-by).await.unwrap();
    assert_eq!(sweep::reconcile(db).await.unwrap(), 0, "{column:?} put back");
    found
}

/// Writes a release of 1 credit on `bucket` for `hold` that no settlement
/// made; returns its id.
async fn stray_release(db: &sea_orm::DatabaseConnection, account: Uuid, bucket: Uuid, hold: Uuid) -> Uuid {
    let id = Uuid::new_v4();
    credit_entries::Entity::insert(credit_entries::ActiveModel {
        id: sea_orm::Set(id),
        account_id: sea_orm::Set(account),
        bucket_id: sea_orm::Set(bucket),
        kind: sea_orm::Set("release".into()),
        amount: sea_orm::Set(1),
        idempotency_key: sea_orm::Set(format!("test:{id}")),
        actor: sea_orm::Set("test".into()),
        reference: sea_orm::Set(None),
        hold_id: sea_orm::Set(Some(hold)),
        rate_card: sea_orm::Set(None),
        created_at: sea_orm::Set(chrono::Utc::now()),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    id
}

async fn the_reconciliation_finds_each_kind_of_disagreement_and_only_it(app: TestApp) {
    let db = app.db().clone();
    let account = Uuid::new_v4();
    assert!(ledger::grant(&db, grant(account, Source::Purchase, 50)).await.unwrap());
    let open = ledger::hold(&db, &hold_request(account, ONE_A_TOKEN), exactly(10))
        .await
        .unwrap();
    let resolved = ledger::hold(&db, &hold_request(account, ONE_A_TOKEN), exactly(5))
        .await
        .unwrap();
    assert_eq!(ledger::settle(&db, resolved.id, 3, "test").await.unwrap(), Some(3));
    assert_eq!(sweep::reconcile(&db).await.unwrap(), 0);
    let bucket = credit_buckets::Column::AccountId.eq(account);

    // A bucket's stored total that its entries do not add up to.
    for column in [
        credit_buckets::Column::Granted,
        credit_buckets::Column::Held,
        credit_buckets::Column::Settled,
        credit_buckets::Column::Expired,
    ] {
        let found = mismatches_while_off::<credit_buckets::Entity>(&db, column, 1, bucket.clone()).await;
        assert_eq!(found, 1, "{column:?}");
    }

    // A month's spending its holds do not add up to.
    let found = mismatches_while_off::<credit_accounts::Entity>(
        &db,
        credit_accounts::Column::MonthSpent,
        2,
        credit_accounts::Column::AccountId.eq(account),
    )
    .await;
    assert_eq!(found, 1);

    // A resolved hold that says it settled more than its entries did: the
    // hold, and the month it committed.
    let found = mismatches_while_off::<credit_holds::Entity>(
        &db,
        credit_holds::Column::Settled,
        1,
        credit_holds::Column::Id.eq(resolved.id),
    )
    .await;
    assert_eq!(found, 2);

    // An open hold with a release of its own: the hold, and its bucket.
    let (bucket_id, month) = {
        let row = credit_holds::Entity::find_by_id(open.id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let entry = credit_entries::Entity::find()
            .filter(credit_entries::Column::HoldId.eq(open.id))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        (entry.bucket_id, row.month)
    };
    assert!(month.is_some(), "holds count in their month");
    let stray = stray_release(&db, account, bucket_id, open.id).await;
    assert_eq!(sweep::reconcile(&db).await.unwrap(), 2);
    // And an open hold that says it holds more than its entries: the hold,
    // its month, and the hold's entry on its bucket.
    credit_entries::Entity::delete_by_id(stray).exec(&db).await.unwrap();
    let named = credit_holds::Entity::find_by_id(open.id)
        .one(&db)
        .await
        .unwrap()
        .unwrap()
        .bucket_id;
    assert_eq!(named, Some(bucket_id), "a hold from one bucket names it");
    let found = mismatches_while_off::<credit_holds::Entity>(
        &db,
        credit_holds::Column::Amount,
        1,
        credit_holds::Column::Id.eq(open.id),
    )
    .await;
    assert_eq!(found, 3);

    // A resolved hold whose settlement and releases add up to more than it
    // held (a release too many): the hold, and its bucket.
    let stray = stray_release(&db, account, bucket_id, resolved.id).await;
    assert_eq!(sweep::reconcile(&db).await.unwrap(), 2);
    credit_entries::Entity::delete_by_id(stray).exec(&db).await.unwrap();
    assert_eq!(sweep::reconcile(&db).await.unwrap(), 0);

    // An account that says it spent this month with no hold to show for it.
    credit_accounts::Entity::insert(credit_accounts::ActiveModel {
        account_id: sea_orm::Set(Uuid::new_v4()),
        monthly_cap: sea_orm::Set(None),
        month: sea_orm::Set(month.unwrap()),
        month_spent: sea_orm::Set(4),
        updated_at: sea_orm::Set(chrono::Utc::now()),
    })
    .exec_without_returning(&db)
    .await
    .unwrap();
    assert_eq!(sweep::reconcile(&db).await.unwrap(), 1);
}
on_each_database!(the_reconciliation_finds_each_kind_of_disagreement_and_only_it);

async fn a_grant_is_made_once_per_key_and_a_hold_settles_at_most_what_it_holds(app: TestApp) {
    let db = app.db().clone();
    let account = Uuid::new_v4();
    let once = grant(account, Source::Purchase, 50);
    assert!(ledger::grant(&db, once.clone()).await.unwrap());
    assert!(
        !ledger::grant(&db, once).await.unwrap(),
        "a redelivered grant adds nothing"
    );
    let hold = ledger::hold(&db, &hold_request(account, ONE_A_TOKEN), exactly(30))
        .await
        .unwrap();
    // The call cost 45: only the 30 held are charged; the rest is the operator's.
    assert_eq!(ledger::settle(&db, hold.id, 45, "test").await.unwrap(), Some(30));
    let t = ledger::totals(&db, account, None).await.unwrap();
    assert_eq!((t.available, t.held), (20, 0));
    assert_eq!(sweep::reconcile(&db).await.unwrap(), 0);
}
on_each_database!(a_grant_is_made_once_per_key_and_a_hold_settles_at_most_what_it_holds);

async fn an_open_hold_past_its_expiry_is_resolved_once_by_the_sweep(app: TestApp) {
    let db = app.db().clone();
    let account = Uuid::new_v4();
    ledger::grant(&db, grant(account, Source::Grant, 40)).await.unwrap();
    let mut request = hold_request(account, ONE_A_TOKEN);
    // A reply whose process died: its message never saved anything.
    request.reference = format!("reply:{}", Uuid::new_v4());
    ledger::hold(&db, &request, exactly(25)).await.unwrap();
    assert_eq!(ledger::totals(&db, account, None).await.unwrap().available, 15);
    let later = past_expiry();
    let first = sweep_alone(&db, later).await;
    assert_eq!(first.holds, 1);
    assert_eq!(sweep_alone(&db, later).await.holds, 0, "once");
    let t = ledger::totals(&db, account, None).await.unwrap();
    assert_eq!(
        (t.available, t.held),
        (40, 0),
        "nothing was saved, so nothing is charged"
    );
    assert_eq!(first.mismatches, 0);
}
on_each_database!(an_open_hold_past_its_expiry_is_resolved_once_by_the_sweep);

/// A sweep that ran (the app's own janitor may hold the lock a moment).
async fn sweep_alone(db: &sea_orm::DatabaseConnection, now: chrono::DateTime<chrono::Utc>) -> sweep::Swept {
    loop {
        let swept = sweep::sweep(db, now).await.unwrap();
        if !swept.skipped {
            return swept;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn the_free_quota_renews_once_per_cycle_however_many_instances_ask(app: TestApp) {
    let b = app.browser();
    let email = unique_email("quota");
    registered_and_verified(&app, &b, &email).await;
    let account = user_id(&app, &email).await;
    let quota = Some(FreeQuota {
        amount: 70,
        every_days: 30,
    });
    // Two instances: two connection pools on one database.
    let other = sea_orm::Database::connect(&app.database_url).await.unwrap();
    let asks = (0..20).map(|i| {
        let db = if i % 2 == 0 { app.db().clone() } else { other.clone() };
        async move { ledger::totals(&db, account, quota).await.unwrap() }
    });
    let seen = futures::future::join_all(asks).await;
    assert!(seen.iter().all(|t| t.available == 70), "{seen:?}");
    let buckets = credit_buckets::Entity::find()
        .filter(credit_buckets::Column::AccountId.eq(account))
        .count(app.db())
        .await
        .unwrap();
    assert_eq!(buckets, 1, "one quota bucket for the cycle");
}
on_each_database!(the_free_quota_renews_once_per_cycle_however_many_instances_ask);

async fn user_id(app: &TestApp, email: &str) -> Uuid {
    domain::accounts::rules::find_by_email(app.db(), &wire::email::Email::parse(email).unwrap())
        .await
        .unwrap()
        .unwrap()
        .id
}

/// A signed-in user with access and `credits` purchased credits (no free
/// quota unless the app was given one).
async fn customer(app: &TestApp, credits: i64) -> (Browser, Uuid) {
    let b = app.browser();
    let email = unique_email("credits");
    registered_and_verified(app, &b, &email).await;
    make_admin(app, &email).await;
    let id = user_id(app, &email).await;
    if credits > 0 {
        ledger::grant(app.db(), grant(id, Source::Purchase, credits))
            .await
            .unwrap();
    }
    (b, id)
}

/// A fake-gpt card at whole credits a token (cached input at a tenth).
const PRICED: &[(&str, &str)] = &[
    ("CREDITS_FREE_QUOTA", "0"),
    (
        "CHAT_PRICES",
        "fake-gpt|in=1000000|out=2000000|cached=100000,fake-claude|in=1000000|out=1000000|quota,demo|free",
    ),
    ("CREDITS_MIN_OUTPUT_TOKENS", "10"),
];

fn event<'a>(events: &'a [(String, serde_json::Value)], kind: &str) -> Option<&'a serde_json::Value> {
    events.iter().find(|(k, _)| k == kind).map(|(_, v)| v)
}

async fn a_reply_is_charged_its_usage_with_each_kind_of_token_priced_apart(app: TestApp) {
    let (b, account) = customer(&app, 100_000).await;
    let events = exchange(&b, json!({"text": "price me please [cached 3]", "model": "fake-gpt"})).await;
    let start = event(&events, "start").unwrap();
    let done = event(&events, "done").expect("the reply completes");
    let reply = assistant_message(&app, start["message_id"].as_str().unwrap()).await;
    let (input, output, cached) = (
        reply.input_tokens.unwrap(),
        reply.output_tokens.unwrap(),
        reply.cached_tokens.unwrap(),
    );
    assert_eq!(cached, 3, "the provider's cached tokens are saved");
    // 1 credit per fresh input token, 2 per output token, 0.1 per cached one, rounded up.
    let expected = (input - cached) + 2 * output + (cached + 9) / 10;
    assert_eq!(reply.credits, Some(expected));
    assert_eq!(done["credits"], expected);
    let t = ledger::totals(app.db(), account, None).await.unwrap();
    assert_eq!(
        (t.available, t.held),
        (100_000 - expected, 0),
        "the rest of the hold is released"
    );
    let usage = credit_usage::Entity::find()
        .filter(credit_usage::Column::Reference.eq(format!("reply:{}", reply.id)))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((usage.cost, usage.charged), (expected, expected));
    // The title request afterwards is the operator's cost, not the user's.
    let title = wait_for_usage(&app, &format!("title:{}", reply.id)).await;
    assert_eq!(title.charged, 0);
    assert!(title.cost > 0);
    assert_eq!(sweep::reconcile(app.db()).await.unwrap(), 0);
}
on_each_database!(
    a_reply_is_charged_its_usage_with_each_kind_of_token_priced_apart,
    super::PRICED
);

async fn wait_for_usage(app: &TestApp, reference: &str) -> credit_usage::Model {
    for _ in 0..250 {
        if let Some(u) = credit_usage::Entity::find()
            .filter(credit_usage::Column::Reference.eq(reference))
            .one(app.db())
            .await
            .unwrap()
        {
            return u;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no usage recorded for {reference}");
}

#[tokio::test]
async fn stop_mid_stream_charges_the_partial_reply() {
    let app = TestApp::spawn_with(Backend::Sqlite, PRICED).await.unwrap();
    app.fakes.set_llm_pace(Duration::from_millis(10));
    let (b, account) = customer(&app, 100_000).await;
    let mut events = Events::open(&b, json!({"text": "[words 2000] go on", "model": "fake-gpt"})).await;
    let start = events.next().await.unwrap().1;
    for _ in 0..20 {
        events.next().await.unwrap();
    }
    drop(events);
    let id = start["message_id"].as_str().unwrap().to_owned();
    let reply = loop {
        let m = assistant_message(&app, &id).await;
        if m.outcome != Some(wire::chat::Outcome::Streaming) {
            break m;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let charged = reply.credits.unwrap();
    let output = reply.output_tokens.unwrap();
    assert!(output > 0 && output < 2000, "partial output: {output}");
    assert_eq!(charged, reply.input_tokens.unwrap() + 2 * output);
    let t = ledger::totals(app.db(), account, None).await.unwrap();
    assert_eq!((t.available, t.held), (100_000 - charged, 0));
}

#[tokio::test]
async fn a_refused_request_charges_nothing() {
    // Not even the request fee: the model processed nothing.
    let overrides = [
        ("CREDITS_FREE_QUOTA", "0"),
        ("CHAT_PRICES", "fake-gpt|in=1000000|out=1000000|fee=7,demo|free"),
        ("CREDITS_MIN_OUTPUT_TOKENS", "10"),
        ("OPENAI_API_KEY", "sk-wrong"),
    ];
    let app = TestApp::spawn_with(Backend::Sqlite, &overrides).await.unwrap();
    let (b, account) = customer(&app, 1_000).await;
    let events = exchange(&b, json!({"text": "hello", "model": "fake-gpt"})).await;
    assert_eq!(event(&events, "error").unwrap()["error"], "refused");
    let t = ledger::totals(app.db(), account, None).await.unwrap();
    assert_eq!((t.available, t.held), (1_000, 0), "everything held is released");
    let holds: Vec<_> = credit_holds::Entity::find().all(app.db()).await.unwrap();
    assert_eq!(holds.len(), 1);
    assert_eq!((holds[0].state.as_str(), holds[0].settled), ("released", Some(0)));
}

#[tokio::test]
async fn a_user_who_can_afford_fifty_tokens_asks_for_at_most_fifty() {
    let app = TestApp::spawn_with(Backend::Sqlite, PRICED).await.unwrap();
    // fake-claude: a credit a token each way. The prompt's ceiling is its
    // bytes plus 8 for the turn: 12 + 8 = 20; 70 − 20 leaves 50.
    let (b, account) = customer(&app, 70).await;
    let mut events = Events::open(&b, json!({"text": "short answer", "model": "fake-claude"})).await;
    // The reply's request (the title's comes after its end).
    while events.next().await.is_some_and(|(kind, _)| kind != "delta") {}
    let sent = app.fakes.last_llm_request().unwrap();
    let max = sent["max_tokens"].as_u64().unwrap();
    assert_eq!(max, 50, "max_tokens lowered to what the user can afford");
    let mut done = false;
    while let Some((kind, _)) = events.next().await {
        done |= kind == "done";
    }
    assert!(done);
    // The uncharged title asks for a title's length, not the reply's.
    let title = app.fakes.last_llm_request().unwrap();
    assert_eq!(title["max_tokens"], 32, "{title}");
    let t = ledger::totals(app.db(), account, None).await.unwrap();
    assert!(t.available >= 0 && t.held == 0, "{t:?}");
}

#[tokio::test]
async fn a_user_below_the_floor_is_refused_before_the_model_is_asked() {
    let app = TestApp::spawn_with(Backend::Sqlite, PRICED).await.unwrap();
    let (b, account) = customer(&app, 12).await;
    let asked = app.fakes.llm_requests();
    let r = b
        .post_json(
            REPLY,
            &json!({"text": "a question that costs too much", "model": "fake-gpt"}),
        )
        .await;
    assert_eq!(r.status(), 402);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body.get("OutOfCredits").is_some(), "{body}");
    assert_eq!(app.fakes.llm_requests(), asked, "the model was not asked");
    let t = ledger::totals(app.db(), account, None).await.unwrap();
    assert_eq!((t.available, t.held), (12, 0));
    assert_eq!(credit_holds::Entity::find().count(app.db()).await.unwrap(), 0);
    assert_eq!(
        entity::chat_messages::Entity::find().count(app.db()).await.unwrap(),
        0,
        "nothing is saved"
    );
}

#[tokio::test]
async fn a_provider_that_overruns_max_tokens_costs_the_operator_not_the_user() {
    let app = TestApp::spawn_with(Backend::Sqlite, PRICED).await.unwrap();
    let (b, account) = customer(&app, 60).await;
    let events = exchange(&b, json!({"text": "[words 200] [overrun] go", "model": "fake-claude"})).await;
    let start = event(&events, "start").unwrap();
    let id = start["message_id"].as_str().unwrap();
    let usage = wait_for_usage(&app, &format!("reply:{id}")).await;
    assert!(usage.cost > usage.charged, "{usage:?}");
    let t = ledger::totals(app.db(), account, None).await.unwrap();
    assert!(t.available >= 0 && t.held == 0, "never in debt: {t:?}");
    assert_eq!(60 - t.available, usage.charged);
}

#[tokio::test]
async fn an_unpriced_model_is_refused_and_the_free_quota_pays_only_for_its_models() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[
            ("CREDITS_FREE_QUOTA", "5000"),
            (
                "CHAT_PRICES",
                "fake-gpt|in=1000000|out=1000000|quota,fake-claude|in=1000000|out=1000000",
            ),
        ],
    )
    .await
    .unwrap();
    let (b, account) = customer(&app, 0).await;
    // fake-gemini has no price: refused whatever the balance.
    let r = b.post_json(REPLY, &json!({"text": "hi", "model": "fake-gemini"})).await;
    assert_eq!(r.status(), 403);
    // fake-claude is not payable from the quota, and nothing else is there.
    let r = b.post_json(REPLY, &json!({"text": "hi", "model": "fake-claude"})).await;
    assert_eq!(r.status(), 402);
    // fake-gpt is: the quota pays, before purchased credits.
    ledger::grant(app.db(), grant(account, Source::Purchase, 1_000))
        .await
        .unwrap();
    let events = exchange(&b, json!({"text": "hi", "model": "fake-gpt"})).await;
    assert!(event(&events, "done").is_some());
    let buckets = ledger::buckets_of(app.db(), account).await.unwrap();
    let of = |s: Source| buckets.iter().find(|b| b.source == s.as_str()).unwrap();
    assert!(of(Source::FreeQuota).settled > 0);
    assert_eq!(of(Source::Purchase).settled, 0, "purchased credits are untouched");
    // And the demo model is free.
    let events = exchange(&b, json!({"text": "hi", "model": "demo"})).await;
    assert!(event(&events, "done").is_some());
}

#[tokio::test]
async fn with_credits_off_replies_are_priced_and_recorded_but_nothing_is_held() {
    let mut overrides = PRICED.to_vec();
    overrides.push(("CREDITS_ENFORCE", "false"));
    let app = TestApp::spawn_with(Backend::Sqlite, &overrides).await.unwrap();
    let (b, account) = customer(&app, 0).await;
    let events = exchange(&b, json!({"text": "hello", "model": "fake-gpt"})).await;
    let start = event(&events, "start").unwrap();
    assert!(event(&events, "done").unwrap()["credits"].is_null());
    let usage = wait_for_usage(&app, &format!("reply:{}", start["message_id"].as_str().unwrap())).await;
    assert!(usage.cost > 0 && usage.charged == 0, "{usage:?}");
    assert_eq!(credit_holds::Entity::find().count(app.db()).await.unwrap(), 0);
    assert_eq!(ledger::totals(app.db(), account, None).await.unwrap().available, 0);
}

#[tokio::test]
async fn the_cli_grants_shows_and_lists_prices() {
    use server::cli::credits::{Command, execute};
    let app = TestApp::spawn_with(Backend::Sqlite, PRICED).await.unwrap();
    let (_, account) = customer(&app, 0).await;
    let email = entity::users::Entity::find_by_id(account)
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
        .email;
    let email = wire::email::Email::parse(&email).unwrap();
    for _ in 0..2 {
        execute(
            Command::Grant {
                email: email.clone(),
                amount: 2_500,
                reason: "support ticket 42".into(),
                expires_days: Some(30),
            },
            &app.services,
        )
        .await
        .unwrap();
    }
    // Two commands, two grants (each its own ledger entry, with the reason).
    assert_eq!(ledger::totals(app.db(), account, None).await.unwrap().available, 5_000);
    let entries = ledger::entries_of(app.db(), account, None, 0, 10).await.unwrap();
    assert_eq!(entries.len(), 2);
    assert!(
        entries
            .iter()
            .all(|e| e.reference.as_deref() == Some("support ticket 42") && e.actor == "operator")
    );
    execute(Command::Show { email: email.clone() }, &app.services)
        .await
        .unwrap();
    execute(Command::PricesList, &app.services).await.unwrap();
    let unknown = wire::email::Email::parse(&unique_email("nobody")).unwrap();
    let err = execute(Command::Show { email: unknown }, &app.services)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("no account") || err.to_string().contains("NoAccount"),
        "{err}"
    );
    // The configured cards are stored, the demo model's free one included.
    let cards = domain::credits::prices::list(app.db()).await.unwrap();
    assert!(cards.iter().any(|(m, _, c)| m == "fake-gpt" && c.output == 2_000_000));
    assert!(cards.iter().any(|(m, _, c)| m == "demo" && c.free));
}

async fn the_sweep_settles_an_expired_hold_from_what_its_reply_saved_and_waits_for_one_streaming(app: TestApp) {
    use sea_orm::{ActiveModelTrait, Set};
    let (b, account) = customer(&app, 100_000).await;
    let events = exchange(&b, json!({"text": "price me please", "model": "fake-gpt"})).await;
    let id = event(&events, "start").unwrap()["message_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = assistant_message(&app, &id).await;
    let card = domain::credits::prices::current(app.db(), "fake-gpt", chrono::Utc::now())
        .await
        .unwrap()
        .unwrap();
    // A hold left open for this reply (as if its process died after saving).
    let mut request = hold_request(account, card);
    request.reference = format!("reply:{id}");
    let hold = ledger::hold(app.db(), &request, exactly(1_000)).await.unwrap();
    // While the reply is marked streaming, the sweep waits.
    let mut streaming: entity::chat_messages::ActiveModel = reply.clone().into();
    streaming.outcome = Set(Some(wire::chat::Outcome::Streaming));
    streaming.update(app.db()).await.unwrap();
    let later = past_expiry();
    assert_eq!(
        sweep_alone(app.db(), later).await.holds,
        0,
        "a streaming reply keeps its hold"
    );
    let mut done: entity::chat_messages::ActiveModel = reply.clone().into();
    done.outcome = Set(Some(wire::chat::Outcome::Completed));
    done.update(app.db()).await.unwrap();
    assert_eq!(sweep_alone(app.db(), later).await.holds, 1);
    let expected = card.cost(domain::credits::prices::Tokens {
        input: reply.input_tokens.unwrap(),
        output: reply.output_tokens.unwrap(),
        cached: reply.cached_tokens.unwrap(),
        cache_write: reply.cache_write_tokens.unwrap(),
    });
    let row = credit_holds::Entity::find_by_id(hold.id)
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.settled, Some(expected.min(1_000)));
    assert!(expected > 0);
}
on_each_database!(
    the_sweep_settles_an_expired_hold_from_what_its_reply_saved_and_waits_for_one_streaming,
    super::PRICED
);

async fn a_monthly_cap_is_never_passed_however_many_holds_race(app: TestApp) {
    use domain::credits::spending;
    let db = app.db().clone();
    let account = Uuid::new_v4();
    assert!(ledger::grant(&db, grant(account, Source::Grant, 100)).await.unwrap());
    let now = chrono::Utc::now();
    spending::set_cap(&db, account, Some(30), now).await.unwrap();
    let spent = |db: sea_orm::DatabaseConnection| async move {
        spending::month(&db, account, spending::month_of(chrono::Utc::now()))
            .await
            .unwrap()
            .spent
    };
    let race = |n: usize| {
        let db = db.clone();
        async move {
            futures::future::join_all((0..n).map(|_| {
                let db = db.clone();
                async move { ledger::hold(&db, &hold_request(account, ONE_A_TOKEN), exactly(1)).await }
            }))
            .await
        }
    };
    let outcomes = race(100).await;
    let taken: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok().copied()).collect();
    assert_eq!(taken.len(), 30, "exactly the cap is held, with 100 credits available");
    assert!(
        outcomes
            .iter()
            .filter(|o| o.is_err())
            .all(|o| matches!(o, Err(DomainError::SpendingCap { cap: 30, .. }))),
        "the rest are refused for the cap, not for credits"
    );
    assert_eq!(spent(db.clone()).await, 30);
    // Released credits come back to the month; settled ones stay spent.
    for hold in &taken[..10] {
        assert_eq!(ledger::settle(&db, hold.id, 0, "test").await.unwrap(), Some(0));
    }
    for hold in &taken[10..] {
        assert_eq!(ledger::settle(&db, hold.id, 1, "test").await.unwrap(), Some(1));
    }
    assert_eq!(spent(db.clone()).await, 20);
    assert_eq!(
        race(20).await.iter().filter(|o| o.is_ok()).count(),
        10,
        "room for ten more"
    );
    // Without a cap the balance alone decides.
    spending::set_cap(&db, account, None, now).await.unwrap();
    let big = ledger::hold(&db, &hold_request(account, ONE_A_TOKEN), exactly(70))
        .await
        .unwrap();
    assert_eq!(big.amount, 70);
    assert_eq!(spent(db.clone()).await, 100);
    assert_eq!(sweep::reconcile(&db).await.unwrap(), 0);
}
on_each_database!(a_monthly_cap_is_never_passed_however_many_holds_race);

#[tokio::test]
async fn a_reply_past_the_users_monthly_cap_is_refused_before_the_model_is_asked() {
    let app = TestApp::spawn_with(Backend::Sqlite, PRICED).await.unwrap();
    let (b, _) = customer(&app, 100_000).await;
    let set_cap = |cap: &'static str| {
        let b = &b;
        async move { b.call("/api/account/credits/cap", &[("cap", cap)]).await }
    };
    assert_eq!(
        crate::helpers::expect_json(set_cap("-1").await, 400).await,
        json!({ "Invalid": { "field": "Credits", "problem": "Invalid" } })
    );
    // 0.20 is 20 credits: below the floor of 10 output tokens at 2 a token
    // plus the prompt.
    let capped = crate::helpers::expect_json(set_cap("0.20").await, 200).await;
    assert_eq!((capped["cap"].as_i64(), capped["spent"].as_i64()), (Some(20), Some(0)));
    let asked = app.fakes.llm_requests();
    let r = b
        .post_json(REPLY, &json!({"text": "a question past my cap", "model": "fake-gpt"}))
        .await;
    assert_eq!(r.status(), 402);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["SpendingCap"]["cap"], 20, "{body}");
    assert_eq!(app.fakes.llm_requests(), asked, "the model was not asked");

    // Raised, the reply goes through, and the month counts what it cost.
    crate::helpers::expect_json(set_cap("1000").await, 200).await;
    let events = exchange(&b, json!({"text": "now within my cap", "model": "fake-gpt"})).await;
    let charged = event(&events, "done").expect("the reply completes")["credits"]
        .as_i64()
        .unwrap();
    let wallet = crate::helpers::expect_json(
        b.call("/api/account/credits/wallet", &[("kind", ""), ("page", "0")])
            .await,
        200,
    )
    .await;
    let spending = &wallet["spending"];
    // The title is uncharged; the reply's unused hold came back.
    assert_eq!(
        (spending["cap"].as_i64(), spending["spent"].as_i64()),
        (Some(100_000), Some(charged)),
        "{wallet}"
    );
    // Removed: no cap.
    let removed = crate::helpers::expect_json(set_cap("").await, 200).await;
    assert!(removed["cap"].is_null());
}

/// Holds and settlements of one account racing across several buckets:
/// every transaction locks buckets before the account's month (the other
/// order deadlocks on PostgreSQL, which aborts one of the two).
async fn holds_and_settlements_racing_on_one_account_never_deadlock(app: TestApp) {
    let db = app.db().clone();
    let account = Uuid::new_v4();
    for _ in 0..5 {
        assert!(ledger::grant(&db, grant(account, Source::Grant, 40)).await.unwrap());
    }
    let outcomes = futures::future::join_all((0..48).map(|_| {
        let db = db.clone();
        async move {
            for _ in 0..4 {
                // 30 spans two buckets of 40 once the first is part spent.
                match ledger::hold(&db, &hold_request(account, ONE_A_TOKEN), exactly(30)).await {
                    Ok(hold) => {
                        ledger::settle(&db, hold.id, 1, "test").await?;
                    }
                    Err(DomainError::OutOfCredits { .. }) => {}
                    Err(other) => return Err(other),
                }
            }
            Ok::<_, DomainError>(())
        }
    }))
    .await;
    let failed: Vec<_> = outcomes.into_iter().filter_map(Result::err).collect();
    assert!(failed.is_empty(), "every hold and settlement went through: {failed:?}");
    assert_eq!(sweep::reconcile(&db).await.unwrap(), 0);
}
on_each_database!(holds_and_settlements_racing_on_one_account_never_deadlock);

/// A reply settling its hold just as the sweep finds that hold past its
/// expiry: both lock the hold and its bucket, and in the same order, so
/// neither is aborted as a deadlock; the hold is resolved once.
async fn a_settlement_racing_the_sweep_for_its_expired_hold_never_deadlocks(app: TestApp) {
    let db = app.db().clone();
    let account = Uuid::new_v4();
    assert!(ledger::grant(&db, grant(account, Source::Grant, 1_000)).await.unwrap());
    let mut holds = Vec::new();
    for _ in 0..40 {
        let request = hold_request(account, ONE_A_TOKEN);
        holds.push(ledger::hold(&db, &request, exactly(3)).await.unwrap());
    }
    let later = past_expiry();
    let sweeping = tokio::spawn({
        let db = db.clone();
        async move { sweep::sweep(&db, later).await }
    });
    let settled = futures::future::join_all(holds.iter().map(|h| {
        let db = db.clone();
        async move { ledger::settle(&db, h.id, 2, "test").await }
    }))
    .await;
    let swept = sweeping.await.unwrap();
    let failed: Vec<_> = settled.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(failed.is_empty(), "every settlement went through: {failed:?}");
    let swept = swept.expect("the sweep went through");
    // Each hold once: settled by its reply (2), or released by the sweep.
    let by_reply = settled.iter().filter(|r| matches!(r, Ok(Some(2)))).count() as u64;
    assert_eq!(by_reply + swept.holds, 40, "{swept:?} {settled:?}");
    let rows = credit_holds::Entity::find()
        .filter(credit_holds::Column::AccountId.eq(account))
        .all(&db)
        .await
        .unwrap();
    let state = |s: &str| rows.iter().filter(|h| h.state == s).count() as u64;
    assert_eq!(
        (state("settled"), state("released")),
        (by_reply, swept.holds),
        "{rows:?}"
    );
    let t = ledger::totals(&db, account, None).await.unwrap();
    assert_eq!((t.available, t.held), (1_000 - 2 * by_reply as i64, 0));
    assert_eq!(sweep::reconcile(&db).await.unwrap(), 0);
}
on_each_database!(a_settlement_racing_the_sweep_for_its_expired_hold_never_deadlocks);

async fn a_hold_stamped_with_an_earlier_month_never_overwrites_a_later_ones_spending(app: TestApp) {
    use domain::credits::spending;
    let db = app.db().clone();
    let account = Uuid::new_v4();
    assert!(ledger::grant(&db, grant(account, Source::Grant, 100)).await.unwrap());
    // Another instance (its clock a little ahead) already counts next month.
    let next = spending::month_end(chrono::Utc::now()) + chrono::Duration::hours(1);
    let hold = ledger::hold(&db, &hold_request(account, ONE_A_TOKEN), exactly(7))
        .await
        .unwrap();
    entity::credit_accounts::Entity::update_many()
        .col_expr(
            entity::credit_accounts::Column::Month,
            sea_orm::sea_query::Expr::value(spending::month_of(next)),
        )
        .exec(&db)
        .await
        .unwrap();
    let refused = ledger::hold(&db, &hold_request(account, ONE_A_TOKEN), exactly(5)).await;
    assert!(
        refused.is_err(),
        "a hold of this month is not counted over next month's"
    );
    let row = entity::credit_accounts::Entity::find_by_id(account)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.month, row.month_spent),
        (spending::month_of(next), 7),
        "next month's spending stays"
    );
    // Its release gives nothing back to a month it did not count in.
    ledger::settle(&db, hold.id, 0, "test").await.unwrap();
    let row = entity::credit_accounts::Entity::find_by_id(account)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.month_spent, 7);
}
on_each_database!(a_hold_stamped_with_an_earlier_month_never_overwrites_a_later_ones_spending);

/// The header's balance and the low-balance notice are in the page the
/// server renders. (They used to be fetched once the WASM had loaded, and
/// the notice then pushed the whole page down under the reader.)
#[tokio::test]
async fn a_signed_in_page_is_rendered_with_its_balance_and_the_low_balance_notice() {
    let app = TestApp::spawn_with(Backend::Sqlite, PRICED).await.unwrap();
    let html = [("accept", "text/html")];
    let page = |b: Browser, path: &'static str| async move { b.get_with(path, &html).await.text().await.unwrap() };

    let (short, _) = customer(&app, 40).await;
    let shown = page(short, "/account").await;
    assert!(shown.contains(r#"data-testid="low-balance""#), "{shown}");
    assert!(shown.contains(r#"data-testid="balance""#), "{shown}");

    let (funded, _) = customer(&app, 1_000_000).await;
    let shown = page(funded, "/account").await;
    assert!(shown.contains(r#"data-testid="balance""#), "{shown}");
    assert!(!shown.contains(r#"data-testid="low-balance""#), "{shown}");

    let visitor = page(app.browser(), "/").await;
    assert!(!visitor.contains(r#"data-testid="balance""#), "{visitor}");
}
