//! The server binary's commands.

pub mod accounts;
pub mod credits;

use crate::config::Config;
use crate::db::Database;
use crate::{Application, telemetry};
use anyhow::Context;

const USAGE: &str = "\
usage: server [COMMAND]

commands:
  serve                       run the web server (default)
  migrate                     apply pending database migrations and exit
  invite create --email E [--days N] [--valid-days N] [--credits C]
                              invite E (access for N days, default INVITE_ACCESS_FOR;
                              the link works for --valid-days, default INVITE_VALID_FOR;
                              C credits (smallest unit) granted on redemption)
                              and send the invite email
      [--access-until T] [--expires-at T]
                              exact RFC 3339 times instead of day counts
  invite list                 list invites, newest first
  invite revoke --email E     revoke E's invites and the access they granted
  admin create --email E      make E an admin (creating the account if needed)
  access grant --email E --days N
                              give an existing account access for N days
  credits grant --email E --amount N --reason R [--expires-days D]
                              grant N credits (smallest unit) to E's account
  credits show --email E      E's balance, buckets and newest ledger entries
  prices list                 every model's rate cards (credits per million tokens)
  help                        show this message

Settings come from the environment and ./.env; see .env.example.";

/// What the command line asked for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Serve,
    Migrate,
    Help,
    Accounts(accounts::Command),
    Credits(credits::Command),
}

impl Command {
    /// Parses the arguments after the program name.
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let words: Vec<&str> = args.iter().map(String::as_str).collect();
        match words.as_slice() {
            [] | ["serve"] => Ok(Command::Serve),
            ["migrate"] => Ok(Command::Migrate),
            ["help" | "--help" | "-h"] => Ok(Command::Help),
            [group @ ("invite" | "admin" | "access"), action, rest @ ..] => {
                accounts::Command::parse(group, action, rest)
                    .map(Command::Accounts)
                    .map_err(|e| format!("{e}\n\n{USAGE}"))
            }
            [group @ ("credits" | "prices"), action, rest @ ..] => credits::Command::parse(group, action, rest)
                .map(Command::Credits)
                .map_err(|e| format!("{e}\n\n{USAGE}")),
            other => Err(format!("unknown command `{}`\n\n{USAGE}", other.join(" "))),
        }
    }
}

/// Runs one command to completion.
pub async fn run(command: Command) -> anyhow::Result<()> {
    if command == Command::Help {
        println!("{USAGE}");
        return Ok(());
    }
    let config = Config::load().context("invalid configuration")?;
    telemetry::init(config.log_format, &config.log_filter);
    match command {
        Command::Serve => {
            let started = std::time::Instant::now();
            let app = Application::build(config.clone()).await?;
            tracing::info!(
                addr = %config.addr(),
                port = app.port(),
                features = ?app::features::enabled(),
                startup_ms = started.elapsed().as_millis() as u64,
                "listening on {}", app.services().settings.public_url
            );
            app.run().await
        }
        Command::Migrate => {
            let db = Database::connect(&config.database).await?;
            db.migrate().await?;
            tracing::info!("migrations applied");
            db.close().await;
            Ok(())
        }
        Command::Accounts(command) => accounts::run(command, config).await,
        Command::Credits(command) => {
            let db = Database::connect(&config.database).await?;
            db.migrate().await?;
            // The rate cards are the server's to store (at its start): a
            // command run with other settings must not change live prices.
            let services = domain::Services::new(db.conn.clone(), config.accounts.clone())?;
            let result = credits::execute(command, &services).await;
            db.close().await;
            result
        }
        Command::Help => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &[&str]) -> Vec<String> {
        s.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn parses_known_commands_and_rejects_others() {
        assert_eq!(Command::parse(&args(&[])), Ok(Command::Serve));
        assert_eq!(Command::parse(&args(&["migrate"])), Ok(Command::Migrate));
        assert_eq!(Command::parse(&args(&["--help"])), Ok(Command::Help));
        assert!(
            Command::parse(&args(&["destroy"]))
                .unwrap_err()
                .contains("unknown command `destroy`")
        );
        assert!(matches!(
            Command::parse(&args(&["invite", "list"])),
            Ok(Command::Accounts(_))
        ));
        assert!(
            Command::parse(&args(&["invite", "create"]))
                .unwrap_err()
                .contains("--email")
        );
    }
}
