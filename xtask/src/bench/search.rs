//! Conversation search on 100,000 messages per user: `domain`'s
//! `search_bench` example, against a SQLite file and a temporary
//! PostgreSQL server, each freshly seeded.

use crate::pg::TempPostgres;
use crate::util::{self, run};
use std::process::Command;

pub fn measure() -> anyhow::Result<Vec<String>> {
    let bin = build()?;
    let dir = std::env::temp_dir().join(format!("keel-search-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let sqlite = format!("sqlite://{}?mode=rwc", dir.join("search.db").display());
    let mut report = measure_on(&bin, &sqlite)?;
    let pg = TempPostgres::start()?;
    report.extend(measure_on(&bin, &pg.url())?);
    drop(pg);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(report)
}

fn build() -> anyhow::Result<std::path::PathBuf> {
    run(Command::new(util::cargo()).args([
        "build",
        "--release",
        "--package",
        "domain",
        "--features",
        "db_sqlite,db_pg,chat",
        "--example",
        "search_bench",
    ]))?;
    Ok(util::target_dir()?.join("release/examples/search_bench"))
}

fn measure_on(bin: &std::path::Path, database_url: &str) -> anyhow::Result<Vec<String>> {
    let out = Command::new(bin).env("DATABASE_URL", database_url).output()?;
    anyhow::ensure!(
        out.status.success(),
        "the search bench failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("REPORT "))
        .map(str::to_owned)
        .collect())
}
