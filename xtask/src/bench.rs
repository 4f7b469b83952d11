//! `cargo xtask bench`: release builds, then sizes, start-up, memory and
//! throughput of the landing page. Prints numbers; asserts nothing about speed.

use crate::build::{self, BuildOptions, brotli_bytes, gzip_bytes};
use crate::features::FeatureArgs;
use crate::server::{Running, Staged};
use crate::tools;
use crate::util::{self, step};
use anyhow::Context;
use std::process::Command;

pub fn run() -> anyhow::Result<()> {
    let wrk = tools::wrk()?;
    let minimal = build::build(&BuildOptions {
        release: true,
        features: FeatureArgs::minimal(),
    })?;
    let minimal = Staged::from_build(&minimal, "bench-minimal")?;
    let default_out = build::build(&BuildOptions {
        release: true,
        features: FeatureArgs::default(),
    })?;
    let default = Staged::from_build(&default_out, "bench-default")?;

    let mut report = vec!["\nKeel benchmark (release builds)".to_owned()];
    for staged in [&minimal, &default] {
        let wasm = std::fs::read(&staged.wasm)?;
        report.push(format!(
            "WASM {:<8} raw {:>8} B   gzip {:>8} B   brotli {:>8} B",
            staged.label.trim_start_matches("bench-"),
            wasm.len(),
            gzip_bytes(&wasm)?.len(),
            brotli_bytes(&wasm)?.len()
        ));
    }
    let css = std::fs::read(&default_out.css)?;
    report.push(format!(
        "CSS              raw {:>8} B   gzip {:>8} B   brotli {:>8} B",
        css.len(),
        gzip_bytes(&css)?.len(),
        brotli_bytes(&css)?.len()
    ));
    report.push(format!(
        "server binary    {:>8} B",
        std::fs::metadata(&default.server)?.len()
    ));

    // Start-to-ready: median of five cold starts (fresh SQLite each time, migrations included).
    let mut startups = Vec::new();
    for _ in 0..5 {
        let server = Running::start(&default, &[])?;
        startups.push(server.startup);
        server.stop()?;
    }
    startups.sort();
    report.push(format!(
        "start to ready   {:>8.1} ms (median of 5; first /readyz 200)",
        startups[2].as_secs_f64() * 1000.0
    ));

    let server = Running::start(&default, &[])?;
    std::thread::sleep(std::time::Duration::from_millis(500));
    report.push(format!(
        "idle RSS         {:>8.1} MB",
        server.rss_kib()? as f64 / 1024.0
    ));

    step("load: wrk, 2 threads, 64 connections, 15 s on GET /");
    let url = format!("http://127.0.0.1:{}/", server.port);
    util::output(Command::new(&wrk).args(["-t2", "-c64", "-d3s"]).arg(&url))?; // warm-up
    let out = util::output(Command::new(&wrk).args(["-t2", "-c64", "-d15s", "--latency"]).arg(&url))?;
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
        server.rss_kib()? as f64 / 1024.0
    ));
    server.stop()?;

    for line in report {
        println!("{line}");
    }
    Ok(())
}
