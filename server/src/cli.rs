//! The server binary's commands.

use crate::config::Config;
use crate::db::Database;
use crate::{Application, telemetry};
use anyhow::Context;

const USAGE: &str = "\
usage: server [COMMAND]

commands:
  serve      run the web server (default)
  migrate    apply pending database migrations and exit
  help       show this message

Settings come from the environment and ./.env; see .env.example.";

/// What the command line asked for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Serve,
    Migrate,
    Help,
}

impl Command {
    /// Parses the arguments after the program name.
    pub fn parse(args: &[String]) -> Result<Self, String> {
        match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            [] | ["serve"] => Ok(Command::Serve),
            ["migrate"] => Ok(Command::Migrate),
            ["help" | "--help" | "-h"] => Ok(Command::Help),
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
                features = ?app::features::ENABLED,
                startup_ms = started.elapsed().as_millis() as u64,
                "listening on {}", config.public_url
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
        Command::Help => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_commands_and_rejects_others() {
        let args = |s: &[&str]| s.iter().map(|a| a.to_string()).collect::<Vec<_>>();
        assert_eq!(Command::parse(&args(&[])), Ok(Command::Serve));
        assert_eq!(Command::parse(&args(&["migrate"])), Ok(Command::Migrate));
        assert_eq!(Command::parse(&args(&["--help"])), Ok(Command::Help));
        assert!(
            Command::parse(&args(&["destroy"]))
                .unwrap_err()
                .contains("unknown command `destroy`")
        );
    }
}
