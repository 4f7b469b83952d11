//! Idle memory, then throughput, latency and memory of `GET /` (the landing page) under wrk.

use super::rss_mb;
use crate::server::{Running, Staged};
use crate::util::{self, step};
use anyhow::Context;
use std::process::Command;

/// Idle RSS of a fresh server, then wrk at 64 connections on `GET /`
/// (after a warm-up) and the RSS right after.
pub(super) fn measure(staged: &Staged, wrk: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let mut report = Vec::new();
    let server = Running::start(staged, &[])?;
    std::thread::sleep(std::time::Duration::from_millis(500));
    report.push(format!("idle RSS         {:>8.1} MB", rss_mb(&server)?));

    step("load: wrk, 2 threads, 64 connections, 15 s on GET /");
    let url = format!("http://127.0.0.1:{}/", server.port);
    util::output(Command::new(wrk).args(["-t2", "-c64", "-d3s"]).arg(&url))?; // warm-up
    let out = util::output(Command::new(wrk).args(["-t2", "-c64", "-d15s", "--latency"]).arg(&url))?;
    println!("{out}");
    let rps = out
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .map(str::trim)
        .context("wrk printed no Requests/sec")?;
    let p99 = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .map(str::trim)
        .context("wrk printed no 99% latency")?;
    let non2xx = out
        .lines()
        .find(|l| l.contains("Non-2xx"))
        .map(str::trim)
        .unwrap_or("all responses 2xx");
    report.push(format!(
        "landing page     {rps} requests/s, p99 {p99} at 64 connections ({non2xx})"
    ));
    report.push(format!(
        "RSS under load   {:>8.1} MB (right after the run)",
        rss_mb(&server)?
    ));
    server.stop()?;
    Ok(report)
}
