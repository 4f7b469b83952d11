//! The settings the operations run with. The server reads them from the
//! environment (`server/src/config/`, and each feature's own reader); tests
//! build them directly.

pub use crate::limits::{LimitStore, Rate, parse_duration};
use secrecy::SecretString;
use std::path::PathBuf;
use std::time::Duration;
use wire::email::Email;

/// Everything accounts, mail and the gate need to know.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The URL users reach the site at, without a trailing slash: links in
    /// emails and OAuth redirect URIs are built from it.
    pub public_url: String,
    /// `Secure` + `__Host-` cookies. Off only for plain-http localhost.
    pub secure_cookies: bool,
    pub session: SessionSettings,
    /// Let a Google/GitHub sign-in join an existing account with the same
    /// verified email (`ALLOW_ACCOUNT_LINKING`).
    pub allow_account_linking: bool,
    /// Verified emails that are made admins when they sign in.
    pub admin_emails: Vec<Email>,
    /// Where users are told to write (asking for an invitation, help with
    /// access); `None`: no contact is shown (`SUPPORT_EMAIL`).
    pub support_email: Option<Email>,
    pub invites: InviteSettings,
    pub limits: LimitSettings,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub mail: MailSettings,
    /// Password hashes computed at once (each takes ~19 MiB and one core).
    pub password_hash_concurrency: usize,
    /// Password checks that may wait for a hashing thread; more are
    /// refused at once (503 with `Retry-After`).
    pub password_hash_queue: usize,
    /// Credits: enforcement, units, the free quota and the rate cards.
    pub credits: crate::credits::CreditSettings,
    /// Each compiled-in feature's settings (the registry's).
    pub features: crate::features::FeatureSettings,
}

/// Session lifetimes. Each idle timeout is at most its absolute one
/// (checked at boot), so both limits mean something.
#[derive(Clone, Copy, Debug)]
pub struct SessionSettings {
    /// A session unused for this long ends...
    pub idle: Duration,
    /// ...and it ends this long after sign-in, used or not.
    pub absolute: Duration,
    /// With "keep me signed in": a session unused for this long ends...
    pub remember_idle: Duration,
    /// ...and it ends this long after sign-in.
    pub remember: Duration,
}

impl SessionSettings {
    /// The idle timeout of a session.
    pub fn idle_for(&self, remember: bool) -> Duration {
        if remember { self.remember_idle } else { self.idle }
    }
}

/// Invite defaults.
#[derive(Clone, Copy, Debug)]
pub struct InviteSettings {
    /// How long an invite link can be redeemed.
    pub valid_for: Duration,
    /// How long the access an invite grants lasts, unless the admin says otherwise.
    pub access_for: Duration,
}

/// Rate limits on the account endpoints.
#[derive(Clone, Copy, Debug)]
pub struct LimitSettings {
    /// Sign-in attempts per client IP.
    pub sign_in_per_ip: Rate,
    /// Registrations per client IP.
    pub sign_up_per_ip: Rate,
    /// Verification and reset emails (and token checks) per client IP...
    pub email_per_ip: Rate,
    /// ...and per account.
    pub email_per_account: Rate,
    /// Failed sign-ins per account, whatever the IP (kept in the database).
    pub failed_sign_ins_per_account: Rate,
    /// Keys the in-memory limiter tracks at most (memory stays bounded).
    pub max_tracked_keys: usize,
    /// IPv6 clients are limited per network of this many bits (64: one
    /// subscriber's usual allocation).
    pub ipv6_prefix: u8,
    /// Where the per-IP and per-account limits are counted.
    pub store: LimitStore,
}

/// How mail leaves.
#[derive(Clone, Debug)]
pub struct MailSettings {
    /// `Name <address>` or `address`.
    pub from: String,
    pub transport: MailTransport,
}

/// SMTP, or a folder of `.eml` files for development.
#[derive(Clone, Debug)]
pub enum MailTransport {
    Smtp {
        host: String,
        port: u16,
        tls: SmtpTls,
        username: Option<String>,
        password: Option<SecretString>,
    },
    /// Messages are written here and their links logged (no SMTP configured).
    Folder(PathBuf),
}

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text (a relay on localhost or a test server).
    None,
    /// Upgrade with STARTTLS (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}
