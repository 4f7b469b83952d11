//! Stripe webhooks at a steady rate: acknowledgement latency, failures and memory.

use super::rss_mb;
use crate::server::{Running, Staged};
use crate::util::{self, step};
use anyhow::Context;

const BENCH_WEBHOOK_SECRET: &str = "whsec_app_bench";

/// Stripe's `Stripe-Signature` for `body` at `t`.
fn stripe_signature(body: &[u8], t: u64) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(BENCH_WEBHOOK_SECRET.as_bytes()).expect("any key length");
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t},v1={hex}")
}

/// The `n`th event of the load: checkout completions, paid invoices and
/// subscription updates for a real user, every tenth one a redelivery.
fn bench_event(n: usize, user: &str, now: u64) -> serde_json::Value {
    let n = if n % 10 == 9 { n - 1 } else { n };
    let sub = format!("sub_bench_{}", n / 3);
    let meta = serde_json::json!({ "user_id": user, "offer": "monthly" });
    let (kind, object) = match n % 3 {
        0 => (
            "checkout.session.completed",
            serde_json::json!({ "id": format!("cs_bench_{n}"), "object": "checkout.session", "mode": "subscription",
                "status": "complete", "payment_status": "paid", "customer": "cus_bench", "subscription": sub,
                "client_reference_id": user, "metadata": meta, "created": now, "expires_at": now + 86_400 }),
        ),
        1 => (
            "invoice.paid",
            serde_json::json!({ "id": format!("in_bench_{n}"), "object": "invoice", "customer": "cus_bench",
                "parent": { "type": "subscription_details", "subscription_details": { "subscription": sub, "metadata": meta } },
                "lines": { "object": "list", "data": [{ "period": { "start": now, "end": now + 30 * 86_400 } }] } }),
        ),
        _ => (
            "customer.subscription.updated",
            serde_json::json!({ "id": sub, "object": "subscription", "customer": "cus_bench", "status": "active",
                "cancel_at_period_end": false, "metadata": meta,
                "items": { "object": "list", "data": [{ "current_period_end": now + 30 * 86_400 }] } }),
        ),
    };
    serde_json::json!({ "id": format!("evt_bench_{n}"), "object": "event", "created": now + n as u64 / 50,
        "type": kind, "data": { "object": object } })
}

/// Stripe webhooks at a steady 50 events/s for 20 s (every tenth a
/// redelivery): acknowledgement latency measured from each event's
/// scheduled send time, so a slow answer delays nothing unnoticed.
pub(super) fn measure(staged: &Staged) -> anyhow::Result<Vec<String>> {
    step("load: Stripe webhooks, 50 events/s for 20 s, signed, 10% redeliveries");
    let server = Running::start(
        staged,
        &[
            ("STRIPE_SECRET_KEY", "sk_test_bench"),
            ("STRIPE_WEBHOOK_SECRET", BENCH_WEBHOOK_SECRET),
            ("STRIPE_OFFERS", "monthly:price_bench:month:9 USD"),
            // Webhooks never call Stripe; nothing listens here.
            ("STRIPE_API_BASE", "http://127.0.0.1:9/"),
        ],
    )?;
    let port = server.port;
    let form = "display_name=Bench&email=payer%40app.test&password=a+long+benchmark+passphrase";
    let (status, head, body) = util::http_post(
        port,
        "/api/auth/register",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "application/json"),
            ("Sec-Fetch-Site", "same-origin"),
        ],
        form.as_bytes(),
    )?;
    anyhow::ensure!(status == 200, "registering the bench payer: {status} {body}");
    let cookie = head
        .lines()
        .filter_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .filter_map(|c| c.split(';').next())
        .collect::<Vec<_>>()
        .join("; ");
    let (_, _, viewer) = util::http_post(
        port,
        "/api/session/viewer",
        &[
            ("Accept", "application/json"),
            ("Sec-Fetch-Site", "same-origin"),
            ("Cookie", &cookie),
        ],
        b"",
    )?;
    let viewer: serde_json::Value = serde_json::from_str(&viewer).context("the viewer")?;
    let user = viewer["id"].as_str().context("the payer's id")?.to_owned();

    const RATE: usize = 50;
    const SECS: usize = 20;
    let total = RATE * SECS;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let start = std::time::Instant::now() + std::time::Duration::from_millis(100);
    let workers = 8;
    let results: Vec<(std::time::Duration, u16)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let user = user.clone();
                scope.spawn(move || {
                    let mut out = Vec::new();
                    for n in (w..total).step_by(workers) {
                        let due = start + std::time::Duration::from_micros((n * 1_000_000 / RATE) as u64);
                        if let Some(wait) = due.checked_duration_since(std::time::Instant::now()) {
                            std::thread::sleep(wait);
                        }
                        let body = serde_json::to_vec(&bench_event(n, &user, now)).unwrap_or_default();
                        let t = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map_or(0, |d| d.as_secs());
                        let signature = stripe_signature(&body, t);
                        let status = util::http_post(
                            port,
                            "/webhooks/stripe",
                            &[("Content-Type", "application/json"), ("Stripe-Signature", &signature)],
                            &body,
                        )
                        .map_or(0, |(s, _, _)| s);
                        out.push((due.elapsed(), status));
                    }
                    out
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    let rss = rss_mb(&server)?;
    server.stop()?;
    let failed = results.iter().filter(|(_, s)| *s != 200).count();
    let mut latencies: Vec<_> = results.iter().map(|(d, _)| *d).collect();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Ok(vec![format!(
        "Stripe webhooks  {total} at {RATE}/s: ack p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {failed} not 200 (RSS after {rss:.1} MB)",
        at(0.50).as_secs_f64() * 1000.0,
        at(0.99).as_secs_f64() * 1000.0,
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
    )])
}
