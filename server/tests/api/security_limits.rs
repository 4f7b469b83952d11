//! Attacks on capacity: floods of password checks, password guessing
//! through "delete account", one IPv6 subscriber posing as millions of
//! clients, chat spend without limit, slow clients holding connections,
//! and more requests than the server can take at once.

#[cfg(feature = "chat")]
use crate::helpers::Browser;
use crate::helpers::{Backend, PASSWORD, TestApp, expect_json, unique_email};
use crate::support::{registered_and_verified, sign_in};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn a_flood_of_password_checks_is_refused_with_503_instead_of_queued() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[
            ("PASSWORD_HASH_CONCURRENCY", "1"),
            ("PASSWORD_HASH_QUEUE", "1"),
            ("RATE_LIMIT_SIGN_IN_PER_IP", "1000/1m"),
        ],
    )
    .await
    .unwrap();
    let attempts = futures::future::join_all((0..24).map(|i| {
        let b = app.browser();
        async move { sign_in(&b, &format!("nobody{i}@example.com"), "some guess or other").await }
    }))
    .await;
    let busy: Vec<_> = attempts.iter().filter(|r| r.status() == 503).collect();
    assert!(!busy.is_empty(), "the queue is bounded: some were refused at once");
    for r in &busy {
        assert_eq!(r.headers()["retry-after"], "1");
    }
    assert!(attempts.iter().all(|r| matches!(r.status().as_u16(), 401 | 503)));
}

#[tokio::test]
async fn guessing_the_password_through_delete_account_is_rate_limited() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let email = unique_email("guessed");
    let b = app.browser();
    registered_and_verified(&app, &b, &email).await;
    let mut statuses = Vec::new();
    for i in 0..12 {
        let r = b
            .call("/api/account/delete", &[("confirm", &format!("guess {i}"))])
            .await;
        statuses.push(r.status().as_u16());
    }
    assert_eq!(&statuses[..10], &[400; 10]);
    assert_eq!(&statuses[10..], &[429, 429], "{statuses:?}");
    // The right password too, now: the limit is the account's.
    assert_eq!(
        b.call("/api/account/delete", &[("confirm", PASSWORD)]).await.status(),
        429
    );
}

#[tokio::test]
async fn sign_ups_from_one_ipv6_network_share_one_limit() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[("TRUSTED_PROXIES", "127.0.0.1"), ("RATE_LIMIT_SIGN_UP_PER_IP", "3/1h")],
    )
    .await
    .unwrap();
    let from = |ip: &str| {
        let b = app.browser();
        let ip = ip.to_owned();
        async move {
            b.call_with(
                "/api/auth/register",
                &[
                    ("display_name", "Mallory"),
                    ("email", &unique_email("v6")),
                    ("password", PASSWORD),
                ],
                &[("sec-fetch-site", "same-origin"), ("x-forwarded-for", &ip)],
            )
            .await
            .status()
            .as_u16()
        }
    };
    let mut statuses = Vec::new();
    for n in 1..=5 {
        statuses.push(from(&format!("2001:db8:1:2::{n:x}")).await);
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429], "one /64 is one client");
    assert_eq!(from("2001:db8:1:3::1").await, 200, "the next /64 is another");
    // An IPv4 client written as IPv4-mapped IPv6 is that IPv4 client.
    for _ in 0..3 {
        assert_eq!(from("198.51.100.7").await, 200);
    }
    assert_eq!(from("::ffff:198.51.100.7").await, 429);
}

/// A member of the chat.
#[cfg(feature = "chat")]
async fn member(app: &TestApp) -> Browser {
    let b = app.browser();
    let email = unique_email("chat");
    registered_and_verified(app, &b, &email).await;
    crate::support::make_admin(app, &email).await;
    b
}

#[cfg(feature = "chat")]
#[tokio::test]
async fn a_third_reply_at_once_is_refused_and_replies_per_minute_are_capped() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[
            ("CHAT_MAX_CONCURRENT_REPLIES", "2"),
            ("RATE_LIMIT_CHAT_REPLIES", "4/1m"),
            ("CHAT_DEMO_WORDS_PER_SECOND", "5"),
        ],
    )
    .await
    .unwrap();
    let b = member(&app).await;
    let ask = |text: &str| serde_json::json!({ "text": text, "model": "demo" });
    // Two long replies stream (their responses are open)...
    let first = b.post_json("/api/chat/reply", &ask("one")).await;
    let second = b.post_json("/api/chat/reply", &ask("two")).await;
    assert_eq!((first.status().as_u16(), second.status().as_u16()), (200, 200));
    // ...so a third is refused, and nothing is written for it.
    let third = b.post_json("/api/chat/reply", &ask("three")).await;
    assert_eq!(
        expect_json(third, 429).await,
        serde_json::json!({ "TooManyReplies": { "limit": 2 } })
    );
    drop((first, second));
    // The slots free as the replies end (stopped by the client leaving).
    let mut accepted = 0;
    for _ in 0..100 {
        let r = b.post_json("/api/chat/reply", &ask("again")).await;
        if r.status() == 200 {
            accepted += 1;
            continue;
        }
        let body = expect_json(r, 429).await;
        if body.get("RateLimited").is_some() {
            assert_eq!(accepted, 2, "four replies a minute, then the cap");
            return;
        }
        // Both slots still taken: their replies are ending.
        assert!(body.get("TooManyReplies").is_some(), "{body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("neither the slots freed nor the per-minute cap answered");
}

#[cfg(feature = "chat")]
#[tokio::test]
async fn the_history_sent_upstream_fits_the_models_context_window() {
    let models = "small-gpt|openai|600|Small GPT";
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[
            ("CHAT_MODELS", models),
            ("CHAT_PRICES", "small-gpt|in=1|out=1|quota"),
            ("CHAT_MAX_OUTPUT_TOKENS", "200"),
        ],
    )
    .await
    .unwrap();
    let b = member(&app).await;
    let long = "word ".repeat(120);
    let mut conversation: Option<String> = None;
    let mut trimmed = Vec::new();
    for i in 0..6 {
        let mut body = serde_json::json!({ "text": format!("{i}: {long}"), "model": "small-gpt" });
        if let Some(c) = &conversation {
            body["conversation_id"] = serde_json::json!(c);
        }
        let r = b.post_json("/api/chat/reply", &body).await;
        assert_eq!(r.status(), 200);
        let text = r.text().await.unwrap();
        let start = text
            .lines()
            .skip_while(|l| *l != "event: start")
            .nth(1)
            .and_then(|l| l.strip_prefix("data: "))
            .unwrap();
        let start: serde_json::Value = serde_json::from_str(start).unwrap();
        conversation = Some(start["conversation_id"].as_str().unwrap().to_owned());
        trimmed.push(start["trimmed"].as_u64().unwrap());
    }
    let sent = app.fakes.last_llm_request().unwrap();
    let messages = sent["messages"].as_array().unwrap();
    let bytes: usize = messages.iter().map(|m| m["content"].as_str().unwrap().len()).sum();
    assert!(bytes / 3 <= 600, "what was sent fits the window: {bytes} bytes");
    assert!(
        messages.last().unwrap()["content"].as_str().unwrap().starts_with("5: "),
        "the newest turn is sent"
    );
    assert_eq!(messages.first().unwrap()["role"], "user");
    assert_eq!(trimmed[0], 0);
    assert!(
        *trimmed.last().unwrap() > 0,
        "the client is told older turns were left out: {trimmed:?}"
    );
}

#[tokio::test]
async fn headers_sent_slowly_are_cut_off() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("HTTP_HEADER_READ_TIMEOUT", "1s")])
        .await
        .unwrap();
    let mut tcp = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    // Never finish the headers: the server must close the connection.
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), tcp.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the connection was still open after 20 s");
}

/// A request whose body never finishes arriving: holds a slot until cut.
async fn stalled_post(app: &TestApp) -> tokio::net::TcpStream {
    let mut tcp = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    tcp.write_all(
        b"POST /api/auth/sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
          Sec-Fetch-Site: same-origin\r\nContent-Length: 100\r\n\r\nemail=a",
    )
    .await
    .unwrap();
    tcp
}

#[tokio::test]
async fn a_request_whose_body_never_arrives_ends_in_408() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("HTTP_REQUEST_TIMEOUT", "1s")])
        .await
        .unwrap();
    let mut tcp = stalled_post(&app).await;
    let mut head = [0u8; 12];
    tokio::time::timeout(Duration::from_secs(20), tcp.read_exact(&mut head))
        .await
        .expect("an answer before 20 s")
        .unwrap();
    assert_eq!(&head, b"HTTP/1.1 408");
}

#[tokio::test]
async fn past_the_concurrency_limit_requests_get_503_with_retry_after() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("HTTP_MAX_CONCURRENT_REQUESTS", "1")])
        .await
        .unwrap();
    let _holding = stalled_post(&app).await;
    // Give the stalled request time to take the only slot.
    let mut shed = None;
    for _ in 0..50 {
        let r = app.get("/readyz").await;
        if r.status() == 503 && r.headers().contains_key("retry-after") {
            shed = Some(r);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let shed = shed.expect("a request past the limit is refused at once");
    assert_eq!(shed.headers()["retry-after"], "1");
    assert_eq!(
        expect_json(shed, 503).await,
        serde_json::json!({ "Busy": { "retry_after_secs": 1 } })
    );
    assert_eq!(app.get("/healthz").await.status(), 200, "liveness is never shed");
}

/// Failed sign-ins from one client, alternating between instances `a` and
/// `b` (each with a different unknown email, so only the per-IP limit counts).
async fn alternating_sign_ins(a: &TestApp, b: &TestApp, tries: usize) -> Vec<u16> {
    let mut statuses = Vec::new();
    for i in 0..tries {
        let app = if i % 2 == 0 { a } else { b };
        let r = sign_in(&app.browser(), &unique_email("nobody"), "some guess or other").await;
        statuses.push(r.status().as_u16());
    }
    statuses
}

/// Two instances on one database (`RATE_LIMIT_STORE=database`) spend one
/// budget: a client cannot double its attempts by reaching both.
async fn instances_on_one_database_share_one_budget(a: TestApp) {
    let shared = [
        ("RATE_LIMIT_STORE", "database"),
        ("RATE_LIMIT_SIGN_IN_PER_IP", "4/1m"),
        ("DATABASE_URL", a.database_url.as_str()),
    ];
    let b = TestApp::spawn_with(a.backend, &shared).await.unwrap();
    assert_eq!(
        alternating_sign_ins(&a, &b, 7).await,
        [401, 401, 401, 401, 429, 429, 429],
        "four attempts in all, across both instances"
    );
}
crate::on_each_database!(
    instances_on_one_database_share_one_budget,
    &[("RATE_LIMIT_STORE", "database"), ("RATE_LIMIT_SIGN_IN_PER_IP", "4/1m")]
);

/// The contrast: with the in-memory store each instance counts on its own
/// (so several instances need the database store).
#[tokio::test]
async fn in_memory_limits_are_per_instance() {
    let limits = [("RATE_LIMIT_STORE", "memory"), ("RATE_LIMIT_SIGN_IN_PER_IP", "2/1m")];
    let a = TestApp::spawn_with(Backend::Sqlite, &limits).await.unwrap();
    let url = a.database_url.clone();
    let b = TestApp::spawn_with(Backend::Sqlite, &[limits[0], limits[1], ("DATABASE_URL", url.as_str())])
        .await
        .unwrap();
    assert_eq!(alternating_sign_ins(&a, &b, 6).await, [401, 401, 401, 401, 429, 429]);
}
