//! The settings the accounts code runs with. The server reads them from the
//! environment (`server/src/config/`); tests build them directly.

use crate::auth::email::Email;
use secrecy::SecretString;
use std::path::PathBuf;
use std::time::Duration;

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
    #[cfg(feature = "google_auth")]
    pub google: Option<crate::auth::google::GoogleSettings>,
    #[cfg(feature = "github_auth")]
    pub github: Option<crate::auth::github::GitHubSettings>,
    /// Payments; `None` when `STRIPE_SECRET_KEY` is not set.
    #[cfg(feature = "stripe_payment")]
    pub stripe: Option<crate::payments::stripe::settings::StripeSettings>,
    /// Models and providers; the offline demo model when nothing is set.
    #[cfg(feature = "chat")]
    pub chat: crate::chat::settings::ChatSettings,
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

/// At most `count` events per `per`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub count: u32,
    pub per: Duration,
}

impl Rate {
    /// Parses `N/period`, where period is a number with `s`, `m`, `h` or `d`
    /// (`10/15m`).
    pub fn parse(value: &str) -> Result<Self, String> {
        let (count, per) = value.trim().split_once('/').ok_or("use N/period, e.g. 10/15m")?;
        let count: u32 = count.trim().parse().map_err(|_| "N must be a whole number")?;
        if count == 0 {
            return Err("N must be at least 1".into());
        }
        Ok(Rate {
            count,
            per: parse_duration(per)?,
        })
    }
}

/// Parses `90s`, `15m`, `12h`, `30d`.
pub fn parse_duration(value: &str) -> Result<Duration, String> {
    let value = value.trim();
    let split = value
        .find(|c: char| !c.is_ascii_digit())
        .ok_or("add a unit: s, m, h or d")?;
    let (n, unit) = value.split_at(split);
    let n: u64 = n.parse().map_err(|_| "the period must start with a number")?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err("the unit must be s, m, h or d".into()),
    };
    if secs == 0 {
        return Err("the period must be longer than zero".into());
    }
    Ok(Duration::from_secs(secs))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_durations_parse_with_units() {
        assert_eq!(
            Rate::parse("10/15m"),
            Ok(Rate {
                count: 10,
                per: Duration::from_secs(900)
            })
        );
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(172_800)));
        assert!(Rate::parse("0/1m").is_err());
        assert!(Rate::parse("10").is_err());
        assert!(parse_duration("15").is_err());
        assert!(parse_duration("15w").is_err());
        assert!(parse_duration("0s").is_err());
    }
}
