//! `cargo xtask bench`: release builds, then sizes, start-up, memory and
//! throughput of the landing page. Prints numbers; asserts nothing about speed.

use crate::build::{self, BuildOptions, brotli_bytes, gzip_bytes};
use crate::features::FeatureArgs;
use crate::server::{Running, Staged};
use crate::tools;
use crate::util::{self, step};
use anyhow::Context;
use std::process::Command;

/// One wrk run's numbers.
struct Load {
    rps: String,
    p50: String,
    p99: String,
    non2xx: String,
}

/// Runs wrk with a Lua script for 15 s at `connections`.
fn wrk_run(wrk: &std::path::Path, url: &str, script: &std::path::Path, connections: u32) -> anyhow::Result<Load> {
    let out = util::output(
        Command::new(wrk)
            .args(["-t2", &format!("-c{connections}"), "-d15s", "--latency", "-s"])
            .arg(script)
            .arg(url),
    )?;
    println!("{out}");
    let field = |prefix: &str| {
        out.lines()
            .find_map(|l| l.trim().strip_prefix(prefix))
            .map(|v| v.trim().to_owned())
            .with_context(|| format!("wrk printed no `{prefix}`"))
    };
    Ok(Load {
        rps: field("Requests/sec:")?,
        p50: field("50%")?,
        p99: field("99%")?,
        non2xx: out
            .lines()
            .find(|l| l.contains("Non-2xx"))
            .map(|l| l.trim().to_owned())
            .unwrap_or_else(|| "all responses 2xx".to_owned()),
    })
}

/// A wrk script that POSTs a sign-in form like the sign-in page does.
fn sign_in_script(
    dir: &std::path::Path,
    name: &str,
    email: &str,
    password: &str,
) -> anyhow::Result<std::path::PathBuf> {
    let path = dir.join(format!("{name}.lua"));
    std::fs::write(
        &path,
        format!(
            "wrk.method = \"POST\"\n\
             wrk.body = \"email={}&password={}\"\n\
             wrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n\
             wrk.headers[\"Accept\"] = \"application/json\"\n\
             wrk.headers[\"Sec-Fetch-Site\"] = \"same-origin\"\n",
            email.replace('@', "%40"),
            password.replace(' ', "+")
        ),
    )?;
    Ok(path)
}

/// Sign-ins per second with argon2id (m=19456 KiB, t=2, p=1) and their
/// latency; then refused sign-ins for a known and an unknown email, whose
/// latencies should match (no account enumeration by timing).
fn sign_in_load(staged: &Staged, wrk: &std::path::Path) -> anyhow::Result<Vec<String>> {
    step("load: sign-ins with argon2id, wrk 2 threads, 8 connections, 15 s each");
    // The limits would (rightly) stop a load test from one IP.
    let server = Running::start(
        staged,
        &[
            ("RATE_LIMIT_SIGN_IN_PER_IP", "100000000/1m"),
            ("RATE_LIMIT_FAILED_SIGN_INS", "100000000/1m"),
        ],
    )?;
    let email = "bench@keel.test";
    let password = "a long benchmark passphrase";
    let (status, body) = util::http_post_form(
        server.port,
        "/api/auth/register",
        &format!(
            "display_name=Bench&email=bench%40keel.test&password={}",
            password.replace(' ', "+")
        ),
    )?;
    anyhow::ensure!(status == 200, "registering the bench account: {status} {body}");
    let dir = std::env::temp_dir().join(format!("keel-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("http://127.0.0.1:{}/api/auth/sign-in", server.port);
    let ok = wrk_run(wrk, &url, &sign_in_script(&dir, "ok", email, password)?, 8)?;
    let known = wrk_run(wrk, &url, &sign_in_script(&dir, "known", email, "a wrong password")?, 8)?;
    let unknown = wrk_run(
        wrk,
        &url,
        &sign_in_script(&dir, "unknown", "nobody@keel.test", "a wrong password")?,
        8,
    )?;
    let rss = server.rss_kib()? as f64 / 1024.0;
    server.stop()?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(vec![
        format!(
            "sign-ins         {} per second, p50 {}, p99 {} at 8 connections ({}; RSS after {rss:.1} MB)",
            ok.rps, ok.p50, ok.p99, ok.non2xx
        ),
        format!(
            "refused sign-in  known email p50 {} p99 {}, unknown email p50 {} p99 {} (same work either way)",
            known.p50, known.p99, unknown.p50, unknown.p99
        ),
    ])
}

pub fn run() -> anyhow::Result<()> {
    let wrk = tools::wrk()?;
    let minimal = build::build(&BuildOptions {
        release: true,
        features: FeatureArgs::minimal(),
    })?;
    let minimal = Staged::from_build(&minimal, "bench-minimal")?;
    let default_out = build::build(&BuildOptions {
        release: true,
        features: FeatureArgs::default(),
    })?;
    let default = Staged::from_build(&default_out, "bench-default")?;

    let mut report = vec!["\nKeel benchmark (release builds)".to_owned()];
    for staged in [&minimal, &default] {
        let wasm = std::fs::read(&staged.wasm)?;
        report.push(format!(
            "WASM {:<8} raw {:>8} B   gzip {:>8} B   brotli {:>8} B",
            staged.label.trim_start_matches("bench-"),
            wasm.len(),
            gzip_bytes(&wasm)?.len(),
            brotli_bytes(&wasm)?.len()
        ));
    }
    let css = std::fs::read(&default_out.css)?;
    report.push(format!(
        "CSS              raw {:>8} B   gzip {:>8} B   brotli {:>8} B",
        css.len(),
        gzip_bytes(&css)?.len(),
        brotli_bytes(&css)?.len()
    ));
    report.push(format!(
        "server binary    {:>8} B",
        std::fs::metadata(&default.server)?.len()
    ));

    // Start-to-ready: median of five cold starts (fresh SQLite each time, migrations included).
    let mut startups = Vec::new();
    for _ in 0..5 {
        let server = Running::start(&default, &[])?;
        startups.push(server.startup);
        server.stop()?;
    }
    startups.sort();
    report.push(format!(
        "start to ready   {:>8.1} ms (median of 5; first /readyz 200)",
        startups[2].as_secs_f64() * 1000.0
    ));

    let server = Running::start(&default, &[])?;
    std::thread::sleep(std::time::Duration::from_millis(500));
    report.push(format!(
        "idle RSS         {:>8.1} MB",
        server.rss_kib()? as f64 / 1024.0
    ));

    step("load: wrk, 2 threads, 64 connections, 15 s on GET /");
    let url = format!("http://127.0.0.1:{}/", server.port);
    util::output(Command::new(&wrk).args(["-t2", "-c64", "-d3s"]).arg(&url))?; // warm-up
    let out = util::output(Command::new(&wrk).args(["-t2", "-c64", "-d15s", "--latency"]).arg(&url))?;
    println!("{out}");
    let rps = out
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .map(str::trim)
        .context("wrk printed no Requests/sec")?;
    let p99 = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .map(str::trim)
        .context("wrk printed no 99% latency")?;
    let non2xx = out
        .lines()
        .find(|l| l.contains("Non-2xx"))
        .map(str::trim)
        .unwrap_or("all responses 2xx");
    report.push(format!(
        "landing page     {rps} requests/s, p99 {p99} at 64 connections ({non2xx})"
    ));
    report.push(format!(
        "RSS under load   {:>8.1} MB (right after the run)",
        server.rss_kib()? as f64 / 1024.0
    ));
    server.stop()?;

    report.extend(sign_in_load(&default, &wrk)?);
    report.extend(webhook_load(&default)?);

    for line in report {
        println!("{line}");
    }
    Ok(())
}

const BENCH_WEBHOOK_SECRET: &str = "whsec_keel_bench";

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
fn webhook_load(staged: &Staged) -> anyhow::Result<Vec<String>> {
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
    let form = "display_name=Bench&email=payer%40keel.test&password=a+long+benchmark+passphrase";
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
    let rss = server.rss_kib()? as f64 / 1024.0;
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
