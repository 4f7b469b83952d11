//! `cargo xtask bench`: release builds, then sizes, start-up, memory,
//! render cost against a bare Leptos page (landing and chat pages),
//! Lighthouse and axe-core scores, sign-ins, Stripe webhooks and (with the
//! `chat` feature) concurrent chat streams. Prints numbers; asserts nothing
//! about speed.

mod chat_streams;
mod quality;
mod render;
mod search;
mod sign_ins;
mod sizes;
mod startup;
mod webhooks;
mod wrk;

use crate::build::{self, BuildOptions};
use crate::features::{self, FeatureArgs};
use crate::peers;
use crate::server::{Running, Staged};
use crate::tools;

pub fn run() -> anyhow::Result<()> {
    let wrk = tools::wrk()?;
    let minimal = build::build(&BuildOptions {
        release: true,
        features: FeatureArgs::minimal(),
    })?;
    let minimal = Staged::from_build(&minimal, "bench-minimal")?;
    let default_out = build::build(&BuildOptions {
        release: true,
        features: FeatureArgs::default(),
    })?;
    let default = Staged::from_build(&default_out, "bench-default")?;
    let baseline = build::bench_baseline()?;
    // The chat bench streams from the fake model APIs: built up front, so a
    // failing build stops the bench before it measures anything.
    let product_features = FeatureArgs::default().resolve(&features::declared()?)?;
    let chat = product_features.contains("chat");
    let fakes = if chat { Some(peers::build_fakes(true)?) } else { None };

    let mut report = vec!["\nBenchmark (release builds)".to_owned()];
    report.extend(sizes::measure(&[&minimal, &default], &default_out.css, &default)?);
    report.push(startup::measure(&default)?);
    report.extend(render::measure(&default, &baseline, &wrk, chat)?);
    report.extend(quality::measure(&default, &product_features)?);
    report.extend(sign_ins::measure(&default, &wrk)?);
    report.extend(webhooks::measure(&default)?);
    match &fakes {
        Some(fakes) => report.extend(chat_streams::measure(&default, fakes)?),
        None => report.push("chat streams     skipped: the default build has no `chat` feature".to_owned()),
    }
    report.extend(search::measure()?);
    report.extend(search::measure_credits()?);

    for line in report {
        println!("{line}");
    }
    Ok(())
}

/// `cargo xtask bench render`: only the render cost (one release build).
pub fn run_render() -> anyhow::Result<()> {
    let wrk = tools::wrk()?;
    let features = FeatureArgs::default();
    let chat = features.resolve(&features::declared()?)?.contains("chat");
    let out = build::build(&BuildOptions {
        release: true,
        features: features.clone(),
    })?;
    let staged = Staged::from_build(&out, "bench-render")?;
    let baseline = build::bench_baseline()?;
    for line in render::measure(&staged, &baseline, &wrk, chat)? {
        println!("{line}");
    }
    Ok(())
}

/// `cargo xtask bench quality`: only Lighthouse and axe-core (one release build).
pub fn run_quality() -> anyhow::Result<()> {
    let features = FeatureArgs::default();
    let product_features = features.resolve(&features::declared()?)?;
    let out = build::build(&BuildOptions {
        release: true,
        features,
    })?;
    let staged = Staged::from_build(&out, "bench-quality")?;
    for line in quality::measure(&staged, &product_features)? {
        println!("{line}");
    }
    Ok(())
}

/// `cargo xtask bench chat`: only the 200 chat streams, with credits off
/// and on (one release build and the fake model APIs).
pub fn run_chat() -> anyhow::Result<()> {
    let out = build::build(&BuildOptions {
        release: true,
        features: FeatureArgs::default(),
    })?;
    let staged = Staged::from_build(&out, "bench-chat")?;
    let fakes = peers::build_fakes(true)?;
    for line in chat_streams::measure(&staged, &fakes)? {
        println!("{line}");
    }
    Ok(())
}

/// `cargo xtask bench search`: only the conversation search (SQLite and PostgreSQL).
pub fn run_search() -> anyhow::Result<()> {
    for line in search::measure()? {
        println!("{line}");
    }
    Ok(())
}

/// `cargo xtask bench credits`: only the credits ledger (SQLite and PostgreSQL).
pub fn run_credits() -> anyhow::Result<()> {
    for line in search::measure_credits()? {
        println!("{line}");
    }
    Ok(())
}

/// `kib` KiB in MB, as the report prints memory.
fn mb(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// The resident memory of `server`, in MB.
fn rss_mb(server: &Running) -> anyhow::Result<f64> {
    Ok(mb(server.rss_kib()?))
}
