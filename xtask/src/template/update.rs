//! `cargo xtask template-update`: the template's changes since a product was
//! made, merged into the product.
//!
//! The template at the product's recorded commit and at the newer one are
//! both generated with the product's recorded choices; the difference
//! between the two is applied to the product as a three-way merge (git's
//! cherry-pick of a commit whose parent is the old generation), so a file
//! the product never touched takes the template's change, and a file both
//! changed ends in an ordinary git conflict for the team to resolve.

use super::{Choices, Database, Product, Source, generate};
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

const USAGE: &str = "\
usage: cargo xtask template-update [--template PATH|URL] [--to REV]

Merges the template's changes since this product was made (template.toml's
commit) up to REV (default: the template's HEAD) into the working tree, as
uncommitted changes; files both sides changed are left as git conflicts.
The working tree must be clean. --template defaults to template.toml's
`repository`.";

/// What `template.toml` says.
pub struct Recorded {
    pub repository: Option<String>,
    pub commit: String,
    pub choices: Choices,
}

/// Reads a product's `template.toml`; the logo, when the product chose
/// one, is its own mark now (`logo` is the path to read it from).
pub fn read_record(text: &str, logo: &Path) -> anyhow::Result<Recorded> {
    let table: toml::Table = toml::from_str(text).context("template.toml is not TOML")?;
    let section = |name: &str| {
        table
            .get(name)
            .and_then(|v| v.as_table())
            .with_context(|| format!("template.toml has no [{name}]"))
    };
    let template = section("template")?;
    let choices = section("choices")?;
    let string = |t: &toml::Table, key: &str| -> anyhow::Result<String> {
        t.get(key)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .with_context(|| format!("template.toml: `{key}` is missing or not a string"))
    };
    let optional = |key: &str| choices.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let list = |key: &str| -> anyhow::Result<Vec<String>> {
        choices
            .get(key)
            .and_then(|v| v.as_array())
            .with_context(|| format!("template.toml: `{key}` is missing"))?
            .iter()
            .map(|f| {
                f.as_str()
                    .map(str::to_owned)
                    .with_context(|| format!("template.toml: `{key}` holds a non-string"))
            })
            .collect()
    };
    let features = list("features")?;
    let database = match string(choices, "database")?.as_str() {
        "postgres" => Database::Postgres,
        "sqlite" => Database::Sqlite,
        other => bail!("template.toml: database `{other}`"),
    };
    let has_logo = choices.get("logo").and_then(|v| v.as_bool()).unwrap_or(false);
    let recorded = Recorded {
        repository: template.get("repository").and_then(|v| v.as_str()).map(str::to_owned),
        commit: string(template, "commit")?,
        choices: Choices {
            slug: string(choices, "slug")?,
            name: string(choices, "name")?,
            tagline: string(choices, "tagline")?,
            url: optional("url"),
            support_email: optional("support_email"),
            sender_email: optional("sender_email"),
            primary: string(choices, "primary")?,
            accent: string(choices, "accent")?,
            logo: has_logo.then(|| logo.to_path_buf()),
            locales: list("locales")?,
            default_locale: string(choices, "default_locale")?,
            features,
            database,
            prune: choices.get("prune").and_then(|v| v.as_bool()).unwrap_or(false),
            demo_model: choices.get("demo_model").and_then(|v| v.as_bool()).unwrap_or(true),
        },
    };
    // template.toml is a file anyone with commit access can edit: what it
    // says is checked as the command line's choices are.
    let c = &recorded.choices;
    let invalid = |what: &str, e: String| anyhow::anyhow!("template.toml: {what}: {e}");
    super::check_slug(&c.slug).map_err(|e| invalid("slug", e))?;
    super::check_name(&c.name).map_err(|e| invalid("name", e))?;
    super::check_tagline(&c.tagline).map_err(|e| invalid("tagline", e))?;
    if let Some(url) = &c.url {
        super::check_url(url).map_err(|e| invalid("url", e))?;
    }
    for email in c.support_email.iter().chain(&c.sender_email) {
        super::check_email(email).map_err(|e| invalid("email", e))?;
    }
    super::check_features(&c.features).context("template.toml")?;
    if !c.locales.iter().any(|l| l == super::SOURCE_LOCALE) || !c.locales.contains(&c.default_locale) {
        bail!("template.toml: the languages must include en and the default language");
    }
    if c.locales
        .iter()
        .any(|l| !l.bytes().all(|b| b.is_ascii_lowercase()) || l.is_empty())
    {
        bail!("template.toml: a language is a lowercase tag");
    }
    super::check_rev(&recorded.commit).context("template.toml: commit")?;
    Ok(recorded)
}

/// `cargo xtask template-update …` in the product at `root`.
pub fn run(args: &[String], root: &Path) -> anyhow::Result<()> {
    let mut template = None;
    let mut to = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--template" => template = Some(it.next().context("--template needs a value")?.clone()),
            "--to" => to = Some(it.next().context("--to needs a value")?.clone()),
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => bail!("unknown argument `{other}`\n\n{USAGE}"),
        }
    }
    crate::tools::npm_packages()?;
    let theme = std::fs::read_to_string(root.join("node_modules/tailwindcss/theme.css"))
        .context("reading node_modules/tailwindcss/theme.css (Tailwind's palettes)")?;
    let summary = update(root, template.as_deref(), to.as_deref().unwrap_or("HEAD"), &theme)?;
    println!("{summary}");
    Ok(())
}

/// Merges the template's changes into the product at `root`; returns what
/// it did, for people.
pub fn update(root: &Path, template: Option<&str>, to: &str, theme: &str) -> anyhow::Result<String> {
    let record_path = root.join(crate::brand::RECORD);
    let text = std::fs::read_to_string(&record_path)
        .with_context(|| format!("reading {} (made by `cargo xtask new`)", record_path.display()))?;
    let logo = root.join("style/public/favicon.svg");
    let recorded = read_record(&text, &logo)?;
    let git = |args: &[&str]| crate::util::output(Command::new("git").current_dir(root).args(args));
    if !git(&["status", "--porcelain"])?.trim().is_empty() {
        bail!("the working tree has changes: commit or stash them first, so the merge is all that changes");
    }
    let location = template
        .map(str::to_owned)
        .or(recorded.repository.clone())
        .context("where is the template? (--template PATH or URL; template.toml has no `repository`)")?;
    let (template_root, _clone) = local_copy(&location)?;

    let mut old = generate(&Source::at(&template_root, &recorded.commit)?, &recorded.choices, theme)
        .context("generating the template at the product's commit")?;
    let new_source = Source::at(&template_root, to)?;
    if new_source.commit == recorded.commit {
        return Ok(format!("already at the template's {to} ({})", short(&recorded.commit)));
    }
    // Only forwards: an older commit would undo the template's changes.
    let forwards = Command::new("git")
        .current_dir(&template_root)
        .args([
            "-c",
            "safe.bareRepository=explicit",
            "merge-base",
            "--is-ancestor",
            &recorded.commit,
            &new_source.commit,
        ])
        .status()
        .context("git merge-base")?;
    if !forwards.success() {
        bail!(
            "the template's {to} ({}) does not come after the product's commit ({}): updates only go forwards",
            short(&new_source.commit),
            short(&recorded.commit)
        );
    }
    let mut new = generate(&new_source, &recorded.choices, theme).context("generating the template's newer commit")?;
    // A pruned product's lock lists fewer packages than either generation
    // (cargo, not the generator, drops them): the merge leaves it alone
    // and cargo brings it in line with the merged manifests afterwards.
    let pruned_lock = if recorded.choices.prune {
        let lock = std::fs::read(root.join("Cargo.lock")).context("reading the product's Cargo.lock")?;
        for product in [&mut old, &mut new] {
            product.files.insert(
                "Cargo.lock".to_owned(),
                super::File {
                    bytes: lock.clone(),
                    executable: false,
                },
            );
        }
        true
    } else {
        false
    };

    // Both generations as commits in the product's repository (not on any
    // branch), the newer a child of the older, then a cherry-pick.
    let base = write_tree(root, &old)?;
    let theirs = write_tree(root, &new)?;
    let base_commit = git(&[
        "commit-tree",
        &base,
        "-m",
        &format!("the template at {}", short(&recorded.commit)),
    ])?;
    let theirs_commit = git(&[
        "commit-tree",
        &theirs,
        "-p",
        base_commit.trim(),
        "-m",
        &format!("the template at {}", short(&new_source.commit)),
    ])?;
    let picked = Command::new("git")
        .current_dir(root)
        .args(["cherry-pick", "--no-commit", theirs_commit.trim()])
        .output()
        .context("git cherry-pick")?;
    let changed = git(&["diff", "--cached", "--name-only"])?;
    let conflicts = git(&["diff", "--name-only", "--diff-filter=U"])?;
    if !picked.status.success() && conflicts.trim().is_empty() {
        bail!("git cherry-pick failed: {}", String::from_utf8_lossy(&picked.stderr));
    }
    let mut out = format!(
        "merged the template's changes from {} to {} (from {location}) into the working tree (not committed):",
        short(&recorded.commit),
        short(&new_source.commit)
    );
    let conflicted: Vec<&str> = conflicts.lines().collect();
    if pruned_lock {
        let update = Command::new(crate::util::cargo())
            .current_dir(root)
            .args(["update", "--workspace"])
            .output()
            .context("cargo update")?;
        out.push_str(if update.status.success() {
            "\n  refreshed Cargo.lock (cargo update --workspace: only what the manifests changed)"
        } else {
            "\n  Cargo.lock: run `cargo update --workspace` once the manifests merge cleanly"
        });
    }
    for file in changed.lines().filter(|f| !conflicted.contains(f)) {
        out.push_str(&format!("\n  updated   {file}"));
    }
    for file in &conflicted {
        out.push_str(&format!("\n  CONFLICT  {file}"));
    }
    if conflicted.is_empty() {
        out.push_str("\nno conflicts: review with `git diff --cached`, then commit.");
    } else {
        out.push_str("\nresolve the conflicts (both sides changed those files), `git add` them, then commit.");
    }
    Ok(out)
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(12)]
}

/// The template as a local repository: `location` itself when it is a
/// directory, else a fresh clone (removed when the guard drops).
fn local_copy(location: &str) -> anyhow::Result<(PathBuf, Option<TempDir>)> {
    let path = Path::new(location);
    if path.is_dir() {
        return Ok((path.to_path_buf(), None));
    }
    // template.toml is a file anyone with commit access can edit: the
    // location is never an option (`--upload-pack=…` runs a command) nor a
    // transport that runs one (`ext::`).
    if location.starts_with('-') || location.chars().any(char::is_control) {
        bail!("`{location}` is not a repository location");
    }
    let dir = TempDir(super::unique_temp_dir("xtask-template")?.join("clone"));
    crate::util::run(
        Command::new("git")
            .args(["-c", "protocol.ext.allow=never", "clone", "--quiet", "--", location])
            .arg(&dir.0),
    )?;
    Ok((dir.0.clone(), Some(dir)))
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Stores `product`'s files in `repo`'s object database as a tree (through
/// a scratch index; the repository's own index and files are untouched).
fn write_tree(repo: &Path, product: &Product) -> anyhow::Result<String> {
    let scratch = TempDir(super::unique_temp_dir("xtask-tree")?);
    let files = scratch.0.join("files");
    product.write(&files)?;
    let index = scratch.0.join("index");
    let git = |args: &[&str]| {
        crate::util::output(
            Command::new("git")
                .current_dir(repo)
                .env("GIT_INDEX_FILE", &index)
                .arg("--work-tree")
                .arg(&files)
                .args(args),
        )
    };
    git(&["add", "--all", "--force", "."])?;
    Ok(git(&["write-tree"])?.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) -> String {
        crate::util::output(
            Command::new("git")
                .current_dir(dir)
                .args(["-c", "user.name=t", "-c", "user.email=t@localhost"])
                .args(args),
        )
        .unwrap()
    }

    #[test]
    fn an_update_takes_the_templates_changes_and_leaves_both_sided_ones_as_conflicts() {
        let scratch = TempDir(std::env::temp_dir().join(format!("xtask-update-{}", std::process::id())));
        let _ = std::fs::remove_dir_all(&scratch.0);
        let root = crate::util::workspace_root().unwrap();
        let theme = std::fs::read_to_string(root.join("node_modules/tailwindcss/theme.css"))
            .expect("node_modules/tailwindcss/theme.css: run `npm ci` (cargo xtask test does)");

        // The template as it is now, as a repository of its own.
        let template = scratch.0.join("template");
        Product {
            files: Source::worktree(&root).unwrap().files,
        }
        .write(&template)
        .unwrap();
        git(&template, &["init", "-q", "-b", "main"]);
        git(&template, &["add", "-A"]);
        git(&template, &["commit", "-q", "-m", "template"]);

        // A product made from it.
        let product_dir = scratch.0.join("product");
        let choices = Choices {
            slug: super::super::fixture::example().0.into(),
            name: super::super::fixture::example().1.into(),
            tagline: String::new(),
            url: None,
            support_email: None,
            sender_email: None,
            primary: "teal".into(),
            accent: "rose".into(),
            logo: None,
            locales: Source::worktree(&root).unwrap().locales(),
            default_locale: "en".into(),
            features: vec!["local_auth".into(), "chat".into()],
            database: Database::Sqlite,
            prune: false,
            demo_model: true,
        };
        let source = Source::at(&template, "HEAD").unwrap();
        generate(&source, &choices, &theme)
            .unwrap()
            .write(&product_dir)
            .unwrap();
        git(&product_dir, &["init", "-q", "-b", "main"]);
        git(&product_dir, &["add", "-A"]);
        git(&product_dir, &["commit", "-q", "-m", "made"]);

        // The template changes two files; the product changed one of them.
        let append = |dir: &Path, path: &str, line: &str| {
            let mut text = std::fs::read_to_string(dir.join(path)).unwrap();
            text.push_str(line);
            std::fs::write(dir.join(path), text).unwrap();
        };
        append(&template, "docs/oauth.md", "\nThe template's new paragraph.\n");
        append(&template, "docs/stripe.md", "\nThe template's ending.\n");
        git(&template, &["commit", "-q", "-am", "later"]);
        let later = git(&template, &["rev-parse", "HEAD"]);
        append(&product_dir, "docs/stripe.md", "\nThe product's own ending.\n");
        git(&product_dir, &["commit", "-q", "-am", "ours"]);

        // A dirty tree is refused.
        append(&product_dir, "docs/credits.md", "\nuncommitted\n");
        assert!(
            update(&product_dir, None, "HEAD", &theme)
                .unwrap_err()
                .to_string()
                .contains("working tree")
        );
        git(&product_dir, &["checkout", "--", "docs/credits.md"]);

        let summary = update(&product_dir, None, "HEAD", &theme).unwrap();
        assert!(summary.contains("updated   docs/oauth.md"), "{summary}");
        assert!(summary.contains("CONFLICT  docs/stripe.md"), "{summary}");
        let oauth = std::fs::read_to_string(product_dir.join("docs/oauth.md")).unwrap();
        assert!(oauth.ends_with("The template's new paragraph.\n"));
        let stripe = std::fs::read_to_string(product_dir.join("docs/stripe.md")).unwrap();
        assert!(
            stripe.contains("<<<<<<<")
                && stripe.contains("The product's own ending.")
                && stripe.contains("The template's ending.")
        );
        assert_eq!(
            git(&product_dir, &["diff", "--name-only", "--diff-filter=U"]).trim(),
            "docs/stripe.md"
        );
        // The record moves to the new commit; nothing else changed (the
        // conflicted file is listed too).
        let record = std::fs::read_to_string(product_dir.join(crate::brand::RECORD)).unwrap();
        assert!(record.contains(later.trim()), "{record}");
        let staged = git(&product_dir, &["diff", "--cached", "--name-only"]);
        assert_eq!(
            staged.lines().collect::<Vec<_>>(),
            ["docs/oauth.md", "docs/stripe.md", "template.toml"],
            "{staged}"
        );
        // The product's own files and brand are untouched.
        assert!(
            std::fs::read_to_string(product_dir.join("domain/wire/src/brand.rs"))
                .unwrap()
                .contains(&format!("\"{}\"", super::super::fixture::example().0))
        );
    }

    #[test]
    fn a_template_location_never_runs_a_command() {
        let marker = std::env::temp_dir().join(format!("xtask-pwned-{}", std::process::id()));
        let location = format!("--upload-pack=touch {}", marker.display());
        assert!(local_copy(&location).is_err(), "{location}");
        assert!(!marker.exists(), "{location} ran a command");
    }

    #[test]
    fn the_record_reads_back_as_the_choices_it_was_written_from() {
        let choices = Choices {
            slug: "acme-ai".into(),
            name: "Acme AI".into(),
            tagline: "Line".into(),
            url: Some("https://acme.example".into()),
            support_email: None,
            sender_email: Some("hello@acme.example".into()),
            primary: "#0d9488".into(),
            accent: "rose".into(),
            logo: Some(PathBuf::from("style/public/favicon.svg")),
            locales: vec!["en".into(), "uk".into()],
            default_locale: "uk".into(),
            features: vec!["local_auth".into(), "stripe_payment".into()],
            database: Database::Postgres,
            prune: false,
            demo_model: true,
        };
        let text = super::super::record(&choices, "T", "abc", "0.1.0", "/src/t");
        let back = read_record(&text, Path::new("style/public/favicon.svg")).unwrap();
        assert_eq!(back.choices, choices);
        assert_eq!(back.commit, "abc");
        assert_eq!(back.repository.as_deref(), Some("/src/t"));
        assert!(read_record("[template]\ncommit = \"x\"\n", Path::new("x")).is_err());
        // A record edited to break out of the files it is written into.
        let tampered = text.replace("name = \"Acme AI\"", "name = \"Acme\\\"; fn evil() {} //\"");
        assert_ne!(tampered, text);
        let err = read_record(&tampered, Path::new("x"))
            .err()
            .expect("refused")
            .to_string();
        assert!(err.contains("template.toml: name"), "{err}");
        let older = text.replace("commit = \"abc\"", "commit = \"--output=/tmp/x\"");
        assert!(read_record(&older, Path::new("x")).is_err());
    }
}
