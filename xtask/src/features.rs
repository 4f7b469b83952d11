//! The product features, as declared in `app/Cargo.toml`, and the check that
//! `server` and `frontend` forward exactly those.

use anyhow::{Context, bail, ensure};
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;

/// Features of `app` that are build sides, not product features.
const SIDES: [&str; 2] = ["ssr", "hydrate"];

/// `--features` / `--no-default-features` as given on the command line.
#[derive(Clone, Debug, Default)]
pub struct FeatureArgs {
    pub no_default: bool,
    pub features: Vec<String>,
}

impl FeatureArgs {
    /// The minimal set the feature checks build: one sign-in method, SQLite.
    pub fn minimal() -> Self {
        FeatureArgs {
            no_default: true,
            features: vec!["local_auth".into(), "db_sqlite".into()],
        }
    }

    /// Sign-in only through providers: the build the password feature check uses.
    pub fn providers_only() -> Self {
        FeatureArgs {
            no_default: true,
            features: vec!["google_auth".into(), "github_auth".into(), "db_sqlite".into()],
        }
    }

    /// Adds a comma- or space-separated list.
    pub fn add(&mut self, list: &str) {
        self.features
            .extend(list.split([',', ' ']).filter(|f| !f.is_empty()).map(str::to_owned));
    }

    /// The arguments to pass to cargo.
    pub fn cargo_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if self.no_default {
            args.push("--no-default-features".to_owned());
        }
        if !self.features.is_empty() {
            args.push("--features".to_owned());
            args.push(self.features.join(","));
        }
        args
    }

    /// The product features the build ends up with.
    pub fn resolve(&self, declared: &Declared) -> anyhow::Result<BTreeSet<String>> {
        let mut set: BTreeSet<String> = if self.no_default {
            BTreeSet::new()
        } else {
            declared.default.clone()
        };
        for f in &self.features {
            ensure!(
                declared.all.contains(f),
                "unknown feature `{f}` (known: {})",
                join(&declared.all)
            );
            set.insert(f.clone());
        }
        Ok(set)
    }
}

/// The product features declared by `app`.
#[derive(Clone, Debug)]
pub struct Declared {
    pub all: BTreeSet<String>,
    pub default: BTreeSet<String>,
}

fn join(set: &BTreeSet<String>) -> String {
    set.iter().cloned().collect::<Vec<_>>().join(", ")
}

fn package_features(meta: &Value, name: &str) -> anyhow::Result<serde_json::Map<String, Value>> {
    meta["packages"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .and_then(|p| p["features"].as_object().cloned())
        .with_context(|| format!("package `{name}` not found in cargo metadata"))
}

fn names(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// Reads `app`'s features and checks that `server` and `frontend` forward
/// every one of them, under the same name, with the same defaults.
pub fn declared() -> anyhow::Result<Declared> {
    let json = crate::util::output(Command::new(crate::util::cargo()).args([
        "metadata",
        "--format-version",
        "1",
        "--no-deps",
    ]))?;
    let meta: Value = serde_json::from_str(&json)?;
    let app = package_features(&meta, "app")?;
    let all: BTreeSet<String> = app
        .keys()
        .filter(|k| *k != "default" && !SIDES.contains(&k.as_str()))
        .cloned()
        .collect();
    let default = names(&app["default"]);
    for pkg in ["server", "frontend"] {
        let feats = package_features(&meta, pkg)?;
        for f in &all {
            let forwards = feats.get(f).map(names).unwrap_or_default();
            if !forwards.contains(&format!("app/{f}")) {
                bail!("`{pkg}` must forward feature `{f}` as `{f} = [\"app/{f}\", …]` (declared in app/Cargo.toml)");
            }
        }
        let extra: Vec<_> = feats.keys().filter(|k| *k != "default" && !all.contains(*k)).collect();
        ensure!(
            extra.is_empty(),
            "`{pkg}` has features that `app` does not declare: {extra:?}"
        );
        let pkg_default = names(&feats["default"]);
        ensure!(
            pkg_default == default,
            "`{pkg}`'s default features {pkg_default:?} differ from app's {default:?}"
        );
    }
    Ok(Declared { all, default })
}
