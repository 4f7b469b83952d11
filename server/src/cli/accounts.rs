//! `server invite …`, `server admin create`, `server access grant`: the
//! administrator's commands, run against the configured database with the
//! same code the admin page uses.

use crate::config::Config;
use crate::db::Database;
use anyhow::{Context, bail};
use chrono::{DateTime, Duration, Utc};
use domain::Services;
use domain::actor::Actor;
use domain::invites;
use wire::email::Email;

/// When something ends: a number of days from now, or a moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Until {
    Days(i64),
    At(DateTime<Utc>),
    Default,
}

/// An administrator's command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    InviteCreate {
        email: Email,
        access: Until,
        expires: Until,
        /// Granted on redemption, in the smallest unit.
        credits: i64,
    },
    InviteList,
    InviteRevoke {
        email: Email,
    },
    AdminCreate {
        email: Email,
    },
    AccessGrant {
        email: Email,
        days: i64,
    },
}

impl Command {
    pub fn parse(group: &str, action: &str, rest: &[&str]) -> Result<Self, String> {
        let flags = Flags::parse(rest)?;
        let command = match (group, action) {
            ("invite", "create") => {
                let access = match (flags.get("--days"), flags.get("--access-until")) {
                    (Some(_), Some(_)) => return Err("give --days or --access-until, not both".into()),
                    (Some(d), None) => Until::Days(days(d)?),
                    (None, Some(t)) => Until::At(time(t)?),
                    (None, None) => Until::Default,
                };
                let expires = match (flags.get("--valid-days"), flags.get("--expires-at")) {
                    (Some(_), Some(_)) => return Err("give --valid-days or --expires-at, not both".into()),
                    (Some(d), None) => Until::Days(days(d)?),
                    (None, Some(t)) => Until::At(time(t)?),
                    (None, None) => Until::Default,
                };
                let credits = match flags.get("--credits") {
                    Some(n) => n
                        .parse::<i64>()
                        .ok()
                        .filter(|n| (0..=wire::credits::MAX_AMOUNT).contains(n))
                        .ok_or(format!(
                            "--credits: `{n}` is not a whole number of credits from 0 to {} (smallest unit)",
                            wire::credits::MAX_AMOUNT
                        ))?,
                    None => 0,
                };
                Command::InviteCreate {
                    email: flags.email()?,
                    access,
                    expires,
                    credits,
                }
            }
            ("invite", "list") => Command::InviteList,
            ("invite", "revoke") => Command::InviteRevoke { email: flags.email()? },
            ("admin", "create") => Command::AdminCreate { email: flags.email()? },
            ("access", "grant") => Command::AccessGrant {
                email: flags.email()?,
                days: days(flags.get("--days").ok_or("--days is required")?)?,
            },
            _ => return Err(format!("unknown command `{group} {action}`")),
        };
        flags.check_used(&command)?;
        Ok(command)
    }
}

/// `--name value` pairs.
pub(super) struct Flags<'a>(Vec<(&'a str, &'a str)>);

impl<'a> Flags<'a> {
    pub(super) fn parse(args: &[&'a str]) -> Result<Self, String> {
        let mut pairs = Vec::new();
        let mut it = args.iter();
        while let Some(name) = it.next() {
            if !name.starts_with("--") {
                return Err(format!("unexpected argument `{name}`"));
            }
            let value = it.next().ok_or(format!("{name} needs a value"))?;
            pairs.push((*name, *value));
        }
        Ok(Flags(pairs))
    }

    pub(super) fn get(&self, name: &str) -> Option<&'a str> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }

    pub(super) fn email(&self) -> Result<Email, String> {
        let raw = self.get("--email").ok_or("--email is required")?;
        Email::parse(raw).map_err(|e| format!("--email: {e}"))
    }

    fn check_used(&self, command: &Command) -> Result<(), String> {
        self.only(match command {
            Command::InviteCreate { .. } => &[
                "--email",
                "--days",
                "--valid-days",
                "--access-until",
                "--expires-at",
                "--credits",
            ],
            Command::InviteList => &[],
            Command::InviteRevoke { .. } | Command::AdminCreate { .. } => &["--email"],
            Command::AccessGrant { .. } => &["--email", "--days"],
        })
    }

    /// Refuses any option not in `known`.
    pub(super) fn only(&self, known: &[&str]) -> Result<(), String> {
        match self.0.iter().find(|(n, _)| !known.contains(n)) {
            Some((n, _)) => Err(format!("unknown option `{n}`")),
            None => Ok(()),
        }
    }
}

pub(super) fn days(value: &str) -> Result<i64, String> {
    wire::invites::parse_days(value).map_err(|_| {
        format!(
            "`{value}` is not a number of days from 1 to {}",
            wire::invites::MAX_DAYS
        )
    })
}

fn time(value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("`{value}` is not an RFC 3339 time (2026-12-31T23:59:00Z): {e}"))
}

fn resolve(until: &Until, default: std::time::Duration, now: DateTime<Utc>) -> anyhow::Result<DateTime<Utc>> {
    Ok(match until {
        Until::Days(d) => now + Duration::days(*d),
        Until::At(t) => *t,
        Until::Default => now + Duration::from_std(default)?,
    })
}

pub async fn run(command: Command, mut config: Config) -> anyhow::Result<()> {
    if config.public_url.is_none() {
        tracing::warn!(
            "PUBLIC_URL is not set: links in emails point at {}",
            config.public_url_for(config.addr())
        );
    }
    config.accounts.public_url = config.public_url_for(config.addr());
    let db = Database::connect(&config.database).await?;
    db.migrate().await?;
    let services = Services::new(db.conn.clone(), config.accounts.clone())?;
    let result = execute(command, &services).await;
    db.close().await;
    result
}

/// Runs `command` with `services` (the server's own, or a test's), as the
/// operator: the same domain operations the admin page calls.
pub async fn execute(command: Command, services: &Services) -> anyhow::Result<()> {
    let operator = Actor::Operator;
    let now = Utc::now();
    match command {
        Command::InviteCreate {
            email,
            access,
            expires,
            credits,
        } => {
            let access_until = resolve(&access, services.settings.invites.access_for, now)?;
            let expires_at = resolve(&expires, services.settings.invites.valid_for, now)?;
            if expires_at <= now {
                tracing::warn!("the invite link has already expired (--expires-at is in the past)");
            }
            let new = invites::NewInvite {
                email: email.clone(),
                access_until,
                expires_at,
                locale: Default::default(),
                credits,
            };
            let created = invites::create(services, &operator, new)
                .await
                .map_err(|e| anyhow::anyhow!("creating the invite failed: {e}"))?;
            let sent = services
                .mailer
                .deliver_due()
                .await
                .context("sending the invite email")?;
            println!(
                "invited {email}: access until {}, link valid until {}{}\nsign-up link: {}\n{}",
                created.invite.access_until,
                created.invite.expires_at,
                if created.invite.credits > 0 {
                    format!(", {} credits (smallest unit) on redemption", created.invite.credits)
                } else {
                    String::new()
                },
                created.link,
                if sent > 0 {
                    "invite email sent"
                } else {
                    "invite email queued; the server will retry sending it"
                }
            );
        }
        Command::InviteList => {
            println!(
                "{:<36}  {:<32}  {:<9}  {:<10}  {:<10}",
                "id", "email", "status", "access to", "link until"
            );
            for invite in invites::list(&services.db, 1000).await? {
                let view = invites::view(&invite, now);
                println!(
                    "{:<36}  {:<32}  {:<9}  {:<10}  {:<10}",
                    view.id,
                    view.email,
                    format!("{:?}", view.status).to_lowercase(),
                    wire::access::format_date(view.access_until),
                    wire::access::format_date(view.expires_at)
                );
            }
        }
        Command::InviteRevoke { email } => {
            let revoked = invites::revoke_for_email(services, &operator, &email)
                .await
                .map_err(|e| anyhow::anyhow!("revoking failed: {e}"))?;
            if revoked == 0 {
                bail!("no open or redeemed invite for {email}");
            }
            println!("revoked {revoked} invite(s) for {email}");
        }
        Command::AdminCreate { email } => admin_create(services, &operator, &email).await?,
        Command::AccessGrant { email, days } => {
            let ends = domain::access::grant_access(services, &operator, &email, days)
                .await
                .map_err(|e| match e {
                    domain::DomainError::NoAccount { .. } => anyhow::anyhow!("no account has the email {email}"),
                    other => anyhow::anyhow!("{other}"),
                })?;
            println!("{email} has access until {ends}");
        }
    }
    Ok(())
}

/// Makes `email` an admin (see `domain::accounts::admin`), and says how the
/// owner gets in.
async fn admin_create(services: &Services, operator: &Actor, email: &Email) -> anyhow::Result<()> {
    let made = domain::accounts::admin::create_admin(services, operator, email)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if made.created {
        println!("created the account {email}");
    }
    if !made.removed_methods.is_empty() {
        println!(
            "{email} was never verified, so whoever registered it may not own it: its sign-in methods ({}) were removed",
            made.removed_methods.join(", ")
        );
    }
    println!("{email} is an admin");
    match made.set_password_link {
        Some(link) => {
            println!("set its password within an hour at: {link}");
            println!(
                "{}",
                public_url_note(&services.settings.public_url, std::env::var_os("PUBLIC_URL").is_some())
            );
        }
        None if made.user.email_verified_at.is_none() => println!(
            "sign in with Google or GitHub using {}: the first sign-in that proves the address claims the account",
            made.user.email
        ),
        None => {}
    }
    Ok(())
}

/// Which address a printed link uses, so an operator whose server
/// answers elsewhere is not left with a link to nowhere.
fn public_url_note(public_url: &str, set: bool) -> String {
    if set {
        format!("(the link starts with PUBLIC_URL, {public_url}: open it where the site answers at that address)")
    } else {
        format!(
            "(the link starts with {public_url}, the default because PUBLIC_URL is not set: if the site answers elsewhere, \
             open the same path there, and set PUBLIC_URL to the site's address so links in emails work)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_printed_link_says_which_address_it_uses() {
        let unset = public_url_note("http://localhost:3000", false);
        assert!(
            unset.contains("PUBLIC_URL is not set") && unset.contains("http://localhost:3000"),
            "{unset}"
        );
        let set = public_url_note("https://chat.example.com", true);
        assert!(set.contains("PUBLIC_URL, https://chat.example.com"), "{set}");
    }

    #[test]
    fn invite_create_takes_days_or_exact_times() {
        let c = Command::parse("invite", "create", &["--email", "A@Example.com", "--days", "30"]).unwrap();
        assert_eq!(
            c,
            Command::InviteCreate {
                email: Email::parse("a@example.com").unwrap(),
                access: Until::Days(30),
                expires: Until::Default,
                credits: 0,
            }
        );
        let c = Command::parse("invite", "create", &["--email", "a@example.com", "--credits", "500"]).unwrap();
        assert!(matches!(c, Command::InviteCreate { credits: 500, .. }));
        for bad in ["-1", "1.5", "lots"] {
            assert!(Command::parse("invite", "create", &["--email", "a@example.com", "--credits", bad]).is_err());
        }
        let c = Command::parse(
            "invite",
            "create",
            &["--email", "a@example.com", "--expires-at", "2020-01-01T00:00:00Z"],
        )
        .unwrap();
        assert!(matches!(
            c,
            Command::InviteCreate {
                expires: Until::At(_),
                ..
            }
        ));
        assert!(Command::parse("invite", "create", &["--email", "a@example.com", "--days", "0"]).is_err());
        assert!(Command::parse("invite", "create", &["--email", "nope"]).is_err());
        assert!(Command::parse("invite", "create", &["--email", "a@example.com", "--colour", "red"]).is_err());
        assert!(Command::parse("access", "grant", &["--email", "a@example.com"]).is_err());
    }
}
