//! `cargo xtask dev`: builds, serves, then watches the sources and rebuilds
//! only what a change touches. Open tabs reload through Leptos' own
//! live-reload protocol (the WebSocket `<AutoReload>` connects to while
//! `LEPTOS_WATCH` is set), so `cargo leptos watch` keeps working as well.
//!
//! What a change rebuilds ([`watch::classify`]):
//! - `style/` → the stylesheet only (Tailwind); tabs swap it in place;
//! - `server/`, `domain/` (but `domain/wire/`), `entity/`, `migration/`,
//!   `.env` → the server, which restarts; tabs reload;
//! - `app/`, `frontend/`, `domain/wire/` (with the locales), the Cargo
//!   manifests → the full build (server, WASM, CSS), a restart, a reload.
//!
//! Each rebuild prints what changed, what was rebuilt and the time from the
//! change to the reload.

mod check;
mod process;
mod reload;
mod watch;

pub use check::watch_check;

use crate::build::{self, BuildOptions, BuildOutput};
use crate::util;
use anyhow::Context;
use std::path::{Path, PathBuf};

/// What `cargo xtask dev` was asked for.
#[derive(Clone, Debug)]
pub struct DevOptions {
    pub build: BuildOptions,
    /// The site's port (`--port`, else `PORT` from the environment or
    /// `.env`, else 3000).
    pub port: u16,
    /// The live-reload WebSocket's port (`--reload-port`, else
    /// `LEPTOS_RELOAD_PORT`, else 3001, Leptos' default).
    pub reload_port: u16,
}

impl DevOptions {
    /// Fills the ports not given on the command line from the settings.
    pub fn new(build: BuildOptions, port: Option<u16>, reload_port: Option<u16>) -> anyhow::Result<Self> {
        Ok(DevOptions {
            build,
            port: port_or_setting(port, "PORT", 3000)?,
            reload_port: port_or_setting(reload_port, "LEPTOS_RELOAD_PORT", 3001)?,
        })
    }
}

/// Builds, serves and rebuilds on every change until interrupted.
pub fn run(opts: &DevOptions) -> anyhow::Result<()> {
    // Watching starts first: what is saved during the first build is rebuilt after it.
    let root = std::env::current_dir().context("reading the current directory")?;
    let watch = watch::Watch::start(&root)?;
    let tabs = reload::Tabs::listen(opts.reload_port)?;
    let mut out = build::build(&opts.build)?;
    let mut server = process::DevServer::new(&out, opts.port, opts.reload_port);
    server.start()?;
    util::step(&format!(
        "serving http://127.0.0.1:{} (live reload: ws://127.0.0.1:{}); watching {} for changes (Ctrl-C stops)",
        opts.port,
        opts.reload_port,
        watch::WATCHED
            .iter()
            .map(|d| format!("{d}/"))
            .collect::<Vec<_>>()
            .join(" ")
    ));
    loop {
        let change = watch.next(|| server.notice_exit())?;
        println!("\n[dev] changed: {}", list_paths(&change.paths));
        match rebuild(&change.plan, opts, &mut out, &mut server) {
            Ok((done, message)) => {
                let told = tabs.send(&message);
                println!(
                    "[dev] rebuilt: {}; reload ({}) sent to {told} tab(s) {:.1?} after the change",
                    done.join(", "),
                    message.describe(),
                    change.first_seen.elapsed()
                );
            }
            Err(e) => eprintln!(
                "[dev] rebuild failed after {:.1?}: {e:#}\n[dev] the last good build keeps running; save a fix to try again",
                change.first_seen.elapsed()
            ),
        }
    }
}

/// Rebuilds what `plan` names and restarts the server when it changed (or
/// had stopped); returns what was done and what open tabs should do.
fn rebuild(
    plan: &watch::Plan,
    opts: &DevOptions,
    out: &mut BuildOutput,
    server: &mut process::DevServer,
) -> anyhow::Result<(Vec<&'static str>, reload::Message)> {
    let mut done = Vec::new();
    if plan.wasm {
        // The WASM steps (cargo, wasm-bindgen, wasm-opt, hashing) live inside
        // `build::build`, so a change the WASM sees runs the whole build.
        *out = build::build(&opts.build)?;
        done.push("server, WASM and CSS (full build)");
    } else {
        if plan.server {
            build::rebuild_server(&opts.build)?;
            done.push("server");
        }
        if plan.css {
            build::rebuild_css(&opts.build, out)?;
            done.push("CSS only");
        }
        if plan.static_files {
            util::copy_dir(Path::new("style/public"), &out.site)?;
            crate::icons::write_png_icons(&out.site)?;
            done.push("static files copied");
        }
    }
    if plan.wasm || plan.server || !server.is_running() {
        server.restart()?;
        done.push("server restarted");
    }
    let message = if plan.css && !plan.wasm && !plan.server && !plan.static_files {
        reload::Message::css(out)?
    } else {
        reload::Message::All
    };
    Ok((done, message))
}

/// Up to five changed paths, then how many more.
fn list_paths(paths: &std::collections::BTreeSet<PathBuf>) -> String {
    let mut shown: Vec<String> = paths.iter().take(5).map(|p| p.display().to_string()).collect();
    if paths.len() > 5 {
        shown.push(format!("and {} more", paths.len() - 5));
    }
    shown.join(", ")
}

/// `given`, else the setting `name` (environment, then `.env`), else `default`.
fn port_or_setting(given: Option<u16>, name: &str, default: u16) -> anyhow::Result<u16> {
    if let Some(port) = given {
        return Ok(port);
    }
    match setting(name) {
        Some(value) => value
            .trim()
            .parse()
            .with_context(|| format!("{name}={value:?} is not a port number")),
        None => Ok(default),
    }
}

/// A setting as the server would see it: the environment wins over `.env`.
fn setting(name: &str) -> Option<String> {
    if let Ok(value) = std::env::var(name) {
        return Some(value);
    }
    let dotenv = std::fs::read_to_string(".env").ok()?;
    dotenv_value(&dotenv, name)
}

/// `NAME=value` from a `.env` file's text (quotes removed; comments and
/// `export ` prefixes skipped).
fn dotenv_value(text: &str, name: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        let (key, value) = line.split_once('=')?;
        (key.trim() == name).then(|| value.trim().trim_matches(['"', '\'']).to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dotenv_value_is_read_without_quotes_and_comments_are_skipped() {
        let text = "# PORT=1\nexport PORT=\"8080\"\nHOST=0.0.0.0\n";
        assert_eq!(dotenv_value(text, "PORT").as_deref(), Some("8080"));
        assert_eq!(dotenv_value(text, "LEPTOS_RELOAD_PORT"), None);
    }
}
