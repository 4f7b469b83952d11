//! Spawning the app for a test, and talking to it like a browser would.

use domain::Services;
use fakes::Fakes;
use server::{Application, Config};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tempfile::TempDir;
use tokio::sync::oneshot;

/// Which database a test app runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    #[cfg(feature = "db_pg")]
    Postgres,
}

/// A running app with its own database, site directory, fake sign-in
/// providers and mailbox.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    /// The database URL the app uses.
    pub database_url: String,
    /// The site root the app serves static files from.
    pub site: PathBuf,
    pub dir: TempDir,
    pub services: Services,
    /// The fake providers the app is pointed at (running while it is);
    /// a build with no outside service reads nothing from them.
    #[cfg_attr(
        not(any(
            feature = "google_auth",
            feature = "github_auth",
            feature = "stripe_payment",
            feature = "chat"
        )),
        allow(dead_code)
    )]
    pub fakes: Fakes,
    pub mail: Mailbox,
    shutdown: Option<oneshot::Sender<()>>,
    pub stopped: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    /// Spawns the app on `backend`, or `None` when that backend is not
    /// available to this test run (PostgreSQL without XTASK_TEST_PG_URL).
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, &[]).await
    }

    pub async fn spawn_with(backend: Backend, overrides: &[(&str, &str)]) -> Option<Self> {
        if std::env::var_os("TEST_LOG").is_some() {
            server::telemetry::init(server::config::LogFormat::Pretty, "info");
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = match backend {
            Backend::Sqlite => format!("sqlite://{}?mode=rwc", dir.path().join("app.db").display()),
            #[cfg(feature = "db_pg")]
            Backend::Postgres => fresh_postgres_database().await?,
        };
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("pkg")).unwrap();
        let fakes = Fakes::start(([127, 0, 0, 1], 0).into())
            .await
            .expect("fake providers start");
        let mail = Mailbox::for_test(dir.path());

        let mut vars: HashMap<String, String> = [
            ("HOST", "127.0.0.1"),
            ("PORT", "0"),
            ("LEPTOS_HASH_FILES", "false"),
            ("SHUTDOWN_GRACE_SECS", "2"),
            ("PASSWORD_HASH_CONCURRENCY", "2"),
            ("CHAT_DEMO_WORDS_PER_SECOND", "500"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        vars.insert("DATABASE_URL".into(), database_url.clone());
        vars.insert("LEPTOS_SITE_ROOT".into(), site.display().to_string());
        for (k, v) in fakes.app_env() {
            vars.insert(k.to_owned(), v);
        }
        for (k, v) in mail.app_env() {
            vars.insert(k.to_owned(), v);
        }
        for (k, v) in overrides {
            vars.insert((*k).to_owned(), (*v).to_owned());
        }
        let config = Config::from_lookup(|k| vars.get(k).cloned()).expect("test config");
        let app = Application::build(config).await.expect("app builds");
        let services = app.services().clone();
        let address = format!("http://127.0.0.1:{}", app.port());
        for provider in ["google", "github"] {
            fakes.allow_redirect(&format!("{}/auth/{provider}/callback", services.settings.public_url));
        }
        fakes.stripe_webhook_to(&format!("{address}/webhooks/stripe"), None);
        let (tx, rx) = oneshot::channel();
        let stopped = tokio::spawn(app.run_until(async {
            let _ = rx.await;
        }));
        Some(TestApp {
            address,
            client: no_redirects(),
            backend,
            database_url,
            site,
            dir,
            services,
            fakes,
            mail,
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
        // Only a registration is read (see `admit`).
        let fields: Vec<(String, String)> = if path == REGISTER {
            reqwest::Url::parse(&format!("http://form/?{body}"))
                .expect("a form body")
                .query_pairs()
                .into_owned()
                .collect()
        } else {
            Vec::new()
        };
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let admitted = admit(&self.services.db, path, &fields).await;
        let response = self
            .client
            .post(self.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body)
            .send()
            .await
            .expect("request");
        release(&self.services.db, admitted).await;
        response
    }

    /// A browser with its own cookie jar.
    pub fn browser(&self) -> Browser {
        Browser {
            db: self.services.db.clone(),
            base: self.address.clone(),
            http: no_redirects(),
            cookies: Arc::default(),
        }
    }

    /// The database, for arranging and checking state directly.
    pub fn db(&self) -> &sea_orm::DatabaseConnection {
        &self.services.db
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

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // A response that never finishes fails its test instead of the run.
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// A unique address for one test, so tests sharing a mail server never
/// read each other's mail.
pub fn unique_email(name: &str) -> String {
    format!(
        "{name}.{}@example.com",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// The CSP nonce a response's headers give its scripts.
pub fn nonce_of(headers: &reqwest::header::HeaderMap) -> String {
    let csp = headers["content-security-policy"].to_str().unwrap();
    let start = csp.find("'nonce-").expect("CSP has a nonce") + "'nonce-".len();
    csp[start..].split('\'').next().unwrap().to_owned()
}

/// Checks the page has scripts and every one carries `nonce`.
pub fn assert_every_script_carries(html: &str, nonce: &str) {
    let scripts = html.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(
        html.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts,
        "every script carries this response's nonce"
    );
}

/// A password that passes the rules.
pub const PASSWORD: &str = "correct horse battery staple";

/// A client with a cookie jar, like one browser.
#[derive(Clone)]
pub struct Browser {
    /// The app's database, to admit registrations in an invite-only build.
    db: sea_orm::DatabaseConnection,
    base: String,
    http: reqwest::Client,
    cookies: Arc<Mutex<BTreeMap<String, String>>>,
}

impl Browser {
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }

    fn cookie_header(&self) -> String {
        let jar = self.cookies.lock().unwrap();
        jar.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Keeps the cookies a response sets (and forgets the ones it deletes).
    fn absorb(&self, response: &reqwest::Response) {
        let mut jar = self.cookies.lock().unwrap();
        for header in response.headers().get_all("set-cookie") {
            let text = header.to_str().unwrap_or_default();
            let Some((name, rest)) = text.split_once('=') else {
                continue;
            };
            let value = rest.split(';').next().unwrap_or_default();
            if value.is_empty() || text.contains("Max-Age=0") {
                jar.remove(name);
            } else {
                jar.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.get_with(path, &[]).await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self.http.get(self.url(path)).header("cookie", self.cookie_header());
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let response = request.send().await.expect("request");
        self.absorb(&response);
        response
    }

    /// Calls a server function the way the app's own page does.
    pub async fn call(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.call_with(path, form, &[("sec-fetch-site", "same-origin")]).await
    }

    pub async fn call_with(&self, path: &str, form: &[(&str, &str)], headers: &[(&str, &str)]) -> reqwest::Response {
        let admitted = admit(&self.db, path, form).await;
        let response = self.send_form(path, form, headers).await;
        release(&self.db, admitted).await;
        response
    }

    /// [`Browser::call_with`] without the invite-only build's admission
    /// (see [`admit`]): what a stranger's registration meets there.
    pub async fn send_form(&self, path: &str, form: &[(&str, &str)], headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self
            .http
            .post(self.url(path))
            .header("cookie", self.cookie_header())
            .form(form);
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("accept")) {
            request = request.header("accept", "application/json");
        }
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let response = request.send().await.expect("request");
        self.absorb(&response);
        response
    }

    /// Posts JSON the way the app's own page does (the chat's replies).
    #[cfg(feature = "chat")]
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        let response = self
            .http
            .post(self.url(path))
            .header("cookie", self.cookie_header())
            .header("sec-fetch-site", "same-origin")
            .json(body)
            .send()
            .await
            .expect("request");
        self.absorb(&response);
        response
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().unwrap().get(name).cloned()
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.cookies.lock().unwrap().insert(name.to_owned(), value.to_owned());
    }

    /// The session cookie (plain-http name: tests run on localhost).
    pub fn session(&self) -> Option<String> {
        self.cookie(app::server::cookies::PLAIN_SESSION)
    }
}

/// Asserts a server function answered `status` and returns its JSON.
pub async fn expect_json(response: reqwest::Response, status: u16) -> serde_json::Value {
    let got = response.status().as_u16();
    let body = response.text().await.unwrap();
    assert_eq!(got, status, "unexpected status; body: {body}");
    serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body))
}

/// Where mail ends up: a real SMTP server (maildev, started by `cargo
/// xtask test`) when XTASK_TEST_SMTP_PORT is set, else the app's outbox folder.
pub enum Mailbox {
    Smtp { port: u16, api: String },
    Folder(PathBuf),
}

/// One delivered message.
#[derive(Clone, Debug)]
pub struct Mail {
    pub subject: String,
    pub text: String,
}

impl Mail {
    /// The first link in the message that goes to `path` on the app.
    pub fn link_to(&self, path: &str) -> String {
        self.text
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains(path))
            .unwrap_or_else(|| panic!("no link to {path} in: {}", self.text))
            .to_owned()
    }

    /// The `token` (or `invite`) value of that link.
    pub fn token_in(&self, path: &str) -> String {
        let link = self.link_to(path);
        let query = link.split_once('?').map(|(_, q)| q).unwrap_or_default();
        query
            .split('&')
            .find_map(|p| p.strip_prefix("token=").or_else(|| p.strip_prefix("invite=")))
            .unwrap_or_else(|| panic!("no token in {link}"))
            .to_owned()
    }
}

impl Mailbox {
    fn for_test(dir: &std::path::Path) -> Self {
        match (
            std::env::var("XTASK_TEST_SMTP_PORT"),
            std::env::var("XTASK_TEST_MAILDEV_API"),
        ) {
            (Ok(port), Ok(api)) => Mailbox::Smtp {
                port: port.parse().expect("XTASK_TEST_SMTP_PORT is a port"),
                api,
            },
            _ => {
                assert!(
                    std::env::var_os("XTASK_REQUIRE_SMTP").is_none(),
                    "XTASK_REQUIRE_SMTP is set but XTASK_TEST_SMTP_PORT / XTASK_TEST_MAILDEV_API are not"
                );
                Mailbox::Folder(dir.join("outbox"))
            }
        }
    }

    fn app_env(&self) -> Vec<(&'static str, String)> {
        match self {
            Mailbox::Smtp { port, .. } => vec![
                ("SMTP_HOST", "127.0.0.1".to_owned()),
                ("SMTP_PORT", port.to_string()),
                ("SMTP_TLS", "none".to_owned()),
            ],
            Mailbox::Folder(dir) => vec![("MAIL_OUTBOX_DIR", dir.display().to_string())],
        }
    }

    /// Every message delivered to `to` so far, oldest first.
    pub async fn all_to(&self, to: &str) -> Vec<Mail> {
        match self {
            Mailbox::Smtp { api, .. } => {
                let list: serde_json::Value = reqwest::get(format!("{api}/api/email"))
                    .await
                    .expect("maildev answers")
                    .json()
                    .await
                    .expect("maildev JSON");
                list.as_array()
                    .into_iter()
                    .flatten()
                    .filter(|m| {
                        m["to"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .chain(m["envelope"]["to"].as_array().into_iter().flatten())
                            .any(|r| r["address"].as_str().is_some_and(|a| a.eq_ignore_ascii_case(to)))
                    })
                    .map(|m| Mail {
                        subject: m["subject"].as_str().unwrap_or_default().to_owned(),
                        text: m["text"].as_str().unwrap_or_default().to_owned(),
                    })
                    .collect()
            }
            Mailbox::Folder(dir) => {
                let mut files: Vec<_> = std::fs::read_dir(dir)
                    .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
                    .unwrap_or_default();
                files.sort();
                files
                    .into_iter()
                    .filter_map(|f| std::fs::read_to_string(f).ok())
                    .filter(|raw| raw.to_lowercase().contains(&format!("to: {}", to.to_lowercase())))
                    .map(|raw| parse_eml(&raw))
                    .collect()
            }
        }
    }

    /// Waits (up to 10 s) for the `n`-th message to `to` and returns it.
    pub async fn nth_to(&self, to: &str, n: usize) -> Mail {
        for _ in 0..200 {
            let all = self.all_to(to).await;
            if all.len() >= n {
                return all[n - 1].clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no message #{n} to {to} arrived within 10 s");
    }

    /// Waits for the first message to `to`.
    pub async fn first_to(&self, to: &str) -> Mail {
        self.nth_to(to, 1).await
    }
}

/// Subject and plain-text part of a raw message written by the folder transport.
fn parse_eml(raw: &str) -> Mail {
    let subject = raw
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap_or_default()
        .to_owned();
    // The links are plain ASCII, so they survive quoted-printable mostly intact:
    // undo soft line breaks and `=3D`.
    let text = raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    Mail { subject, text }
}

/// Creates an empty database on the test PostgreSQL server.
#[cfg(feature = "db_pg")]
async fn fresh_postgres_database() -> Option<String> {
    use sea_orm::ConnectionTrait;
    let Ok(admin_url) = std::env::var("XTASK_TEST_PG_URL") else {
        assert!(
            std::env::var_os("XTASK_REQUIRE_PG").is_none(),
            "XTASK_REQUIRE_PG is set but XTASK_TEST_PG_URL is not"
        );
        eprintln!("skipping the PostgreSQL run: XTASK_TEST_PG_URL is not set (cargo xtask test sets it)");
        return None;
    };
    let name = format!("app_test_{}", uuid::Uuid::new_v4().simple());
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
        $crate::on_each_database!($name, &[]);
    };
    ($name:ident, $overrides:expr) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let app = $crate::helpers::TestApp::spawn_with($crate::helpers::Backend::Sqlite, $overrides)
                    .await
                    .unwrap();
                super::$name(app).await;
            }

            #[cfg(feature = "db_pg")]
            #[tokio::test]
            async fn postgres() {
                if let Some(app) =
                    $crate::helpers::TestApp::spawn_with($crate::helpers::Backend::Postgres, $overrides).await
                {
                    super::$name(app).await;
                }
            }
        }
    };
}

/// The sign-up server function.
const REGISTER: &str = "/api/auth/register";

/// A build without payments is invite only: an address registers only
/// with an open invite. So that the account tests run there too, a
/// registration through the test clients gets an invite for its address
/// for the length of the request, when it names no invite link and the
/// address has no open invite (`invite_only.rs` tests the refusal itself).
/// The row is deleted after the request, before any verification could
/// redeem it: the account starts as an open sign-up's does, without access.
async fn admit(db: &sea_orm::DatabaseConnection, path: &str, form: &[(&str, &str)]) -> Option<uuid::Uuid> {
    use sea_orm::{ActiveModelTrait, Set};
    if wire::features::OPEN_SIGN_UP || path != REGISTER {
        return None;
    }
    if form.iter().any(|(k, v)| *k == "invite" && !v.is_empty()) {
        return None;
    }
    let email = wire::email::Email::parse(form.iter().find(|(k, _)| *k == "email")?.1).ok()?;
    let now = chrono::Utc::now();
    if domain::invites::has_open_invite(db, &email, now).await.unwrap() {
        return None;
    }
    let id = uuid::Uuid::new_v4();
    entity::user_invites::ActiveModel {
        id: Set(id),
        email: Set(email.as_str().to_owned()),
        token_hash: Set(format!("test-admission-{id}")),
        created_by: Set(None),
        created_at: Set(now),
        expires_at: Set(now + chrono::Duration::hours(1)),
        access_until: Set(now + chrono::Duration::days(1)),
        redeemed_at: Set(None),
        redeemed_by: Set(None),
        revoked_at: Set(None),
        credits: Set(0),
    }
    .insert(db)
    .await
    .unwrap();
    Some(id)
}

async fn release(db: &sea_orm::DatabaseConnection, admitted: Option<uuid::Uuid>) {
    use sea_orm::EntityTrait;
    if let Some(id) = admitted {
        entity::user_invites::Entity::delete_by_id(id).exec(db).await.unwrap();
    }
}
