//! `cargo xtask dev` under test: the real command serves a copy of the
//! workspace, a translation on the landing page is edited, and the served
//! page must show the new text while the same command keeps running, with
//! the open tab told to reload.

use crate::util;
use anyhow::{Context, bail, ensure};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Longest wait for the first page (a build of the copied crates), and
/// again for the edit to be served (a full build: the locales are compiled
/// into both sides).
const LIMIT: Duration = Duration::from_secs(15 * 60);
/// The edited translation: the landing page's heading.
const LOCALE_FILE: &str = "domain/wire/locales/en/core.toml";
const KEY: &str = "HeroTitle";

/// Runs the check; the copy is removed afterwards. Builds share the target
/// directory, so only the workspace's own crates are compiled again.
pub fn watch_check() -> anyhow::Result<()> {
    util::step("`cargo xtask dev` watch: an edited translation is served without restarting the command");
    let copy = WorkspaceCopy::create()?;
    let result = check_in(&copy.root);
    drop(copy);
    result
}

fn check_in(root: &Path) -> anyhow::Result<()> {
    let port = util::free_port()?;
    let reload_port = loop {
        let p = util::free_port()?;
        if p != port {
            break p;
        }
    };
    let mut dev = DevProcess::spawn(root, port, reload_port)?;
    let locale = root.join(LOCALE_FILE);
    let before = translation(&locale, KEY)?;
    dev.wait_for_text(&before).context("waiting for the first page")?;
    let (mut tab, _) = tungstenite::connect(format!("ws://127.0.0.1:{reload_port}/live_reload"))
        .context("connecting to the live-reload socket as a tab would")?;

    let after = format!("{before} (edited {})", std::process::id());
    let text = std::fs::read_to_string(&locale)?;
    std::fs::write(&locale, text.replace(&quoted(&before), &quoted(&after)))
        .with_context(|| format!("editing {}", locale.display()))?;
    let edited = Instant::now();
    dev.wait_for_text(&after).context("waiting for the edited page")?;
    let served = edited.elapsed();

    if let tungstenite::stream::MaybeTlsStream::Plain(stream) = tab.get_ref() {
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    }
    let message = tab.read().context("reading the reload message")?;
    let message: serde_json::Value = serde_json::from_str(message.to_text()?).context("parsing the reload message")?;
    ensure!(message["all"] == true, "the tab was told {message}, not to reload");
    println!("  the edit was served {served:.1?} after it was saved; the open tab was told to reload");
    dev.stop()
}

/// The quoted TOML value of `key` in `file`.
fn translation(file: &Path, key: &str) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key} = \"")))
        .and_then(|rest| rest.strip_suffix('"'))
        .map(str::to_owned)
        .with_context(|| format!("{} has no {key} = \"…\" line", file.display()))
}

fn quoted(value: &str) -> String {
    format!("\"{value}\"")
}

/// The workspace's tracked and unignored files, as they are on disk, in a
/// temporary folder; `node_modules` is linked, not copied.
struct WorkspaceCopy {
    root: PathBuf,
}

impl WorkspaceCopy {
    fn create() -> anyhow::Result<Self> {
        let root = std::env::temp_dir().join(format!("xtask-dev-watch-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let copy = WorkspaceCopy { root };
        let files =
            util::output(Command::new("git").args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"]))?;
        for file in files.split('\0').filter(|f| !f.is_empty()) {
            let from = Path::new(file);
            if !from.is_file() {
                continue; // deleted in the working tree
            }
            let to = copy.root.join(file);
            std::fs::create_dir_all(to.parent().context("a file without a folder")?)?;
            std::fs::copy(from, &to).with_context(|| format!("copying {file}"))?;
        }
        util::version_workspace_copy(&copy.root)?;
        let modules = std::env::current_dir()?.join("node_modules");
        if modules.is_dir() {
            std::os::unix::fs::symlink(&modules, copy.root.join("node_modules"))
                .context("linking node_modules into the copy")?;
        }
        Ok(copy)
    }
}

impl Drop for WorkspaceCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// `cargo xtask dev` in the copy, its output in `dev.log`.
struct DevProcess {
    child: Option<Child>,
    port: u16,
    log: PathBuf,
}

impl DevProcess {
    fn spawn(root: &Path, port: u16, reload_port: u16) -> anyhow::Result<Self> {
        let log = root.join("dev.log");
        let out = std::fs::File::create(&log)?;
        let child = Command::new(util::cargo())
            .args(["xtask", "dev", "--port", &port.to_string()])
            .args(["--reload-port", &reload_port.to_string()])
            .current_dir(root)
            .env("CARGO_TARGET_DIR", util::target_dir()?)
            // Its site and staged builds stay in the copy, apart from ours.
            .env("XTASK_OUT_DIR", root.join("out"))
            // The server runs in the copy, so its defaults (the SQLite file under `data/`,
            // `data/outbox`) are in the copy too. Nothing else is set: sqlx's
            // build scripts watch DATABASE_URL, and a changed value would
            // rebuild them for everyone sharing the target directory.
            .env_remove("DATABASE_URL")
            .env_remove("MAIL_OUTBOX_DIR")
            // As a developer runs it: incremental, the dev profile's
            // default (CI turns it off for its own builds), so the edit's
            // rebuild, the figure this check reports, is the one they see.
            .env_remove("CARGO_INCREMENTAL")
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .context("starting `cargo xtask dev` in the copy")?;
        Ok(DevProcess {
            child: Some(child),
            port,
            log,
        })
    }

    /// Polls `GET /` until it contains `text`, failing if the command exits.
    fn wait_for_text(&mut self, text: &str) -> anyhow::Result<()> {
        let started = Instant::now();
        loop {
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                bail!("`cargo xtask dev` exited ({status})\n{}", self.log_tail());
            }
            if let Ok((200, body)) = util::http_get(self.port, "/")
                && body.contains(text)
            {
                return Ok(());
            }
            if started.elapsed() > LIMIT {
                bail!("`{text}` was not served within {LIMIT:?}\n{}", self.log_tail());
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    }

    /// The last 60 lines of the command's output.
    fn log_tail(&self) -> String {
        let mut text = String::new();
        if let Ok(mut f) = std::fs::File::open(&self.log) {
            let _ = f.read_to_string(&mut text);
        }
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(60)..].join("\n")
    }

    /// Stops the command and what it started (the server, a build): SIGTERM
    /// to each, then SIGKILL after ten seconds. (`cargo run` execs the
    /// xtask binary, so the child is `xtask dev` itself; it shares our
    /// process group, so a Ctrl-C reaches all of them anyway.)
    fn stop(&mut self) -> anyhow::Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        let mut pids = descendants(child.id());
        pids.push(child.id());
        signal("-TERM", &pids);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if child.try_wait()?.is_some() && pids.iter().all(|p| !Path::new(&format!("/proc/{p}")).exists()) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        signal("-KILL", &pids);
        let _ = child.wait();
        Ok(())
    }
}

/// Every process below `pid` (Linux: `/proc/<pid>/task/*/children`), deepest first.
fn descendants(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten();
    for task in tasks {
        let children = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        for child in children.split_whitespace().filter_map(|c| c.parse().ok()) {
            found.extend(descendants(child));
            found.push(child);
        }
    }
    found
}

fn signal(which: &str, pids: &[u32]) {
    let mut kill = Command::new("kill");
    kill.arg(which).arg("--").args(pids.iter().map(u32::to_string));
    let _ = kill.stderr(Stdio::null()).status();
}

impl Drop for DevProcess {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}
