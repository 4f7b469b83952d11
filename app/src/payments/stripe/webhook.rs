//! `POST /webhooks/stripe`: the only way access is granted for a payment.
//!
//! 1. The `Stripe-Signature` header is checked over the raw body
//!    ([`super::signature`]); anything else is a 400 and writes nothing.
//! 2. In one transaction: the event id is claimed in `stripe_events` (its
//!    primary key makes a redelivery a no-op) and its effect is applied.
//!    A failure rolls both back and answers 500, so Stripe's retry starts
//!    from a clean slate.
//! 3. Effects merge into state that is the same in any arrival order
//!    ([`super::subscription`]); an older event never overwrites newer state.
//!
//! Reads whichever field the endpoint's API version sends: an invoice's
//! subscription is `parent.subscription_details.subscription` since
//! 2025-03-31 (`subscription` before), and a subscription's period end is on
//! its items (`current_period_end` on the subscription before).

use super::signature;
use super::subscription::{Observation, State, Status};
use crate::access::AccessReason;
use crate::services::Services;
use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use entity::{
    access_grants, stripe_checkout_sessions as sessions, stripe_customers as customers, stripe_events as events,
    stripe_subscriptions as subs,
};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, QuerySelect, Set, TransactionTrait,
};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

pub const WEBHOOK_PATH: &str = "/webhooks/stripe";

/// The events Keel acts on (enable exactly these on the endpoint; see docs/stripe.md).
pub const HANDLED: &[&str] = &[
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "invoice.paid",
    "invoice.payment_failed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
];

/// The envelope of every event.
#[derive(Debug, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub created: i64,
    pub data: EventData,
}

#[derive(Debug, Deserialize)]
pub struct EventData {
    pub object: Value,
}

/// What happened to an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    /// Seen before: nothing changed.
    Duplicate,
    /// A type Keel does not act on.
    Ignored,
}

impl Outcome {
    const fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Duplicate => "duplicate",
            Outcome::Ignored => "ignored",
        }
    }
}

pub fn router() -> axum::Router<Services> {
    axum::Router::new().route(WEBHOOK_PATH, axum::routing::post(receive))
}

async fn receive(AxumState(services): AxumState<Services>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(stripe) = services.stripe.as_ref() else {
        // Not configured: 503, so Stripe keeps the event and retries.
        return (StatusCode::SERVICE_UNAVAILABLE, "payments are not configured").into_response();
    };
    let header = headers.get("stripe-signature").and_then(|v| v.to_str().ok());
    let now = Utc::now().timestamp();
    if let Err(e) = signature::verify(header, &body, &stripe.settings.webhook_secrets, now) {
        tracing::warn!(error = %e, "refused a Stripe webhook");
        return (StatusCode::BAD_REQUEST, "invalid signature").into_response();
    }
    let event: Event = match serde_json::from_slice(&body) {
        Ok(event) => event,
        Err(e) => {
            tracing::warn!(error = %e, "a signed Stripe webhook is not an event");
            return (StatusCode::BAD_REQUEST, "not a Stripe event").into_response();
        }
    };
    let grace = i64::try_from(stripe.settings.past_due_grace.as_secs()).unwrap_or(i64::MAX / 2);
    let result = {
        let _one_at_a_time = stripe.webhook_lock.lock().await;
        process(&services, &event, grace).await
    };
    match result {
        Ok(outcome) => {
            tracing::info!(event = %event.id, kind = %event.kind, outcome = outcome.as_str(), "Stripe event");
            (
                StatusCode::OK,
                axum::Json(serde_json::json!({ "received": true, "outcome": outcome.as_str() })),
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(event = %event.id, kind = %event.kind, error = %e, "a Stripe event failed; Stripe will retry");
            (StatusCode::INTERNAL_SERVER_ERROR, "could not process the event").into_response()
        }
    }
}

/// Claims `event` and applies it, all or nothing.
pub async fn process(services: &Services, event: &Event, grace_secs: i64) -> Result<Outcome, DbErr> {
    if !HANDLED.contains(&event.kind.as_str()) {
        return Ok(Outcome::Ignored);
    }
    let txn = services.db.begin().await?;
    let claimed = events::Entity::insert(events::ActiveModel {
        id: Set(event.id.clone()),
        kind: Set(event.kind.clone()),
        occurred_at: Set(time(event.created)),
        received_at: Set(Utc::now()),
        outcome: Set(Outcome::Applied.as_str().to_owned()),
    })
    .on_conflict(OnConflict::column(events::Column::Id).do_nothing().to_owned())
    .exec_without_returning(&txn)
    .await?;
    if claimed == 0 {
        txn.rollback().await?;
        return Ok(Outcome::Duplicate);
    }
    let object = &event.data.object;
    match event.kind.as_str() {
        "checkout.session.completed"
        | "checkout.session.async_payment_succeeded"
        | "checkout.session.async_payment_failed" => checkout_event(&txn, event, object, grace_secs).await?,
        "invoice.paid" | "invoice.payment_failed" => invoice_event(&txn, event, object, grace_secs).await?,
        _ => subscription_event(&txn, event, object, grace_secs).await?,
    }
    txn.commit().await?;
    Ok(Outcome::Applied)
}

fn time(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(k))?.as_str()
}

/// An id field that may be expanded into an object.
fn id_at(v: &Value, path: &[&str]) -> Option<String> {
    let field = path.iter().try_fold(v, |v, k| v.get(k))?;
    field
        .as_str()
        .or_else(|| field.get("id").and_then(Value::as_str))
        .map(str::to_owned)
}

/// The latest of the times at `field` in the list at `list` (an invoice's
/// lines, a subscription's items), else the object's own `fallback` field.
fn latest_time(v: &Value, list: &str, field: &str, fallback: &str) -> Option<i64> {
    v.pointer(list)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.pointer(field).and_then(Value::as_i64))
        .max()
        .or_else(|| v.get(fallback).and_then(Value::as_i64))
}

fn bad(what: &str) -> DbErr {
    DbErr::Custom(format!("the event has no {what}"))
}

/// The user behind a customer: Keel's own mapping, else the metadata Keel
/// put on the object.
async fn user_of(txn: &DatabaseTransaction, customer: Option<&str>, object: &Value) -> Result<Option<Uuid>, DbErr> {
    if let Some(c) = customer
        && let Some(row) = customers::Entity::find()
            .filter(customers::Column::CustomerId.eq(c))
            .one(txn)
            .await?
    {
        return Ok(Some(row.user_id));
    }
    let named = str_at(object, &["metadata", "user_id"])
        .or_else(|| str_at(object, &["client_reference_id"]))
        .and_then(|s| Uuid::parse_str(s).ok());
    existing_user(txn, named).await
}

/// `user` if that account still exists (it may have been deleted since).
async fn existing_user(txn: &DatabaseTransaction, user: Option<Uuid>) -> Result<Option<Uuid>, DbErr> {
    let Some(id) = user else { return Ok(None) };
    Ok(entity::users::Entity::find_by_id(id).one(txn).await?.map(|u| u.id))
}

async fn checkout_event(txn: &DatabaseTransaction, event: &Event, session: &Value, grace: i64) -> Result<(), DbErr> {
    let id = str_at(session, &["id"]).ok_or_else(|| bad("session id"))?.to_owned();
    let mode = str_at(session, &["mode"]).unwrap_or("payment").to_owned();
    let customer = id_at(session, &["customer"]);
    let Some(user_id) = user_of(txn, customer.as_deref(), session).await? else {
        tracing::warn!(session = %id, "a checkout session of no known user; ignored");
        return Ok(());
    };
    let paid = match event.kind.as_str() {
        "checkout.session.async_payment_succeeded" => true,
        "checkout.session.async_payment_failed" => false,
        _ => matches!(
            str_at(session, &["payment_status"]),
            Some("paid" | "no_payment_required")
        ),
    };
    let failed = event.kind == "checkout.session.async_payment_failed";
    let at = time(event.created);
    let subscription = id_at(session, &["subscription"]);
    let pass_days = str_at(session, &["metadata", "pass_days"]).and_then(|d| d.parse::<i32>().ok());

    let existing = sessions::Entity::find_by_id(id.clone()).one(txn).await?;
    let row = match existing {
        Some(row) => {
            let mut m: sessions::ActiveModel = row.clone().into();
            m.status = Set("complete".to_owned());
            if row.subscription_id.is_none() {
                m.subscription_id = Set(subscription.clone());
            }
            if paid {
                m.paid_at = Set(Some(row.paid_at.map_or(at, |p| p.min(at))));
            }
            if failed && row.paid_at.is_none() {
                m.failed_at = Set(Some(at));
            }
            m.updated_at = Set(Utc::now());
            m.update(txn).await?
        }
        // Keel's own insert never happened (or was lost): the event carries
        // all that is needed.
        None => {
            sessions::ActiveModel {
                id: Set(id.clone()),
                user_id: Set(user_id),
                offer: Set(str_at(session, &["metadata", "offer"]).unwrap_or_default().to_owned()),
                mode: Set(mode.clone()),
                url: Set(String::new()),
                idempotency_key: Set(format!("stripe-{id}")),
                status: Set("complete".to_owned()),
                subscription_id: Set(subscription.clone()),
                pass_days: Set(pass_days),
                created_at: Set(time(
                    session.get("created").and_then(Value::as_i64).unwrap_or(event.created),
                )),
                expires_at: Set(time(
                    session
                        .get("expires_at")
                        .and_then(Value::as_i64)
                        .unwrap_or(event.created),
                )),
                paid_at: Set(paid.then_some(at)),
                failed_at: Set(failed.then_some(at)),
                updated_at: Set(Utc::now()),
            }
            .insert(txn)
            .await?
        }
    };

    if mode == "subscription" {
        // The subscription's own events carry its state; this links it to
        // the user in case they came first.
        if let Some(sub) = subscription {
            let link = Observation {
                at: event.created,
                event: event.id.clone(),
                status: None,
                period_end: None,
                cancel_at_period_end: None,
                ended_at: None,
                paid_through: None,
            };
            merge_subscription(
                txn,
                &sub,
                customer.as_deref().unwrap_or_default(),
                Some(user_id),
                &link,
                grace,
            )
            .await?;
        }
    } else if let (Some(paid_at), Some(days)) = (row.paid_at, row.pass_days.or(pass_days)) {
        grant_pass(txn, user_id, &id, paid_at, days).await?;
    }
    Ok(())
}

/// A pass: access from payment for its days, once per session. A pass
/// bought while another payment's access runs starts when that one ends.
async fn grant_pass(
    txn: &DatabaseTransaction,
    user: Uuid,
    session: &str,
    paid_at: DateTime<Utc>,
    days: i32,
) -> Result<(), DbErr> {
    let source = AccessReason::Payment.source();
    let mine = access_grants::Entity::find()
        .filter(access_grants::Column::Source.eq(source))
        .filter(access_grants::Column::Reference.eq(session))
        .one(txn)
        .await?;
    if mine.is_some() {
        return Ok(());
    }
    let running_until = access_grants::Entity::find()
        .filter(access_grants::Column::UserId.eq(user))
        .filter(access_grants::Column::Source.eq(source))
        .filter(access_grants::Column::RevokedAt.is_null())
        .all(txn)
        .await?
        .into_iter()
        .filter_map(|g| g.ends_at)
        .filter(|end| *end > paid_at)
        .max();
    let starts = running_until.unwrap_or(paid_at);
    let now = Utc::now();
    access_grants::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(user),
        source: Set(source.to_owned()),
        reference: Set(Some(session.to_owned())),
        // Access starts now even when its days are counted from later.
        starts_at: Set(paid_at),
        ends_at: Set(Some(starts + Duration::days(i64::from(days)))),
        created_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        revoked_at: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(())
}

async fn invoice_event(txn: &DatabaseTransaction, event: &Event, invoice: &Value, grace: i64) -> Result<(), DbErr> {
    let Some(sub) = id_at(invoice, &["parent", "subscription_details", "subscription"])
        .or_else(|| id_at(invoice, &["subscription"]))
    else {
        // A one-off invoice: nothing to do with access.
        return Ok(());
    };
    let customer = id_at(invoice, &["customer"]).unwrap_or_default();
    let paid = event.kind == "invoice.paid";
    // The end of the latest period the invoice's lines cover.
    let period_end = latest_time(invoice, "/lines/data", "/period/end", "period_end");
    let observation = Observation {
        at: event.created,
        event: event.id.clone(),
        status: Some(if paid { Status::Active } else { Status::PastDue }),
        period_end: None,
        cancel_at_period_end: None,
        ended_at: None,
        paid_through: if paid { period_end } else { None },
    };
    let meta_user = str_at(invoice, &["parent", "subscription_details", "metadata", "user_id"])
        .and_then(|s| Uuid::parse_str(s).ok());
    let user = match existing_user(txn, meta_user).await? {
        Some(u) => Some(u),
        None => user_of(txn, Some(&customer), invoice).await?,
    };
    merge_subscription(txn, &sub, &customer, user, &observation, grace).await
}

async fn subscription_event(txn: &DatabaseTransaction, event: &Event, sub: &Value, grace: i64) -> Result<(), DbErr> {
    let id = str_at(sub, &["id"]).ok_or_else(|| bad("subscription id"))?.to_owned();
    let customer = id_at(sub, &["customer"]).unwrap_or_default();
    let status = str_at(sub, &["status"]).and_then(Status::parse);
    let deleted = event.kind == "customer.subscription.deleted";
    let period_end = latest_time(sub, "/items/data", "/current_period_end", "current_period_end");
    let ended_at = sub
        .get("ended_at")
        .and_then(Value::as_i64)
        .or_else(|| deleted.then_some(event.created));
    let observation = Observation {
        at: event.created,
        event: event.id.clone(),
        status: if deleted { Some(Status::Canceled) } else { status },
        period_end,
        cancel_at_period_end: sub.get("cancel_at_period_end").and_then(Value::as_bool),
        ended_at: if deleted || status == Some(Status::Canceled) {
            ended_at
        } else {
            None
        },
        paid_through: None,
    };
    let user = user_of(txn, Some(&customer), sub).await?;
    merge_subscription(txn, &id, &customer, user, &observation, grace).await
}

/// Merges `o` into the subscription's state and rewrites the access grant
/// it gives its user.
async fn merge_subscription(
    txn: &DatabaseTransaction,
    id: &str,
    customer: &str,
    user: Option<Uuid>,
    o: &Observation,
    grace: i64,
) -> Result<(), DbErr> {
    let mut query = subs::Entity::find_by_id(id.to_owned());
    // Another instance may be applying an event of the same subscription:
    // on PostgreSQL, wait for it (SQLite has a single writer already).
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        query = query.lock_exclusive();
    }
    let row = query.one(txn).await?;
    let state: State = row
        .as_ref()
        .and_then(|r| serde_json::from_str(&r.state).ok())
        .unwrap_or_default();
    let state = state.merge(o);
    let user = row.as_ref().and_then(|r| r.user_id).or(user);
    let access_until = state.access_until(grace).map(time);
    let now = Utc::now();
    let json = serde_json::to_string(&state).map_err(|e| DbErr::Custom(e.to_string()))?;
    let model = subs::ActiveModel {
        id: Set(id.to_owned()),
        customer_id: Set(row
            .as_ref()
            .map(|r| r.customer_id.clone())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| customer.to_owned())),
        user_id: Set(user),
        status: Set(state.status().map(|s| s.as_str().to_owned())),
        access_until: Set(access_until),
        state: Set(json),
        updated_at: Set(now),
    };
    if row.is_some() {
        model.update(txn).await?;
    } else {
        model.insert(txn).await?;
    }
    if let Some(user) = user {
        write_grant(txn, user, id, time(o.at), access_until).await?;
    }
    Ok(())
}

/// The subscription's one access grant: until `until`, or none.
async fn write_grant(
    txn: &DatabaseTransaction,
    user: Uuid,
    subscription: &str,
    at: DateTime<Utc>,
    until: Option<DateTime<Utc>>,
) -> Result<(), DbErr> {
    let source = AccessReason::Payment.source();
    let existing = access_grants::Entity::find()
        .filter(access_grants::Column::Source.eq(source))
        .filter(access_grants::Column::Reference.eq(subscription))
        .one(txn)
        .await?;
    let now = Utc::now();
    match (existing, until) {
        (None, None) => {}
        (None, Some(until)) => {
            access_grants::ActiveModel {
                id: Set(Uuid::new_v4()),
                user_id: Set(user),
                source: Set(source.to_owned()),
                reference: Set(Some(subscription.to_owned())),
                starts_at: Set(at.min(now)),
                ends_at: Set(Some(until)),
                created_by: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                revoked_at: Set(None),
            }
            .insert(txn)
            .await?;
        }
        (Some(grant), until) => {
            let starts_at = grant.starts_at.min(at);
            let mut m: access_grants::ActiveModel = grant.into();
            m.starts_at = Set(starts_at);
            // No access any more: the grant ends where it starts.
            m.ends_at = Set(Some(until.unwrap_or(starts_at)));
            m.updated_at = Set(now);
            m.update(txn).await?;
        }
    }
    Ok(())
}
