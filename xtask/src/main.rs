//! `cargo xtask <command>`: Keel's build, dev, test and bench pipeline.
//!
//! It does what cargo-leptos does (server build, WASM build, wasm-bindgen,
//! wasm-opt, Tailwind, hashed and precompressed assets) without needing
//! cargo-leptos, and installs every missing tool itself, saying what it
//! installs.

mod bench;
mod build;
mod features;
mod layers;
mod peers;
mod pg;
mod server;
mod test;
mod tools;
mod util;

use anyhow::{Context, bail};
use build::BuildOptions;
use features::FeatureArgs;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  build [--release] [--features a,b] [--no-default-features]
        build the server binary and the site (WASM, JS, CSS, static files)
  dev   [--release] [--features …] [--no-default-features]
        build, then serve http://127.0.0.1:3000 on ./data/keel.db
  test  run every check: fmt, clippy (server and WASM), unit and integration
        tests on SQLite and PostgreSQL, feature checks, browser tests in
        Chromium against a debug and a release build
  e2e   [--release] [--features …] [--no-default-features]
        build, then run only the browser tests against that build
  bench build release and print sizes, start-up time, memory and throughput
  cfg-spread
        list, per product feature, the files outside its own folders that
        mention its cfg (the feature registry keeps this short)";

fn main() {
    if let Err(e) = run() {
        eprintln!("\nxtask: error: {e:#}");
        std::process::exit(1);
    }
}

fn run() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        println!("{USAGE}");
        return Ok(());
    }
    let command = args.remove(0);
    let root = util::workspace_root()?;
    std::env::set_current_dir(&root).context("entering the workspace root")?;
    match command.as_str() {
        "build" => {
            let opts = parse_build_args(&args)?;
            build::build(&opts)?;
            Ok(())
        }
        "dev" => {
            let opts = parse_build_args(&args)?;
            let out = build::build(&opts)?;
            server::serve_dev(&out)
        }
        "test" => {
            no_args(&args)?;
            test::run_tests()
        }
        "e2e" => {
            let opts = parse_build_args(&args)?;
            test::run_e2e(&opts)
        }
        "bench" => {
            no_args(&args)?;
            bench::run()
        }
        "cfg-spread" => {
            no_args(&args)?;
            for (feature, files) in layers::cfg_spread(layers::PRODUCT_FEATURES)? {
                let mut per_crate: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
                for f in &files {
                    *per_crate.entry(layers::crate_of(f)).or_default() += 1;
                }
                let crates: Vec<String> = per_crate.iter().map(|(k, n)| format!("{k}: {n}")).collect();
                println!(
                    "{feature:<15} {:>2} file(s) outside its folders ({})",
                    files.len(),
                    crates.join(", ")
                );
                for f in files {
                    println!("    {}", f.display());
                }
            }
            Ok(())
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}

fn no_args(args: &[String]) -> anyhow::Result<()> {
    if let Some(a) = args.first() {
        bail!("unexpected argument `{a}`\n\n{USAGE}");
    }
    Ok(())
}

fn parse_build_args(args: &[String]) -> anyhow::Result<BuildOptions> {
    let mut release = false;
    let mut features = FeatureArgs::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--release" => release = true,
            "--no-default-features" => features.no_default = true,
            "--features" | "-F" => {
                let list = it.next().context("--features needs a comma-separated list")?;
                features.add(list);
            }
            other => match other.strip_prefix("--features=") {
                Some(list) => features.add(list),
                None => bail!("unexpected argument `{other}`\n\n{USAGE}"),
            },
        }
    }
    Ok(BuildOptions { release, features })
}
