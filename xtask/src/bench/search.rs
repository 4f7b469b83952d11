//! Database benchmarks run as `domain`'s examples, each against a SQLite
//! file and a temporary PostgreSQL server, freshly made: the conversation
//! search on 100,000 messages per user (`search_bench`), and the credits
//! ledger's hold + settle pairs (`credits_bench`).

use crate::pg::TempPostgres;
use crate::util::{self, run};
use std::process::Command;

/// The conversation search.
pub fn measure() -> anyhow::Result<Vec<String>> {
    measure_example("search_bench", "db_sqlite,db_pg,chat")
}

/// The credits ledger.
pub fn measure_credits() -> anyhow::Result<Vec<String>> {
    measure_example("credits_bench", "db_sqlite,db_pg")
}

fn measure_example(example: &str, features: &str) -> anyhow::Result<Vec<String>> {
    let bin = build(example, features)?;
    let dir = std::env::temp_dir().join(format!("xtask-{example}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let sqlite = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
    let mut report = measure_on(&bin, &sqlite)?;
    let pg = TempPostgres::start()?;
    report.extend(measure_on(&bin, &pg.url())?);
    drop(pg);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(report)
}

fn build(example: &str, features: &str) -> anyhow::Result<std::path::PathBuf> {
    run(Command::new(util::cargo()).args([
        "build",
        "--release",
        "--package",
        "domain",
        "--features",
        features,
        "--example",
        example,
    ]))?;
    Ok(util::target_dir()?.join("release/examples").join(example))
}

fn measure_on(bin: &std::path::Path, database_url: &str) -> anyhow::Result<Vec<String>> {
    let out = Command::new(bin).env("DATABASE_URL", database_url).output()?;
    anyhow::ensure!(
        out.status.success(),
        "the bench failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("REPORT "))
        .map(str::to_owned)
        .collect())
}
