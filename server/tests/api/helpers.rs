//! Spawning the app for a test, and talking to it.

use server::{Application, Config};
use std::collections::HashMap;
use std::path::PathBuf;
use tempfile::TempDir;
use tokio::sync::oneshot;

/// Which database a test app runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    #[cfg(feature = "db_pg")]
    Postgres,
}

/// A running app with its own database and site directory.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    /// The database URL the app uses.
    pub database_url: String,
    /// The site root the app serves static files from.
    pub site: PathBuf,
    pub dir: TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    pub stopped: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    /// Spawns the app on `backend`, or `None` when that backend is not
    /// available to this test run (PostgreSQL without KEEL_TEST_PG_URL).
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, &[]).await
    }

    pub async fn spawn_with(backend: Backend, overrides: &[(&str, &str)]) -> Option<Self> {
        if std::env::var_os("TEST_LOG").is_some() {
            server::telemetry::init(server::config::LogFormat::Pretty, "info");
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = match backend {
            Backend::Sqlite => format!("sqlite://{}?mode=rwc", dir.path().join("keel.db").display()),
            #[cfg(feature = "db_pg")]
            Backend::Postgres => fresh_postgres_database().await?,
        };
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("pkg")).unwrap();

        let mut vars: HashMap<String, String> = [
            ("HOST", "127.0.0.1"),
            ("PORT", "0"),
            ("LEPTOS_HASH_FILES", "false"),
            ("SHUTDOWN_GRACE_SECS", "2"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        vars.insert("DATABASE_URL".into(), database_url.clone());
        vars.insert("LEPTOS_SITE_ROOT".into(), site.display().to_string());
        for (k, v) in overrides {
            vars.insert((*k).to_owned(), (*v).to_owned());
        }
        let config = Config::from_lookup(|k| vars.get(k).cloned()).expect("test config");
        let app = Application::build(config).await.expect("app builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        let (tx, rx) = oneshot::channel();
        let stopped = tokio::spawn(app.run_until(async {
            let _ = rx.await;
        }));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Some(TestApp {
            address,
            client,
            backend,
            database_url,
            site,
            dir,
            shutdown: Some(tx),
            stopped: Some(stopped),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }

    /// POSTs a form body the way a browser submits a server function.
    pub async fn post_form(&self, path: &str, body: String) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body)
            .send()
            .await
            .expect("request")
    }

    /// Asks the app to shut down as SIGTERM would.
    pub fn shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Creates an empty database on the test PostgreSQL server.
#[cfg(feature = "db_pg")]
async fn fresh_postgres_database() -> Option<String> {
    use sea_orm::ConnectionTrait;
    let Ok(admin_url) = std::env::var("KEEL_TEST_PG_URL") else {
        assert!(
            std::env::var_os("KEEL_REQUIRE_PG").is_none(),
            "KEEL_REQUIRE_PG is set but KEEL_TEST_PG_URL is not"
        );
        eprintln!("skipping the PostgreSQL run: KEEL_TEST_PG_URL is not set (cargo xtask test sets it)");
        return None;
    };
    let name = format!("keel_test_{}", uuid::Uuid::new_v4().simple());
    let admin = sea_orm::Database::connect(&admin_url)
        .await
        .expect("connect to the test PostgreSQL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    admin.close().await.ok();
    let base = admin_url.rsplit_once('/').expect("URL has a database").0;
    Some(format!("{base}/{name}"))
}

/// Defines `mod $name { sqlite, postgres }` tests that run `$name(app)` on each backend.
#[macro_export]
macro_rules! on_each_database {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let app = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite)
                    .await
                    .unwrap();
                super::$name(app).await;
            }

            #[cfg(feature = "db_pg")]
            #[tokio::test]
            async fn postgres() {
                if let Some(app) = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres).await {
                    super::$name(app).await;
                }
            }
        }
    };
}
