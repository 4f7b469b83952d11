//! Stripe's webhook (`POST /webhooks/stripe`): the only way access is
//! granted for a payment. The HTTP adapter hands [`receive`] the raw body
//! and the signature header; this does the rest.
//!
//! 1. The body is capped (`STRIPE_WEBHOOK_BODY_LIMIT_BYTES`, 413 past it)
//!    and the `Stripe-Signature` header is checked over the raw body
//!    ([`super::signature`]: one HMAC per configured secret, on a blocking
//!    thread, a few at a time); anything else is a 400 and writes nothing.
//! 2. In one transaction: the event id is claimed in `stripe_events` (its
//!    primary key makes a redelivery a no-op) and its effect is applied.
//!    A failure rolls both back and answers 500, so Stripe's retry starts
//!    from a clean slate.
//! 3. Effects merge into state that is the same in any arrival order
//!    ([`super::subscription`]); an older event never overwrites newer state.
//! 4. Only what the app sells grants anything: a subscription for a price not
//!    in `STRIPE_OFFERS`, or a Checkout Session the app did not create (a
//!    Payment Link, the Dashboard), is recorded as `ignored` and logged.
//! 5. Money that goes back takes its access with it: a full refund, or a
//!    charge-back (dispute) while it is open and if it is lost, ends the
//!    access of the pass or subscription that payment bought; a dispute
//!    the merchant wins restores it. Recorded per payment intent
//!    (`stripe_payments`), so these events too agree in any order.
//! 6. Events about an account that was deleted change nothing.
//!
//! Reads whichever field the endpoint's API version sends: an invoice's
//! subscription is `parent.subscription_details.subscription` since
//! 2025-03-31 (`subscription` before), and a subscription's period end is on
//! its items (`current_period_end` on the subscription before).

use super::signature::{self, SignatureError};
use super::subscription::{Observation, State, Status};
use crate::actor::Actor;
use crate::services::Services;
use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use entity::{
    access_grants, stripe_checkout_sessions as sessions, stripe_customers as customers, stripe_events as events,
    stripe_payments as payments, stripe_subscriptions as subs,
};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, QuerySelect, Set,
};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;
use wire::access::AccessReason;

/// The events the app acts on (enable exactly these on the endpoint; see docs/stripe.md).
pub const HANDLED: &[&str] = &[
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "invoice.paid",
    "invoice.payment_failed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "charge.refunded",
    "charge.dispute.created",
    "charge.dispute.closed",
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
    /// A type the app does not act on, or about something the app did not sell
    /// (or an account since deleted).
    Ignored,
}

impl Outcome {
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Duplicate => "duplicate",
            Outcome::Ignored => "ignored",
        }
    }
}

/// Why a webhook delivery was not applied.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Payments are not configured: Stripe should keep the event and retry.
    #[error("payments are not configured")]
    NotConfigured,
    /// The signature does not check out (nothing is written).
    #[error("refused signature: {0}")]
    Signature(#[from] SignatureError),
    /// Signed, but not an event.
    #[error("not a Stripe event: {0}")]
    NotAnEvent(String),
    /// Applying it failed; nothing was written, Stripe retries.
    #[error("applying the event failed: {0}")]
    Failed(#[from] DbErr),
}

/// The body limit of the webhook route (its own, far below the site's).
pub fn body_limit(services: &Services) -> usize {
    services
        .features
        .stripe
        .as_ref()
        .map_or(super::settings::DEFAULT_WEBHOOK_BODY_LIMIT, |s| {
            s.settings.webhook_body_limit
        })
}

/// Checks the signature off the runtime's worker threads, a few at a time;
/// a caller that leaves while waiting costs nothing.
async fn verify(stripe: &super::client::Stripe, header: Option<String>, body: Bytes) -> Result<(), SignatureError> {
    let _permit = stripe.verifying.acquire().await.map_err(|_| SignatureError::Missing)?;
    let secrets = stripe.settings.webhook_secrets.clone();
    let now = Utc::now().timestamp();
    let (result, macs) = tokio::task::spawn_blocking(move || {
        let mut macs = 0;
        let result = signature::verify(header.as_deref(), &body, &secrets, now, &mut macs);
        (result, macs)
    })
    .await
    .map_err(|_| SignatureError::Missing)?;
    stripe
        .webhook_macs
        .fetch_add(macs, std::sync::atomic::Ordering::Relaxed);
    result
}

/// A delivery of Stripe's webhook: verifies it over the raw `body`, then
/// claims and applies the event (see the module's docs). The actor is
/// Stripe, once the signature checks out.
#[tracing::instrument(skip_all)]
pub async fn receive(
    services: &Services,
    signature_header: Option<String>,
    body: Bytes,
) -> Result<(Event, Outcome), WebhookError> {
    let stripe = services.features.stripe.as_ref().ok_or(WebhookError::NotConfigured)?;
    verify(stripe, signature_header, body.clone()).await?;
    let event: Event = serde_json::from_slice(&body).map_err(|e| WebhookError::NotAnEvent(e.to_string()))?;
    let outcome = {
        let _one_at_a_time = stripe.webhook_lock.lock().await;
        process(services, &Actor::Stripe, &event).await.map_err(|e| {
            tracing::error!(event = %event.id, kind = %event.kind, error = %e, "a Stripe event failed; Stripe will retry");
            e
        })?
    };
    tracing::info!(event = %event.id, kind = %event.kind, outcome = outcome.as_str(), "Stripe event");
    Ok((event, outcome))
}

/// What an event's handler needs besides the transaction.
struct Context<'a> {
    event: &'a Event,
    settings: &'a super::settings::StripeSettings,
    grace: i64,
}

/// Claims `event` and applies it, all or nothing.
#[tracing::instrument(skip_all, fields(actor = %actor.label(), event = %event.id))]
pub async fn process(services: &Services, actor: &Actor, event: &Event) -> Result<Outcome, DbErr> {
    // Events come from Stripe (a checked signature) or the operator
    // replaying one; nobody else applies money.
    if !matches!(actor, Actor::Stripe | Actor::Operator) {
        return Err(DbErr::Custom(format!("{} may not apply Stripe events", actor.label())));
    }
    if !HANDLED.contains(&event.kind.as_str()) {
        return Ok(Outcome::Ignored);
    }
    let Some(stripe) = services.features.stripe.as_ref() else {
        return Ok(Outcome::Ignored);
    };
    let cx = Context {
        event,
        settings: &stripe.settings,
        grace: i64::try_from(stripe.settings.past_due_grace.as_secs()).unwrap_or(i64::MAX / 2),
    };
    let txn = crate::services::begin_write(&services.db).await?;
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
    let outcome = match event.kind.as_str() {
        "checkout.session.completed"
        | "checkout.session.async_payment_succeeded"
        | "checkout.session.async_payment_failed" => checkout_event(&txn, &cx, object).await?,
        "invoice.paid" | "invoice.payment_failed" => invoice_event(&txn, &cx, object).await?,
        "charge.refunded" => refund_event(&txn, object).await?,
        "charge.dispute.created" | "charge.dispute.closed" => dispute_event(&txn, object).await?,
        _ => subscription_event(&txn, &cx, object).await?,
    };
    if outcome != Outcome::Applied {
        events::Entity::update_many()
            .col_expr(events::Column::Outcome, outcome.as_str().into())
            .filter(events::Column::Id.eq(event.id.as_str()))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(outcome)
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

/// Whose an object is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    User(Uuid),
    /// The app's metadata names an account that no longer exists.
    Deleted,
    /// Nothing says.
    Unknown,
}

impl Owner {
    fn user(self) -> Option<Uuid> {
        match self {
            Owner::User(id) => Some(id),
            Owner::Deleted | Owner::Unknown => None,
        }
    }
}

/// The user behind a customer: the app's own mapping, else the metadata the app
/// put on the object (on a subscription's invoice: on its subscription).
async fn owner_of(txn: &DatabaseTransaction, customer: Option<&str>, object: &Value) -> Result<Owner, DbErr> {
    if let Some(c) = customer
        && let Some(row) = customers::Entity::find()
            .filter(customers::Column::CustomerId.eq(c))
            .one(txn)
            .await?
    {
        return Ok(Owner::User(row.user_id));
    }
    let named = str_at(object, &["metadata", "user_id"])
        .or_else(|| str_at(object, &["parent", "subscription_details", "metadata", "user_id"]))
        .or_else(|| str_at(object, &["client_reference_id"]));
    let Some(named) = named else {
        return Ok(Owner::Unknown);
    };
    let Ok(id) = Uuid::parse_str(named) else {
        return Ok(Owner::Unknown);
    };
    Ok(match entity::users::Entity::find_by_id(id).one(txn).await? {
        Some(u) => Owner::User(u.id),
        None => Owner::Deleted,
    })
}

fn deleted(kind: &str, id: &str) -> Outcome {
    tracing::info!(kind, id, "a Stripe event about a deleted account: nothing changes");
    Outcome::Ignored
}

/// The price ids an object carries: a subscription's items, an invoice's
/// lines (`pricing.price_details.price` since 2025-03-31, `price.id` before).
fn prices(object: &Value, list: &str) -> Vec<String> {
    object
        .pointer(list)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|item| {
            item.pointer("/pricing/price_details/price")
                .and_then(Value::as_str)
                .or_else(|| item.pointer("/price/id").and_then(Value::as_str))
                .or_else(|| item.pointer("/price").and_then(Value::as_str))
        })
        .map(str::to_owned)
        .collect()
}

/// Whether `prices` show something the app sells (`None`: they say nothing).
fn listed(cx: &Context<'_>, prices: &[String]) -> Option<bool> {
    (!prices.is_empty()).then(|| {
        prices
            .iter()
            .any(|p| cx.settings.offers.iter().any(|o| &o.price_id == p))
    })
}

async fn checkout_event(txn: &DatabaseTransaction, cx: &Context<'_>, session: &Value) -> Result<Outcome, DbErr> {
    let event = cx.event;
    let id = str_at(session, &["id"]).ok_or_else(|| bad("session id"))?.to_owned();
    let mode = str_at(session, &["mode"]).unwrap_or("payment").to_owned();
    let customer = id_at(session, &["customer"]);
    let existing = sessions::Entity::find_by_id(id.clone()).one(txn).await?;
    // The app's own session, or one the app made whose row was lost (its
    // metadata names an offer on sale). Anything else was made elsewhere.
    let offer = existing.as_ref().map(|r| r.offer.clone()).or_else(|| {
        str_at(session, &["metadata", "offer"])
            .filter(|o| cx.settings.offer(o).is_some())
            .map(str::to_owned)
    });
    let Some(offer) = offer else {
        tracing::warn!(
            session = %id,
            event = %event.id,
            "a Checkout Session the app did not create completed (a Payment Link or the Dashboard?): it grants nothing"
        );
        return Ok(Outcome::Ignored);
    };
    let user_id = match owner_of(txn, customer.as_deref(), session).await? {
        Owner::User(id) => id,
        Owner::Deleted => return Ok(deleted(&event.kind, &id)),
        Owner::Unknown => {
            tracing::warn!(session = %id, "a checkout session of no known user; ignored");
            return Ok(Outcome::Ignored);
        }
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
    // The days of the offer on sale, else what the app wrote on the session.
    let pass_days = match cx.settings.offer(&offer).map(|o| o.offer.kind) {
        Some(wire::payments::OfferKind::Pass { days }) => i32::try_from(days).ok(),
        _ => str_at(session, &["metadata", "pass_days"]).and_then(|d| d.parse::<i32>().ok()),
    };

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
        // The app's own insert never happened (or was lost): the event carries
        // all that is needed.
        None => {
            sessions::ActiveModel {
                id: Set(id.clone()),
                user_id: Set(user_id),
                offer: Set(offer.clone()),
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
        // the user in case they came first, and vouches for it: the app's
        // checkout sold it.
        if let Some(sub) = subscription {
            let link = Observation {
                at: event.created,
                event: event.id.clone(),
                status: None,
                period_end: None,
                cancel_at_period_end: None,
                ended_at: None,
                paid_through: None,
                listed: Some(true),
            };
            merge_subscription(
                txn,
                &sub,
                customer.as_deref().unwrap_or_default(),
                Some(user_id),
                &link,
                cx.grace,
            )
            .await?;
        }
    } else {
        if let Some(intent) = id_at(session, &["payment_intent"]) {
            link_payment(txn, &intent, &id).await?;
        }
        if let (Some(paid_at), Some(days)) = (row.paid_at, row.pass_days.or(pass_days)) {
            grant_pass(txn, user_id, &id, paid_at, days).await?;
        }
    }
    Ok(Outcome::Applied)
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
        return sync_reversal(txn, session).await;
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
    sync_reversal(txn, session).await
}

async fn invoice_event(txn: &DatabaseTransaction, cx: &Context<'_>, invoice: &Value) -> Result<Outcome, DbErr> {
    let event = cx.event;
    let Some(sub) = id_at(invoice, &["parent", "subscription_details", "subscription"])
        .or_else(|| id_at(invoice, &["subscription"]))
    else {
        // A one-off invoice: nothing to do with access.
        return Ok(Outcome::Ignored);
    };
    let customer = id_at(invoice, &["customer"]).unwrap_or_default();
    let paid = event.kind == "invoice.paid";
    // The end of the latest period the invoice's lines cover.
    let period_end = latest_time(invoice, "/lines/data", "/period/end", "period_end");
    let listed = listed(cx, &prices(invoice, "/lines/data"));
    let observation = Observation {
        at: event.created,
        event: event.id.clone(),
        status: Some(if paid { Status::Active } else { Status::PastDue }),
        period_end: None,
        cancel_at_period_end: None,
        ended_at: None,
        paid_through: if paid { period_end } else { None },
        listed,
    };
    let user = match owner_of(txn, Some(&customer), invoice).await? {
        Owner::Deleted => return Ok(deleted(&event.kind, &sub)),
        owner => owner.user(),
    };
    // Which payment paid it (read back when it is refunded or disputed).
    let intents = invoice
        .pointer("/payments/data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| id_at(p, &["payment", "payment_intent"]))
        .chain(id_at(invoice, &["payment_intent"]));
    for intent in intents {
        link_payment(txn, &intent, &sub).await?;
    }
    merge_subscription(txn, &sub, &customer, user, &observation, cx.grace).await
}

async fn subscription_event(txn: &DatabaseTransaction, cx: &Context<'_>, sub: &Value) -> Result<Outcome, DbErr> {
    let event = cx.event;
    let id = str_at(sub, &["id"]).ok_or_else(|| bad("subscription id"))?.to_owned();
    let customer = id_at(sub, &["customer"]).unwrap_or_default();
    let status = str_at(sub, &["status"]).and_then(Status::parse);
    let deleted_event = event.kind == "customer.subscription.deleted";
    let period_end = latest_time(sub, "/items/data", "/current_period_end", "current_period_end");
    let ended_at = sub
        .get("ended_at")
        .and_then(Value::as_i64)
        .or_else(|| deleted_event.then_some(event.created));
    let observation = Observation {
        at: event.created,
        event: event.id.clone(),
        status: if deleted_event { Some(Status::Canceled) } else { status },
        period_end,
        cancel_at_period_end: sub.get("cancel_at_period_end").and_then(Value::as_bool),
        ended_at: if deleted_event || status == Some(Status::Canceled) {
            ended_at
        } else {
            None
        },
        paid_through: None,
        listed: listed(cx, &prices(sub, "/items/data")),
    };
    let user = match owner_of(txn, Some(&customer), sub).await? {
        Owner::Deleted => return Ok(deleted(&event.kind, &id)),
        owner => owner.user(),
    };
    merge_subscription(txn, &id, &customer, user, &observation, cx.grace).await
}

/// Records that `intent` paid for `reference` (a pass's session, a
/// subscription), and applies any refund or dispute already seen for it.
async fn link_payment(txn: &DatabaseTransaction, intent: &str, reference: &str) -> Result<(), DbErr> {
    let now = Utc::now();
    payments::Entity::insert(payments::ActiveModel {
        payment_intent: Set(intent.to_owned()),
        reference: Set(Some(reference.to_owned())),
        refunded: Set(false),
        dispute_status: Set(None),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(payments::Column::PaymentIntent)
            .update_column(payments::Column::Reference)
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// `charge.refunded`: a full refund ends what the payment bought.
async fn refund_event(txn: &DatabaseTransaction, charge: &Value) -> Result<Outcome, DbErr> {
    let full = charge.get("refunded").and_then(Value::as_bool).unwrap_or(false);
    let Some(intent) = id_at(charge, &["payment_intent"]) else {
        return Ok(Outcome::Ignored);
    };
    if !full {
        // A partial refund is a gesture, not a reversal.
        return Ok(Outcome::Ignored);
    }
    let row = payment_row(txn, &intent, charge).await?;
    let mut m: payments::ActiveModel = row.into();
    m.refunded = Set(true);
    m.updated_at = Set(Utc::now());
    let row = m.update(txn).await?;
    reversal_applied(txn, &row).await
}

/// `charge.dispute.created` / `.closed`: a charge-back suspends what the
/// payment bought; lost, it stays ended; won, it comes back. An inquiry
/// (`warning_*`) takes no money and changes nothing.
async fn dispute_event(txn: &DatabaseTransaction, dispute: &Value) -> Result<Outcome, DbErr> {
    let status = match str_at(dispute, &["status"]) {
        Some("won") => "won",
        Some("lost") => "lost",
        Some("needs_response" | "under_review") => "open",
        _ => return Ok(Outcome::Ignored),
    };
    let Some(intent) = id_at(dispute, &["payment_intent"]) else {
        return Ok(Outcome::Ignored);
    };
    let row = payment_row(txn, &intent, dispute).await?;
    // Closed is final: a late `created` does not reopen it.
    if matches!(row.dispute_status.as_deref(), Some("won" | "lost")) {
        return Ok(Outcome::Applied);
    }
    let mut m: payments::ActiveModel = row.into();
    m.dispute_status = Set(Some(status.to_owned()));
    m.updated_at = Set(Utc::now());
    let row = m.update(txn).await?;
    reversal_applied(txn, &row).await
}

/// The payment row of `intent`, made if new. A payment of a subscription
/// whose invoice never named it is attributed to the customer's live
/// subscription (the app sells each customer at most one).
async fn payment_row(txn: &DatabaseTransaction, intent: &str, object: &Value) -> Result<payments::Model, DbErr> {
    if let Some(row) = payments::Entity::find_by_id(intent.to_owned()).one(txn).await? {
        return Ok(row);
    }
    let reference = match id_at(object, &["customer"]) {
        Some(customer) => subs::Entity::find()
            .filter(subs::Column::CustomerId.eq(customer))
            .filter(subs::Column::Status.ne("canceled"))
            .one(txn)
            .await?
            .map(|s| s.id),
        None => None,
    };
    payments::ActiveModel {
        payment_intent: Set(intent.to_owned()),
        reference: Set(reference),
        refunded: Set(false),
        dispute_status: Set(None),
        updated_at: Set(Utc::now()),
    }
    .insert(txn)
    .await
}

async fn reversal_applied(txn: &DatabaseTransaction, row: &payments::Model) -> Result<Outcome, DbErr> {
    match &row.reference {
        Some(reference) => {
            sync_reversal(txn, reference).await?;
            tracing::info!(payment = %row.payment_intent, reference, reversed = row.reversed(), "Stripe payment reversal recorded");
            Ok(Outcome::Applied)
        }
        None => {
            // Kept: the purchase it belongs to may arrive later.
            tracing::info!(payment = %row.payment_intent, "a reversal of a payment the app does not know yet; kept for later");
            Ok(Outcome::Applied)
        }
    }
}

/// The payment grant for `reference` is revoked while a payment for it
/// is reversed, and restored when none is.
async fn sync_reversal(txn: &DatabaseTransaction, reference: &str) -> Result<(), DbErr> {
    let reversed = payments::Entity::find()
        .filter(payments::Column::Reference.eq(reference))
        .all(txn)
        .await?
        .into_iter()
        .any(|p| p.reversed());
    let now = Utc::now();
    let mut update = access_grants::Entity::update_many()
        .col_expr(access_grants::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
        .filter(access_grants::Column::Source.eq(AccessReason::Payment.source()))
        .filter(access_grants::Column::Reference.eq(reference));
    update = if reversed {
        update
            .col_expr(
                access_grants::Column::RevokedAt,
                sea_orm::sea_query::Expr::value(Some(now)),
            )
            .filter(access_grants::Column::RevokedAt.is_null())
    } else {
        update
            .col_expr(
                access_grants::Column::RevokedAt,
                sea_orm::sea_query::Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(access_grants::Column::RevokedAt.is_not_null())
    };
    update.exec(txn).await?;
    Ok(())
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
) -> Result<Outcome, DbErr> {
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
    // Not (yet) seen to be for something the app sells: it grants nothing.
    let access_until = state.access_until(grace).filter(|_| state.grants()).map(time);
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
    if state.listed == Some(false) {
        tracing::warn!(
            subscription = id,
            "a Stripe subscription for a price not in STRIPE_OFFERS: it grants nothing"
        );
        return Ok(Outcome::Ignored);
    }
    Ok(Outcome::Applied)
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
    sync_reversal(txn, subscription).await
}
