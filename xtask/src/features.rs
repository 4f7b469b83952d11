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

/// A combination of the product features: bit `i` is
/// `layers::PRODUCT_FEATURES[i]`.
pub type Combination = u8;

const SIGN_IN_BITS: Combination = 0b000_0111;
const DATABASE_BITS: Combination = 0b001_1000;

/// Every combination the build accepts: at least one sign-in method and at
/// least one database (84 of the 128).
pub fn valid_combinations() -> Vec<Combination> {
    let n = crate::layers::PRODUCT_FEATURES.len();
    (0..(1u8 << n))
        .filter(|c| c & SIGN_IN_BITS != 0 && c & DATABASE_BITS != 0)
        .collect()
}

/// A small set of valid combinations in which every pair of feature values
/// (each of two features on or off) that some valid combination has
/// appears at least once: greedy, the combination covering the most pairs
/// not yet covered first (the lowest on a tie), so the set is always the same.
pub fn pairwise_combinations() -> Vec<Combination> {
    let valid = valid_combinations();
    let mut uncovered: BTreeSet<(usize, bool, usize, bool)> = valid.iter().flat_map(|&c| pairs(c)).collect();
    let mut chosen = Vec::new();
    while !uncovered.is_empty() {
        let best = valid
            .iter()
            .copied()
            .max_by_key(|&c| {
                let covered = pairs(c).filter(|p| uncovered.contains(p)).count();
                (covered, std::cmp::Reverse(c))
            })
            .expect("valid combinations exist");
        for p in pairs(best) {
            uncovered.remove(&p);
        }
        chosen.push(best);
    }
    chosen
}

/// The pairs of (feature, on?) a combination has.
fn pairs(c: Combination) -> impl Iterator<Item = (usize, bool, usize, bool)> {
    let n = crate::layers::PRODUCT_FEATURES.len();
    let on = move |i: usize| c & (1 << i) != 0;
    (0..n).flat_map(move |i| (i + 1..n).map(move |j| (i, on(i), j, on(j))))
}

/// `a,b,c` for cargo's `--features`.
pub fn feature_list(c: Combination) -> String {
    crate::layers::PRODUCT_FEATURES
        .iter()
        .enumerate()
        .filter(|(i, _)| c & (1 << i) != 0)
        .map(|(_, f)| *f)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod combination_tests {
    use super::*;

    #[test]
    fn the_pairwise_set_covers_every_pair_of_the_valid_combinations() {
        let valid = valid_combinations();
        assert_eq!(valid.len(), 7 * 3 * 4);
        let chosen = pairwise_combinations();
        assert!(chosen.iter().all(|c| valid.contains(c)));
        let needed: BTreeSet<_> = valid.iter().flat_map(|&c| pairs(c)).collect();
        let covered: BTreeSet<_> = chosen.iter().flat_map(|&c| pairs(c)).collect();
        assert_eq!(needed, covered);
        // Small: far fewer than every combination.
        assert!(chosen.len() <= 10, "{}", chosen.len());
        // A pair no valid combination has is not asked for: no database.
        assert!(!needed.contains(&(3, false, 4, false)));
        assert!(needed.contains(&(0, false, 1, false)));

        assert_eq!(feature_list(0b100_1001), "local_auth,db_sqlite,chat");
    }
}
