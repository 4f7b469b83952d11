//! `server credits grant|show` and `server prices list`: the operator's
//! view of the ledger and the rate cards, through the same operations the
//! admin pages use.

use super::accounts::{Flags, days};
use anyhow::Context;
use chrono::{Duration, Utc};
use domain::Services;
use domain::actor::Actor;
use domain::credits::{account, prices};
use wire::email::Email;

/// A credits command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Grant {
        email: Email,
        amount: i64,
        reason: String,
        expires_days: Option<i64>,
    },
    Show {
        email: Email,
    },
    PricesList,
}

impl Command {
    pub fn parse(group: &str, action: &str, rest: &[&str]) -> Result<Self, String> {
        let flags = Flags::parse(rest)?;
        let command = match (group, action) {
            ("credits", "grant") => {
                flags.only(&["--email", "--amount", "--reason", "--expires-days"])?;
                let amount = flags.get("--amount").ok_or("--amount is required")?;
                let amount = amount
                    .parse::<i64>()
                    .ok()
                    .filter(|a| (1..=wire::credits::MAX_AMOUNT).contains(a))
                    .ok_or(format!(
                        "--amount: `{amount}` is not a whole number of credits from 1 to {} (smallest unit)",
                        wire::credits::MAX_AMOUNT
                    ))?;
                let reason = flags
                    .get("--reason")
                    .ok_or("--reason is required (it goes on the ledger)")?;
                if reason.trim().is_empty() {
                    return Err("--reason must say why".into());
                }
                Command::Grant {
                    email: flags.email()?,
                    amount,
                    reason: reason.to_owned(),
                    expires_days: flags.get("--expires-days").map(days).transpose()?,
                }
            }
            ("credits", "show") => {
                flags.only(&["--email"])?;
                Command::Show { email: flags.email()? }
            }
            ("prices", "list") => {
                flags.only(&[])?;
                Command::PricesList
            }
            _ => return Err(format!("unknown command `{group} {action}`")),
        };
        Ok(command)
    }
}

/// Runs `command` as the operator.
pub async fn execute(command: Command, services: &Services) -> anyhow::Result<()> {
    let operator = Actor::Operator;
    let units = services.settings.credits.units;
    let show = |n: i64| units.format(n, wire::i18n::Locale::En);
    match command {
        Command::Grant {
            email,
            amount,
            reason,
            expires_days,
        } => {
            let totals = account::grant(
                services,
                &operator,
                account::NewGrant {
                    email: email.clone(),
                    amount,
                    reason,
                    expires_at: expires_days.map(|d| Utc::now() + Duration::days(d)),
                },
            )
            .await
            .map_err(|e| match e {
                domain::DomainError::NoAccount { .. } => anyhow::anyhow!("no account has the email {email}"),
                other => anyhow::anyhow!("{other}"),
            })?;
            println!(
                "granted {} to {email}: {} available, {} held",
                show(amount),
                show(totals.available),
                show(totals.held)
            );
        }
        Command::Show { email } => {
            let s = account::statement(services, &operator, &email, None)
                .await
                .map_err(|e| match e {
                    domain::DomainError::NoAccount { .. } => anyhow::anyhow!("no account has the email {email}"),
                    other => anyhow::anyhow!("{other}"),
                })?;
            println!(
                "{email}: {} available, {} held",
                show(s.totals.available),
                show(s.totals.held)
            );
            println!("\nbuckets (spent in this order):");
            println!(
                "{:<10}  {:>12}  {:>12}  {:>12}  {:>12}  expires",
                "source", "granted", "settled", "held", "expired"
            );
            for b in &s.buckets {
                println!(
                    "{:<10}  {:>12}  {:>12}  {:>12}  {:>12}  {}",
                    b.source,
                    show(b.granted),
                    show(b.settled),
                    show(b.held),
                    show(b.expired),
                    b.expires_at.map_or("never".to_owned(), |t| t.to_rfc3339())
                );
            }
            println!("\nnewest entries:");
            for e in &s.entries {
                println!(
                    "{}  {:<8}  {:>12}  {}  {}",
                    e.created_at.to_rfc3339(),
                    e.kind,
                    show(e.amount),
                    e.actor,
                    e.reference.as_deref().unwrap_or("")
                );
            }
        }
        Command::PricesList => {
            println!(
                "{:<28}  {:<25}  {:>10}  {:>10}  {:>10}  {:>10}  {:>6}  flags",
                "model", "from", "in/M", "out/M", "cached/M", "write/M", "fee"
            );
            for (model, from, c) in prices::list(&services.db).await.context("reading the rate cards")? {
                let flags = [(c.free, "free"), (c.quota, "quota")]
                    .iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, n)| *n)
                    .collect::<Vec<_>>()
                    .join(",");
                println!(
                    "{model:<28}  {:<25}  {:>10}  {:>10}  {:>10}  {:>10}  {:>6}  {flags}",
                    from.to_rfc3339(),
                    c.input,
                    c.output,
                    c.cached_input,
                    c.cache_write,
                    c.request_fee
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(words: &[&str]) -> Result<Command, String> {
        Command::parse(words[0], words[1], &words[2..])
    }

    #[test]
    fn grants_need_an_amount_above_zero_and_a_reason() {
        assert!(matches!(
            parse(&[
                "credits",
                "grant",
                "--email",
                "a@example.com",
                "--amount",
                "500",
                "--reason",
                "welcome"
            ]),
            Ok(Command::Grant { amount: 500, .. })
        ));
        for (words, says) in [
            (
                vec![
                    "credits",
                    "grant",
                    "--email",
                    "a@example.com",
                    "--amount",
                    "0",
                    "--reason",
                    "x",
                ],
                "--amount",
            ),
            (
                vec![
                    "credits",
                    "grant",
                    "--email",
                    "a@example.com",
                    "--amount",
                    "1.5",
                    "--reason",
                    "x",
                ],
                "--amount",
            ),
            (
                vec!["credits", "grant", "--email", "a@example.com", "--amount", "5"],
                "--reason",
            ),
            (vec!["credits", "grant", "--amount", "5", "--reason", "x"], "--email"),
            (
                vec!["credits", "show", "--email", "a@example.com", "--all", "yes"],
                "--all",
            ),
        ] {
            let err = parse(&words).unwrap_err();
            assert!(err.contains(says), "{words:?}: {err}");
        }
        assert_eq!(parse(&["prices", "list"]), Ok(Command::PricesList));
    }
}
