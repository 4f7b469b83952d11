//! Typed configuration: defaults, then `.env`, then the environment.
//!
//! Every setting is documented in `.env.example` and the README. A bad value
//! stops the server at boot with a message that names the variable.
//! Accounts, mail, sign-in providers, payments and chat are read in their
//! own files; [`features`] is the registry of the product features'
//! readers.

mod accounts;
#[cfg(feature = "chat")]
mod chat;
mod credits;
mod mail;
mod oauth;
#[cfg(feature = "stripe_payment")]
mod payments;

use secrecy::{ExposeSecret, SecretString};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// Each compiled-in product feature's settings, each read by its own file
/// (the registry of readers; `domain::features` lists what they feed).
#[allow(unused_variables)] // a build without optional features reads nothing here
fn features(get: &impl Fn(&str) -> Option<String>) -> Result<domain::features::FeatureSettings, ConfigError> {
    Ok(domain::features::FeatureSettings {
        #[cfg(feature = "google_auth")]
        google: oauth::google(get)?,
        #[cfg(feature = "github_auth")]
        github: oauth::github(get)?,
        #[cfg(feature = "stripe_payment")]
        stripe: payments::stripe(get)?,
        #[cfg(feature = "chat")]
        chat: chat::chat(get)?,
    })
}

/// A setting that could not be used, naming the variable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not valid: {reason} (got {value:?})")]
    Invalid {
        name: &'static str,
        value: String,
        reason: String,
    },
    #[error("{name} must be set: {why}")]
    Missing { name: &'static str, why: &'static str },
    #[error("could not read .env: {0}")]
    DotEnv(String),
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable, coloured; for development.
    Pretty,
    /// One JSON object per line with `severity`, `message`, `timestamp`,
    /// span fields (request id): what log platforms ingest.
    Json,
}

/// When to send `Strict-Transport-Security`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HstsMode {
    /// When `PUBLIC_URL` is `https://…`.
    Auto,
    On,
    Off,
}

/// Where and how to reach the database.
#[derive(Clone, Debug)]
pub struct DatabaseConfig {
    /// `sqlite://path?mode=rwc` or `postgres://user:pass@host/db`; may hold a password.
    pub url: SecretString,
    pub max_connections: u32,
}

/// Where the built site (WASM, JS, CSS, static files) lives.
#[derive(Clone, Debug)]
pub struct SiteConfig {
    pub root: PathBuf,
    pub pkg_dir: String,
    /// Asset names carry a content hash (`<output name>.<hash>.wasm`), listed in
    /// `hash.txt` beside the server binary; hashed assets are cached for a
    /// year. Default: on when that file exists (`cargo xtask build` writes it).
    pub hash_files: bool,
    /// The port of the dev tool's live-reload WebSocket, when one runs
    /// (`LEPTOS_WATCH=true`, as `cargo xtask dev` and `cargo leptos watch`
    /// do; port `LEPTOS_RELOAD_PORT`, default 3001). Pages then load the
    /// reload script, the CSP lets it connect, and no asset is cached as
    /// immutable (the dev loop rewrites the stylesheet in place).
    pub live_reload: Option<u16>,
}

/// All of the app's settings.
#[derive(Clone, Debug)]
pub struct Config {
    pub host: IpAddr,
    pub port: u16,
    /// The URL users reach the site at (for links in emails, OAuth redirect
    /// URIs, HSTS, cookies). `None`: `http://` + the address the server bound.
    pub public_url: Option<String>,
    pub database: DatabaseConfig,
    pub log_format: LogFormat,
    /// `tracing` filter directives (`RUST_LOG` syntax).
    pub log_filter: String,
    pub body_limit_bytes: usize,
    /// Longest wait for a request's headers (`HTTP_HEADER_READ_TIMEOUT`).
    pub header_read_timeout: Duration,
    /// Longest a request may take until its response starts
    /// (`HTTP_REQUEST_TIMEOUT`; streamed bodies go on after it).
    pub request_timeout: Duration,
    /// Requests handled at once; more get 503 (`HTTP_MAX_CONCURRENT_REQUESTS`).
    pub max_concurrent_requests: usize,
    pub hsts: HstsMode,
    /// How long in-flight requests get to finish after SIGTERM/SIGINT.
    pub shutdown_grace: Duration,
    pub site: SiteConfig,
    /// Accounts, sessions, rate limits, mail and providers. Its
    /// `public_url` is final once the server has bound its port.
    pub accounts: domain::settings::Settings,
}

impl Config {
    /// Loads `.env` (if present; real environment variables win) and reads
    /// the environment.
    pub fn load() -> Result<Self, ConfigError> {
        match dotenvy::dotenv() {
            Ok(_) => {}
            Err(e) if e.not_found() => {}
            Err(e) => return Err(ConfigError::DotEnv(e.to_string())),
        }
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the config from any variable source (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let host: IpAddr = parse(&get, "HOST", "127.0.0.1")?;
        let port: u16 = parse(&get, "PORT", "3000")?;
        let public_url = match get("PUBLIC_URL") {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                Some(url.trim_end_matches('/').to_owned())
            }
            Some(url) => return Err(invalid("PUBLIC_URL", &url, "must start with http:// or https://")),
            None => None,
        };
        let effective_url = public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", SocketAddr::new(host, port)));

        let database = DatabaseConfig {
            url: SecretString::from(database_url(&get)?),
            max_connections: parse(&get, "DATABASE_MAX_CONNECTIONS", "10")?,
        };
        if database.max_connections == 0 {
            return Err(invalid("DATABASE_MAX_CONNECTIONS", "0", "must be at least 1"));
        }

        let log_format = match get("LOG_FORMAT").as_deref().unwrap_or("pretty") {
            "pretty" => LogFormat::Pretty,
            "json" => LogFormat::Json,
            other => return Err(invalid("LOG_FORMAT", other, "use `pretty` or `json`")),
        };
        let hsts = match get("HSTS").as_deref().unwrap_or("auto") {
            "auto" => HstsMode::Auto,
            "on" | "true" => HstsMode::On,
            "off" | "false" => HstsMode::Off,
            other => return Err(invalid("HSTS", other, "use `auto`, `on` or `off`")),
        };
        let body_limit_bytes: usize = parse(&get, "REQUEST_BODY_LIMIT_BYTES", "1048576")?;
        if body_limit_bytes < 1024 {
            return Err(invalid(
                "REQUEST_BODY_LIMIT_BYTES",
                &body_limit_bytes.to_string(),
                "must be at least 1024",
            ));
        }

        let max_concurrent_requests: usize = parse(&get, "HTTP_MAX_CONCURRENT_REQUESTS", "512")?;
        if max_concurrent_requests == 0 {
            return Err(invalid("HTTP_MAX_CONCURRENT_REQUESTS", "0", "must be at least 1"));
        }

        #[allow(unused_mut)] // the catalogue check needs the chat
        let mut accounts = accounts::settings(&get, &effective_url)?;
        #[cfg(feature = "chat")]
        credits::check_catalogue(&mut accounts.credits, &accounts.features.chat)?;
        Ok(Config {
            host,
            port,
            public_url,
            database,
            log_format,
            log_filter: get("RUST_LOG").unwrap_or_else(|| "info".to_owned()),
            body_limit_bytes,
            header_read_timeout: duration(&get, "HTTP_HEADER_READ_TIMEOUT", "10s")?,
            request_timeout: duration(&get, "HTTP_REQUEST_TIMEOUT", "30s")?,
            max_concurrent_requests,
            hsts,
            shutdown_grace: Duration::from_secs(parse(&get, "SHUTDOWN_GRACE_SECS", "20")?),
            site: SiteConfig {
                root: get("LEPTOS_SITE_ROOT")
                    .unwrap_or_else(|| "target/site".to_owned())
                    .into(),
                pkg_dir: get("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|| "pkg".to_owned()),
                hash_files: match get("LEPTOS_HASH_FILES") {
                    Some(_) => parse(&get, "LEPTOS_HASH_FILES", "false")?,
                    None => hash_file_beside_binary(),
                },
                // `true` or `false` (anything else stops the boot): a stray
                // value must not turn the dev-only reload script on.
                live_reload: match parse::<bool>(&get, "LEPTOS_WATCH", "false")? {
                    true => Some(parse(&get, "LEPTOS_RELOAD_PORT", "3001")?),
                    false => None,
                },
            },
            accounts,
        })
    }

    /// The public URL once the server listens on `addr` (which may differ
    /// from `HOST:PORT` when the port was 0).
    pub fn public_url_for(&self, addr: SocketAddr) -> String {
        self.public_url.clone().unwrap_or_else(|| format!("http://{addr}"))
    }

    /// The address to listen on.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.host, self.port)
    }

    /// Whether responses carry `Strict-Transport-Security`.
    pub fn sends_hsts(&self) -> bool {
        match self.hsts {
            HstsMode::On => true,
            HstsMode::Off => false,
            HstsMode::Auto => self.public_url.as_deref().is_some_and(|u| u.starts_with("https://")),
        }
    }

    /// The database URL, for the one place that opens the connection.
    pub fn database_url(&self) -> &str {
        self.database.url.expose_secret()
    }
}

/// Whether a build tool left `hash.txt` (the asset hashes) beside the binary.
fn hash_file_beside_binary() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt").is_file()))
        .unwrap_or(false)
}

#[cfg(feature = "db_sqlite")]
fn database_url(get: &impl Fn(&str) -> Option<String>) -> Result<String, ConfigError> {
    Ok(get("DATABASE_URL").unwrap_or_else(|| format!("sqlite://data/{}.db?mode=rwc", wire::brand::SLUG)))
}

#[cfg(not(feature = "db_sqlite"))]
fn database_url(get: &impl Fn(&str) -> Option<String>) -> Result<String, ConfigError> {
    get("DATABASE_URL").ok_or(ConfigError::Missing {
        name: "DATABASE_URL",
        why: "this build has no SQLite support (`db_sqlite`), so give a postgres:// URL",
    })
}

pub(crate) fn parse<T>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: &str,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let value = get(name).unwrap_or_else(|| default.to_owned());
    value
        .trim()
        .parse()
        .map_err(|e: T::Err| invalid(name, &value, &e.to_string()))
}

pub(crate) fn duration(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: &str,
) -> Result<Duration, ConfigError> {
    let value = get(name).unwrap_or_else(|| default.to_owned());
    domain::settings::parse_duration(&value).map_err(|e| invalid(name, &value, &e))
}

pub(crate) fn invalid(name: &'static str, value: &str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        name,
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    /// `.env.example` is copied to `.env` as it is: every line the dotenv
    /// parser reads must parse, and the settings it sets must load.
    #[cfg(feature = "db_sqlite")]
    #[test]
    fn the_settings_example_loads_as_a_dotenv_file() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../.env.example");
        let pairs: Vec<(String, String)> = dotenvy::from_path_iter(path)
            .expect(".env.example")
            .map(|item| item.unwrap_or_else(|e| panic!(".env.example: {e}")))
            .collect();
        assert!(pairs.iter().any(|(k, _)| k == "MAIL_FROM"));
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        load(&borrowed).unwrap_or_else(|e| panic!(".env.example's settings do not load: {e}"));
    }

    #[cfg(feature = "db_sqlite")]
    #[test]
    fn defaults_need_no_variables() {
        let c = load(&[]).unwrap();
        assert_eq!(c.addr().to_string(), "127.0.0.1:3000");
        assert_eq!(c.public_url_for(c.addr()), "http://127.0.0.1:3000");
        assert!(!c.accounts.secure_cookies, "plain http on localhost");
        assert!(c.database_url().starts_with("sqlite://data/"));
        assert_eq!(c.log_format, LogFormat::Pretty);
        assert!(!c.sends_hsts());
    }

    #[cfg(feature = "chat")]
    #[test]
    fn prices_must_name_catalogue_models_and_holds_outlive_replies() {
        let db = ("DATABASE_URL", "sqlite::memory:");
        let err = load(&[db, ("CHAT_PRICES", "gpt-9|in=1|out=1")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("CHAT_PRICES") && err.contains("gpt-9"), "{err}");
        let err = load(&[db, ("CHAT_STALE_REPLY_AFTER", "2h")]).unwrap_err().to_string();
        assert!(
            err.contains("CREDITS_HOLD_TTL") && err.contains("CHAT_STALE_REPLY_AFTER"),
            "{err}"
        );
        let ok = load(&[db, ("CHAT_STALE_REPLY_AFTER", "2h"), ("CREDITS_HOLD_TTL", "3h")]).unwrap();
        assert!(
            ok.accounts
                .credits
                .prices
                .iter()
                .any(|p| p.model == "demo" && p.card.free),
            "the demo model is free unless priced"
        );
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let err = load(&[("PORT", "eighty"), ("DATABASE_URL", "sqlite::memory:")])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("PORT is not valid"), "{err}");
        let err = load(&[("LOG_FORMAT", "xml"), ("DATABASE_URL", "sqlite::memory:")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("LOG_FORMAT"), "{err}");
        let err = load(&[("PUBLIC_URL", "example.com"), ("DATABASE_URL", "x")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("PUBLIC_URL"), "{err}");
    }

    #[test]
    fn live_reload_is_on_only_while_a_dev_tool_watches() {
        let plain = load(&[("LEPTOS_RELOAD_PORT", "4001"), ("DATABASE_URL", "x")]).unwrap();
        assert_eq!(plain.site.live_reload, None);
        let watched = load(&[("LEPTOS_WATCH", "true"), ("DATABASE_URL", "x")]).unwrap();
        assert_eq!(watched.site.live_reload, Some(3001));
        let moved = load(&[
            ("LEPTOS_WATCH", "true"),
            ("LEPTOS_RELOAD_PORT", "4001"),
            ("DATABASE_URL", "x"),
        ])
        .unwrap();
        assert_eq!(moved.site.live_reload, Some(4001));
        let off = load(&[("LEPTOS_WATCH", "false"), ("DATABASE_URL", "x")]).unwrap();
        assert_eq!(off.site.live_reload, None);
        // A stray value is not "on": it stops the boot, naming the setting.
        let err = load(&[("LEPTOS_WATCH", "0"), ("DATABASE_URL", "x")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("LEPTOS_WATCH"), "{err}");
    }

    #[test]
    fn hsts_follows_the_public_url_unless_forced() {
        let https = load(&[("PUBLIC_URL", "https://app.example.com/"), ("DATABASE_URL", "x")]).unwrap();
        assert!(https.sends_hsts());
        assert_eq!(https.public_url.as_deref(), Some("https://app.example.com"));
        assert!(https.accounts.secure_cookies);
        let off = load(&[
            ("PUBLIC_URL", "https://a.example"),
            ("HSTS", "off"),
            ("DATABASE_URL", "x"),
        ])
        .unwrap();
        assert!(!off.sends_hsts());
        let on = load(&[("HSTS", "on"), ("DATABASE_URL", "x")]).unwrap();
        assert!(on.sends_hsts());
    }

    #[test]
    fn the_database_url_is_not_printed_by_debug() {
        let c = load(&[("DATABASE_URL", "postgres://app:hunter2@db/app")]).unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
