//! Sign-ins per second with argon2id, and refused sign-ins timed for a known and an unknown email.

use super::rss_mb;
use crate::server::{Running, Staged};
use crate::util::{self, step};
use anyhow::Context;
use std::process::Command;

/// One wrk run's numbers.
struct Load {
    rps: String,
    p50: String,
    p99: String,
    non2xx: String,
}

/// Runs wrk with a Lua script for 15 s at `connections`.
fn wrk_run(wrk: &std::path::Path, url: &str, script: &std::path::Path, connections: u32) -> anyhow::Result<Load> {
    let out = util::output(
        Command::new(wrk)
            .args(["-t2", &format!("-c{connections}"), "-d15s", "--latency", "-s"])
            .arg(script)
            .arg(url),
    )?;
    println!("{out}");
    let field = |prefix: &str| {
        out.lines()
            .find_map(|l| l.trim().strip_prefix(prefix))
            .map(|v| v.trim().to_owned())
            .with_context(|| format!("wrk printed no `{prefix}`"))
    };
    Ok(Load {
        rps: field("Requests/sec:")?,
        p50: field("50%")?,
        p99: field("99%")?,
        non2xx: out
            .lines()
            .find(|l| l.contains("Non-2xx"))
            .map(|l| l.trim().to_owned())
            .unwrap_or_else(|| "all responses 2xx".to_owned()),
    })
}

/// A wrk script that POSTs a sign-in form like the sign-in page does.
fn sign_in_script(
    dir: &std::path::Path,
    name: &str,
    email: &str,
    password: &str,
) -> anyhow::Result<std::path::PathBuf> {
    let path = dir.join(format!("{name}.lua"));
    std::fs::write(
        &path,
        format!(
            "wrk.method = \"POST\"\n\
             wrk.body = \"email={}&password={}\"\n\
             wrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n\
             wrk.headers[\"Accept\"] = \"application/json\"\n\
             wrk.headers[\"Sec-Fetch-Site\"] = \"same-origin\"\n",
            email.replace('@', "%40"),
            password.replace(' ', "+")
        ),
    )?;
    Ok(path)
}

/// Sign-ins per second with argon2id (m=19456 KiB, t=2, p=1) and their
/// latency; then refused sign-ins for a known and an unknown email, whose
/// latencies should match (no account enumeration by timing).
pub(super) fn measure(staged: &Staged, wrk: &std::path::Path) -> anyhow::Result<Vec<String>> {
    step("load: sign-ins with argon2id, wrk 2 threads, 8 connections, 15 s each");
    // The limits would (rightly) stop a load test from one IP.
    let server = Running::start(
        staged,
        &[
            ("RATE_LIMIT_SIGN_IN_PER_IP", "100000000/1m"),
            ("RATE_LIMIT_FAILED_SIGN_INS", "100000000/1m"),
        ],
    )?;
    let email = "bench@keel.test";
    let password = "a long benchmark passphrase";
    let (status, body) = util::http_post_form(
        server.port,
        "/api/auth/register",
        &format!(
            "display_name=Bench&email=bench%40keel.test&password={}",
            password.replace(' ', "+")
        ),
    )?;
    anyhow::ensure!(status == 200, "registering the bench account: {status} {body}");
    let dir = std::env::temp_dir().join(format!("keel-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("http://127.0.0.1:{}/api/auth/sign-in", server.port);
    let ok = wrk_run(wrk, &url, &sign_in_script(&dir, "ok", email, password)?, 8)?;
    let known = wrk_run(wrk, &url, &sign_in_script(&dir, "known", email, "a wrong password")?, 8)?;
    let unknown = wrk_run(
        wrk,
        &url,
        &sign_in_script(&dir, "unknown", "nobody@keel.test", "a wrong password")?,
        8,
    )?;
    let rss = rss_mb(&server)?;
    server.stop()?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(vec![
        format!(
            "sign-ins         {} per second, p50 {}, p99 {} at 8 connections ({}; RSS after {rss:.1} MB)",
            ok.rps, ok.p50, ok.p99, ok.non2xx
        ),
        format!(
            "refused sign-in  known email p50 {} p99 {}, unknown email p50 {} p99 {} (same work either way)",
            known.p50, known.p99, unknown.p50, unknown.p99
        ),
    ])
}
