//! Attacks on the background work: an SMTP server whose error text kills
//! the mailer, a task that dies silently, rows that outlive their purpose
//! (replies stuck `streaming`, undeliverable mail holding live links).

use crate::helpers::{Backend, TestApp, unique_email};
use crate::support::register;
use entity::mail_outbox;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// An SMTP server that refuses recipients whose address starts with
/// `refuse` with a long reply in multi-byte characters (its alignment set by
/// the digit after it), and accepts everyone else. It records the
/// recipients of the messages it accepted.
async fn picky_smtp() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&accepted);
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let seen = Arc::clone(&seen);
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 picky ESMTP\r\n").await;
                let mut to = String::new();
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            seen.lock().unwrap().push(to.clone());
                            let _ = write.write_all(b"250 queued\r\n").await;
                        }
                        continue;
                    }
                    let upper = line.to_ascii_uppercase();
                    let reply = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        "250 picky\r\n".to_owned()
                    } else if upper.starts_with("RCPT TO:") {
                        to = line[8..].trim().trim_matches(['<', '>']).to_owned();
                        match to.strip_prefix("refuse") {
                            Some(rest) => {
                                let pad = rest.chars().next().and_then(|c| c.to_digit(10)).unwrap_or(0) as usize;
                                format!("550 {}{}\r\n", "x".repeat(pad), "€".repeat(300))
                            }
                            None => "250 ok\r\n".to_owned(),
                        }
                    } else if upper == "DATA" {
                        in_data = true;
                        "354 go on\r\n".to_owned()
                    } else if upper == "QUIT" {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        "250 ok\r\n".to_owned()
                    };
                    if write.write_all(reply.as_bytes()).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (port, accepted)
}

#[tokio::test]
async fn an_smtp_error_in_multibyte_text_does_not_stop_the_mail() {
    let (port, accepted) = picky_smtp().await;
    let port = port.to_string();
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[
            ("SMTP_HOST", "127.0.0.1"),
            ("SMTP_PORT", &port),
            ("SMTP_TLS", "none"),
            ("RATE_LIMIT_SIGN_UP_PER_IP", "100/1m"),
        ],
    )
    .await
    .unwrap();
    // Three refusals, each cut at byte 500 with a different alignment: at
    // least one cut falls inside a character.
    for pad in 0..3 {
        let email = format!("refuse{pad}.{}", unique_email("x"));
        assert_eq!(register(&app.browser(), &email, &[]).await.status(), 200);
    }
    let good = unique_email("good");
    assert_eq!(register(&app.browser(), &good, &[]).await.status(), 200);
    for _ in 0..200 {
        if accepted.lock().unwrap().contains(&good) {
            let failed = mail_outbox::Entity::find()
                .filter(mail_outbox::Column::Recipient.starts_with("refuse"))
                .all(app.db())
                .await
                .unwrap();
            assert_eq!(failed.len(), 3);
            for row in failed {
                let error = row.last_error.unwrap_or_default();
                assert!(error.len() <= 500 && error.contains('€'), "{error}");
            }
            assert_eq!(app.get("/readyz").await.status(), 200);
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the mail after the refusals was never delivered: the mailer stopped");
}

#[tokio::test]
async fn a_background_task_that_panics_is_restarted_and_reported_down_meanwhile() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let runs = Arc::new(Mutex::new(0u32));
    let counter = Arc::clone(&runs);
    let tasks = app.services.tasks.clone();
    app.services.tasks.supervise("flaky-test-task", move || {
        let stopping = tasks.stopping();
        let n = {
            let mut n = counter.lock().unwrap();
            *n += 1;
            *n
        };
        async move {
            if n == 1 {
                panic!("the first run dies");
            }
            stopping.await;
        }
    });
    let mut saw_down = false;
    for _ in 0..100 {
        let ready = app.get("/readyz").await;
        if ready.status() == 503 {
            let body: serde_json::Value = ready.json().await.unwrap();
            assert!(body["reason"].as_str().unwrap().contains("flaky-test-task"), "{body}");
            saw_down = true;
        } else if saw_down {
            assert_eq!(*runs.lock().unwrap(), 2, "restarted once");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the task was not reported down, then restarted (seen down: {saw_down})");
}

#[cfg(feature = "chat")]
#[tokio::test]
async fn a_reply_left_streaming_by_a_dead_process_is_closed_as_interrupted() {
    use entity::{chat_conversations, chat_messages};
    use wire::chat::{MessageRole, Outcome};
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let b = app.browser();
    let email = unique_email("orphan");
    crate::support::registered_and_verified(&app, &b, &email).await;
    let user = domain::accounts::rules::find_by_email(app.db(), &wire::email::Email::parse(&email).unwrap())
        .await
        .unwrap()
        .unwrap();
    let long_ago = chrono::Utc::now() - chrono::Duration::hours(2);
    let conversation = chat_conversations::ActiveModel {
        id: Set(uuid::Uuid::new_v4()),
        user_id: Set(user.id),
        title: Set("crashed".into()),
        model: Set("demo".into()),
        created_at: Set(long_ago),
        updated_at: Set(long_ago),
    }
    .insert(app.db())
    .await
    .unwrap();
    let orphan = |at| chat_messages::ActiveModel {
        id: Set(uuid::Uuid::new_v4()),
        conversation_id: Set(conversation.id),
        role: Set(MessageRole::Assistant),
        content: Set("half a repl".into()),
        outcome: Set(Some(Outcome::Streaming)),
        created_at: Set(at),
        ..Default::default()
    };
    let old = orphan(long_ago).insert(app.db()).await.unwrap();
    let live = orphan(chrono::Utc::now()).insert(app.db()).await.unwrap();
    let swept = domain::janitor::sweep(&app.services).await.unwrap();
    assert_eq!(swept.of(domain::chat::janitor::INTERRUPTED), 1);
    let find = |id| chat_messages::Entity::find_by_id(id).one(app.db());
    assert_eq!(find(old.id).await.unwrap().unwrap().outcome, Some(Outcome::Interrupted));
    assert_eq!(
        find(live.id).await.unwrap().unwrap().outcome,
        Some(Outcome::Streaming),
        "a reply that may still be streaming is left alone"
    );
}

#[tokio::test]
async fn undeliverable_mail_keeps_no_live_links_and_is_removed_after_a_week() {
    let (port, _) = picky_smtp().await;
    let port = port.to_string();
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[("SMTP_HOST", "127.0.0.1"), ("SMTP_PORT", &port), ("SMTP_TLS", "none")],
    )
    .await
    .unwrap();
    let email = format!("refuse0.{}", unique_email("gone"));
    register(&app.browser(), &email, &[]).await;
    // Its last attempt: one failure away from giving up.
    let mut row = None;
    for _ in 0..100 {
        row = mail_outbox::Entity::find()
            .one(app.db())
            .await
            .unwrap()
            .filter(|r| r.attempts > 0);
        if row.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let row = row.expect("a first attempt");
    let mut last: mail_outbox::ActiveModel = row.into();
    last.attempts = Set(9);
    last.next_attempt_at = Set(chrono::Utc::now());
    let row = last.update(app.db()).await.unwrap();
    // This round (or the worker's, whichever claims it) is its last.
    app.services.mailer.deliver_due().await.unwrap();
    let mut given_up = None;
    for _ in 0..200 {
        given_up = mail_outbox::Entity::find_by_id(row.id)
            .one(app.db())
            .await
            .unwrap()
            .filter(|r| r.failed_at.is_some());
        if given_up.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let given_up = given_up.expect("given up after its tenth attempt");
    assert!(
        given_up.text_body.is_empty() && given_up.html_body.is_empty(),
        "its verification link is not kept"
    );
    let mut old: mail_outbox::ActiveModel = given_up.into();
    old.failed_at = Set(Some(chrono::Utc::now() - chrono::Duration::days(8)));
    old.update(app.db()).await.unwrap();
    let swept = domain::janitor::sweep(&app.services).await.unwrap();
    assert_eq!(swept.mail, 1);
    assert!(
        mail_outbox::Entity::find_by_id(row.id)
            .one(app.db())
            .await
            .unwrap()
            .is_none()
    );
}
