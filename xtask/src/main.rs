//! `cargo xtask <command>`: the build, dev, test and bench pipeline.
//!
//! It does what cargo-leptos does (server build, WASM build, wasm-bindgen,
//! wasm-opt, Tailwind, hashed and precompressed assets) without needing
//! cargo-leptos, and installs every missing tool itself, saying what it
//! installs.

mod bench;
mod brand;
mod build;
mod dev;
mod features;
mod icons;
mod layers;
mod peers;
mod pg;
mod server;
mod template;
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
  dev   [--release] [--features …] [--no-default-features] [--port N] [--reload-port N]
        build, serve http://127.0.0.1:3000 on the SQLite file in ./data, then watch the
        sources: a change rebuilds only its side (style/ → CSS; server/,
        domain/, entity/, migration/ → server; app/, frontend/, domain/wire/
        → everything), restarts the server if rebuilt, and reloads open tabs
        (Leptos' live reload on ws://127.0.0.1:3001). Ports default to PORT
        and LEPTOS_RELOAD_PORT from the environment or .env
  dev-check
        check the dev loop end to end in a temporary copy of the workspace:
        an edited translation is served without restarting `cargo xtask dev`
        (slow: two builds of the workspace's own crates; at most 15 min each)
  test  run every check: fmt, clippy (server and WASM), unit and integration
        tests on SQLite and PostgreSQL, feature checks, browser tests in
        Chromium against a debug and a release build
  e2e   [--release] [--features …] [--no-default-features]
        build, then run only the browser tests against that build
  budgets
        build release and check the page-weight budgets in a browser (the
        main WASM chunk, each page's first load; end2end/budgets/)
  bench [render|quality|search|credits|chat]
        build release and print sizes, start-up time, memory, throughput,
        Lighthouse and axe-core results; `render` only measures the page
        render cost against a bare Leptos page, `quality` only runs
        Lighthouse (mobile) and axe-core, `search` only times the
        conversation search on 100,000 messages per user (SQLite and
        PostgreSQL), `credits` only counts the ledger's hold + settle pairs
        per second (SQLite with synchronous=FULL, and PostgreSQL), `chat`
        only streams 200 chat replies with credits off and on
  cfg-spread
        list, per product feature, the files outside its own folders that
        mention its cfg (the feature registry keeps this short)
  powerset
        type-check every valid combination of the product features (84:
        at least one sign-in method and one database) on both sides;
        `cargo xtask test` checks a pairwise covering set of them (7)
  brand
        fail when the product's name appears outside the brand's files
        (`wire::brand` and the few build and settings files it lists), or
        when the emails' colours are not the theme's
  new   <dir> [--slug …] [--name …] [--primary …] [--yes] …
        make a renamed, rebranded product from this template in <dir>, a
        new git repository (`cargo xtask new --help` lists every option)
  template-check
        make the example product from the working tree and run,
        in it, its brand check, a debug build with a browser smoke test and
        its own tests (part of `cargo xtask test`)
  prune-check
        make a minimal product with --prune (password sign-in, SQLite): it
        builds on both sides, `cargo tree` shows no chat, Stripe, OAuth or
        PostgreSQL crate, and its tests pass (part of `cargo xtask test`)
  template-update [--template PATH|URL] [--to REV]
        in a product made by `new`: merge the template's changes since
        template.toml's commit into the working tree (conflicts as git's)";

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
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let root = util::workspace_root()?;
    std::env::set_current_dir(&root).context("entering the workspace root")?;
    match command.as_str() {
        "build" => {
            let opts = parse_build_args(&args)?;
            build::build(&opts)?;
            Ok(())
        }
        "dev" => dev::run(&parse_dev_args(&args)?),
        "dev-check" => {
            no_args(&args)?;
            dev::watch_check()
        }
        "test" => {
            no_args(&args)?;
            test::run_tests()
        }
        "e2e" => {
            let opts = parse_build_args(&args)?;
            test::run_e2e(&opts)
        }
        "budgets" => {
            no_args(&args)?;
            test::run_budgets()
        }
        "bench" => match args.as_slice() {
            [] => bench::run(),
            [only] if only == "render" => bench::run_render(),
            [only] if only == "quality" => bench::run_quality(),
            [only] if only == "search" => bench::run_search(),
            [only] if only == "credits" => bench::run_credits(),
            [only] if only == "chat" => bench::run_chat(),
            _ => anyhow::bail!(
                "`bench` takes no arguments, `render`, `quality`, `search`, `credits` or `chat`, not {args:?}\n\n{USAGE}"
            ),
        },
        "brand" => {
            no_args(&args)?;
            brand::check()
        }
        "powerset" => {
            no_args(&args)?;
            test::run_powerset()
        }
        "new" => template::run(&args, &cwd),
        "template-update" => template::update::run(&args, &root),
        "template-check" => {
            no_args(&args)?;
            tools::npm_packages()?;
            template::check::made_product()
        }
        "prune-check" => {
            no_args(&args)?;
            tools::npm_packages()?;
            template::check::pruned_product()
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

/// `dev`'s own options (`--port`, `--reload-port`), then the build's.
fn parse_dev_args(args: &[String]) -> anyhow::Result<dev::DevOptions> {
    let (mut port, mut reload_port) = (None, None);
    let mut build_args = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let slot = match arg.as_str() {
            "--port" => &mut port,
            "--reload-port" => &mut reload_port,
            _ => {
                build_args.push(arg.clone());
                continue;
            }
        };
        let value = it.next().with_context(|| format!("{arg} needs a port number"))?;
        *slot = Some(
            value
                .parse::<u16>()
                .with_context(|| format!("{arg} {value}: not a port number"))?,
        );
    }
    dev::DevOptions::new(parse_build_args(&build_args)?, port, reload_port)
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
