//! Outgoing email through a database outbox.
//!
//! A request that sends mail writes the message into `mail_outbox` in the
//! same transaction as whatever the mail is about (a token, an invite), so
//! nothing is sent for work that rolled back and nothing is lost when SMTP
//! is down. A background worker delivers due messages, retries failures
//! with backoff, and clears a message's body once it is sent (links in it
//! carry tokens). Several server instances can run workers: a message is
//! claimed before it is sent.

pub mod templates;

use crate::settings::{MailSettings, MailTransport, SmtpTls};
use anyhow::Context;
use chrono::{DateTime, Utc};
use entity::mail_outbox::{self, Column};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use secrecy::ExposeSecret;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use wire::email::Email;

/// Attempts before a message is given up on.
const MAX_ATTEMPTS: i32 = 10;
/// How long a sender may hold a message before another may retry it.
const CLAIM: Duration = Duration::from_secs(120);
/// How often the worker looks for due messages when nobody wakes it.
const POLL: Duration = Duration::from_secs(5);

/// A message to send.
#[derive(Clone, Debug)]
pub struct Outgoing {
    /// What it is (`verify_email`, `reset_password`, `invite`), for logs.
    pub kind: &'static str,
    pub to: Email,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Whether `value` is a mailbox (`Name <address>` or `address`).
pub fn is_mailbox(value: &str) -> bool {
    value.parse::<Mailbox>().is_ok()
}

/// Queues and delivers mail.
#[derive(Clone)]
pub struct Mailer {
    db: DatabaseConnection,
    transport: Transport,
    from: Mailbox,
    wake: Arc<Notify>,
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(PathBuf),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let transport = match &self.transport {
            Transport::Smtp(_) => "smtp".to_owned(),
            Transport::Folder(dir) => format!("folder {}", dir.display()),
        };
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("transport", &transport)
            .finish()
    }
}

impl Mailer {
    pub fn new(db: DatabaseConnection, settings: &MailSettings) -> anyhow::Result<Self> {
        let from: Mailbox = settings
            .from
            .parse()
            .with_context(|| format!("MAIL_FROM is not a mailbox: {:?}", settings.from))?;
        let transport = match &settings.transport {
            MailTransport::Smtp {
                host,
                port,
                tls,
                username,
                password,
            } => {
                let mut builder = match tls {
                    SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
                    SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?,
                    SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
                }
                .port(*port)
                .timeout(Some(Duration::from_secs(20)));
                if let (Some(user), Some(pass)) = (username, password) {
                    builder = builder.credentials(Credentials::new(user.clone(), pass.expose_secret().to_owned()));
                }
                Transport::Smtp(builder.build())
            }
            MailTransport::Folder(dir) => Transport::Folder(dir.clone()),
        };
        Ok(Mailer {
            db,
            transport,
            from,
            wake: Arc::new(Notify::new()),
        })
    }

    /// Queues `msg` on `conn` (pass the caller's transaction). Call
    /// [`Mailer::wake`] after the transaction commits.
    pub async fn enqueue<C: ConnectionTrait>(conn: &C, msg: Outgoing) -> Result<(), sea_orm::DbErr> {
        let now = Utc::now();
        mail_outbox::ActiveModel {
            id: Set(uuid::Uuid::new_v4()),
            kind: Set(msg.kind.to_owned()),
            recipient: Set(msg.to.as_str().to_owned()),
            subject: Set(msg.subject),
            text_body: Set(msg.text),
            html_body: Set(msg.html),
            created_at: Set(now),
            attempts: Set(0),
            next_attempt_at: Set(now),
            locked_until: Set(None),
            sent_at: Set(None),
            failed_at: Set(None),
            last_error: Set(None),
        }
        .insert(conn)
        .await
        .map(drop)
    }

    /// Tells the worker there is mail to send now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Sends every due message once; returns how many were sent.
    pub async fn deliver_due(&self) -> anyhow::Result<usize> {
        let now = Utc::now();
        let due = mail_outbox::Entity::find()
            .filter(Column::SentAt.is_null())
            .filter(Column::FailedAt.is_null())
            .filter(Column::NextAttemptAt.lte(now))
            .filter(unclaimed(now))
            .order_by_asc(Column::CreatedAt)
            .limit(50)
            .all(&self.db)
            .await?;
        let mut sent = 0;
        for message in due {
            if !self.claim(&message, now).await? {
                continue;
            }
            match self.send(&message).await {
                Ok(()) => {
                    sent += 1;
                    self.mark_sent(&message).await?;
                }
                Err(e) => self.mark_failed(&message, &e).await?,
            }
        }
        Ok(sent)
    }

    /// Delivers due mail until `stop` completes, waking when asked or every few seconds.
    pub async fn run(self, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            if let Err(e) = self.deliver_due().await {
                tracing::error!(error = format!("{e:#}"), "mail delivery round failed");
            }
            tokio::select! {
                () = &mut stop => return,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
    }

    async fn claim(&self, message: &mail_outbox::Model, now: DateTime<Utc>) -> anyhow::Result<bool> {
        let until = now + chrono::Duration::from_std(CLAIM)?;
        let claimed = mail_outbox::Entity::update_many()
            .col_expr(Column::LockedUntil, Expr::value(Some(until)))
            .filter(Column::Id.eq(message.id))
            .filter(Column::SentAt.is_null())
            .filter(unclaimed(now))
            .exec(&self.db)
            .await?;
        Ok(claimed.rows_affected == 1)
    }

    async fn send(&self, m: &mail_outbox::Model) -> anyhow::Result<()> {
        let to: Mailbox = m.recipient.parse().context("recipient is not a mailbox")?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.clone())
            .message_id(None)
            .multipart(MultiPart::alternative_plain_html(
                m.text_body.clone(),
                m.html_body.clone(),
            ))
            .context("building the message")?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await.context("SMTP delivery")?;
                tracing::info!(kind = %m.kind, id = %m.id, "mail sent");
            }
            Transport::Folder(dir) => {
                tokio::fs::create_dir_all(dir).await?;
                let file = dir.join(format!("{}-{}.eml", m.created_at.format("%Y%m%dT%H%M%S%.6f"), m.id));
                tokio::fs::write(&file, message.formatted()).await?;
                let links: Vec<&str> = m
                    .text_body
                    .split_whitespace()
                    .filter(|w| w.starts_with("http"))
                    .collect();
                tracing::info!(
                    kind = %m.kind,
                    to = %m.recipient,
                    file = %file.display(),
                    links = ?links,
                    "mail written to the outbox folder (no SMTP_HOST set)"
                );
            }
        }
        Ok(())
    }

    async fn mark_sent(&self, m: &mail_outbox::Model) -> anyhow::Result<()> {
        mail_outbox::ActiveModel {
            id: Set(m.id),
            sent_at: Set(Some(Utc::now())),
            attempts: Set(m.attempts + 1),
            locked_until: Set(None),
            text_body: Set(String::new()),
            html_body: Set(String::new()),
            ..Default::default()
        }
        .update(&self.db)
        .await?;
        Ok(())
    }

    async fn mark_failed(&self, m: &mail_outbox::Model, error: &anyhow::Error) -> anyhow::Result<()> {
        let attempts = m.attempts + 1;
        let now = Utc::now();
        let give_up = attempts >= MAX_ATTEMPTS;
        if give_up {
            tracing::error!(kind = %m.kind, id = %m.id, attempts, error = format!("{error:#}"), "mail undeliverable, giving up");
        } else {
            tracing::warn!(kind = %m.kind, id = %m.id, attempts, error = format!("{error:#}"), "mail delivery failed, will retry");
        }
        let mut message = format!("{error:#}");
        crate::text::truncate_bytes(&mut message, MAX_ERROR_BYTES);
        let mut row = mail_outbox::ActiveModel {
            id: Set(m.id),
            attempts: Set(attempts),
            locked_until: Set(None),
            next_attempt_at: Set(now + backoff(attempts)),
            failed_at: Set(give_up.then_some(now)),
            last_error: Set(Some(message)),
            ..Default::default()
        };
        if give_up {
            // Its links (reset, invite) must not outlive the attempt to send them.
            row.text_body = Set(String::new());
            row.html_body = Set(String::new());
        }
        row.update(&self.db).await?;
        Ok(())
    }
}

/// Longest delivery error kept with a message (an SMTP server's reply can
/// be any UTF-8, so it is cut at a character boundary).
const MAX_ERROR_BYTES: usize = 500;

/// Nobody holds the message, or their claim ran out.
fn unclaimed(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(Column::LockedUntil.is_null())
        .add(Column::LockedUntil.lt(now))
}

/// 10 s, 20 s, 40 s … capped at one hour.
fn backoff(attempts: i32) -> chrono::Duration {
    let secs = 10i64.saturating_mul(1i64 << attempts.clamp(0, 20)) / 2;
    chrono::Duration::seconds(secs.min(3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1).num_seconds(), 10);
        assert_eq!(backoff(2).num_seconds(), 20);
        assert_eq!(backoff(3).num_seconds(), 40);
        assert_eq!(backoff(30).num_seconds(), 3600);
    }
}
