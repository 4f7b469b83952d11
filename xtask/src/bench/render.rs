//! Server render cost: the app's landing page (the whole middleware stack, no
//! session), as a signed-out visitor gets it (prerendered) and rendered for
//! each request, and a signed-in page that reads the database (the chat
//! page: session and account) against a bare Leptos page, in alternating
//! wrk runs of one session, so that the machine's state weighs on them all
//! alike. Also the server's memory idle and right after the load.

use super::chat_streams::member_session;
use super::{rss_mb, wrk};
use crate::server::{Running, Staged};
use crate::util::{self, step};
use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

/// wrk's connections, as in the issue that set the targets.
const CONNECTIONS: u32 = 64;
/// Rounds of (baseline, landing prerendered and rendered, chat); each figure is the median of its runs.
const ROUNDS: usize = 3;
/// Seconds a run lasts.
const SECONDS: u32 = 8;
/// The signed-in member (listed in `ADMIN_EMAILS`, so they have access).
const MEMBER: &str = "render-bench@app.test";

/// The bare Leptos page's server, killed when dropped.
struct Baseline {
    child: Child,
    port: u16,
}

impl Baseline {
    fn start(binary: &Path) -> anyhow::Result<Self> {
        let port = util::free_port()?;
        let child = Command::new(binary)
            .env("PORT", port.to_string())
            .stdout(std::process::Stdio::null())
            .spawn()
            .map_err(|e| anyhow::anyhow!("starting {}: {e}", binary.display()))?;
        let baseline = Baseline { child, port };
        util::wait_for_ok(port, "/", Duration::from_secs(30))?;
        Ok(baseline)
    }
}

impl Drop for Baseline {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One page's runs.
struct Series {
    name: &'static str,
    url: String,
    headers: Vec<String>,
    runs: Vec<wrk::Load>,
}

impl Series {
    /// The median run by requests per second.
    fn median(&self) -> &wrk::Load {
        let mut sorted: Vec<&wrk::Load> = self.runs.iter().collect();
        sorted.sort_by(|a, b| a.rps.total_cmp(&b.rps));
        sorted[sorted.len() / 2]
    }

    fn run(&mut self, wrk_bin: &Path, seconds: u32) -> anyhow::Result<wrk::Load> {
        let mut extra = Vec::new();
        for h in &self.headers {
            extra.extend(["-H", h.as_str()]);
        }
        wrk::run(wrk_bin, &self.url, CONNECTIONS, seconds, &extra)
    }
}

/// Signs a member in; returns their `Cookie` header. The chat page renders
/// for them on the server after reading their session and account (the
/// conversation list itself is fetched by the browser once the page runs).
fn signed_in_member(server: &Running) -> anyhow::Result<String> {
    let cookie = member_session(server, MEMBER)?;
    let (status, html) = util::http_get_with(server.port, "/chat", &[("Cookie", cookie.as_str())])?;
    anyhow::ensure!(
        status == 200 && html.contains(MEMBER),
        "the chat page does not render for the signed-in bench member (HTTP {status})"
    );
    Ok(cookie)
}

pub(super) fn measure(staged: &Staged, baseline: &Path, wrk_bin: &Path, chat: bool) -> anyhow::Result<Vec<String>> {
    let mut report = Vec::new();
    let email = MEMBER;
    let server = Running::start(staged, &[("ADMIN_EMAILS", email)])?;
    std::thread::sleep(Duration::from_millis(500));
    report.push(format!("idle RSS         {:>8.1} MB", rss_mb(&server)?));
    let bare = Baseline::start(baseline)?;

    let mut series = vec![
        Series {
            name: "bare Leptos page",
            url: format!("http://127.0.0.1:{}/", bare.port),
            headers: Vec::new(),
            runs: Vec::new(),
        },
        // Served prerendered to a signed-out visitor (`server::http::prerender`).
        Series {
            name: "landing page",
            url: format!("http://127.0.0.1:{}/", server.port),
            headers: Vec::new(),
            runs: Vec::new(),
        },
        // The same page rendered for each request: the prerender serves no
        // URL with a query string.
        Series {
            name: "landing, rendered",
            url: format!("http://127.0.0.1:{}/?rendered", server.port),
            headers: Vec::new(),
            runs: Vec::new(),
        },
    ];
    if chat {
        let cookie = signed_in_member(&server)?;
        series.push(Series {
            name: "chat (signed in)",
            url: format!("http://127.0.0.1:{}/chat", server.port),
            headers: vec![format!("Cookie: {cookie}")],
            runs: Vec::new(),
        });
    }

    step(&format!(
        "render cost: wrk, 2 threads, {CONNECTIONS} connections, {ROUNDS} alternating rounds of {SECONDS} s on {}",
        series.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
    ));
    for s in &mut series {
        s.run(wrk_bin, 2)?; // warm-up
    }
    for round in 0..ROUNDS {
        for s in &mut series {
            let load = s.run(wrk_bin, SECONDS)?;
            println!(
                "  round {}: {:<18} {:>9.0} requests/s, p99 {}",
                round + 1,
                s.name,
                load.rps,
                load.p99
            );
            s.runs.push(load);
        }
    }
    report.push(format!(
        "RSS under load   {:>8.1} MB (right after the runs)",
        rss_mb(&server)?
    ));

    let base = series[0].median().rps;
    for (i, s) in series.iter().enumerate() {
        let m = s.median();
        report.push(format!(
            "{:<17} {:>9.0} requests/s, p50 {}, p99 {} at {CONNECTIONS} connections ({}){}",
            s.name,
            m.rps,
            m.p50,
            m.p99,
            m.non2xx,
            if i == 0 {
                " — the yardstick".to_owned()
            } else {
                format!(" — {:.2}× the bare page", m.rps / base)
            }
        ));
    }
    drop(bare);
    server.stop()?;
    Ok(report)
}
