//! Running a built server: throw-away instances for browser tests and
//! benchmarks (`cargo xtask dev` runs its own, in `dev/process.rs`).

use crate::build::BuildOutput;
use crate::util;
use anyhow::{Context, bail};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A copy of one build (binary, `hash.txt`, site), so several builds can be
/// tested side by side.
#[derive(Clone, Debug)]
pub struct Staged {
    pub label: String,
    pub server: PathBuf,
    pub site: PathBuf,
    pub wasm: PathBuf,
}

impl Staged {
    /// Copies `out` into `<target>/xtask-stage/<label>/`.
    pub fn from_build(out: &BuildOutput, label: &str) -> anyhow::Result<Self> {
        let dir = util::out_dir()?.join("xtask-stage").join(label);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let server = dir.join("server");
        std::fs::copy(&out.server, &server)?;
        std::fs::copy(out.server.with_file_name("hash.txt"), dir.join("hash.txt"))?;
        let site = dir.join("site");
        util::copy_dir(&out.site, &site)?;
        let wasm = site
            .join("pkg")
            .join(out.wasm.file_name().context("wasm has no file name")?);
        Ok(Staged {
            label: label.to_owned(),
            server,
            site,
            wasm,
        })
    }
}

/// A server process on a free port with its own fresh SQLite file; stopped
/// with SIGTERM when dropped.
pub struct Running {
    child: Option<Child>,
    pub port: u16,
    pub startup: Duration,
    dir: PathBuf,
}

impl Running {
    pub fn start(staged: &Staged, extra_env: &[(&str, &str)]) -> anyhow::Result<Self> {
        Self::start_on(staged, util::free_port()?, extra_env)
    }

    /// Starts on a port chosen beforehand (others, such as the fake
    /// providers, need the server's URL before it runs).
    pub fn start_on(staged: &Staged, port: u16, extra_env: &[(&str, &str)]) -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(format!("xtask-{}-{}-{port}", staged.label, std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let db = format!("sqlite://{}?mode=rwc", dir.join("app.db").display());
        // Mail goes to a folder in this directory unless SMTP is configured.
        let outbox = dir.join("outbox");
        let log = std::fs::File::create(dir.join("server.log"))?;
        let started = Instant::now();
        let mut cmd = Command::new(&staged.server);
        cmd.env("PORT", port.to_string())
            .env("HOST", "127.0.0.1")
            .env("DATABASE_URL", &db)
            .env("LEPTOS_SITE_ROOT", &staged.site)
            .env("MAIL_OUTBOX_DIR", &outbox)
            .env("LOG_FORMAT", "json")
            .env(
                "RUST_LOG",
                std::env::var("XTASK_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .current_dir(&dir)
            .stdout(log.try_clone()?)
            .stderr(log);
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {}", staged.server.display()))?;
        let mut running = Running {
            child: Some(child),
            port,
            startup: Duration::ZERO,
            dir,
        };
        if let Err(e) = util::wait_for_ok(port, "/readyz", Duration::from_secs(30)) {
            bail!("{e}\nserver log:\n{}", running.log());
        }
        running.startup = started.elapsed();
        Ok(running)
    }

    /// The server's SQLite database.
    pub fn database_url(&self) -> String {
        format!("sqlite://{}?mode=rwc", self.dir.join("app.db").display())
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or_default()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// Where the server writes mail (no SMTP is configured): one `.eml` file a message.
    pub fn outbox(&self) -> PathBuf {
        self.dir.join("outbox")
    }

    /// Resident memory of the process, in KiB.
    pub fn rss_kib(&self) -> anyhow::Result<u64> {
        rss_kib_of(self.pid())
    }

    /// Sends SIGTERM and checks the server exits cleanly within its grace period.
    pub fn stop(mut self) -> anyhow::Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        util::run(
            Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .stdout(Stdio::null()),
        )?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait()? {
                if !status.success() {
                    bail!("server exited with {status} after SIGTERM\n{}", self.log());
                }
                return Ok(());
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                bail!("server did not stop within 30 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Resident memory of process `pid`, in KiB (`VmRSS` in `/proc/<pid>/status`).
pub fn rss_kib_of(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("no VmRSS in /proc/<pid>/status")
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
