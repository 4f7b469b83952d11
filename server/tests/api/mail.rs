//! The mail outbox: delivered mail loses its links, undeliverable mail waits.

use crate::helpers::{Backend, TestApp, unique_email};
use crate::support::register;
use entity::mail_outbox;
use sea_orm::EntityTrait;

#[tokio::test]
async fn delivered_mail_keeps_no_copy_of_its_links() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let email = unique_email("sent");
    register(&app.browser(), &email, &[]).await;
    app.mail.first_to(&email).await;
    let mut rows = Vec::new();
    for _ in 0..100 {
        rows = mail_outbox::Entity::find().all(app.db()).await.unwrap();
        if rows.iter().all(|r| r.sent_at.is_some()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(rows.len(), 1);
    assert!(rows[0].sent_at.is_some());
    assert!(rows[0].text_body.is_empty() && rows[0].html_body.is_empty());
}

#[tokio::test]
async fn mail_that_cannot_be_delivered_waits_in_the_outbox_for_a_retry() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let port = closed.to_string();
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[("SMTP_HOST", "127.0.0.1"), ("SMTP_PORT", &port), ("SMTP_TLS", "none")],
    )
    .await
    .unwrap();
    let email = unique_email("unsent");
    let response = register(&app.browser(), &email, &[]).await;
    assert_eq!(response.status(), 200, "registration does not wait for SMTP");
    let mut row = None;
    for _ in 0..100 {
        let rows = mail_outbox::Entity::find().all(app.db()).await.unwrap();
        if let Some(r) = rows.into_iter().find(|r| r.attempts > 0) {
            row = Some(r);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let row = row.expect("a delivery was attempted");
    assert!(row.sent_at.is_none() && row.failed_at.is_none());
    assert!(row.last_error.as_deref().unwrap_or_default().contains("SMTP"));
    assert!(row.next_attempt_at > row.created_at, "retried later");
    assert!(
        row.text_body.contains("/verify-email?token="),
        "the message is kept for the retry"
    );
}
