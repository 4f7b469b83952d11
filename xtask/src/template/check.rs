//! The generator under test (`cargo xtask test`): a product made from the
//! working tree with non-default choices must build, pass its own tests on
//! its database, and show its brand in a browser.

use super::{Choices, Database, Source, colour, generate};
use crate::peers::Maildev;
use crate::pg::TempPostgres;
use crate::util::{self, run};
use anyhow::Context;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// The logo the made product must show.
const LOGO: &str = "end2end/template/logo.svg";
/// Its browser test, run by the product's own `cargo xtask e2e`.
const SMOKE: &str = "end2end/template/";

/// Makes the example product (`acme-ai`: PostgreSQL, no GitHub sign-in,
/// teal and rose, a logo, English and Ukrainian) in the output directory,
/// then in it: `cargo xtask brand`, `cargo xtask
/// e2e` with the smoke test (a debug build, sharing the target directory so
/// only the product's own crates compile), and its unit and integration
/// tests on SQLite and PostgreSQL with mail over SMTP. The product is
/// removed when every step passed, kept for a look when one failed.
pub fn made_product() -> anyhow::Result<()> {
    let root = util::workspace_root()?;
    let choices = Choices {
        slug: super::fixture::example().0.into(),
        name: super::fixture::example().1.into(),
        tagline: "Answers for busy teams".into(),
        url: Some("https://acme.example".into()),
        support_email: Some("help@acme.example".into()),
        sender_email: None,
        primary: "teal".into(),
        accent: "rose".into(),
        logo: Some(root.join(LOGO)),
        locales: vec!["en".into(), "uk".into()],
        default_locale: "en".into(),
        features: vec![
            "local_auth".into(),
            "google_auth".into(),
            "stripe_payment".into(),
            "chat".into(),
        ],
        database: Database::Postgres,
        prune: false,
        demo_model: true,
    };
    let theme = tailwind_theme(&root)?;
    let palettes = colour::palettes(&theme);
    let (dir, _) = make(&Source::worktree(&root)?, &choices, &theme, &choices.slug)?;

    let target = util::target_dir()?;
    let in_product = |args: &[&str]| in_product(&dir, &target, args);
    run(&mut in_product(&["xtask", "brand"]))?;
    run(in_product(&["xtask", "e2e"])
        .env("E2E_TESTS", SMOKE)
        .env("XTASK_EXPECT_NAME", &choices.name)
        .env("XTASK_EXPECT_LOGO", root.join(LOGO))
        .env("XTASK_EXPECT_PRIMARY_700", palettes["teal"][7].to_css())
        .env("XTASK_EXPECT_ACCENT_400", palettes["rose"][4].to_css()))?;
    let pg = TempPostgres::start()?;
    let maildev = Maildev::start()?;
    run(
        in_product(&["test", "--workspace", "--exclude", "frontend", "--no-fail-fast"])
            .env("XTASK_TEST_PG_URL", pg.url())
            .env("XTASK_REQUIRE_PG", "1")
            .env("XTASK_TEST_SMTP_PORT", maildev.smtp_port.to_string())
            .env("XTASK_TEST_MAILDEV_API", &maildev.api)
            .env("XTASK_REQUIRE_SMTP", "1"),
    )?;
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(dir.with_extension("out"));
    Ok(())
}

/// A cargo command in a made product, sharing our target directory.
fn in_product(dir: &Path, target: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(util::cargo());
    cmd.args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        // Outside the product: its tests read its tree as a template.
        .env("XTASK_OUT_DIR", dir.with_extension("out"))
        .env_remove("DATABASE_URL")
        // Cargo gave us our `[env]` (the WASM's output name); the
        // product's own `.cargo/config.toml` must set its own.
        .env_remove("LEPTOS_OUTPUT_NAME")
        .env("RUST_TEST_THREADS", util::test_threads());
    cmd
}

/// Crates only the pruned features bring: none may be in the product.
const PRUNED_CRATES: [&str; 8] = [
    "async-stripe",
    "async-stripe-core",
    "async-stripe-checkout",
    "async-stripe-billing",
    "pulldown-cmark",
    "oauth2",
    "jsonwebtoken",
    "sqlx-postgres",
];

/// Makes a minimal product with `--prune` (password sign-in and SQLite
/// only: no Google, GitHub, PostgreSQL, payments or chat), then in it: the
/// server and the WASM build, `cargo tree` on both sides shows none of the
/// pruned features' crates, no file of chat or payments is left in its
/// code, and its unit and integration tests pass (mail over SMTP).
pub fn pruned_product() -> anyhow::Result<()> {
    let root = util::workspace_root()?;
    let source = Source::worktree(&root)?;
    let choices = Choices {
        slug: super::fixture::example().0.into(),
        name: super::fixture::example().1.into(),
        tagline: "Answers for busy teams".into(),
        url: None,
        support_email: None,
        sender_email: None,
        primary: "indigo".into(),
        accent: "amber".into(),
        logo: None,
        locales: source.locales(),
        default_locale: "en".into(),
        features: vec!["local_auth".into()],
        database: Database::Sqlite,
        prune: true,
        demo_model: true,
    };
    let theme = tailwind_theme(&root)?;
    let (dir, product) = make(&source, &choices, &theme, &format!("{}-pruned", choices.slug))?;

    let left: Vec<&String> = product
        .files
        .keys()
        .filter(|p| ["app/", "domain/", "server/"].iter().any(|c| p.starts_with(c)))
        .filter(|p| ["chat", "stripe", "payment"].iter().any(|w| p.contains(w)))
        .collect();
    anyhow::ensure!(
        left.is_empty(),
        "chat or payment files left in a pruned product: {left:?}"
    );

    let target = util::target_dir()?;
    let in_product = |args: &[&str]| in_product(&dir, &target, args);
    // The cut files are formatted as the product's `cargo xtask test` wants.
    run(&mut in_product(&["fmt", "--all", "--", "--check"]))?;
    run(&mut in_product(&["build", "--locked", "--package", "server"]))?;
    run(&mut in_product(&[
        "build",
        "--locked",
        "--package",
        "frontend",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    for side in [
        &["--package", "server"][..],
        &["--package", "frontend", "--target", "wasm32-unknown-unknown"][..],
    ] {
        let mut cmd = in_product(&["tree", "--locked", "--edges", "normal,build", "--prefix", "none"]);
        let tree = util::output(cmd.args(side))?;
        let found: BTreeSet<&str> = tree
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .filter(|name| PRUNED_CRATES.contains(name))
            .collect();
        anyhow::ensure!(found.is_empty(), "`cargo tree {}` still has {found:?}", side.join(" "));
    }
    // The generator's own tests read Tailwind's palettes.
    crate::tools::npm_ci_in(&dir, "tailwindcss and the other npm packages")?;
    let maildev = Maildev::start()?;
    run(in_product(&[
        "test",
        "--locked",
        "--workspace",
        "--exclude",
        "frontend",
        "--no-fail-fast",
    ])
    .env("XTASK_TEST_SMTP_PORT", maildev.smtp_port.to_string())
    .env("XTASK_TEST_MAILDEV_API", &maildev.api)
    .env("XTASK_REQUIRE_SMTP", "1"))?;
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(dir.with_extension("out"));
    Ok(())
}

/// Tailwind's `theme.css` (its palettes), from `npm ci`'s packages.
fn tailwind_theme(root: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(root.join("node_modules/tailwindcss/theme.css"))
        .context("reading node_modules/tailwindcss/theme.css")
}

/// Makes the product of `choices` in the output directory's
/// `xtask-product/<folder>` (replacing what was there) as `cargo xtask new`
/// does, committed.
fn make(
    source: &Source,
    choices: &Choices,
    theme: &str,
    folder: &str,
) -> anyhow::Result<(std::path::PathBuf, super::Product)> {
    let dir = util::out_dir()?.join("xtask-product").join(folder);
    let _ = std::fs::remove_dir_all(&dir);
    let product = generate(source, choices, theme)?;
    product.write(&dir)?;
    // Its crates have our crates' names and layout: a version of its own
    // keeps their artifacts apart from ours in the shared target directory.
    util::version_workspace_copy(&dir)?;
    if choices.prune {
        super::drop_unused_locks(&dir)?;
    }
    super::commit(&dir, choices)?;
    println!("  made {} in {}", choices.name, dir.display());
    Ok((dir, product))
}
