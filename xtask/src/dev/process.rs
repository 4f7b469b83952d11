//! The server process of `cargo xtask dev`: started with the live-reload
//! settings, restarted after a rebuild, watched for exits.

use crate::build::BuildOutput;
use crate::util;
use anyhow::{Context, bail};
use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// How long a start (migrations included) may take before `/readyz` answers.
const START_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a stopping server gets after SIGTERM before it is killed (a
/// browser's open connections would otherwise hold it for the full grace).
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

pub struct DevServer {
    binary: PathBuf,
    site: PathBuf,
    port: u16,
    reload_port: u16,
    child: Option<Child>,
}

impl DevServer {
    pub fn new(out: &BuildOutput, port: u16, reload_port: u16) -> Self {
        DevServer {
            binary: out.server.clone(),
            site: out.site.clone(),
            port,
            reload_port,
            child: None,
        }
    }

    /// Starts the binary (its logs go to this terminal) and waits until it
    /// is ready.
    pub fn start(&mut self) -> anyhow::Result<()> {
        let child = Command::new(&self.binary)
            .env("LEPTOS_SITE_ROOT", &self.site)
            .env("PORT", self.port.to_string())
            // `<AutoReload>` renders its script only while this is set.
            .env("LEPTOS_WATCH", "true")
            .env("LEPTOS_RELOAD_PORT", self.reload_port.to_string())
            .spawn()
            .with_context(|| format!("starting {}", self.binary.display()))?;
        self.child = Some(child);
        self.wait_ready()
    }

    fn wait_ready(&mut self) -> anyhow::Result<()> {
        let started = Instant::now();
        while let Some(child) = self.child.as_mut() {
            if let Some(status) = child.try_wait()? {
                self.child = None;
                bail!("the server exited while starting ({status})");
            }
            if let Ok((200, _)) = util::http_get(self.port, "/readyz") {
                return Ok(());
            }
            if started.elapsed() > START_TIMEOUT {
                bail!(
                    "the server was not ready on port {} within {START_TIMEOUT:?}",
                    self.port
                );
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        bail!("the server is not running")
    }

    /// SIGTERM, then SIGKILL after [`STOP_TIMEOUT`].
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.stop();
        self.start()
    }

    pub fn is_running(&mut self) -> bool {
        self.notice_exit();
        self.child.is_some()
    }

    /// Says so, once, when the server has exited by itself.
    pub fn notice_exit(&mut self) {
        let exited = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten());
        if let Some(status) = exited {
            self.child = None;
            eprintln!("\n[dev] the server exited ({status}); it starts again with the next change");
        }
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        self.stop();
    }
}
