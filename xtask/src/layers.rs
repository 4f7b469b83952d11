//! Checks that keep the layers apart: `domain` depends on neither Leptos
//! nor axum, and no `app` code outside its adapters (`app/src/server/`)
//! reaches into the Leptos context for the services; and the measure of
//! how far each product feature's `cfg` spreads outside its own folders.

use crate::util::{self, output};
use anyhow::{Context, ensure};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Crates the domain must never pull in (normal dependencies, any feature).
const FORBIDDEN_IN_DOMAIN: &[&str] = &[
    "leptos",
    "leptos_axum",
    "leptos_router",
    "leptos_meta",
    "axum",
    "axum-core",
    "app",
];

/// `domain`'s dependency tree (normal edges, every feature) holds no
/// Leptos, no axum and no `app`.
pub fn domain_is_framework_free() -> anyhow::Result<()> {
    let tree = output(Command::new(util::cargo()).args([
        "tree",
        "--package",
        "domain",
        "--edges",
        "normal",
        "--all-features",
        "--prefix",
        "none",
        "--format",
        "{p}",
    ]))?;
    let found: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| FORBIDDEN_IN_DOMAIN.contains(name))
        .collect();
    ensure!(
        found.is_empty(),
        "domain depends on {found:?}: business operations must not know the web framework"
    );
    Ok(())
}

/// No `app` source outside `app/src/server/` calls `use_context` for the
/// services: server functions get them (and the actor) from
/// `server::context()`.
pub fn services_only_through_adapters() -> anyhow::Result<()> {
    let mut offenders = Vec::new();
    for file in rust_files(Path::new("app/src"))? {
        if file.starts_with("app/src/server") {
            continue;
        }
        let text = std::fs::read_to_string(&file)?;
        let compact: String = text.split_whitespace().collect();
        if compact.contains("use_context::<Services>")
            || compact.contains("use_context::<domain::services::Services>")
            || compact.contains("use_context::<domain::Services>")
            || compact.contains("use_services(")
        {
            offenders.push(file.display().to_string());
        }
    }
    ensure!(
        offenders.is_empty(),
        "these reach into the Leptos context for the services instead of app::server::context(): {offenders:?}"
    );
    Ok(())
}

/// Per product feature: the source files outside the feature's own folders
/// (a path with the feature's name, or its area's: `chat`, `payments`,
/// `stripe`, `oauth`, `google`, `github`, `local`, `password`) that mention
/// `feature = "<name>"`.
pub fn cfg_spread(features: &[&str]) -> anyhow::Result<BTreeMap<String, Vec<PathBuf>>> {
    let mut spread: BTreeMap<String, Vec<PathBuf>> = features.iter().map(|f| ((*f).to_owned(), Vec::new())).collect();
    let roots = ["app/src", "domain/src", "domain/wire/src", "server/src", "frontend/src"];
    for root in roots {
        for file in rust_files(Path::new(root))? {
            let text = std::fs::read_to_string(&file).with_context(|| file.display().to_string())?;
            for feature in features {
                if !text.contains(&format!("feature = \"{feature}\"")) {
                    continue;
                }
                let path = file.to_string_lossy();
                if !own_folders(feature).iter().any(|f| path.contains(f)) {
                    spread.entry((*feature).to_owned()).or_default().push(file.clone());
                }
            }
        }
    }
    Ok(spread)
}

/// Path fragments that count as a feature's own folders. The sign-in
/// methods are parts of the accounts area (`app/src/auth/`,
/// `domain/src/accounts/`, `wire`'s `auth.rs`), which composes them: the
/// sign-in page shows each compiled-in method.
fn own_folders(feature: &str) -> &'static [&'static str] {
    match feature {
        "chat" => &["/chat"],
        "stripe_payment" => &["/payments", "/stripe"],
        "google_auth" => &["/google", "/oauth", "/auth", "/accounts"],
        "github_auth" => &["/github", "/oauth", "/auth", "/accounts"],
        "local_auth" => &["/local", "/password", "/hasher", "/new_password", "/auth", "/accounts"],
        "db_sqlite" => &["/sqlite", "/db/"],
        "db_pg" => &["/postgres", "/db/"],
        _ => &[],
    }
}

/// The product features whose spread is measured.
pub const PRODUCT_FEATURES: &[&str] = &[
    "local_auth",
    "google_auth",
    "github_auth",
    "db_sqlite",
    "db_pg",
    "stripe_payment",
    "chat",
];

/// Most files of one crate, outside a feature's own folders, that may name
/// the feature: the crate root (its `mod` line), the crate's feature
/// registry, and its error type.
pub const MAX_SPREAD_PER_CRATE: usize = 3;

/// Fails when a feature's `cfg` spreads past [`MAX_SPREAD_PER_CRATE`]
/// files in any crate: a new special case belongs in the registry.
pub fn spread_is_contained() -> anyhow::Result<()> {
    let mut over = Vec::new();
    for (feature, files) in cfg_spread(PRODUCT_FEATURES)? {
        let mut per_crate: BTreeMap<String, Vec<&PathBuf>> = BTreeMap::new();
        for f in &files {
            per_crate.entry(crate_of(f)).or_default().push(f);
        }
        for (krate, files) in per_crate {
            if files.len() > MAX_SPREAD_PER_CRATE {
                over.push(format!("{feature} in {krate}: {files:?}"));
            }
        }
    }
    ensure!(
        over.is_empty(),
        "a feature's cfg spreads past the registry (at most {MAX_SPREAD_PER_CRATE} files per crate): {over:?}"
    );
    Ok(())
}

/// The crate a source file belongs to (its folder before `/src/`).
pub fn crate_of(file: &Path) -> String {
    let path = file.to_string_lossy();
    path.split("/src/").next().unwrap_or_default().to_owned()
}

fn rust_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if !dir.exists() {
        return Ok(files);
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files.extend(rust_files(&path)?);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}
