//! `cargo xtask test`: every check Keel has, in the order that fails fastest
//! and rebuilds least.

use crate::build::{self, BuildOptions};
use crate::features::FeatureArgs;
use crate::pg::TempPostgres;
use crate::server::{Running, Staged};
use crate::tools;
use crate::util::{self, run, step};
use anyhow::{Context, bail, ensure};
use std::collections::BTreeSet;
use std::process::Command;
use std::time::Instant;

/// A string only the chat feature puts into the UI (English and Russian).
pub const CHAT_MARKERS: [&str; 2] = ["Start a conversation", "Начните разговор"];
/// The chat's route, as the links in the UI spell it.
pub const CHAT_ROUTE: &str = "/chat";

struct Tally {
    passed: Vec<String>,
    started: Instant,
}

impl Tally {
    fn check(&mut self, name: &str, f: impl FnOnce() -> anyhow::Result<()>) -> anyhow::Result<()> {
        step(name);
        let t = Instant::now();
        f().with_context(|| format!("check failed: {name}"))?;
        println!("  ok ({:.1?})", t.elapsed());
        self.passed.push(name.to_owned());
        Ok(())
    }
}

pub fn run_tests() -> anyhow::Result<()> {
    let mut tally = Tally {
        passed: Vec::new(),
        started: Instant::now(),
    };
    let result = run_all(&mut tally);
    println!("\nchecks passed ({:.0?}):", tally.started.elapsed());
    for name in &tally.passed {
        println!("  ✓ {name}");
    }
    let failed = usize::from(result.is_err());
    println!("xtask: {} passed, {failed} failed", tally.passed.len());
    result
}

fn run_all(t: &mut Tally) -> anyhow::Result<()> {
    let cargo = util::cargo;
    t.check("cargo fmt --check", || {
        run(Command::new(cargo()).args(["fmt", "--all", "--", "--check"]))
    })?;
    let mut declared = None;
    t.check(
        "server and frontend forward exactly app's features and defaults",
        || {
            declared = Some(crate::features::declared()?);
            Ok(())
        },
    )?;
    let declared = declared.context("feature declarations were not read")?;

    step("tools");
    tools::ensure_wasm_target()?;
    tools::wasm_bindgen()?;
    tools::npm_packages()?;
    let chromium = tools::chromium()?;

    t.check("clippy, server side (ssr, all targets, default + db_pg)", || {
        run(Command::new(cargo())
            .args([
                "clippy",
                "--workspace",
                "--exclude",
                "frontend",
                "--all-targets",
                "--features",
                "server/db_pg",
            ])
            .args(["--", "-D", "warnings"]))
    })?;
    t.check("clippy, WASM side (hydrate, wasm32)", || {
        run(Command::new(cargo())
            .args([
                "clippy",
                "--package",
                "frontend",
                "--package",
                "app",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .args(["--features", "app/hydrate", "--", "-D", "warnings"]))
    })?;

    let pg = TempPostgres::start()?;
    t.check("unit and integration tests on SQLite and PostgreSQL", || {
        run(Command::new(cargo())
            .args([
                "test",
                "--workspace",
                "--exclude",
                "frontend",
                "--features",
                "server/db_pg",
            ])
            .env("KEEL_TEST_PG_URL", pg.url())
            .env("KEEL_REQUIRE_PG", "1"))
    })?;
    drop(pg);

    let debug_default = Staged::from_build(
        &build::build(&BuildOptions {
            release: false,
            features: FeatureArgs::default(),
        })?,
        "debug-default",
    )?;
    let debug_minimal = Staged::from_build(
        &build::build(&BuildOptions {
            release: false,
            features: FeatureArgs::minimal(),
        })?,
        "debug-minimal",
    )?;

    t.check("a build without a sign-in method fails with its compile_error!", || {
        expect_compile_error(
            Command::new(cargo()).args([
                "build",
                "--package",
                "server",
                "--no-default-features",
                "--features",
                "db_sqlite",
            ]),
            "Keel needs at least one sign-in method",
        )
    })?;
    t.check("a build without a database fails with its compile_error!", || {
        expect_compile_error(
            Command::new(cargo())
                .args(["build", "--package", "frontend", "--target", "wasm32-unknown-unknown"])
                .args(["--no-default-features", "--features", "local_auth"]),
            "Keel needs a database",
        )
    })?;
    t.check(
        "chat strings and route: in the default build, absent from the minimal one",
        || {
            for (staged, expect) in [(&debug_default, true), (&debug_minimal, false)] {
                for file in [&staged.server, &staged.wasm] {
                    let bytes = std::fs::read(file)?;
                    for needle in CHAT_MARKERS.iter().copied().chain([CHAT_ROUTE]) {
                        let found = contains(&bytes, needle.as_bytes());
                        ensure!(
                            found == expect,
                            "{}: `{needle}` {} expected",
                            file.display(),
                            if expect { "missing but" } else { "present but not" }
                        );
                    }
                }
            }
            Ok(())
        },
    )?;

    let release_default = Staged::from_build(
        &build::build(&BuildOptions {
            release: true,
            features: FeatureArgs::default(),
        })?,
        "release-default",
    )?;

    let default_features = FeatureArgs::default().resolve(&declared)?;
    let minimal_features = FeatureArgs::minimal().resolve(&declared)?;
    for (staged, features, build) in [
        (&debug_default, &default_features, "debug"),
        (&release_default, &default_features, "release"),
        (&debug_minimal, &minimal_features, "debug"),
    ] {
        t.check(&format!("browser tests in Chromium: {}", staged.label), || {
            browser_tests(staged, features, build, &chromium)
        })?;
    }

    t.check(
        "feature combinations build (cargo check, server and WASM)",
        feature_matrix,
    )?;
    Ok(())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

fn expect_compile_error(cmd: &mut Command, message: &str) -> anyhow::Result<()> {
    println!("  $ {}  (must fail)", util::describe(cmd));
    let out = cmd.output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(!out.status.success(), "the build succeeded");
    ensure!(
        stderr.contains(message),
        "the build failed without the message `{message}`:\n{stderr}"
    );
    Ok(())
}

/// Starts the staged server and runs `end2end/tests` against it with node's
/// test runner and playwright-core driving Debian's Chromium. Stopping the
/// server with SIGTERM afterwards must end in a clean exit.
fn browser_tests(
    staged: &Staged,
    features: &BTreeSet<String>,
    build: &str,
    chromium: &std::path::Path,
) -> anyhow::Result<()> {
    let server = Running::start(staged, &[])?;
    println!(
        "  server {} ready on port {} in {:.0?}",
        staged.label, server.port, server.startup
    );
    let features = features.iter().cloned().collect::<Vec<_>>().join(",");
    let status = Command::new("node")
        .args(["--test", "--test-concurrency=1", "end2end/tests/"])
        .env("BASE_URL", format!("http://127.0.0.1:{}", server.port))
        .env("KEEL_FEATURES", &features)
        .env("KEEL_BUILD", build)
        .env("CHROMIUM_PATH", chromium)
        .status()
        .context("running node --test")?;
    if !status.success() {
        bail!(
            "browser tests failed against {}\nserver log (tail):\n{}",
            staged.label,
            tail(&server.log(), 40)
        );
    }
    server.stop()
}

fn tail(text: &str, n: usize) -> String {
    let lines: Vec<_> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Every sign-in method and database alone and together, with and without
/// the optional features, type-checks on both sides.
fn feature_matrix() -> anyhow::Result<()> {
    const SETS: [&str; 5] = [
        "google_auth,db_sqlite",
        "github_auth,db_pg",
        "local_auth,db_sqlite,db_pg,chat",
        "local_auth,github_auth,db_sqlite,stripe_payment",
        "google_auth,db_pg,stripe_payment,chat",
    ];
    for set in SETS {
        run(Command::new(util::cargo()).args([
            "check",
            "--package",
            "server",
            "--no-default-features",
            "--features",
            set,
        ]))?;
        run(Command::new(util::cargo()).args([
            "check",
            "--package",
            "frontend",
            "--target",
            "wasm32-unknown-unknown",
            "--no-default-features",
            "--features",
            set,
        ]))?;
    }
    Ok(())
}
