//! One wrk run and the numbers the report prints from it.

use crate::util;
use anyhow::Context;
use std::path::Path;
use std::process::Command;

/// What one wrk run measured.
pub(super) struct Load {
    pub rps: f64,
    pub p50: String,
    pub p99: String,
    /// "all responses 2xx", or wrk's own line counting the others.
    pub non2xx: String,
}

/// Runs wrk (2 threads) at `connections` for `seconds` on `url`, with
/// `extra` arguments (`-s script`, `-H header`) before the URL.
pub(super) fn run(wrk: &Path, url: &str, connections: u32, seconds: u32, extra: &[&str]) -> anyhow::Result<Load> {
    let out = util::output(
        Command::new(wrk)
            .args([
                "-t2",
                &format!("-c{connections}"),
                &format!("-d{seconds}s"),
                "--latency",
            ])
            .args(extra)
            .arg(url),
    )?;
    let field = |prefix: &str| {
        out.lines()
            .find_map(|l| l.trim().strip_prefix(prefix))
            .map(|v| v.trim().to_owned())
            .with_context(|| format!("wrk printed no `{prefix}`:\n{out}"))
    };
    Ok(Load {
        rps: field("Requests/sec:")?
            .parse()
            .with_context(|| format!("wrk's Requests/sec is not a number:\n{out}"))?,
        p50: field("50%")?,
        p99: field("99%")?,
        non2xx: out
            .lines()
            .find(|l| l.contains("Non-2xx"))
            .map(|l| l.trim().to_owned())
            .unwrap_or_else(|| "all responses 2xx".to_owned()),
    })
}
