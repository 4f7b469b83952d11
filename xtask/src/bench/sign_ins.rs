//! Sign-ins per second with argon2id, and refused sign-ins timed for a known and an unknown email.

use super::rss_mb;
use super::wrk;
use crate::server::{Running, Staged};
use crate::util::{self, step};

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
pub(super) fn measure(staged: &Staged, wrk_bin: &std::path::Path) -> anyhow::Result<Vec<String>> {
    step("load: sign-ins with argon2id, wrk 2 threads, 8 connections, 15 s each");
    // The limits would (rightly) stop a load test from one IP.
    let server = Running::start(
        staged,
        &[
            ("RATE_LIMIT_SIGN_IN_PER_IP", "100000000/1m"),
            ("RATE_LIMIT_FAILED_SIGN_INS", "100000000/1m"),
        ],
    )?;
    let email = "bench@app.test";
    let password = "a long benchmark passphrase";
    let (status, body) = util::http_post_form(
        server.port,
        "/api/auth/register",
        &format!(
            "display_name=Bench&email=bench%40app.test&password={}",
            password.replace(' ', "+")
        ),
    )?;
    anyhow::ensure!(status == 200, "registering the bench account: {status} {body}");
    let dir = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("http://127.0.0.1:{}/api/auth/sign-in", server.port);
    let load = |script: std::path::PathBuf| {
        let script = script.to_string_lossy().into_owned();
        wrk::run(wrk_bin, &url, 8, 15, &["-s", &script])
    };
    let ok = load(sign_in_script(&dir, "ok", email, password)?)?;
    let known = load(sign_in_script(&dir, "known", email, "a wrong password")?)?;
    let unknown = load(sign_in_script(&dir, "unknown", "nobody@app.test", "a wrong password")?)?;
    let rss = rss_mb(&server)?;
    server.stop()?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(vec![
        format!(
            "sign-ins         {:.0} per second, p50 {}, p99 {} at 8 connections ({}; RSS after {rss:.1} MB)",
            ok.rps, ok.p50, ok.p99, ok.non2xx
        ),
        format!(
            "refused sign-in  known email p50 {} p99 {}, unknown email p50 {} p99 {} (same work either way)",
            known.p50, known.p99, unknown.p50, unknown.p99
        ),
    ])
}
