//! A fresh SQLite database with every migration, and the services over it
//! with settings spelled out here (the server reads the same settings from
//! its environment).

use domain::accounts::password::{self, Registration};
use domain::accounts::sessions;
use domain::settings::{
    InviteSettings, LimitSettings, LimitStore, MailSettings, MailTransport, Rate, SessionSettings, Settings,
};
use domain::{Actor, Client, Services};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, DatabaseConnection, SqlxSqliteConnector};
use std::sync::Arc;
use std::time::Duration;
use wire::i18n::Locale;

pub const PASSWORD: &str = "correct horse battery staple";

/// The services over a fresh database; the folder holds the database and
/// the mail, and lives as long as the test.
pub struct World {
    pub services: Services,
    _dir: tempfile::TempDir,
}

impl World {
    pub async fn new() -> Self {
        Self::with(|_| {}).await
    }

    /// A world whose settings `adjust` changes first.
    pub async fn with(adjust: impl FnOnce(&mut Settings)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = connect(&dir).await;
        Migrator::up(&db, None).await.expect("migrations");
        let mut settings = settings(&dir);
        adjust(&mut settings);
        World {
            services: Services::new(db, settings).expect("services"),
            _dir: dir,
        }
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.services.db
    }

    /// Registers `email` with [`PASSWORD`] (through an invite's link when
    /// `invite` is its token) and returns the signed-in user as an actor.
    pub async fn register(&self, email: &str, invite: Option<String>) -> Actor {
        let signed_in = password::register(
            &self.services,
            &visitor(),
            Registration {
                display_name: "Ada".into(),
                email: email.into(),
                password: PASSWORD.into(),
                invite,
                remember: false,
                locale: Locale::En,
            },
        )
        .await
        .expect("registered");
        self.actor_of(&signed_in.session.token).await
    }

    /// The user a session token belongs to, as an actor (what the
    /// session middleware does for a request).
    pub async fn actor_of(&self, token: &str) -> Actor {
        let current = sessions::resolve(&self.services, token)
            .await
            .expect("resolve")
            .expect("a live session");
        Actor::User(Arc::new(current), client())
    }
}

pub fn client() -> Client {
    Client {
        ip: [192, 0, 2, 7].into(),
        user_agent: "ops-test".into(),
    }
}

pub fn visitor() -> Actor {
    Actor::Visitor(client())
}

pub fn unique_email(tag: &str) -> String {
    format!("{tag}-{}@example.com", uuid::Uuid::new_v4().simple())
}

async fn connect(dir: &tempfile::TempDir) -> DatabaseConnection {
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("app.db").display());
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(4)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
        });
    SqlxSqliteConnector::connect(options).await.expect("open SQLite")
}

const fn per_minute(count: u32) -> Rate {
    Rate {
        count,
        per: Duration::from_secs(60),
    }
}

fn settings(dir: &tempfile::TempDir) -> Settings {
    Settings {
        public_url: "http://app.test".into(),
        secure_cookies: false,
        session: SessionSettings {
            idle: Duration::from_secs(8 * 3600),
            absolute: Duration::from_secs(24 * 3600),
            remember_idle: Duration::from_secs(7 * 86_400),
            remember: Duration::from_secs(30 * 86_400),
        },
        allow_account_linking: false,
        admin_emails: Vec::new(),
        support_email: None,
        invites: InviteSettings {
            valid_for: Duration::from_secs(7 * 86_400),
            access_for: Duration::from_secs(30 * 86_400),
        },
        limits: LimitSettings {
            sign_in_per_ip: per_minute(100),
            sign_up_per_ip: per_minute(100),
            email_per_ip: per_minute(100),
            email_per_account: per_minute(100),
            failed_sign_ins_per_account: per_minute(5),
            max_tracked_keys: 10_000,
            ipv6_prefix: 64,
            store: LimitStore::Memory,
        },
        trusted_proxies: Vec::new(),
        mail: MailSettings {
            from: "App <noreply@app.test>".into(),
            transport: MailTransport::Folder(dir.path().join("mail")),
        },
        password_hash_concurrency: 1,
        password_hash_queue: 16,
        credits: domain::credits::CreditSettings::default(),
        features: domain::features::FeatureSettings {
            #[cfg(feature = "google_auth")]
            google: None,
            #[cfg(feature = "github_auth")]
            github: None,
            #[cfg(feature = "stripe_payment")]
            stripe: None,
            #[cfg(feature = "chat")]
            chat: domain::chat::settings::ChatSettings {
                models: Vec::new(),
                demo_model: true,
                openai: None,
                anthropic: None,
                gemini: None,
                system_prompt: None,
                idle_timeout: Duration::from_secs(10),
                max_output_tokens: 1024,
                demo_pace: Duration::ZERO,
                max_concurrent_replies: 2,
                replies_per_user: per_minute(20),
                stale_reply_after: Duration::from_secs(3600),
            }
            .finish()
            .expect("the demo model alone is a valid catalogue"),
        },
    }
}
