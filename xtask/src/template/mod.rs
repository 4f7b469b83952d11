//! `cargo xtask new <dir>`: a renamed, rebranded product from this template,
//! as a new git repository.
//!
//! The product is made from a commit of this repository (`--from`, default
//! `HEAD`), not from the working tree, so the same choices always give the
//! same tree and `template.toml` can say exactly where it came from. The
//! brand lives in a handful of files (`cargo xtask brand` keeps it so), so
//! the generator rewrites those, the theme's colour tokens, the logo and
//! the default features, then checks that the template's name is gone.

pub mod check;
pub mod colour;
pub mod fixture;
mod generate;
mod prune;
pub mod update;

use anyhow::{Context, bail};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::Command;

pub use generate::generate;

/// Every choice a product is made with; `template.toml` records them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choices {
    /// Machine name: lowercase letters, digits and `-` (cookies, files, the
    /// WASM and CSS output name, key prefixes, the build cache's folder).
    pub slug: String,
    /// The name users see.
    pub name: String,
    /// One line under the name (the footer, in the default language).
    pub tagline: String,
    /// Where the product is served in production (`PUBLIC_URL`), if known.
    pub url: Option<String>,
    /// Where users write for help (`SUPPORT_EMAIL`), if any.
    pub support_email: Option<String>,
    /// The address emails come from (`MAIL_FROM`).
    pub sender_email: Option<String>,
    /// Tailwind palette name or hex colour: surfaces and text.
    pub primary: String,
    /// Tailwind palette name or hex colour: focus rings, hover, highlights.
    pub accent: String,
    /// An SVG or PNG file: the header's mark and the favicon. None: the
    /// template's mark in the chosen colours.
    pub logo: Option<PathBuf>,
    /// The languages kept (folders of `domain/wire/locales/`; English
    /// always: its files define the keys).
    pub locales: Vec<String>,
    /// The language for visitors whose browser names none of them.
    pub default_locale: String,
    /// Cargo's default features (a sign-in method and a database at least).
    pub features: Vec<String>,
    /// The database production runs on (`DATABASE_URL` in `.env.example`;
    /// `db_pg` among the default features). SQLite stays in the defaults
    /// either way: the dev loop and the browser tests run on a file.
    pub database: Database,
    /// Takes the features left out of the defaults out of the code too
    /// (`--prune`): they cannot be switched on later.
    pub prune: bool,
    /// Whether production may offer the offline demo model
    /// (`CHAT_DEMO_MODEL` in `.env.example`; `--demo-model keep|drop`).
    pub demo_model: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Database {
    Sqlite,
    Postgres,
}

impl Database {
    fn parse(s: &str) -> anyhow::Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sqlite" | "db_sqlite" => Ok(Database::Sqlite),
            "pg" | "postgres" | "postgresql" | "db_pg" => Ok(Database::Postgres),
            other => bail!("--database is sqlite or postgres, not `{other}`"),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Database::Sqlite => "sqlite",
            Database::Postgres => "postgres",
        }
    }
}

/// The sign-in methods and the features that are neither sign-in nor database.
const SIGN_IN: [&str; 3] = ["local_auth", "google_auth", "github_auth"];
const OTHER: [&str; 2] = ["stripe_payment", "chat"];

const USAGE: &str = "\
usage: cargo xtask new <dir> [options]

Makes a new product from this template in <dir> (a new git repository with
one commit). Options not given are asked for when stdin is a terminal, and
take their defaults with --yes (or without a terminal).

  --slug NAME           machine name: lowercase letters, digits, '-' (default: <dir>'s name)
  --name TEXT           the name users see (default: the slug, capitalised)
  --tagline TEXT        one line under the name (default: the template's)
  --url URL             production URL, e.g. https://acme.example (PUBLIC_URL)
  --support-email ADDR  where users write for help (SUPPORT_EMAIL)
  --sender-email ADDR   the address emails come from (MAIL_FROM)
  --primary COLOUR      Tailwind palette name (teal) or hex (#0d9488); default indigo
  --accent COLOUR       the same, for focus rings and highlights; default amber
  --logo FILE           an SVG or PNG: the header's mark and the favicon
  --locales en,uk       the languages kept (default: all the template has; English always)
  --default-locale CODE the language for visitors whose browser names none of them (default en)
  --features a,b        default features among local_auth, google_auth, github_auth,
                        stripe_payment, chat (default: all); the others stay in the
                        code, one --features flag away
  --database sqlite|postgres   the production database (default sqlite); postgres adds
                        db_pg to the default features (SQLite stays, for the dev
                        loop and the browser tests) and sets DATABASE_URL's example
  --demo-model keep|drop   whether production may answer with the offline demo
                        model (default keep); drop sets CHAT_DEMO_MODEL=off in
                        .env.example: without a configured model the chat then
                        says it is not set up
  --prune               remove the code, strings, tests, settings and dependencies of
                        the features left out (a smaller product; they cannot be
                        switched on later)
  --from REV            the template's commit to start from (default HEAD)
  --yes                 take the defaults for everything not given";

/// `cargo xtask new …`: `cwd` is where the command was typed (the target
/// directory is relative to it).
pub fn run(args: &[String], cwd: &Path) -> anyhow::Result<()> {
    let mut flags = Flags::parse(args)?;
    let dir = flags
        .positional
        .take()
        .with_context(|| format!("which directory?\n\n{USAGE}"))?;
    let dir = cwd.join(dir);
    let root = crate::util::workspace_root()?;
    let rev = flags.take("from").unwrap_or_else(|| "HEAD".to_owned());
    let ask = !flags.yes && std::io::stdin().is_terminal();
    let source = Source::at(&root, &rev)?;
    let choices = choose(&mut flags, &dir, ask, &source.locales())?;
    flags.finish()?;

    crate::util::step(&format!(
        "making {} ({}) in {}",
        choices.name,
        choices.slug,
        dir.display()
    ));
    if dir.exists() && std::fs::read_dir(&dir)?.next().is_some() {
        bail!("{} exists and is not empty", dir.display());
    }
    crate::tools::npm_packages()?;
    let theme = std::fs::read_to_string(root.join("node_modules/tailwindcss/theme.css"))
        .context("reading node_modules/tailwindcss/theme.css (Tailwind's palettes)")?;
    let product = generate(&source, &choices, &theme)?;
    product.write(&dir)?;
    if choices.prune {
        drop_unused_locks(&dir)?;
    }
    commit(&dir, &choices)?;
    println!(
        "\n{} is ready in {}: a git repository with one commit.\n\n  cd {}\n  cargo xtask dev     # http://127.0.0.1:3000\n  cargo xtask test    # every check\n\ntemplate.toml records where it came from; docs/template.md says what to change first.",
        choices.name,
        dir.display(),
        dir.display()
    );
    Ok(())
}

/// The language whose files define the keys: every product keeps it.
pub const SOURCE_LOCALE: &str = "en";

/// The choices from the flags, asking for the rest when `ask`; `available`
/// are the template's languages.
fn choose(flags: &mut Flags, dir: &Path, ask: bool, available: &[String]) -> anyhow::Result<Choices> {
    let dir_name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .map(|n| n.to_ascii_lowercase().replace(['_', ' '], "-"))
        .unwrap_or_default();
    let slug = pick(flags, "slug", ask, "Machine name (slug)", &dir_name, check_slug)?;
    let name = pick(flags, "name", ask, "Display name", &title_case(&slug), check_name)?;
    let tagline = pick(flags, "tagline", ask, "Tagline", "", check_tagline)?;
    let url = optional(pick(
        flags,
        "url",
        ask,
        "Production URL (blank: decide later)",
        "",
        |s| if s.is_empty() { Ok(()) } else { check_url(s) },
    )?);
    let email = |s: &str| if s.is_empty() { Ok(()) } else { check_email(s) };
    let support_email = optional(pick(
        flags,
        "support-email",
        ask,
        "Support email (blank: none)",
        "",
        email,
    )?);
    let sender_email = optional(pick(
        flags,
        "sender-email",
        ask,
        "Sender email (blank: decide later)",
        "",
        email,
    )?);
    let colour = |s: &str| {
        if s.trim().is_empty() {
            Err("a palette name or a hex colour".to_owned())
        } else {
            Ok(())
        }
    };
    let primary = pick(
        flags,
        "primary",
        ask,
        "Primary colour (Tailwind palette or #hex)",
        "indigo",
        colour,
    )?;
    let accent = pick(
        flags,
        "accent",
        ask,
        "Accent colour (Tailwind palette or #hex)",
        "amber",
        colour,
    )?;
    let logo = optional(pick(
        flags,
        "logo",
        ask,
        "Logo, an SVG or PNG file (blank: the template's mark)",
        "",
        |s| {
            if s.is_empty() || Path::new(s).is_file() {
                Ok(())
            } else {
                Err(format!("no file at {s}"))
            }
        },
    )?)
    .map(PathBuf::from);
    let locales = match flags.take("locales") {
        Some(list) => list
            .split(',')
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect(),
        None if ask => {
            let all: Vec<&str> = available.iter().map(String::as_str).collect();
            inquire::MultiSelect::new("Languages (English always stays)", all)
                .with_all_selected_by_default()
                .prompt()?
                .into_iter()
                .map(str::to_owned)
                .collect()
        }
        None => available.to_vec(),
    };
    let mut locales: Vec<String> = locales;
    if !locales.iter().any(|l| l == SOURCE_LOCALE) {
        locales.insert(0, SOURCE_LOCALE.to_owned());
    }
    for locale in &locales {
        if !available.contains(locale) {
            bail!(
                "--locales: the template has no `{locale}` (it has {})",
                available.join(", ")
            );
        }
    }
    let default_locale = match flags.take("default-locale") {
        Some(l) => l.trim().to_owned(),
        None if ask && locales.len() > 1 => inquire::Select::new("Default language", locales.clone()).prompt()?,
        None => SOURCE_LOCALE.to_owned(),
    };
    if !locales.contains(&default_locale) {
        bail!(
            "--default-locale: `{default_locale}` is not among the languages kept ({})",
            locales.join(", ")
        );
    }
    let features: Vec<String> = match flags.take("features") {
        Some(list) => list
            .split(',')
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty())
            .collect(),
        None if ask => {
            let all: Vec<&str> = SIGN_IN.iter().chain(&OTHER).copied().collect();
            inquire::MultiSelect::new("Default features", all.clone())
                .with_all_selected_by_default()
                .prompt()?
                .into_iter()
                .map(str::to_owned)
                .collect()
        }
        None => SIGN_IN.iter().chain(&OTHER).map(|f| (*f).to_owned()).collect(),
    };
    let database = match flags.take("database") {
        Some(db) => Database::parse(&db)?,
        None if ask => {
            let picked = inquire::Select::new("Database", vec!["sqlite", "postgres"]).prompt()?;
            Database::parse(picked)?
        }
        None => Database::Sqlite,
    };
    let prune = flags.prune
        || (ask
            && inquire::Confirm::new("Remove the code of the features left out (they cannot be switched on later)?")
                .with_default(false)
                .prompt()?);
    let demo_model = match flags.take("demo-model").as_deref() {
        Some("keep") => true,
        Some("drop") => false,
        Some(other) => bail!("--demo-model is keep or drop, not `{other}`"),
        None if ask && features.iter().any(|f| f == "chat") => {
            inquire::Confirm::new("Keep the offline demo model (answers when no AI provider is configured)?")
                .with_default(true)
                .prompt()?
        }
        None => true,
    };
    let choices = Choices {
        slug,
        name: name.trim().to_owned(),
        tagline: tagline.trim().to_owned(),
        url: url.map(|u| u.trim_end_matches('/').to_owned()),
        support_email,
        sender_email,
        primary,
        accent,
        logo,
        locales,
        default_locale,
        features,
        database,
        prune,
        demo_model,
    };
    check_features(&choices.features)?;
    Ok(choices)
}

/// A flag's value, else the answer to a prompt (when `ask`), else `default`.
fn pick(
    flags: &mut Flags,
    flag: &str,
    ask: bool,
    prompt: &str,
    default: &str,
    valid: impl Fn(&str) -> Result<(), String> + Clone + 'static,
) -> anyhow::Result<String> {
    let value = match flags.take(flag) {
        Some(v) => v,
        None if ask => {
            let check = valid.clone();
            inquire::Text::new(prompt)
                .with_default(default)
                .with_validator(move |s: &str| {
                    Ok(match check(s.trim()) {
                        Ok(()) => inquire::validator::Validation::Valid,
                        Err(e) => inquire::validator::Validation::Invalid(e.into()),
                    })
                })
                .prompt()?
        }
        None => default.to_owned(),
    };
    valid(value.trim()).map_err(|e| anyhow::anyhow!("--{flag}: {e}"))?;
    Ok(value.trim().to_owned())
}

fn optional(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

pub fn check_slug(slug: &str) -> Result<(), String> {
    if slug.len() < 3 || slug.len() > 40 {
        return Err(format!("`{slug}`: 3 to 40 characters"));
    }
    if !slug
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        || !slug.as_bytes()[0].is_ascii_lowercase()
        || slug.ends_with('-')
        || slug.contains("--")
    {
        return Err(format!(
            "`{slug}`: lowercase letters, digits and single '-' between them, starting with a letter"
        ));
    }
    if wire::brand::RESERVED_SLUGS.contains(&slug) {
        return Err(format!(
            "`{slug}` is a word the template uses for its own crates and tools"
        ));
    }
    Ok(())
}

/// The display name goes into Rust and JSON strings, a mailbox
/// (`Name <address>`), titles and comments: letters, digits, spaces and
/// `-'.&!+` only, so it needs no escaping anywhere.
pub fn check_name(name: &str) -> Result<(), String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 40 {
        return Err("the name is 1 to 40 characters".into());
    }
    if let Some(c) = name.chars().find(|c| !(c.is_alphanumeric() || " -'.&!+".contains(*c))) {
        return Err(format!("`{c}` in the name: letters, digits, spaces and -'.&!+ only"));
    }
    if !name.chars().any(char::is_alphanumeric) {
        return Err("the name has no letter or digit".into());
    }
    Ok(())
}

/// One line of text, at most 160 characters, without `{}` (the strings'
/// placeholders).
pub fn check_tagline(tagline: &str) -> Result<(), String> {
    if tagline.contains(['{', '}']) {
        return Err("the tagline cannot hold { or } (they mark placeholders in the strings)".into());
    }
    if tagline.chars().count() > 160 {
        return Err("the tagline is at most 160 characters".into());
    }
    if tagline.chars().any(char::is_control) {
        return Err("the tagline is one line of text".into());
    }
    Ok(())
}

/// `https://host[:port][/path]` (or `http://`), nothing that could end the
/// settings line it goes into.
pub fn check_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("`{url}`: the URL starts with https:// (or http://)"))?;
    let host = rest.split(['/', ':']).next().unwrap_or_default();
    let ok = |c: char| c.is_ascii_alphanumeric() || "-._~:/%".contains(c);
    if host.is_empty() || !host.contains('.') && host != "localhost" || !rest.chars().all(ok) {
        return Err(format!("`{url}` is not a URL like https://acme.example"));
    }
    Ok(())
}

/// `local@domain.tld` with the characters a settings line and a mailbox
/// take as they are.
pub fn check_email(email: &str) -> Result<(), String> {
    let bad = || format!("`{email}` is not an email address like help@acme.example");
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    let local_ok = !local.is_empty() && local.chars().all(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c));
    let domain_ok = domain.contains('.')
        && !domain.starts_with(['.', '-'])
        && !domain.ends_with(['.', '-'])
        && domain.chars().all(|c| c.is_ascii_alphanumeric() || ".-".contains(c));
    if local_ok && domain_ok { Ok(()) } else { Err(bad()) }
}

/// A git revision given on the command line: never an option.
pub fn check_rev(rev: &str) -> anyhow::Result<()> {
    if rev.is_empty() || rev.starts_with('-') || rev.chars().any(|c| c.is_whitespace() || c.is_control()) {
        bail!("`{rev}` is not a git revision");
    }
    Ok(())
}

pub fn check_features(features: &[String]) -> anyhow::Result<()> {
    for f in features {
        if !SIGN_IN.contains(&f.as_str()) && !OTHER.contains(&f.as_str()) {
            bail!(
                "--features: `{f}` is not one of {} (the database is --database)",
                SIGN_IN.iter().chain(&OTHER).copied().collect::<Vec<_>>().join(", ")
            );
        }
    }
    if !features.iter().any(|f| SIGN_IN.contains(&f.as_str())) {
        bail!("--features: at least one sign-in method ({})", SIGN_IN.join(", "));
    }
    Ok(())
}

fn title_case(slug: &str) -> String {
    slug.split('-')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `--key value`, `--key=value`, `--yes` and one positional argument.
struct Flags {
    values: Vec<(String, String)>,
    yes: bool,
    /// `--prune` (a switch, like `--yes`).
    prune: bool,
    positional: Option<String>,
}

impl Flags {
    fn parse(args: &[String]) -> anyhow::Result<Self> {
        let mut flags = Flags {
            values: Vec::new(),
            yes: false,
            prune: false,
            positional: None,
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            if arg == "--yes" || arg == "-y" {
                flags.yes = true;
            } else if arg == "--prune" {
                flags.prune = true;
            } else if arg == "--help" || arg == "-h" {
                println!("{USAGE}");
                std::process::exit(0);
            } else if let Some(flag) = arg.strip_prefix("--") {
                let (key, value) = match flag.split_once('=') {
                    Some((k, v)) => (k.to_owned(), v.to_owned()),
                    None => (
                        flag.to_owned(),
                        it.next().with_context(|| format!("--{flag} needs a value"))?.clone(),
                    ),
                };
                if flags.values.iter().any(|(k, _)| *k == key) {
                    bail!("--{key} given twice");
                }
                flags.values.push((key, value));
            } else if flags.positional.is_none() {
                flags.positional = Some(arg.clone());
            } else {
                bail!("one directory only, not `{arg}` too\n\n{USAGE}");
            }
        }
        Ok(flags)
    }

    fn take(&mut self, key: &str) -> Option<String> {
        let i = self.values.iter().position(|(k, _)| k == key)?;
        Some(self.values.remove(i).1)
    }

    fn finish(self) -> anyhow::Result<()> {
        if let Some((k, _)) = self.values.first() {
            bail!("unknown option --{k}\n\n{USAGE}");
        }
        Ok(())
    }
}

/// The template's files at one commit, by path.
pub struct Source {
    pub commit: String,
    /// Where the template can be found again (its `origin`, else its path),
    /// for `cargo xtask template-update`.
    pub repository: String,
    pub files: std::collections::BTreeMap<String, File>,
}

/// A file's bytes and whether it is executable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    pub bytes: Vec<u8>,
    pub executable: bool,
}

impl Source {
    /// Every tracked file of `root` at `rev` (through `git archive`).
    pub fn at(root: &Path, rev: &str) -> anyhow::Result<Self> {
        check_rev(rev)?;
        let commit = crate::util::output(Command::new("git").current_dir(root).args([
            "-c",
            "safe.bareRepository=explicit",
            "rev-parse",
            "--verify",
            &format!("{rev}^{{commit}}"),
        ]))
        .with_context(|| format!("`{rev}` is not a commit of {}", root.display()))?
        .trim()
        .to_owned();
        let scratch = unique_temp_dir("xtask-new")?;
        let archive = scratch.join("source.tar");
        crate::util::output(Command::new("git").current_dir(root).args([
            "-c",
            "safe.bareRepository=explicit",
            "archive",
            "--format=tar",
            "-o",
            archive.to_str().context("temp path")?,
            &commit,
        ]))?;
        let tree = scratch.join("tree");
        std::fs::create_dir_all(&tree)?;
        crate::util::output(Command::new("tar").arg("-xf").arg(&archive).arg("-C").arg(&tree))?;
        let mut files = std::collections::BTreeMap::new();
        read_tree(&tree, &tree, &mut files)?;
        let _ = std::fs::remove_dir_all(&scratch);
        let repository = crate::util::output(
            Command::new("git")
                .current_dir(root)
                .args(["remote", "get-url", "origin"]),
        )
        .map(|url| without_credentials(url.trim()))
        .unwrap_or_else(|_| root.display().to_string());
        Ok(Source {
            commit,
            repository,
            files,
        })
    }
}

impl Source {
    /// The working tree's files as `git` would commit them (tracked and new,
    /// ignored ones aside): what the next commit will generate from.
    pub fn worktree(root: &Path) -> anyhow::Result<Self> {
        use std::os::unix::fs::PermissionsExt;
        let listed = crate::util::output(Command::new("git").current_dir(root).args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ]))?;
        let mut files = std::collections::BTreeMap::new();
        for path in listed.split('\0').filter(|p| !p.is_empty()) {
            let full = root.join(path);
            let Ok(meta) = std::fs::metadata(&full) else {
                continue; // deleted, not yet staged
            };
            files.insert(
                path.to_owned(),
                File {
                    bytes: std::fs::read(&full)?,
                    executable: meta.permissions().mode() & 0o111 != 0,
                },
            );
        }
        Ok(Source {
            commit: "0000000000000000000000000000000000000000".to_owned(),
            repository: root.display().to_string(),
            files,
        })
    }
}

impl Source {
    /// The template's languages: the folders of `domain/wire/locales/`,
    /// English first.
    pub fn locales(&self) -> Vec<String> {
        let mut found: Vec<String> = self
            .files
            .keys()
            .filter_map(|p| p.strip_prefix("domain/wire/locales/"))
            .filter_map(|rest| rest.split_once('/').map(|(locale, _)| locale.to_owned()))
            .collect();
        found.sort_by_key(|l| (l != SOURCE_LOCALE, l.clone()));
        found.dedup();
        found
    }
}

/// A new, empty folder of our own in the temp directory (never one that
/// already exists: another user could have prepared it).
pub fn unique_temp_dir(prefix: &str) -> anyhow::Result<PathBuf> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("{prefix}-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// A remote's URL without a user name or password (`https://user:token@host/…`
/// must not be committed in template.toml).
pub fn without_credentials(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host_start = rest.find('/').unwrap_or(rest.len());
            match rest[..host_start].rfind('@') {
                Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
                None => url.to_owned(),
            }
        }
        None => url.to_owned(),
    }
}

fn read_tree(base: &Path, dir: &Path, out: &mut std::collections::BTreeMap<String, File>) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            read_tree(base, &path, out)?;
        } else if kind.is_file() {
            let rel = path.strip_prefix(base)?.to_string_lossy().into_owned();
            let executable = entry.metadata()?.permissions().mode() & 0o111 != 0;
            out.insert(
                rel,
                File {
                    bytes: std::fs::read(&path)?,
                    executable,
                },
            );
        }
    }
    Ok(())
}

/// A generated product's files.
pub struct Product {
    pub files: std::collections::BTreeMap<String, File>,
}

impl Product {
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        for (path, file) in &self.files {
            let dest = dir.join(path);
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&dest, &file.bytes).with_context(|| format!("writing {}", dest.display()))?;
            if file.executable {
                std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o755))?;
            }
        }
        Ok(())
    }
}

/// A pruned product's `Cargo.lock` without the packages only the pruned
/// features used (cargo resolves the same versions again, offline; nothing
/// is updated), so `--locked` builds of the product work.
pub fn drop_unused_locks(dir: &Path) -> anyhow::Result<()> {
    crate::util::output(Command::new(crate::util::cargo()).current_dir(dir).args([
        "update",
        "--workspace",
        "--offline",
    ]))?;
    Ok(())
}

/// `git init` and one commit of everything (by the user's git identity,
/// or a neutral one when none is configured).
pub fn commit(dir: &Path, choices: &Choices) -> anyhow::Result<()> {
    let git = |args: &[&str]| -> anyhow::Result<String> {
        crate::util::output(Command::new("git").current_dir(dir).args(args))
    };
    git(&["init", "-q", "-b", "main"])?;
    git(&["add", "-A"])?;
    let mut identity = Vec::new();
    if git(&["config", "user.email"]).is_err() {
        identity = vec![
            "-c",
            "user.name=cargo xtask new",
            "-c",
            "user.email=xtask-new@localhost",
        ];
    }
    let message = format!("{}: a new product from the template (see template.toml)", choices.name);
    let mut args = identity;
    args.extend(["commit", "-q", "-m", &message]);
    git(&args)?;
    Ok(())
}

/// The record of a product's origin and choices (`template.toml`).
pub fn record(choices: &Choices, template_name: &str, commit: &str, version: &str, repository: &str) -> String {
    let q = |s: &str| toml_string(s);
    let opt = |key: &str, v: &Option<String>| match v {
        Some(v) => format!("{key} = {}\n", q(v)),
        None => format!("# {key} = (not chosen)\n"),
    };
    let features: Vec<String> = choices.features.iter().map(|f| q(f)).collect();
    let mut out = String::new();
    out.push_str("# Where this product came from and what it was made with: the same\n");
    out.push_str("# choices on a later commit of the template give the template's changes\n");
    out.push_str("# since, to merge into this repository.\n");
    out.push_str("[template]\n");
    out.push_str(&format!("name = {}\n", q(template_name)));
    out.push_str(&format!("version = {}\n", q(version)));
    out.push_str(&format!("commit = {}\n", q(commit)));
    out.push_str(&format!("repository = {}\n\n", q(repository)));
    out.push_str("[choices]\n");
    out.push_str(&format!("slug = {}\n", q(&choices.slug)));
    out.push_str(&format!("name = {}\n", q(&choices.name)));
    out.push_str(&format!("tagline = {}\n", q(&choices.tagline)));
    out.push_str(&opt("url", &choices.url));
    out.push_str(&opt("support_email", &choices.support_email));
    out.push_str(&opt("sender_email", &choices.sender_email));
    out.push_str(&format!("primary = {}\n", q(&choices.primary)));
    out.push_str(&format!("accent = {}\n", q(&choices.accent)));
    out.push_str(&format!(
        "# The logo is the product's own from now on: {}\n",
        if choices.logo.is_some() {
            "style/public/favicon.svg"
        } else {
            "the template's mark, recoloured"
        }
    ));
    out.push_str(&format!("logo = {}\n", choices.logo.is_some()));
    let locales: Vec<String> = choices.locales.iter().map(|l| q(l)).collect();
    out.push_str(&format!("locales = [{}]\n", locales.join(", ")));
    out.push_str(&format!("default_locale = {}\n", q(&choices.default_locale)));
    out.push_str(&format!("features = [{}]\n", features.join(", ")));
    out.push_str(&format!("database = {}\n", q(choices.database.as_str())));
    out.push_str(&format!("prune = {}\n", choices.prune));
    out.push_str(&format!("demo_model = {}\n", choices.demo_model));
    out
}

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_machine_names_and_not_the_templates_words() {
        assert!(check_slug("acme-ai").is_ok());
        assert!(check_slug("a1b").is_ok());
        for bad in [
            "ab", "Acme", "acme_ai", "-acme", "acme-", "acme--ai", "1acme", "chat", "app", "acme ai",
        ] {
            assert!(check_slug(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_urls_and_addresses_that_could_break_out_of_their_files_are_refused() {
        assert!(check_name("Acme AI").is_ok() && check_name("Zoë & Co.").is_ok());
        for bad in [
            "Acme\"; fn evil() {} //",
            "Acme\\",
            "Acme <evil@x>",
            "Acme\nSMTP_HOST=evil",
            "Acme, Inc",
            "{product}",
            "",
            "---",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_url("https://acme.example").is_ok() && check_url("http://localhost:3000/app").is_ok());
        for bad in [
            "ftp://acme.example",
            "https://",
            "https://acme",
            "https://acme.example\nHSTS=off",
            "https://a.b c",
        ] {
            assert!(check_url(bad).is_err(), "{bad:?}");
        }
        assert!(check_email("help+x@acme.example").is_ok());
        for bad in [
            "help",
            "a@b",
            "a b@acme.example",
            "x@acme.example>",
            "x@acme.example\nA=1",
            "@acme.example",
        ] {
            assert!(check_email(bad).is_err(), "{bad:?}");
        }
        assert!(check_tagline("Answers for \"busy\" teams").is_ok());
        assert!(check_tagline("two\nlines").is_err());
        assert!(check_tagline("Save {product}").is_err());
        for bad in ["--output=/tmp/x", "-h", "", "HEAD x"] {
            assert!(check_rev(bad).is_err(), "{bad:?}");
        }
        assert!(check_rev("HEAD~2").is_ok());
    }

    #[test]
    fn a_recorded_remote_never_carries_credentials() {
        assert_eq!(
            without_credentials("https://user:ghp_secret@github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(
            without_credentials("https://github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(without_credentials("git@github.com:o/r.git"), "git@github.com:o/r.git");
        assert_eq!(without_credentials("ssh://git@host/r@x.git"), "ssh://host/r@x.git");
    }

    #[test]
    fn features_need_a_sign_in_method_and_known_names() {
        let f = |l: &[&str]| l.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(check_features(&f(&["local_auth", "chat"])).is_ok());
        assert!(check_features(&f(&["chat"])).is_err());
        assert!(check_features(&f(&["local_auth", "db_pg"])).is_err());
        assert!(check_features(&f(&["local_auth", "voice"])).is_err());
    }

    #[test]
    fn flags_take_both_spellings_and_refuse_leftovers() {
        let args: Vec<String> = ["out", "--slug", "acme-ai", "--name=Acme AI", "--yes", "--bogus", "x"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let mut flags = Flags::parse(&args).unwrap();
        assert_eq!(flags.positional.as_deref(), Some("out"));
        assert!(flags.yes);
        assert_eq!(flags.take("slug").as_deref(), Some("acme-ai"));
        assert_eq!(flags.take("name").as_deref(), Some("Acme AI"));
        assert!(flags.finish().unwrap_err().to_string().contains("--bogus"));
    }

    #[test]
    fn the_record_is_toml_with_every_choice() {
        let choices = Choices {
            slug: "acme-ai".into(),
            name: "Acme \"AI\"".into(),
            tagline: "Line".into(),
            url: Some("https://acme.example".into()),
            support_email: None,
            sender_email: None,
            primary: "teal".into(),
            accent: "#f43f5e".into(),
            logo: None,
            locales: vec!["en".into(), "uk".into()],
            default_locale: "uk".into(),
            features: vec!["local_auth".into(), "chat".into()],
            database: Database::Postgres,
            prune: false,
            demo_model: true,
        };
        let text = record(&choices, "T", "abc", "0.1.0", "/src/t");
        assert!(text.contains("name = \"Acme \\\"AI\\\"\""), "{text}");
        assert!(text.contains("features = [\"local_auth\", \"chat\"]"));
        assert!(text.contains("database = \"postgres\""));
        assert!(text.contains("\nprune = false\ndemo_model = true\n"));
        assert!(text.contains("# support_email = (not chosen)"));
    }
}
