//! `cargo xtask bench`: release builds, then sizes, start-up, memory and
//! throughput of the landing page, sign-ins, Stripe webhooks and (with the
//! `chat` feature) concurrent chat streams. Prints numbers; asserts nothing
//! about speed.

mod chat_streams;
mod landing_page;
mod sign_ins;
mod sizes;
mod startup;
mod webhooks;

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
    // The chat bench streams from the fake model APIs: built up front, so a
    // failing build stops the bench before it measures anything.
    let chat = FeatureArgs::default().resolve(&features::declared()?)?.contains("chat");
    let fakes = if chat { Some(peers::build_fakes(true)?) } else { None };

    let mut report = vec!["\nKeel benchmark (release builds)".to_owned()];
    report.extend(sizes::measure(&[&minimal, &default], &default_out.css, &default)?);
    report.push(startup::measure(&default)?);
    report.extend(landing_page::measure(&default, &wrk)?);
    report.extend(sign_ins::measure(&default, &wrk)?);
    report.extend(webhooks::measure(&default)?);
    match &fakes {
        Some(fakes) => report.extend(chat_streams::measure(&default, fakes)?),
        None => report.push("chat streams     skipped: the default build has no `chat` feature".to_owned()),
    }

    for line in report {
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
