//! Start-to-ready time: the median of five cold starts.

use crate::server::{Running, Staged};

/// Start-to-ready: median of five cold starts (fresh SQLite each time, migrations included).
pub(super) fn measure(staged: &Staged) -> anyhow::Result<String> {
    let mut startups = Vec::new();
    for _ in 0..5 {
        let server = Running::start(staged, &[])?;
        startups.push(server.startup);
        server.stop()?;
    }
    startups.sort();
    Ok(format!(
        "start to ready   {:>8.1} ms (median of 5; first /readyz 200)",
        startups[2].as_secs_f64() * 1000.0
    ))
}
