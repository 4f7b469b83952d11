//! `cargo xtask brand`: the product's name lives in a handful of files.
//!
//! A product scaffolded from this template renames itself by editing the
//! files in [`NAMED`]; everywhere else, code takes its names from
//! `wire::brand` (`PRODUCT_NAME`, `SLUG`, `slug!()`). This check fails
//! when the product's slug or name appears as a word (in any case, with
//! `-`, `_`, a space or nothing between its parts, or as part of a
//! CamelCase identifier) in a file of the repository outside that list,
//! so a new cookie, key prefix or title cannot bring the name back; and
//! when the listed build and settings files disagree with the slug, so a
//! rename cannot stop halfway.

use anyhow::{Context, bail};
use std::process::Command;

/// The files that may name the product, and why. All but the README
/// (and the lock file, which `npm` rewrites) must name the slug.
pub const NAMED: &[(&str, &str)] = &[
    (
        "domain/wire/src/brand.rs",
        "the brand: display name, slug, copyright holder",
    ),
    (
        "Cargo.toml",
        "`[[workspace.metadata.leptos]]`: the site's name and output name",
    ),
    (
        ".cargo/config.toml",
        "`LEPTOS_OUTPUT_NAME`: the WASM and CSS file names (and the build cache's folder)",
    ),
    (
        ".env.example",
        "the settings' defaults: the SQLite file, the sender's name",
    ),
    ("package.json", "the npm tooling's package name"),
    ("package-lock.json", "the npm tooling's package name"),
    ("README.md", "the product's README (rewritten for a scaffolded product)"),
];

/// A product made by `cargo xtask new` records there where it came from
/// (the template's name included) and its choices (its own name included).
pub const RECORD: &str = "template.toml";

/// The product's names as the check looks for them: each name's words
/// (lowercase ASCII letters and digits) joined by `-`, `_`, a space or
/// nothing.
pub fn spellings(names: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for name in names {
        let words: Vec<String> = name
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        for joiner in ["-", "_", " ", ""] {
            let spelled = words.join(joiner);
            if !spelled.is_empty() && !out.contains(&spelled) {
                out.push(spelled);
            }
        }
    }
    out
}

/// Every file of the repository, tracked or not yet (ignored ones aside).
fn files(root: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let listed = Command::new("git")
        .current_dir(root)
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .output()
        .context("git ls-files")?;
    if !listed.status.success() {
        bail!("git ls-files failed: {}", String::from_utf8_lossy(&listed.stderr));
    }
    let mut files: Vec<String> = listed
        .stdout
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    files.sort();
    files.dedup();
    Ok(files)
}

/// Lock files list other packages by name and are written by tools.
fn is_lock_file(path: &str) -> bool {
    path.ends_with(".lock") || path.ends_with("package-lock.json")
}

/// The lines of the repository's files outside [`NAMED`] (and lock files)
/// that name the product, and the listed files that disagree with it.
pub fn stray() -> anyhow::Result<Vec<String>> {
    let root = crate::util::workspace_root()?;
    let names = spellings(&[wire::brand::SLUG, wire::brand::PRODUCT_NAME]);
    let mut stray = Vec::new();
    // `xtask` names its output files, the server its fallback, and `.ci/run`
    // its cache folder after `LEPTOS_OUTPUT_NAME`: it must be the slug.
    if env!("LEPTOS_OUTPUT_NAME") != wire::brand::SLUG {
        stray.push(format!(
            ".cargo/config.toml: LEPTOS_OUTPUT_NAME is `{}`, the slug (domain/wire/src/brand.rs) `{}`",
            env!("LEPTOS_OUTPUT_NAME"),
            wire::brand::SLUG
        ));
    }
    for path in files(&root)? {
        let named = NAMED.iter().any(|(named, _)| *named == path);
        // Binary files (images, fonts) are skipped; a name in one would
        // not be text a reader sees. A deleted but still listed file too.
        let Ok(text) = std::fs::read_to_string(root.join(&path)) else {
            continue;
        };
        if path == RECORD || crate::template::fixture::shows_the_example(&path) {
            continue;
        }
        if named {
            if path != "README.md" && !is_lock_file(&path) && naming(&text, &names[..1]).next().is_none() {
                stray.push(format!("{path}: does not name the slug `{}`", wire::brand::SLUG));
            }
        } else if !is_lock_file(&path) {
            stray.extend(naming(&text, &names).map(|(n, line)| format!("{path}:{n}: {}", line.trim())));
        }
    }
    stray.extend(theme_disagreements(&root)?);
    Ok(stray)
}

/// Emails cannot read the stylesheet, so `wire::brand` repeats two of the
/// theme's colours as hex; they must be the theme's (`style/main.css`).
fn theme_disagreements(root: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let css = std::fs::read_to_string(root.join("style/main.css")).context("reading style/main.css")?;
    let (primary, _) = crate::template::colour::read_theme(&css)?;
    let mut out = Vec::new();
    for (name, value, step) in [
        ("EMAIL_TEXT_COLOUR", wire::brand::EMAIL_TEXT_COLOUR, 10),
        ("EMAIL_LINK_COLOUR", wire::brand::EMAIL_LINK_COLOUR, 7),
    ] {
        let theme = primary[step].to_hex();
        if !value.eq_ignore_ascii_case(&theme) {
            out.push(format!(
                "domain/wire/src/brand.rs: {name} is {value}, the theme's primary-{} is {theme}",
                crate::template::colour::STEPS[step]
            ));
        }
    }
    Ok(out)
}

/// The lines of `text` (numbered from 1) in which any of `names`
/// (lowercase) appears as a word.
pub fn naming<'a>(text: &'a str, names: &'a [String]) -> impl Iterator<Item = (usize, &'a str)> + 'a {
    text.lines().enumerate().filter_map(move |(i, line)| {
        let lower = line.to_ascii_lowercase();
        names.iter().any(|n| has_word(line, &lower, n)).then_some((i + 1, line))
    })
}

/// Whether `name` occurs in `line` (`lower` is its lowercase) as a word.
fn has_word(line: &str, lower: &str, name: &str) -> bool {
    words_at(line, lower, name).next().is_some()
}

/// Where `name` (lowercase) occurs in `line` (`lower` is its ASCII
/// lowercase, so byte offsets agree) as a word: neither neighbour a letter
/// or digit, unless the case changes there (`AcmeRun`, `runAcme`).
pub fn words_at<'a>(line: &'a str, lower: &'a str, name: &'a str) -> impl Iterator<Item = usize> + 'a {
    let bytes = line.as_bytes();
    lower.match_indices(name).map(|(at, _)| at).filter(move |&at| {
        let end = at + name.len();
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(end).copied();
        let first = bytes[at];
        let starts = match before {
            None => true,
            Some(b) => !b.is_ascii_alphanumeric() || (b.is_ascii_lowercase() && first.is_ascii_uppercase()),
        };
        let ends = match after {
            None => true,
            Some(b) => !b.is_ascii_alphanumeric() || b.is_ascii_uppercase(),
        };
        starts && ends
    })
}

pub fn check() -> anyhow::Result<()> {
    let stray = stray()?;
    if !stray.is_empty() {
        bail!(
            "the product's name appears outside the brand's files, or they disagree ({} lines); take it \
             from `wire::brand` (`PRODUCT_NAME`, `SLUG`, `slug!()`) or use a neutral word:\n  {}",
            stray.len(),
            stray.join("\n  ")
        );
    }
    println!(
        "brand: `{}` and `{}` appear only in {} files: {}",
        wire::brand::SLUG,
        wire::brand::PRODUCT_NAME,
        NAMED.len(),
        NAMED.iter().map(|(p, _)| *p).collect::<Vec<_>>().join(", ")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_found_as_a_word_in_any_case_and_spelling() {
        let names = spellings(&["acme-ai", "Acme AI"]);
        assert_eq!(names, ["acme-ai", "acme_ai", "acme ai", "acmeai"]);
        let text = "fn main() {}\n\
                    const COOKIE: &str = \"ACME-AI_session\";\n\
                    // Welcome to Acme AI.\n\
                    ACME_AI_PORT=1\n\
                    struct AcmeAiRun;\n\
                    let acmeair = 1; // a word that only starts like it\n\
                    format!(\"{}_session\", slug)";
        let found: Vec<usize> = naming(text, &names).map(|(n, _)| n).collect();
        assert_eq!(found, [2, 3, 4, 5]);
        // A short word inside another is not a name: `ai` in `email`.
        let short = spellings(&["ai"]);
        assert_eq!(naming("send an email; main; paid", &short).count(), 0);
        assert_eq!(naming("the AI model", &short).count(), 1);
    }

    #[test]
    fn the_listed_files_exist() {
        let root = crate::util::workspace_root().unwrap();
        for (path, why) in NAMED {
            assert!(root.join(path).is_file(), "{path} ({why})");
        }
    }
}
