//! Fake Stripe: the API endpoints the app calls (customers, Checkout Sessions,
//! billing portal sessions; subscriptions for completeness), with
//! Stripe-shaped JSON for the pinned API version, form-encoded requests
//! with bracketed keys, Bearer auth and idempotency keys (same key + same
//! body replays the first answer; same key + another body is a 400, as on
//! Stripe). A hosted checkout page completes a session and delivers signed
//! webhooks the way Stripe does: asynchronously, after the redirect.

use crate::{Fakes, html, random_token};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const SECRET_KEY: &str = "sk_test_app_fake_0000000000";
pub const WEBHOOK_SECRET: &str = "whsec_app_fake_0000000000";
pub const API_VERSION: &str = "2026-09-30.endive";
/// The offers the fake's prices stand for (what `STRIPE_OFFERS` says).
pub const OFFERS: &str =
    "monthly:price_fake_monthly:month:9 USD,yearly:price_fake_yearly:year:90 USD,pass-7:price_fake_pass7:7d:5 USD";

#[derive(Default)]
pub(crate) struct Stripe {
    customers: HashMap<String, Value>,
    sessions: HashMap<String, Value>,
    subscriptions: HashMap<String, Value>,
    /// Idempotency key → (request fingerprint, answer).
    idempotent: HashMap<String, (String, Value)>,
    /// Every (path, idempotency key) received, in order.
    pub(crate) keys: Vec<(String, String)>,
    /// Where webhooks go, when set.
    webhook_url: Option<String>,
    /// A subscription's billing period (default 30 days; tests shorten it).
    period_secs: Option<i64>,
    /// Webhook deliveries (status codes), for tests.
    pub(crate) deliveries: Vec<u16>,
    /// Cancelling a subscription answers 500 (Stripe having a bad day).
    fail_cancels: bool,
}

pub(crate) fn router() -> Router<Fakes> {
    Router::new()
        .route("/v1/customers", post(create_customer))
        .route("/v1/checkout/sessions", post(create_session))
        .route("/v1/checkout/sessions/{id}", get(retrieve_session))
        .route("/v1/billing_portal/sessions", post(create_portal))
        .route(
            "/v1/subscriptions/{id}",
            get(retrieve_subscription).delete(cancel_subscription),
        )
        .route("/pay/{id}", get(checkout_page).post(pay))
        .route("/portal/{customer}", get(portal_page))
}

pub(crate) fn control() -> Router<Fakes> {
    Router::new()
        .route("/_fake/stripe/webhook", post(set_webhook))
        .route("/_fake/stripe/keys", get(keys))
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn id(prefix: &str) -> String {
    format!("{prefix}_{}", random_token(12).replace(['-', '_'], "x"))
}

/// An API error in Stripe's shape.
pub(crate) struct ApiError(StatusCode, &'static str, String);

fn error(status: StatusCode, kind: &'static str, message: &str) -> ApiError {
    ApiError(status, kind, message.to_owned())
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": { "type": self.1, "message": self.2 } }))).into_response()
    }
}

/// Parses `a=1&metadata[k]=v&line_items[0][price]=p` into flat key → value.
fn form(body: &[u8]) -> HashMap<String, String> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (crate::unpercent(k), crate::unpercent(v)))
        .collect()
}

/// The `prefix[key]` entries of a form as a JSON object.
fn map_of(f: &HashMap<String, String>, prefix: &str) -> Value {
    let mut out = serde_json::Map::new();
    for (k, v) in f {
        if let Some(rest) = k
            .strip_prefix(prefix)
            .and_then(|r| r.strip_prefix('['))
            .and_then(|r| r.strip_suffix(']'))
            && !rest.contains('[')
        {
            out.insert(rest.to_owned(), Value::from(v.clone()));
        }
    }
    Value::Object(out)
}

fn authorized(headers: &HeaderMap) -> Result<(), ApiError> {
    let auth = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    if auth == Some(&format!("Bearer {SECRET_KEY}")) {
        Ok(())
    } else {
        Err(error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            "Invalid API Key provided",
        ))
    }
}

/// Runs a POST under its idempotency key, atomically: the same key with
/// the same body replays the first answer; with another body it is a 400.
fn idempotent(
    fakes: &Fakes,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
    create: impl FnOnce(&mut Stripe, &HashMap<String, String>) -> Result<Value, ApiError>,
) -> Response {
    if let Err(e) = authorized(headers) {
        return e.into_response();
    }
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    // Stripe compares the parameters, not their order on the wire.
    let mut params: Vec<_> = form(body).into_iter().collect();
    params.sort();
    let fingerprint = format!("{path}?{params:?}");
    let mut state = fakes.lock();
    let s = &mut state.stripe;
    if let Some(key) = key {
        s.keys.push((path.to_owned(), key.to_owned()));
        match s.idempotent.get(key) {
            Some((f, answer)) if *f == fingerprint => return Json(answer.clone()).into_response(),
            Some(_) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "idempotency_error",
                    "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                )
                .into_response();
            }
            None => {}
        }
    }
    match create(s, &form(body)) {
        Ok(answer) => {
            if let Some(key) = key {
                s.idempotent.insert(key.to_owned(), (fingerprint, answer.clone()));
            }
            Json(answer).into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn create_customer(State(fakes): State<Fakes>, headers: HeaderMap, body: Bytes) -> Response {
    idempotent(&fakes, "/v1/customers", &headers, &body, |s, f| {
        let customer = json!({
            "id": id("cus"),
            "object": "customer",
            "created": now(),
            "livemode": false,
            "email": f.get("email"),
            "name": f.get("name"),
            "metadata": map_of(f, "metadata"),
        });
        s.customers
            .insert(customer["id"].as_str().unwrap_or_default().to_owned(), customer.clone());
        Ok(customer)
    })
}

async fn create_session(State(fakes): State<Fakes>, headers: HeaderMap, body: Bytes) -> Response {
    let base = fakes.url().to_owned();
    idempotent(&fakes, "/v1/checkout/sessions", &headers, &body, |s, f| {
        let get = |k: &str| f.get(k).cloned();
        let (Some(mode), Some(price), Some(success), Some(cancel)) = (
            get("mode"),
            get("line_items[0][price]"),
            get("success_url"),
            get("cancel_url"),
        ) else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                "Missing required param.",
            ));
        };
        if !["payment", "subscription"].contains(&mode.as_str()) {
            return Err(error(StatusCode::BAD_REQUEST, "invalid_request_error", "Invalid mode."));
        }
        if let Some(c) = get("customer")
            && !s.customers.contains_key(&c)
        {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                &format!("No such customer: '{c}'"),
            ));
        }
        let session_id = id("cs_test");
        let created = now();
        let session = json!({
            "id": session_id,
            "object": "checkout.session",
            "created": created,
            "expires_at": created + 24 * 3600,
            "livemode": false,
            "mode": mode,
            "status": "open",
            "payment_status": "unpaid",
            "url": format!("{base}/stripe/pay/{session_id}"),
            "customer": get("customer"),
            "client_reference_id": get("client_reference_id"),
            "metadata": map_of(f, "metadata"),
            "success_url": success,
            "cancel_url": cancel,
            "subscription": null,
            "currency": "usd",
            "amount_total": 900,
            "payment_method_types": ["card"],
            "custom_fields": [],
            "custom_text": {},
            "shipping_options": [],
            "automatic_tax": { "enabled": false },
            // Kept for completing the session; Stripe has them as line items.
            "_price": price,
            "_subscription_metadata": map_of(f, "subscription_data[metadata]"),
        });
        s.sessions.insert(session_id, session.clone());
        Ok(public(&session))
    })
}

/// A stored session without the fake's private fields.
fn public(session: &Value) -> Value {
    let mut s = session.clone();
    if let Some(o) = s.as_object_mut() {
        o.retain(|k, _| !k.starts_with('_'));
    }
    s
}

async fn retrieve_session(State(fakes): State<Fakes>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(e) = authorized(&headers) {
        return e.into_response();
    }
    match fakes.lock().stripe.sessions.get(&id) {
        Some(s) => Json(public(s)).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            &format!("No such checkout.session: '{id}'"),
        )
        .into_response(),
    }
}

async fn retrieve_subscription(State(fakes): State<Fakes>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(e) = authorized(&headers) {
        return e.into_response();
    }
    match fakes.lock().stripe.subscriptions.get(&id) {
        Some(s) => Json(s.clone()).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            &format!("No such subscription: '{id}'"),
        )
        .into_response(),
    }
}

/// `DELETE /v1/subscriptions/{id}`: cancels at once.
async fn cancel_subscription(
    State(fakes): State<Fakes>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if fakes.lock().stripe.fail_cancels {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "api_error",
            "An unknown error occurred",
        )
        .into_response();
    }
    let path = format!("/v1/subscriptions/{id}");
    idempotent(&fakes, &path, &headers, &body, |s, _| {
        let Some(sub) = s.subscriptions.get_mut(&id) else {
            return Err(error(
                StatusCode::NOT_FOUND,
                "invalid_request_error",
                &format!("No such subscription: '{id}'"),
            ));
        };
        let now = now();
        sub["status"] = json!("canceled");
        sub["canceled_at"] = json!(now);
        sub["ended_at"] = json!(now);
        Ok(sub.clone())
    })
}

async fn create_portal(State(fakes): State<Fakes>, headers: HeaderMap, body: Bytes) -> Response {
    let base = fakes.url().to_owned();
    idempotent(&fakes, "/v1/billing_portal/sessions", &headers, &body, |s, f| {
        let Some(customer) = f.get("customer").cloned() else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                "Missing required param: customer.",
            ));
        };
        if !s.customers.contains_key(&customer) {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                &format!("No such customer: '{customer}'"),
            ));
        }
        Ok(json!({
            "id": id("bps"),
            "object": "billing_portal.session",
            "configuration": "bpc_fake",
            "created": now(),
            "customer": customer,
            "livemode": false,
            "return_url": f.get("return_url"),
            "url": format!("{base}/stripe/portal/{customer}"),
        }))
    })
}

/// The hosted checkout page: what is bought, Pay and Cancel.
async fn checkout_page(State(fakes): State<Fakes>, Path(id): Path<String>) -> Response {
    let Some(session) = fakes.lock().stripe.sessions.get(&id).cloned() else {
        return (StatusCode::NOT_FOUND, Html("No such session")).into_response();
    };
    if session["status"] != "open" {
        return Html("<!DOCTYPE html><title>Fake Stripe Checkout</title><p>This session is complete.</p>")
            .into_response();
    }
    let cancel = session["cancel_url"].as_str().unwrap_or("/");
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"><title>Fake Stripe Checkout</title></head>\
         <body><h1>Fake Stripe Checkout</h1><p>Price {price} ({mode})</p>\
         <form method=\"post\"><button>Pay</button></form><p><a href=\"{cancel}\">Cancel</a></p></body></html>",
        price = html::escape(session["_price"].as_str().unwrap_or_default()),
        mode = html::escape(session["mode"].as_str().unwrap_or_default()),
        cancel = html::escape(cancel),
    ))
    .into_response()
}

async fn portal_page(Path(customer): Path<String>) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"><title>Fake Stripe billing portal</title></head><body><h1>Billing portal</h1><p>Customer {}</p></body></html>",
        html::escape(&customer)
    ))
}

/// Pays: completes the session, answers with the redirect to the success
/// URL, then (a moment later, as Stripe does) delivers the webhooks.
async fn pay(State(fakes): State<Fakes>, Path(id): Path<String>) -> Response {
    match fakes.complete_checkout(&id) {
        Some((success, events)) => {
            let f = fakes.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(1500)).await;
                for event in events {
                    f.deliver(&event).await;
                }
            });
            Redirect::to(&success).into_response()
        }
        None => (StatusCode::NOT_FOUND, Html("No such open session")).into_response(),
    }
}

#[derive(serde::Deserialize)]
struct WebhookTarget {
    url: String,
    #[serde(default)]
    period_secs: Option<i64>,
}

/// `POST /_fake/stripe/webhook {"url": …, "period_secs": …}`.
async fn set_webhook(State(fakes): State<Fakes>, Json(t): Json<WebhookTarget>) -> &'static str {
    fakes.stripe_webhook_to(&t.url, t.period_secs);
    "ok"
}

/// `GET /_fake/stripe/keys`: every (path, idempotency key) received.
async fn keys(State(fakes): State<Fakes>) -> Json<Vec<(String, String)>> {
    Json(fakes.stripe_idempotency_keys())
}

/// The `Stripe-Signature` header Stripe sends for `payload` at `t`:
/// HMAC-SHA256 over `"{t}.{payload}"` with the endpoint secret.
pub fn sign(payload: &[u8], secret: &str, t: i64) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{t}.").as_bytes());
    mac.update(payload);
    let sig: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t},v1={sig}")
}

/// An event envelope as Stripe sends it.
pub fn event(kind: &str, object: Value, created: i64) -> Value {
    json!({
        "id": id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": created,
        "livemode": false,
        "pending_webhooks": 1,
        "request": { "id": null, "idempotency_key": null },
        "type": kind,
        "data": { "object": object },
    })
}

/// A subscription object (API 2025-03-31 and later: the period is on its items).
pub fn subscription(
    id: &str,
    customer: &str,
    status: &str,
    period_start: i64,
    period_end: i64,
    cancel_at_period_end: bool,
) -> Value {
    json!({
        "id": id,
        "object": "subscription",
        "automatic_tax": { "enabled": false },
        "billing_cycle_anchor": period_start,
        "billing_mode": { "type": "classic" },
        "billing_schedules": [],
        "cancel_at_period_end": cancel_at_period_end,
        "canceled_at": if status == "canceled" { Value::from(period_end) } else { Value::Null },
        "ended_at": if status == "canceled" { Value::from(period_end) } else { Value::Null },
        "collection_method": "charge_automatically",
        "created": period_start,
        "currency": "usd",
        "customer": customer,
        "discounts": [],
        "invoice_settings": { "issuer": { "type": "self" } },
        "livemode": false,
        "metadata": {},
        "start_date": period_start,
        "status": status,
        "items": {
            "object": "list",
            "has_more": false,
            "url": format!("/v1/subscription_items?subscription={id}"),
            "data": [{
                "id": format!("si_{id}"),
                "object": "subscription_item",
                "created": period_start,
                "current_period_start": period_start,
                "current_period_end": period_end,
                "discounts": [],
                "metadata": {},
                "subscription": id,
                "plan": { "id": "price_fake_monthly", "object": "plan", "active": true, "billing_scheme": "per_unit",
                          "created": period_start, "currency": "usd", "interval": "month", "interval_count": 1,
                          "livemode": false, "metadata": {}, "product": "prod_fake", "usage_type": "licensed" },
                "price": { "id": "price_fake_monthly", "object": "price", "active": true, "billing_scheme": "per_unit",
                           "created": period_start, "currency": "usd", "livemode": false, "metadata": {},
                           "product": "prod_fake", "type": "recurring" },
            }],
        },
    })
}

/// A paid (or failed) subscription invoice for one period.
pub fn invoice(subscription: &str, customer: &str, paid: bool, period_start: i64, period_end: i64) -> Value {
    json!({
        "id": id("in"),
        "object": "invoice",
        "customer": customer,
        "status": if paid { "paid" } else { "open" },
        "paid": paid,
        "amount_paid": if paid { 900 } else { 0 },
        "currency": "usd",
        "parent": {
            "type": "subscription_details",
            "subscription_details": { "subscription": subscription, "metadata": {} },
        },
        "lines": {
            "object": "list",
            "has_more": false,
            "url": "/v1/invoices/lines",
            "data": [{
                "id": id("il"),
                "object": "line_item",
                "period": { "start": period_start, "end": period_end },
                "pricing": {
                    "type": "price_details",
                    "price_details": { "price": "price_fake_monthly", "product": "prod_fake" },
                    "unit_amount_decimal": "900",
                },
            }],
        },
    })
}

/// A charge of `amount` (cents) made by `payment_intent`, of which
/// `refunded` has been refunded (as `charge.refunded` carries it).
pub fn charge(payment_intent: &str, customer: &str, amount: i64, refunded: i64) -> Value {
    json!({
        "id": id("ch"),
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": refunded,
        "captured": true,
        "currency": "usd",
        "customer": customer,
        "disputed": false,
        "livemode": false,
        "paid": true,
        "payment_intent": payment_intent,
        "refunded": refunded >= amount,
        "status": "succeeded",
        "created": now(),
    })
}

/// A dispute (charge-back) of `payment_intent`'s charge, in `status`
/// (`needs_response`, `under_review`, `won`, `lost`, `warning_needs_response`…).
pub fn dispute(id_: &str, payment_intent: &str, status: &str) -> Value {
    json!({
        "id": id_,
        "object": "dispute",
        "amount": 500,
        "charge": id("ch"),
        "currency": "usd",
        "is_charge_refundable": false,
        "livemode": false,
        "payment_intent": payment_intent,
        "reason": "fraudulent",
        "status": status,
        "created": now(),
    })
}

impl Fakes {
    /// Webhooks go to `url`; subscriptions bill every `period_secs` (default 30 days).
    pub fn stripe_webhook_to(&self, url: &str, period_secs: Option<i64>) {
        let mut s = self.lock();
        s.stripe.webhook_url = Some(url.to_owned());
        s.stripe.period_secs = period_secs;
    }

    /// Makes cancelling a subscription fail (or work again).
    pub fn stripe_fail_cancels(&self, fail: bool) {
        self.lock().stripe.fail_cancels = fail;
    }

    /// A subscription as the fake holds it.
    pub fn stripe_subscription(&self, id: &str) -> Option<Value> {
        self.lock().stripe.subscriptions.get(id).cloned()
    }

    /// Every (path, idempotency key) the fake received, in order.
    pub fn stripe_idempotency_keys(&self) -> Vec<(String, String)> {
        self.lock().stripe.keys.clone()
    }

    /// How many Checkout Sessions and customers exist.
    pub fn stripe_counts(&self) -> (usize, usize) {
        let s = self.lock();
        (s.stripe.sessions.len(), s.stripe.customers.len())
    }

    /// A session as stored (with the fake's private `_` fields).
    pub fn stripe_session(&self, id: &str) -> Option<Value> {
        self.lock().stripe.sessions.get(id).cloned()
    }

    /// Status codes of the webhook deliveries so far.
    pub fn stripe_deliveries(&self) -> Vec<u16> {
        self.lock().stripe.deliveries.clone()
    }

    /// Completes an open session as if the customer paid by card: returns
    /// the success URL and the events Stripe would send.
    pub fn complete_checkout(&self, session_id: &str) -> Option<(String, Vec<Value>)> {
        let mut s = self.lock();
        let now = now();
        let period = s.stripe.period_secs.unwrap_or(30 * 86_400);
        let session = s.stripe.sessions.get_mut(session_id)?;
        if session["status"] != "open" {
            return None;
        }
        session["status"] = json!("complete");
        session["payment_status"] = json!("paid");
        let customer = session["customer"].as_str().unwrap_or_default().to_owned();
        let mut events = Vec::new();
        let mut subscription_object = None;
        if session["mode"] == "subscription" {
            let sub_id = id("sub");
            session["subscription"] = json!(sub_id);
            let mut sub = subscription(&sub_id, &customer, "active", now, now + period, false);
            sub["metadata"] = session["_subscription_metadata"].clone();
            let mut inv = invoice(&sub_id, &customer, true, now, now + period);
            inv["parent"]["subscription_details"]["metadata"] = session["_subscription_metadata"].clone();
            events.push(event("checkout.session.completed", public(session), now));
            events.push(event("customer.subscription.created", sub.clone(), now));
            events.push(event("invoice.paid", inv, now));
            subscription_object = Some((sub_id, sub));
        } else {
            session["payment_intent"] = json!(id("pi"));
            events.push(event("checkout.session.completed", public(session), now));
        }
        let success = session["success_url"]
            .as_str()
            .unwrap_or("/")
            .replace("{CHECKOUT_SESSION_ID}", session_id);
        if let Some((id, sub)) = subscription_object {
            s.stripe.subscriptions.insert(id, sub);
        }
        Some((success, events))
    }

    /// Signs `event` with the fake's webhook secret and POSTs it to the
    /// configured endpoint; returns the status (0: nowhere to send).
    pub async fn deliver(&self, event: &Value) -> u16 {
        let Some(url) = self.lock().stripe.webhook_url.clone() else {
            return 0;
        };
        let body = serde_json::to_vec(event).unwrap_or_default();
        let status = reqwest::Client::new()
            .post(&url)
            .header("content-type", "application/json; charset=utf-8")
            .header("stripe-signature", sign(&body, WEBHOOK_SECRET, now()))
            .header("user-agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
            .body(body)
            .send()
            .await
            .map_or(0, |r| r.status().as_u16());
        self.lock().stripe.deliveries.push(status);
        status
    }
}
