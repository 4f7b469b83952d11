//! Processes the tests talk to: a real SMTP server (maildev, from npm) and
//! the fake Google/GitHub providers (`end2end/fakes`). Both stop when dropped.

use crate::tools;
use crate::util::{self, run, step};
use anyhow::{Context, bail};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// maildev: SMTP in, a REST API (`/api/email`) to read what arrived.
pub struct Maildev {
    child: Child,
    pub smtp_port: u16,
    pub api: String,
    dir: PathBuf,
}

impl Maildev {
    pub fn start() -> anyhow::Result<Self> {
        let smtp_port = util::free_port()?;
        let web_port = util::free_port()?;
        let dir = std::env::temp_dir().join(format!("xtask-maildev-{}-{smtp_port}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let child = Command::new(tools::npm_bin("maildev"))
            .args(["--smtp", &smtp_port.to_string(), "--web", &web_port.to_string()])
            .args([
                "--ip",
                "127.0.0.1",
                "--web-ip",
                "127.0.0.1",
                "--silent",
                "--mail-directory",
            ])
            .arg(&dir)
            .stdout(Stdio::null())
            .spawn()
            .context("starting maildev (npm)")?;
        let maildev = Maildev {
            child,
            smtp_port,
            api: format!("http://127.0.0.1:{web_port}"),
            dir,
        };
        util::wait_for_ok(web_port, "/api/email", Duration::from_secs(30)).context("maildev did not come up")?;
        println!("  maildev: SMTP on 127.0.0.1:{smtp_port}, API {}", maildev.api);
        Ok(maildev)
    }
}

impl Drop for Maildev {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The fake providers, registered for one server's redirect URIs.
pub struct FakeProviders {
    child: Child,
    pub url: String,
    /// The settings that point the app at the fakes.
    pub env: Vec<(String, String)>,
}

/// Builds the fakes' binary: debug for the tests, release for the bench
/// (where the fake model APIs must not be what is slow).
pub fn build_fakes(release: bool) -> anyhow::Result<PathBuf> {
    step("building the fake providers: Google, GitHub, Stripe, model APIs (end2end/fakes)");
    let mut cmd = Command::new(util::cargo());
    cmd.args(["build", "--package", "fakes", "--bin", "fakes"]);
    if release {
        cmd.arg("--release");
    }
    run(&mut cmd)?;
    Ok(util::target_dir()?
        .join(if release { "release" } else { "debug" })
        .join("fakes"))
}

impl FakeProviders {
    /// Starts the fakes, accepting the callbacks of a server on `server_port`.
    pub fn start(binary: &std::path::Path, server_port: u16) -> anyhow::Result<Self> {
        Self::start_with(binary, server_port, &[])
    }

    /// Like [`FakeProviders::start`], with more arguments for `fakes`
    /// (such as `--llm-pace-ms 20`).
    pub fn start_with(binary: &std::path::Path, server_port: u16, extra_args: &[&str]) -> anyhow::Result<Self> {
        let port = util::free_port()?;
        let mut cmd = Command::new(binary);
        cmd.args(["--port", &port.to_string()]).args(extra_args);
        for provider in ["google", "github"] {
            cmd.args([
                "--redirect",
                &format!("http://127.0.0.1:{server_port}/auth/{provider}/callback"),
            ]);
        }
        // Signed webhooks to the server; 15-second billing periods, so a
        // browser test sees access lapse (end2end/tests/payments.test.mjs).
        cmd.args([
            "--stripe-webhook",
            &format!("http://127.0.0.1:{server_port}/webhooks/stripe"),
            "--stripe-period-secs",
            "15",
        ]);
        let mut child = cmd.stdout(Stdio::piped()).spawn().context("starting fakes")?;
        let stdout = child.stdout.take().context("fakes has no stdout")?;
        let mut env = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            if let Some(url) = line.strip_prefix("ready ") {
                return Ok(FakeProviders {
                    child,
                    url: url.to_owned(),
                    env,
                });
            }
            if let Some((k, v)) = line.split_once('=') {
                env.push((k.to_owned(), v.to_owned()));
            }
        }
        let _ = child.kill();
        bail!("fakes exited before it was ready")
    }
}

impl Drop for FakeProviders {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
