//! The product's files from the template's and the choices: a pure
//! function (no clock, no environment), so the same inputs give the same
//! tree byte for byte.

use super::colour::{self, Scale};
use super::{Choices, Database, File, OTHER, Product, SIGN_IN, Source};
use crate::brand::{self, NAMED, RECORD};
use anyhow::{Context, bail};

/// The stylesheet holding the theme's tokens, and the mark (favicon).
const STYLESHEET: &str = "style/main.css";
const MARK: &str = "style/public/favicon.svg";
const BRAND: &str = "domain/wire/src/brand.rs";
const SETTINGS: &str = ".env.example";
const LOCALES: &str = "domain/wire/locales/";
/// The manifests whose `default = [...]` features follow the choices.
const MANIFESTS: [&str; 3] = ["app/Cargo.toml", "server/Cargo.toml", "frontend/Cargo.toml"];
/// The part of the template's README about making a product, between
/// these markers; a product's README leaves it out.
const TEMPLATE_ONLY: (&str, &str) = ("<!-- template-only -->", "<!-- /template-only -->");

/// The product made from `source` with `choices`; `tailwind_theme` is
/// Tailwind's `theme.css` (its palettes, for colour names).
pub fn generate(source: &Source, choices: &Choices, tailwind_theme: &str) -> anyhow::Result<Product> {
    let text = |path: &str| -> anyhow::Result<String> {
        let file = source
            .files
            .get(path)
            .with_context(|| format!("the template has no {path}"))?;
        String::from_utf8(file.bytes.clone()).with_context(|| format!("{path} is not UTF-8"))
    };
    let old_brand = text(BRAND)?;
    let old_slug = quoted_after(&old_brand, "macro_rules! slug")?;
    let old_name = quoted_after(&old_brand, "pub const PRODUCT_NAME")?;
    if choices.slug == old_slug || choices.name.eq_ignore_ascii_case(&old_name) {
        bail!("`{}` is the template's own name: a product needs its own", choices.slug);
    }
    let names = Names {
        old_slug: old_slug.clone(),
        old_name: old_name.clone(),
        slug: choices.slug.clone(),
        name: choices.name.clone(),
    };

    // The colours first: a choice that cannot be read stops here.
    let palettes = colour::palettes(tailwind_theme);
    let primary = colour::resolve(&choices.primary, &palettes).context("--primary")?;
    let accent = colour::resolve(&choices.accent, &palettes).context("--accent")?;
    let problems = colour::contrast_problems(&primary, &accent);
    if !problems.is_empty() {
        bail!(
            "these colours leave text below WCAG AA contrast; pick a darker primary or a lighter accent:\n  {}",
            problems.join("\n  ")
        );
    }

    let mut files = source.files.clone();
    let mut edit = |path: &str, f: &dyn Fn(String) -> anyhow::Result<String>| edit_file(&mut files, path, f);

    // The names, in the files that may hold them (the README is rewritten
    // below). Lock files hold the npm package's name.
    for (path, _) in NAMED {
        if *path != "README.md" && source.files.contains_key(*path) {
            edit(path, &|t| Ok(names.rename(&t)))?;
        }
    }

    // The theme.
    let (old_primary, old_accent) = colour::read_theme(&text(STYLESHEET)?)?;
    edit(STYLESHEET, &|css| {
        let css = replace_scale(&css, "primary", &choices.primary, &primary)?;
        replace_scale(&css, "accent", &choices.accent, &accent)
    })?;
    edit(BRAND, &|b| {
        let b = set_const(&b, "EMAIL_TEXT_COLOUR", &primary[10].to_hex())?;
        set_const(&b, "EMAIL_LINK_COLOUR", &primary[7].to_hex())
    })?;
    let mark = match &choices.logo {
        Some(path) => logo_svg(path)?,
        None => recolour(&text(MARK)?, [&old_primary, &old_accent], [&primary, &accent]),
    };
    edit(MARK, &|_| Ok(mark.clone()))?;

    // Default features, the database, the settings' examples, the tagline.
    let mut features: Vec<&str> = SIGN_IN
        .iter()
        .copied()
        .filter(|f| choices.features.iter().any(|c| c == f))
        .collect();
    // SQLite stays in every product's defaults: `cargo xtask dev` and the
    // browser tests' servers run on a SQLite file. PostgreSQL joins them
    // and `.env.example` points at it.
    features.push("db_sqlite");
    if choices.database == Database::Postgres {
        features.push("db_pg");
    }
    features.extend(
        OTHER
            .iter()
            .copied()
            .filter(|f| choices.features.iter().any(|c| c == f)),
    );
    let default_line = format!(
        "default = [{}]",
        features
            .iter()
            .map(|f| format!("\"{f}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for manifest in MANIFESTS {
        edit(manifest, &|t| set_line(&t, "default = [", &default_line))?;
    }
    if choices.prune {
        let all = SIGN_IN.iter().chain(&["db_sqlite", "db_pg"]).chain(&OTHER);
        let pruned = all.filter(|f| !features.contains(f)).map(|f| (*f).to_owned()).collect();
        super::prune::prune(&mut files, &pruned)?;
    }
    let mut edit = |path: &str, f: &dyn Fn(String) -> anyhow::Result<String>| edit_file(&mut files, path, f);
    edit(SETTINGS, &|env| {
        let mut env = env;
        let db = choices.slug.replace('-', "_");
        env = set_line(
            &env,
            "#   DATABASE_URL=postgres://",
            &format!("#   DATABASE_URL=postgres://{db}:secret@localhost:5432/{db}"),
        )?;
        if choices.database == Database::Postgres {
            env = set_line(
                &env,
                "DATABASE_URL=",
                &format!("DATABASE_URL=postgres://{db}:secret@localhost:5432/{db}"),
            )?;
        }
        if let Some(url) = &choices.url {
            env = set_line(&env, "# PUBLIC_URL=", &format!("# PUBLIC_URL={url}"))?;
        }
        if let Some(support) = &choices.support_email {
            // Commented out in the template, set in a product made from one.
            let prefix = if env.contains("\nSUPPORT_EMAIL=") {
                "SUPPORT_EMAIL="
            } else {
                "# SUPPORT_EMAIL="
            };
            env = set_line(&env, prefix, &format!("SUPPORT_EMAIL={support}"))?;
        }
        // The chat's section is gone when the chat was pruned.
        if !choices.demo_model && env.contains("\nCHAT_DEMO_MODEL=") {
            env = set_line(&env, "CHAT_DEMO_MODEL=", "CHAT_DEMO_MODEL=off")?;
        }
        if let Some(sender) = &choices.sender_email {
            // Quoted: the dotenv parser ends an unquoted value at a space.
            env = set_line(
                &env,
                "MAIL_FROM=",
                &format!("MAIL_FROM=\"{} <{sender}>\"", choices.name),
            )?;
        }
        Ok(env)
    })?;
    // The languages: the others' folders go, the default is the brand's.
    for locale in source.locales() {
        if !choices.locales.contains(&locale) {
            files.retain(|path, _| !path.starts_with(&format!("{LOCALES}{locale}/")));
        }
    }
    let mut edit = |path: &str, f: &dyn Fn(String) -> anyhow::Result<String>| edit_file(&mut files, path, f);
    edit(BRAND, &|b| set_const(&b, "DEFAULT_LOCALE", &choices.default_locale))?;
    // The landing page's copy is the template's: marked for the team.
    for locale in &choices.locales {
        edit(&format!("{LOCALES}{locale}/core.toml"), &|t| {
            let at = t.find("\nMetaDescription = ").context("no MetaDescription")? + 1;
            Ok(format!("{}{LANDING_MARK}\n{}", &t[..at], &t[at..]))
        })?;
    }
    if !choices.tagline.is_empty() {
        let strings = format!("{LOCALES}{}/core.toml", choices.default_locale);
        edit(&strings, &|t| {
            set_line(
                &t,
                "FooterTagline = ",
                &format!("FooterTagline = {}", toml_basic(&choices.tagline)),
            )
        })?;
    }

    // The README and the record.
    let readme = readme(&text("README.md")?, choices, &names)?;
    edit("README.md", &|_| Ok(readme.clone()))?;
    let version = quoted_after(&text("Cargo.toml")?, "[workspace.package]")?;
    files.insert(
        RECORD.to_owned(),
        File {
            bytes: super::record(choices, &old_name, &source.commit, &version, &source.repository).into_bytes(),
            executable: false,
        },
    );

    // Nothing may name the template any more, but the README's one
    // attribution line and the record.
    let old = brand::spellings(&[&old_slug, &old_name]);
    let mut left = Vec::new();
    for (path, file) in &files {
        let Ok(text) = std::str::from_utf8(&file.bytes) else {
            continue;
        };
        // The guide and the generator's own tests show the example
        // product: made from the example itself, they keep naming it.
        if path == RECORD || (old_slug == super::fixture::SLUG && super::fixture::in_files(path)) {
            continue;
        }
        for (n, line) in brand::naming(text, &old) {
            if !(path == "README.md" && line.starts_with(ATTRIBUTION)) {
                left.push(format!("{path}:{n}: {}", line.trim()));
            }
        }
    }
    if !left.is_empty() {
        bail!(
            "the template's name is still in the product (the template's `cargo xtask brand` should have caught these):\n  {}",
            left.join("\n  ")
        );
    }
    Ok(Product { files })
}

/// Rewrites one text file of `files` with `f`.
fn edit_file(
    files: &mut std::collections::BTreeMap<String, File>,
    path: &str,
    f: &dyn Fn(String) -> anyhow::Result<String>,
) -> anyhow::Result<()> {
    let file = files
        .get_mut(path)
        .with_context(|| format!("the template has no {path}"))?;
    let before = String::from_utf8(file.bytes.clone()).with_context(|| format!("{path} is not UTF-8"))?;
    file.bytes = f(before).with_context(|| format!("rewriting {path}"))?.into_bytes();
    Ok(())
}

/// Above the landing page's strings in a product: they are the template's.
pub const LANDING_MARK: &str = "# TO FILL: the page description and the landing page's copy below are the \
template's words; write your product's (docs/template.md, \"What to customise first\").";

/// The README's one line naming the template starts so.
const ATTRIBUTION: &str = "> Made from the ";

/// The template's names and the product's.
struct Names {
    old_slug: String,
    old_name: String,
    slug: String,
    name: String,
}

impl Names {
    /// Every word-bounded occurrence of the template's slug or name, in any
    /// case or spelling, replaced: the display name where the template
    /// wrote its display name, else the slug in the same case and joiner.
    fn rename(&self, text: &str) -> String {
        let spellings = brand::spellings(&[&self.old_slug, &self.old_name]);
        let mut out = String::with_capacity(text.len());
        for line in text.split_inclusive('\n') {
            let lower = line.to_ascii_lowercase();
            let mut hits: Vec<(usize, usize)> = spellings
                .iter()
                .flat_map(|s| brand::words_at(line, &lower, s).map(move |at| (at, at + s.len())))
                .collect();
            hits.sort_unstable();
            let mut at = 0;
            for (start, end) in hits {
                if start < at {
                    continue;
                }
                out.push_str(&line[at..start]);
                out.push_str(&self.replacement(line, start, end));
                at = end;
            }
            out.push_str(&line[at..]);
        }
        out
    }

    /// The display name where the template wrote its display name (or any
    /// mixed case); the slug where it wrote lowercase, with `_` for `-`
    /// beside an `_` (`data/x_db`); upper snake case where it wrote capitals.
    fn replacement(&self, line: &str, start: usize, end: usize) -> String {
        let found = &line[start..end];
        let snake = line[..start].ends_with('_') || line[end..].starts_with('_');
        if found.chars().all(|c| !c.is_ascii_lowercase()) {
            self.slug.to_ascii_uppercase().replace('-', "_")
        } else if found.chars().all(|c| !c.is_ascii_uppercase()) {
            if snake {
                self.slug.replace('-', "_")
            } else {
                self.slug.clone()
            }
        } else {
            self.name.clone()
        }
    }
}

/// The first `"…"` after `marker`.
fn quoted_after(text: &str, marker: &str) -> anyhow::Result<String> {
    let rest = &text[text.find(marker).with_context(|| format!("no `{marker}`"))?..];
    let start = rest.find('"').with_context(|| format!("no string after `{marker}`"))? + 1;
    let len = rest[start..].find('"').context("an unterminated string")?;
    Ok(rest[start..start + len].to_owned())
}

/// Replaces the one line starting with `prefix` (after indentation).
fn set_line(text: &str, prefix: &str, line: &str) -> anyhow::Result<String> {
    let mut found = 0;
    let out: String = text
        .split_inclusive('\n')
        .map(|l| {
            if l.trim_start().starts_with(prefix) {
                found += 1;
                let indent = &l[..l.len() - l.trim_start().len()];
                let newline = if l.ends_with('\n') { "\n" } else { "" };
                format!("{indent}{line}{newline}")
            } else {
                l.to_owned()
            }
        })
        .collect();
    if found != 1 {
        bail!("expected one line starting `{prefix}`, found {found}");
    }
    Ok(out)
}

/// `pub const NAME: &str = "…";` with a new value.
fn set_const(text: &str, name: &str, value: &str) -> anyhow::Result<String> {
    set_line(
        text,
        &format!("pub const {name}: &str = "),
        &format!("pub const {name}: &str = \"{value}\";"),
    )
}

/// The `@theme` block's lines for one scale, and the palette's name in the
/// comment above them.
fn replace_scale(css: &str, name: &str, choice: &str, scale: &Scale) -> anyhow::Result<String> {
    let marker = format!("/* theme: {name} (");
    let mut out = String::new();
    let mut lines = colour::theme_lines(name, scale).into_iter();
    let mut replaced = 0;
    for line in css.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with(&marker) {
            out.push_str(&format!("  /* theme: {name} ({choice}) */\n"));
        } else if trimmed.starts_with(&format!("--color-{name}-")) {
            out.push_str(&lines.next().context("more steps than a scale has")?);
            out.push('\n');
            replaced += 1;
        } else {
            out.push_str(line);
        }
    }
    if replaced != colour::STEPS.len() {
        bail!(
            "{STYLESHEET}: {replaced} `--color-{name}-*` lines, not {}",
            colour::STEPS.len()
        );
    }
    Ok(out)
}

/// The template's mark in the product's colours: every colour of the old
/// theme (as hex) becomes the same step of the new one.
fn recolour(svg: &str, old: [&Scale; 2], new: [&Scale; 2]) -> String {
    let mut pairs = Vec::new();
    for (old, new) in old.iter().zip(new) {
        for (o, n) in old.iter().zip(new.iter()) {
            pairs.push((o.to_hex(), n.to_hex()));
        }
    }
    // One pass, so a new colour that equals another old one is not replaced again.
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(at) = rest.find('#') {
        out.push_str(&rest[..at]);
        let candidate = rest.get(at..at + 7).unwrap_or("").to_ascii_lowercase();
        match pairs.iter().find(|(o, _)| *o == candidate) {
            Some((_, n)) => {
                out.push_str(n);
                rest = &rest[at + 7..];
            }
            None => {
                out.push('#');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The product's mark from its logo file: an SVG as it is, a PNG inside an
/// SVG (one favicon path, any format).
fn logo_svg(path: &std::path::Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading the logo {}", path.display()))?;
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        let (w, h) = png_size(&bytes).context("the logo is a PNG without a readable size")?;
        use base64::Engine as _;
        let data = base64::engine::general_purpose::STANDARD.encode(&bytes);
        return Ok(format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\"><image width=\"{w}\" height=\"{h}\" href=\"data:image/png;base64,{data}\"/></svg>\n"
        ));
    }
    let text = String::from_utf8(bytes).context("the logo is neither a PNG nor an SVG (UTF-8 text)")?;
    let head = text.trim_start();
    if !(head.starts_with("<svg") || head.starts_with("<?xml")) || !text.contains("</svg>") {
        bail!("the logo is neither a PNG nor an SVG: {}", path.display());
    }
    svg_is_a_picture(&text)?;
    Ok(text)
}

/// The elements a logo may be drawn with (any namespace prefix is looked
/// through: `<x:script>` is a script).
const SVG_ELEMENTS: [&str; 24] = [
    "svg",
    "g",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "defs",
    "lineargradient",
    "radialgradient",
    "stop",
    "title",
    "desc",
    "clippath",
    "mask",
    "text",
    "tspan",
    "use",
    "symbol",
    "style",
    "pattern",
    "metadata",
];

/// Served from the site's own origin, an SVG opened directly acts as a
/// page: a logo is only taken when it is a picture. Every element is one
/// of [`SVG_ELEMENTS`]; no attribute is an event handler; links (`href`,
/// `url(…)`) point inside the file or at embedded images; no character
/// references (which could spell `javascript:`), entities or `@import`.
fn svg_is_a_picture(text: &str) -> anyhow::Result<()> {
    let lower = text.to_ascii_lowercase();
    if lower.contains("&#") || lower.contains("@import") || lower.contains("<!entity") {
        bail!("the logo SVG carries character references, entities or @import; export it as plain SVG");
    }
    let mut rest = lower.as_str();
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        if rest.starts_with('/') || rest.starts_with('?') || rest.starts_with('!') {
            continue; // end tags, the XML declaration, comments, doctype
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_' | '.'))
            .collect();
        let local = name.rsplit(':').next().unwrap_or_default();
        if !SVG_ELEMENTS.contains(&local) {
            bail!("the logo SVG has a `<{name}>` element; a logo is drawn with shapes, text and gradients only");
        }
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        for (attribute, value) in attributes(tag) {
            let local = attribute.rsplit(':').next().unwrap_or_default();
            if local.starts_with("on") {
                bail!("the logo SVG has an event handler (`{attribute}`)");
            }
            let value = value.trim();
            if local == "href" && !(value.starts_with('#') || value.starts_with("data:image/")) {
                bail!("the logo SVG links to `{value}`; only links inside the file or embedded images");
            }
        }
    }
    // `url(…)` anywhere (attributes, style) must point inside the file.
    for (at, _) in lower.match_indices("url(") {
        let target = lower[at + 4..].trim_start().trim_start_matches(['"', '\'']);
        if !target.starts_with('#') {
            bail!(
                "the logo SVG loads `url({})`; only references inside the file",
                &target[..target.len().min(30)]
            );
        }
    }
    Ok(())
}

/// The `name="value"` pairs of a start tag (after its name).
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag;
    while let Some(eq) = rest.find('=') {
        let name = rest[..eq].split_whitespace().last().unwrap_or_default().to_owned();
        let after = rest[eq + 1..].trim_start();
        let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            out.push((name, after.split_whitespace().next().unwrap_or_default().to_owned()));
            rest = after;
            continue;
        };
        let body = &after[1..];
        let end = body.find(quote).unwrap_or(body.len());
        out.push((name, body[..end].to_owned()));
        rest = &body[(end + 1).min(body.len())..];
    }
    out
}

/// A PNG's width and height (its IHDR chunk).
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let ihdr = bytes.get(12..24)?;
    if &ihdr[..4] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(ihdr[4..8].try_into().ok()?);
    let h = u32::from_be_bytes(ihdr[8..12].try_into().ok()?);
    (w > 0 && h > 0).then_some((w, h))
}

/// A TOML basic string.
fn toml_basic(s: &str) -> String {
    super::toml_string(s)
}

/// The product's README: its name and tagline, one attribution line, then
/// the template's README from its first `## ` section on, renamed, without
/// the template-only part.
fn readme(template: &str, choices: &Choices, names: &Names) -> anyhow::Result<String> {
    let mut template = template.to_owned();
    if let Some(start) = template.find(TEMPLATE_ONLY.0) {
        let end = template[start..]
            .find(TEMPLATE_ONLY.1)
            .context("README.md: a template-only part without its end marker")?
            + start
            + TEMPLATE_ONLY.1.len();
        template.replace_range(start..end, "");
    }
    let body_at = template.find("\n## ").context("README.md has no `## ` section")? + 1;
    let body = names.rename(template[body_at..].trim_start());
    let tagline = if choices.tagline.is_empty() {
        String::new()
    } else {
        format!("{}\n\n", choices.tagline)
    };
    Ok(format!(
        "# {}\n\n{tagline}{ATTRIBUTION}{} template; `template.toml` records which commit, and the choices.\n\n{body}",
        choices.name, names.old_name
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names {
            old_slug: "mast".into(),
            old_name: "Mast".into(),
            slug: "acme-ai".into(),
            name: "Acme AI".into(),
        }
    }

    #[test]
    fn every_spelling_of_the_old_name_takes_the_new_one() {
        let n = names();
        assert_eq!(n.rename("name = \"mast\"\n"), "name = \"acme-ai\"\n");
        assert_eq!(n.rename("# Mast's settings"), "# Acme AI's settings");
        assert_eq!(n.rename("MAST_PORT=1 mast_db"), "ACME_AI_PORT=1 acme_ai_db");
        assert_eq!(
            n.rename("\"mast-tooling\" masts mastery"),
            "\"acme-ai-tooling\" masts mastery"
        );
        assert_eq!(n.rename("The Mast authors"), "The Acme AI authors");
    }

    #[test]
    fn lines_and_consts_are_set_once_or_refused() {
        let t = "a = 1\n  default = [\"x\"]\nb = 2\n";
        assert_eq!(
            set_line(t, "default = [", "default = [\"y\"]").unwrap(),
            "a = 1\n  default = [\"y\"]\nb = 2\n"
        );
        assert!(set_line(t, "missing", "x").is_err());
        assert!(set_line("x=1\nx=2\n", "x=", "x=3").is_err());
        let c = "pub const EMAIL_TEXT_COLOUR: &str = \"#000000\";\n";
        assert_eq!(
            set_const(c, "EMAIL_TEXT_COLOUR", "#112233").unwrap(),
            "pub const EMAIL_TEXT_COLOUR: &str = \"#112233\";\n"
        );
    }

    #[test]
    fn logos_are_svg_or_png_and_never_carry_scripts() {
        let dir = std::env::temp_dir().join(format!("xtask-logo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let svg = dir.join("a.svg");
        std::fs::write(
            &svg,
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><circle r=\"1\"/></svg>",
        )
        .unwrap();
        assert!(logo_svg(&svg).unwrap().contains("circle"));
        for active in [
            "<svg><script>alert(1)</script></svg>",
            "<svg xmlns:x=\"http://www.w3.org/2000/svg\"><x:script>alert(1)</x:script></svg>",
            "<svg onload=\"alert(1)\"></svg>",
            "<svg><rect onclick = 'x()'/></svg>",
            "<svg><a href=\"javascript:alert(1)\"><rect/></a></svg>",
            "<svg><use href=\"&#106;avascript:alert(1)\"/></svg>",
            "<svg><use xlink:href = \"//evil.example/x.svg#a\"/></svg>",
            "<svg><foreignObject><iframe/></foreignObject></svg>",
            "<svg><image href=\"https://tracker.example/p.png\"/></svg>",
            "<svg><rect style=\"fill:url('https://tracker.example/p')\"/></svg>",
            "<svg><style>@import 'https://evil.example/a.css';</style></svg>",
        ] {
            std::fs::write(&svg, active).unwrap();
            assert!(logo_svg(&svg).is_err(), "{active}");
        }
        // What exported logos use: internal references, gradients, styles,
        // and words that merely contain "on".
        let fine = "<?xml version=\"1.0\"?><!-- by hand --><svg xmlns=\"http://www.w3.org/2000/svg\" \
                    xmlns:xlink=\"http://www.w3.org/1999/xlink\"><defs><linearGradient id=\"g\"><stop offset=\"0\"/>\
                    </linearGradient><path id=\"p\" d=\"M0 0\"/></defs><style>.a{fill:url(#g)}</style>\
                    <use xlink:href=\"#p\" class=\"a\"/><polygon points=\"0,0 1,1\"/><text font-family=\"x\">on = off</text></svg>";
        std::fs::write(&svg, fine).unwrap();
        logo_svg(&svg).unwrap();
        let png = dir.join("a.png");
        let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        bytes.extend(64u32.to_be_bytes());
        bytes.extend(32u32.to_be_bytes());
        bytes.extend([8, 6, 0, 0, 0]);
        std::fs::write(&png, &bytes).unwrap();
        let wrapped = logo_svg(&png).unwrap();
        assert!(wrapped.contains("viewBox=\"0 0 64 32\"") && wrapped.contains("data:image/png;base64,"));
        std::fs::write(&png, b"GIF89a").unwrap();
        assert!(logo_svg(&png).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Tailwind's palettes, as `cargo xtask test` installs them before the
    /// tests run.
    fn tailwind_theme() -> String {
        let root = crate::util::workspace_root().unwrap();
        std::fs::read_to_string(root.join("node_modules/tailwindcss/theme.css"))
            .expect("node_modules/tailwindcss/theme.css: run `npm ci` (cargo xtask test does)")
    }

    /// English and the template's last language (Ukrainian in the
    /// template; whatever a product kept in a product), the others dropped.
    fn kept_locales() -> Vec<String> {
        let root = crate::util::workspace_root().unwrap();
        let all = Source::worktree(&root).unwrap().locales();
        let mut kept = vec!["en".to_owned()];
        kept.extend(all.last().filter(|l| *l != "en").cloned());
        kept
    }

    fn acme(logo: Option<std::path::PathBuf>) -> Choices {
        let (slug, name) = super::super::fixture::example();
        let kept = kept_locales();
        Choices {
            slug: slug.into(),
            name: name.into(),
            tagline: "Answers for \"busy\" teams".into(),
            url: Some("https://acme.example".into()),
            support_email: Some("help@acme.example".into()),
            sender_email: Some("hello@acme.example".into()),
            primary: "teal".into(),
            accent: "rose".into(),
            logo,
            locales: kept.clone(),
            default_locale: kept.last().cloned().unwrap_or_default(),
            features: vec![
                "local_auth".into(),
                "google_auth".into(),
                "stripe_payment".into(),
                "chat".into(),
            ],
            database: Database::Postgres,
            prune: false,
            demo_model: false,
        }
    }

    /// `KEY=value` lines as a dotenv parser reads them (quotes removed).
    fn dotenv_pairs(text: &str) -> Vec<(String, String)> {
        text.lines()
            .filter(|l| !l.starts_with('#') && l.contains('='))
            .map(|l| {
                let (k, v) = l.split_once('=').unwrap();
                let v = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(v);
                assert!(!v.contains(' ') || l.contains('"'), "an unquoted space: {l}");
                (k.to_owned(), v.to_owned())
            })
            .collect()
    }

    fn text<'a>(product: &'a Product, path: &str) -> &'a str {
        std::str::from_utf8(&product.files[path].bytes).unwrap()
    }

    #[test]
    fn a_product_names_only_itself_in_its_colours_and_is_the_same_every_time() {
        let root = crate::util::workspace_root().unwrap();
        let source = Source::worktree(&root).unwrap();
        let theme = tailwind_theme();
        let dir = std::env::temp_dir().join(format!("xtask-acme-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let logo = dir.join("logo.svg");
        let mark = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 8 8\"><path d=\"M0 0h8v8z\"/></svg>";
        std::fs::write(&logo, mark).unwrap();
        let (slug, name) = super::super::fixture::example();
        let product = generate(&source, &acme(Some(logo.clone())), &theme).unwrap();
        let again = generate(&source, &acme(Some(logo)), &theme).unwrap();
        assert!(product.files == again.files, "two runs with the same choices differ");
        let _ = std::fs::remove_dir_all(&dir);

        // The template's files but the languages left out, plus the record.
        let kept = kept_locales();
        let last = kept.last().unwrap().clone();
        let dropped = source
            .files
            .keys()
            .filter(|p| {
                p.strip_prefix(LOCALES)
                    .and_then(|rest| rest.split_once('/'))
                    .is_some_and(|(locale, _)| !kept.iter().any(|k| k == locale))
            })
            .count();
        // (In the template: Russian goes.)
        assert!(dropped > 0 || source.locales().len() == kept.len());
        let record = usize::from(!source.files.contains_key(RECORD));
        assert_eq!(product.files.len(), source.files.len() - dropped + record);
        assert!(
            product
                .files
                .keys()
                .any(|p| p.starts_with(&format!("{LOCALES}{last}/")))
        );

        // The template's names are gone (outside the attribution line and
        // the record), whatever the case or spelling.
        let old = brand::spellings(&[wire::brand::SLUG, wire::brand::PRODUCT_NAME]);
        for (path, file) in &product.files {
            let Ok(t) = std::str::from_utf8(&file.bytes) else {
                continue;
            };
            // (A product made from the example keeps naming it in the guide.)
            let example = wire::brand::SLUG == super::super::fixture::SLUG;
            if path == RECORD || (example && super::super::fixture::in_files(path)) {
                continue;
            }
            let left: Vec<_> = brand::naming(t, &old)
                .filter(|(_, l)| !l.starts_with(ATTRIBUTION))
                .collect();
            assert!(left.is_empty(), "{path}: {left:?}");
        }
        let readme = text(&product, "README.md");
        assert!(
            readme.starts_with(&format!("# {name}\n\nAnswers for \"busy\" teams\n\n> Made from the ")),
            "{}",
            &readme[..200]
        );
        assert_eq!(brand::naming(readme, &old).count(), 1, "one attribution line");
        assert!(!readme.contains("template-only"));

        // The product's names where the brand lives.
        let brand_rs = text(&product, BRAND);
        assert!(
            brand_rs.contains(&format!("\"{slug}\""))
                && brand_rs.contains(&format!("pub const PRODUCT_NAME: &str = \"{name}\";"))
        );
        assert!(brand_rs.contains(&format!("pub const COPYRIGHT_HOLDER: &str = \"The {name} authors\";")));
        assert!(text(&product, ".cargo/config.toml").contains(&format!("LEPTOS_OUTPUT_NAME = \"{slug}\"")));
        assert!(text(&product, "Cargo.toml").contains(&format!("output-name = \"{slug}\"")));
        assert!(text(&product, "package.json").contains(&format!("\"name\": \"{slug}-tooling\"")));

        // Features and the database.
        for manifest in MANIFESTS {
            assert!(
                text(&product, manifest)
                    .contains("default = [\"local_auth\", \"google_auth\", \"db_sqlite\", \"db_pg\", \"stripe_payment\", \"chat\"]"),
                "{manifest}"
            );
        }
        let env = text(&product, SETTINGS);
        let db = slug.replace('-', "_");
        assert!(env.contains(&format!("\nDATABASE_URL=postgres://{db}:secret@localhost:5432/{db}\n")));
        assert!(env.contains("\n# PUBLIC_URL=https://acme.example\n"));
        assert!(env.contains("\nSUPPORT_EMAIL=help@acme.example\n"));
        assert!(env.contains(&format!("\nMAIL_FROM=\"{name} <hello@acme.example>\"\n")));
        assert!(env.contains(&format!(
            "\n#   DATABASE_URL=postgres://{db}:secret@localhost:5432/{db}\n"
        )));
        // As a dotenv file, the settings parse.
        let parsed: Vec<_> = dotenv_pairs(env);
        assert!(
            parsed.contains(&("MAIL_FROM".to_owned(), format!("{name} <hello@acme.example>"))),
            "{parsed:?}"
        );
        // `--demo-model drop`: production never answers with the demo (in
        // a tree that has the chat's settings: a pruned product may not).
        let chat_settings = source.files[SETTINGS]
            .bytes
            .windows(17)
            .any(|w| w == b"\nCHAT_DEMO_MODEL=");
        if chat_settings {
            assert!(
                parsed.contains(&("CHAT_DEMO_MODEL".to_owned(), "off".to_owned())),
                "{parsed:?}"
            );
        }
        // The tagline in the default language; English keeps the template's.
        let tagline = "\nFooterTagline = \"Answers for \\\"busy\\\" teams\"\n";
        assert!(text(&product, &format!("{LOCALES}{last}/core.toml")).contains(tagline));
        if last != "en" {
            assert!(!text(&product, "domain/wire/locales/en/core.toml").contains(tagline));
        }
        assert!(brand_rs.contains(&format!("pub const DEFAULT_LOCALE: &str = \"{last}\";")));
        for locale in &kept {
            let core = text(&product, &format!("domain/wire/locales/{locale}/core.toml"));
            assert!(
                core.contains(&format!("{LANDING_MARK}\nMetaDescription = ")),
                "{locale}"
            );
        }

        // The theme: Tailwind's teal and rose, the emails' colours from it,
        // the logo as the mark.
        let palettes = colour::palettes(&theme);
        let (primary, accent) = colour::read_theme(text(&product, STYLESHEET)).unwrap();
        let close = |a: &Scale, b: &Scale| a.iter().zip(b).all(|(x, y)| x.to_css() == y.to_css());
        assert!(close(&primary, &palettes["teal"]) && close(&accent, &palettes["rose"]));
        assert!(text(&product, STYLESHEET).contains("/* theme: primary (teal) */"));
        assert!(brand_rs.contains(&format!(
            "EMAIL_TEXT_COLOUR: &str = \"{}\"",
            palettes["teal"][10].to_hex()
        )));
        assert_eq!(text(&product, MARK), mark);

        // The record.
        let record = text(&product, RECORD);
        assert!(
            record.contains(&format!("slug = \"{slug}\"")) && record.contains("database = \"postgres\""),
            "{record}"
        );
    }

    #[test]
    fn without_a_logo_the_mark_takes_the_products_colours() {
        let root = crate::util::workspace_root().unwrap();
        let source = Source::worktree(&root).unwrap();
        let theme = tailwind_theme();
        let template_mark = std::str::from_utf8(&source.files[MARK].bytes).unwrap();
        let css = std::str::from_utf8(&source.files[STYLESHEET].bytes).unwrap();
        let (primary, accent) = colour::read_theme(css).unwrap();
        let teal = &colour::palettes(&theme)["teal"];
        let same_theme = primary.iter().zip(teal).all(|(a, b)| a.to_hex() == b.to_hex());
        if same_theme
            || !primary
                .iter()
                .chain(&accent)
                .any(|c| template_mark.contains(&c.to_hex()))
        {
            // Made from a product already in these colours, or whose logo
            // is not drawn in its theme: nothing to recolour.
            return;
        }
        let product = generate(&source, &acme(None), &theme).unwrap();
        let palettes = colour::palettes(&theme);
        let mark = text(&product, MARK);
        assert_ne!(mark, template_mark);
        // The template's mark is drawn in primary-900, accent-400 and primary-100.
        for colour in [palettes["teal"][9], palettes["rose"][4], palettes["teal"][1]] {
            assert!(mark.contains(&colour.to_hex()), "{mark}");
        }
    }

    #[test]
    fn colours_that_leave_text_unreadable_are_refused_before_anything_is_written() {
        let root = crate::util::workspace_root().unwrap();
        let source = Source::worktree(&root).unwrap();
        // A palette light at every step: dark text has nothing to stand on.
        let pale: String = colour::STEPS
            .iter()
            .map(|s| format!("  --color-pale-{s}: oklch(95% 0.01 100);\n"))
            .collect();
        let theme = format!("{}{pale}", tailwind_theme());
        let mut choices = acme(None);
        choices.primary = "pale".into();
        let err = format!("{:#}", generate(&source, &choices, &theme).err().expect("refused"));
        assert!(
            err.contains("WCAG AA") && err.contains("primary buttons (light)"),
            "{err}"
        );
        choices.primary = "no-such-palette".into();
        let err = format!("{:#}", generate(&source, &choices, &theme).err().expect("refused"));
        assert!(err.contains("neither a hex colour") && err.contains("teal"), "{err}");
    }
}
