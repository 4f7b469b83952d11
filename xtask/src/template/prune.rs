//! `cargo xtask new --prune`: takes out what the features a product will
//! never use are made of. Their code (every item, field, statement, match
//! arm and module behind their `cfg`), their strings, their browser tests,
//! their settings and the dependencies only they pull in all go, so the
//! product carries none of it. The features it keeps stay switchable.
//!
//! Code is edited, not reprinted: each `cfg` is read with `syn` and the
//! parts it decides are cut out of the file's own text, so comments and
//! layout stay as they were. A `cfg` that also depends on a kept feature
//! or on anything else is rewritten without the pruned features.

use super::File;
use anyhow::{Context, bail};
use proc_macro2::Span;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::ops::Range;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Attribute, Expr, Item, Meta, Stmt, Token};

/// Where the strings live: one file per area, named after its feature.
const LOCALES: &str = "domain/wire/locales/";
/// The settings' example: a feature's section names it in its heading
/// (`# --- Chat models (feature `chat`) ---`).
const SETTINGS: &str = ".env.example";

/// Files that serve only some features, outside the code: they go when
/// all of those features do. (Browser tests that check which features the
/// build has stay; so do the README and `docs/`, which the team rewrites.)
const FEATURE_FILES: &[(&[&str], &[&str])] = &[
    (
        &["chat"],
        &["end2end/tests/chat.test.mjs", "end2end/tests/credits.test.mjs"],
    ),
    (&["stripe_payment"], &["end2end/tests/payments.test.mjs"]),
];

/// Removes everything of the `pruned` features from `files` (the product's
/// tree). Fails, naming the place, where a feature is used in a way this
/// cannot edit (inside a macro's input, or in a `cfg_attr`).
pub fn prune(files: &mut BTreeMap<String, File>, pruned: &BTreeSet<String>) -> anyhow::Result<()> {
    if pruned.is_empty() {
        return Ok(());
    }
    // The code, crate by crate (the xtask is the tooling, not the product);
    // each edited file is formatted as `cargo fmt` would (a cut can leave
    // `{\n}` that rustfmt writes `{}`).
    let rustfmt_options = rustfmt_options(files);
    let mut gone: Vec<String> = Vec::new();
    let sources: Vec<String> = files
        .keys()
        .filter(|p| p.ends_with(".rs") && !p.starts_with("xtask/"))
        .cloned()
        .collect();
    for path in &sources {
        let text = std::str::from_utf8(&files[path].bytes).with_context(|| format!("{path} is not UTF-8"))?;
        if !pruned.iter().any(|f| text.contains(&format!("\"{f}\""))) {
            continue;
        }
        match prune_rust(text, pruned).with_context(|| format!("pruning {path}"))? {
            Outcome::Gone => gone.push(path.clone()),
            Outcome::Kept { text: edited, modules } => {
                let base = module_dir(path);
                for m in modules {
                    gone.push(format!("{base}{m}.rs"));
                    gone.push(format!("{base}{m}/"));
                }
                if edited != text {
                    let formatted = rustfmt(&edited, &rustfmt_options).with_context(|| format!("formatting {path}"))?;
                    files.get_mut(path).expect("listed above").bytes = formatted.into_bytes();
                }
            }
        }
    }
    // A module's proptest regressions are kept beside its crate's `src`.
    for g in gone.clone() {
        if let Some((krate, module)) = g.split_once("/src/") {
            gone.push(format!(
                "{krate}/proptest-regressions/{}",
                module.replace(".rs", ".txt")
            ));
        }
    }
    // The strings, and the files of features all gone.
    for f in pruned {
        gone.push(format!("{LOCALES}*/{f}.toml"));
    }
    for (features, paths) in FEATURE_FILES {
        if features.iter().all(|f| pruned.contains(*f)) {
            gone.extend(paths.iter().map(|p| (*p).to_owned()));
        }
    }
    files.retain(|path, _| !gone.iter().any(|g| covers(g, path)));

    // The manifests: the features, and the dependencies only they used.
    let manifests: Vec<String> = files
        .keys()
        .filter(|p| (p.ends_with("/Cargo.toml") || *p == "Cargo.toml") && !p.starts_with("xtask/"))
        .cloned()
        .collect();
    for path in manifests {
        let file = files.get_mut(&path).expect("listed above");
        let text = String::from_utf8(file.bytes.clone()).with_context(|| format!("{path} is not UTF-8"))?;
        let (text, targets) = prune_manifest(&text, pruned).with_context(|| format!("pruning {path}"))?;
        file.bytes = text.into_bytes();
        let dir = path.trim_end_matches("Cargo.toml").to_owned();
        gone.extend(targets.into_iter().map(|t| format!("{dir}{t}")));
    }
    files.retain(|path, _| !gone.iter().any(|g| covers(g, path)));
    if let Some(file) = files.get_mut(SETTINGS) {
        let text = String::from_utf8(file.bytes.clone()).context(".env.example is not UTF-8")?;
        file.bytes = prune_settings(&text, pruned).into_bytes();
    }

    // Nothing may still switch on a feature that is gone.
    let mut left = Vec::new();
    for (path, file) in files.iter() {
        if path.starts_with("xtask/") || !(path.ends_with(".rs") || path.ends_with("Cargo.toml")) {
            continue;
        }
        let text = String::from_utf8_lossy(&file.bytes);
        for (n, line) in text.lines().enumerate() {
            let squeezed: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            for f in pruned {
                let in_cfg = squeezed.contains(&format!("feature=\"{f}\""));
                let in_manifest = path.ends_with("Cargo.toml")
                    && (squeezed.contains(&format!("\"{f}\"")) || squeezed.contains(&format!("/{f}\"")));
                if in_cfg || in_manifest {
                    left.push(format!("{path}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    if !left.is_empty() {
        bail!("pruned features are still named here:\n  {}", left.join("\n  "));
    }
    Ok(())
}

/// The workspace's rustfmt settings as `--config` and `--edition` arguments.
fn rustfmt_options(files: &BTreeMap<String, File>) -> Vec<String> {
    let text = |path: &str| {
        files
            .get(path)
            .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
            .unwrap_or_default()
    };
    let mut args = Vec::new();
    let config: Vec<String> = text("rustfmt.toml")
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| format!("{}={}", k.trim(), v.trim().trim_matches('"')))
        .collect();
    if !config.is_empty() {
        args.extend(["--config".to_owned(), config.join(",")]);
    }
    let edition = text("Cargo.toml").lines().find_map(|l| {
        l.strip_prefix("edition = ")
            .map(|v| v.trim().trim_matches('"').to_owned())
    });
    if let Some(edition) = edition {
        args.extend(["--edition".to_owned(), edition]);
    }
    args
}

/// `text` through rustfmt (stdin to stdout).
fn rustfmt(text: &str, options: &[String]) -> anyhow::Result<String> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new("rustfmt")
        .args(["--emit", "stdout", "--quiet"])
        .args(options)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting rustfmt (rustup component add rustfmt)")?;
    let mut stdin = child.stdin.take().context("rustfmt's stdin")?;
    let input = text.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().context("running rustfmt")?;
    writer.join().map_err(|_| anyhow::anyhow!("writing to rustfmt"))??;
    if !out.status.success() {
        bail!("rustfmt: {}", String::from_utf8_lossy(&out.stderr));
    }
    String::from_utf8(out.stdout).context("rustfmt's output is not UTF-8")
}

/// Whether `pattern` (a file, a folder ending in `/`, or a locale file with
/// `*` for the locale) covers `path`.
fn covers(pattern: &str, path: &str) -> bool {
    if let Some((dir, name)) = pattern.split_once("*/") {
        return path.starts_with(dir) && path[dir.len()..].split_once('/').is_some_and(|(_, rest)| rest == name);
    }
    if pattern.ends_with('/') {
        path.starts_with(pattern)
    } else {
        path == pattern
    }
}

/// The folder a file's `mod name;` declarations are read from.
fn module_dir(path: &str) -> String {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    let dir = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    match file {
        "lib.rs" | "main.rs" | "mod.rs" => dir,
        other => format!("{dir}{}/", other.trim_end_matches(".rs")),
    }
}

enum Outcome {
    /// The whole file is behind a pruned feature (`#![cfg(…)]`).
    Gone,
    /// The file's new text, and the `mod name;` declarations taken out
    /// (their files go too).
    Kept { text: String, modules: Vec<String> },
}

/// One Rust file without the `pruned` features.
fn prune_rust(text: &str, pruned: &BTreeSet<String>) -> anyhow::Result<Outcome> {
    // syn skips these, so its offsets would not be the text's.
    if text.starts_with('\u{feff}') || (text.starts_with("#!") && !text.starts_with("#![")) {
        bail!("a byte-order mark or a `#!` line (remove it first)");
    }
    let file = syn::parse_file(text)?;
    let mut p = Pruner {
        text,
        pruned,
        edits: Vec::new(),
        modules: Vec::new(),
        seen: HashSet::new(),
        errors: Vec::new(),
    };
    if !p.node(&file.attrs, file.span()) {
        return Ok(Outcome::Gone);
    }
    for item in &file.items {
        p.visit_item(item);
    }
    if !p.errors.is_empty() {
        bail!("{}", p.errors.join("\n"));
    }
    let mut edits = p.edits;
    edits.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, with) in edits {
        if range.start < at {
            continue; // inside a part already cut
        }
        out.push_str(&text[at..range.start]);
        out.push_str(&with);
        at = range.end;
    }
    out.push_str(&text[at..]);
    // A cut between two blank lines leaves two in a row.
    if !text.contains("\n\n\n") {
        while out.contains("\n\n\n") {
            out = out.replace("\n\n\n", "\n\n");
        }
    }
    Ok(Outcome::Kept {
        text: out,
        modules: p.modules,
    })
}

/// A `cfg` predicate.
#[derive(Clone, Debug, PartialEq)]
enum Pred {
    Feature(String),
    /// Anything else (`test`, `target_arch = "wasm32"`), as written.
    Other(String),
    Any(Vec<Pred>),
    All(Vec<Pred>),
    Not(Box<Pred>),
}

/// A predicate once the pruned features are known to be off.
enum Value {
    True,
    False,
    Open(Pred),
}

impl Pred {
    fn parse(meta: &Meta, text: &str) -> syn::Result<Pred> {
        if let Meta::NameValue(nv) = meta
            && nv.path.is_ident("feature")
            && let Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s), ..
            }) = &nv.value
        {
            return Ok(Pred::Feature(s.value()));
        }
        if let Meta::List(list) = meta {
            let op = ["any", "all", "not"].into_iter().find(|op| list.path.is_ident(op));
            if let Some(op) = op {
                let inner = list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)?;
                let mut parts = inner
                    .iter()
                    .map(|m| Pred::parse(m, text))
                    .collect::<syn::Result<Vec<_>>>()?;
                return Ok(match op {
                    "any" => Pred::Any(parts),
                    "all" => Pred::All(parts),
                    _ => {
                        if parts.len() != 1 {
                            return Err(syn::Error::new(list.span(), "not() takes one predicate"));
                        }
                        Pred::Not(Box::new(parts.remove(0)))
                    }
                });
            }
        }
        Ok(Pred::Other(text[meta.span().byte_range()].to_owned()))
    }

    fn mentions(&self, pruned: &BTreeSet<String>) -> bool {
        match self {
            Pred::Feature(f) => pruned.contains(f),
            Pred::Other(_) => false,
            Pred::Any(ps) | Pred::All(ps) => ps.iter().any(|p| p.mentions(pruned)),
            Pred::Not(p) => p.mentions(pruned),
        }
    }

    fn eval(&self, pruned: &BTreeSet<String>) -> Value {
        match self {
            Pred::Feature(f) if pruned.contains(f) => Value::False,
            Pred::Feature(_) | Pred::Other(_) => Value::Open(self.clone()),
            Pred::Not(p) => match p.eval(pruned) {
                Value::True => Value::False,
                Value::False => Value::True,
                Value::Open(p) => Value::Open(Pred::Not(Box::new(p))),
            },
            Pred::Any(ps) | Pred::All(ps) => {
                let any = matches!(self, Pred::Any(_));
                let mut open = Vec::new();
                for p in ps {
                    match (p.eval(pruned), any) {
                        (Value::True, true) => return Value::True,
                        (Value::False, false) => return Value::False,
                        (Value::Open(p), _) => open.push(p),
                        _ => {}
                    }
                }
                match open.len() {
                    0 if any => Value::False,
                    0 => Value::True,
                    1 => Value::Open(open.remove(0)),
                    _ if any => Value::Open(Pred::Any(open)),
                    _ => Value::Open(Pred::All(open)),
                }
            }
        }
    }

    fn render(&self) -> String {
        let list = |ps: &[Pred]| ps.iter().map(Pred::render).collect::<Vec<_>>().join(", ");
        match self {
            Pred::Feature(f) => format!("feature = \"{f}\""),
            Pred::Other(s) => s.clone(),
            Pred::Any(ps) => format!("any({})", list(ps)),
            Pred::All(ps) => format!("all({})", list(ps)),
            Pred::Not(p) => format!("not({})", p.render()),
        }
    }
}

struct Pruner<'a> {
    text: &'a str,
    pruned: &'a BTreeSet<String>,
    /// Byte ranges of the file and what replaces them.
    edits: Vec<(Range<usize>, String)>,
    /// `mod name;` declarations taken out.
    modules: Vec<String>,
    /// Attributes already decided (a statement and its expression share them).
    seen: HashSet<usize>,
    errors: Vec<String>,
}

impl Pruner<'_> {
    /// Decides a node by its attributes: false when a `cfg` is off now (the
    /// node is cut), true when it stays (a `cfg` that is on now is cut, one
    /// still open is rewritten).
    fn node(&mut self, attrs: &[Attribute], span: Span) -> bool {
        for attr in attrs {
            let at = attr.span().byte_range();
            if !self.seen.insert(at.start) {
                continue;
            }
            let bang = if matches!(attr.style, syn::AttrStyle::Inner(_)) {
                "!"
            } else {
                ""
            };
            if attr.path().is_ident("cfg_attr") {
                let parsed = attr.parse_args_with(|input: syn::parse::ParseStream| {
                    let meta: Meta = input.parse()?;
                    input.parse::<Token![,]>()?;
                    let rest = Punctuated::<Meta, Token![,]>::parse_terminated(input)?;
                    Ok((meta, rest))
                });
                match parsed.and_then(|(m, rest)| Ok((Pred::parse(&m, self.text)?, rest))) {
                    Ok((pred, _)) if !pred.mentions(self.pruned) => {}
                    Ok((pred, rest)) => {
                        let each: Vec<&str> = rest.iter().map(|m| &self.text[m.span().byte_range()]).collect();
                        let rest = each.join(", ");
                        match pred.eval(self.pruned) {
                            Value::False => self.cut(attr.span(), false),
                            // One attribute each (`#[a, b]` is not Rust).
                            Value::True => self.edits.push((
                                at,
                                each.iter()
                                    .map(|a| format!("#{bang}[{a}]"))
                                    .collect::<Vec<_>>()
                                    .join(" "),
                            )),
                            Value::Open(p) => self
                                .edits
                                .push((at, format!("#{bang}[cfg_attr({}, {rest})]", p.render()))),
                        }
                    }
                    Err(e) => self.error(attr.span(), &format!("an unreadable cfg_attr: {e}")),
                }
                continue;
            }
            if !attr.path().is_ident("cfg") {
                continue;
            }
            let pred = match attr.parse_args::<Meta>().and_then(|m| Pred::parse(&m, self.text)) {
                Ok(p) => p,
                Err(e) => {
                    self.error(attr.span(), &format!("an unreadable cfg: {e}"));
                    continue;
                }
            };
            if !pred.mentions(self.pruned) {
                continue;
            }
            let inner = !bang.is_empty();
            match pred.eval(self.pruned) {
                Value::False => {
                    if !inner {
                        self.cut(span, true);
                    }
                    return false;
                }
                Value::True => self.cut(attr.span(), false),
                Value::Open(p) => {
                    self.edits.push((at, format!("#{bang}[cfg({})]", p.render())));
                }
            }
        }
        true
    }

    /// Cuts `span`'s text; a whole line when nothing else is on it, with
    /// the comma after a list element and (for a node) the `//` comments
    /// right above it.
    fn cut(&mut self, span: Span, node: bool) {
        let text = self.text;
        let bytes = text.as_bytes();
        let Range { mut start, mut end } = span.byte_range();
        let skip_blanks = |mut i: usize| {
            while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
                i += 1;
            }
            i
        };
        if node {
            let after = skip_blanks(end);
            if after < bytes.len() && bytes[after] == b',' {
                end = after + 1;
            }
        }
        let after = skip_blanks(end);
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        if (after == bytes.len() || bytes[after] == b'\n') && text[line_start..start].trim().is_empty() {
            start = line_start;
            end = (after + 1).min(bytes.len());
            while node && start > 0 {
                let above = text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
                let line = text[above..start].trim();
                if line.starts_with("//") && !line.starts_with("///") && !line.starts_with("//!") {
                    start = above;
                } else {
                    break;
                }
            }
        }
        self.edits.push((start..end, String::new()));
    }

    /// A `{ value }` block whose every attribute is a `cfg` that is now on:
    /// once they are cut its braces are needless (`unused_braces`), so the
    /// ranges of `{` up to the value and of the value's end up to `}`.
    fn block_left_bare(&self, e: &Expr) -> Option<(Range<usize>, Range<usize>)> {
        let Expr::Block(b) = e else { return None };
        if b.label.is_some() || b.attrs.is_empty() {
            return None;
        }
        let on = |a: &Attribute| {
            a.path().is_ident("cfg")
                && a.parse_args::<Meta>()
                    .and_then(|m| Pred::parse(&m, self.text))
                    .is_ok_and(|p| p.mentions(self.pruned) && matches!(p.eval(self.pruned), Value::True))
        };
        if !b.attrs.iter().all(on) {
            return None;
        }
        let [Stmt::Expr(value, None)] = b.block.stmts.as_slice() else {
            return None;
        };
        let braces = b.block.brace_token.span;
        let (open, close) = (braces.open().byte_range(), braces.close().byte_range());
        let inner = value.span().byte_range();
        Some((open.start..inner.start, inner.end..close.end))
    }

    fn error(&mut self, span: Span, what: &str) {
        self.errors.push(format!("line {}: {what}", span.start().line));
    }
}

/// The attributes of an expression (every kind but verbatim tokens has them).
fn expr_attrs(e: &Expr) -> &[Attribute] {
    macro_rules! attrs {
        ($($v:ident),*) => {
            match e {
                $(Expr::$v(x) => &x.attrs,)*
                _ => &[],
            }
        };
    }
    attrs!(
        Array, Assign, Async, Await, Binary, Block, Break, Call, Cast, Closure, Const, Continue, Field, ForLoop, Group,
        If, Index, Infer, Let, Lit, Loop, Macro, Match, MethodCall, Paren, Path, Range, RawAddr, Reference, Repeat,
        Return, Struct, Try, TryBlock, Tuple, Unary, Unsafe, While, Yield
    )
}

/// The expression a statement's outer attributes are parsed onto.
fn leftmost(mut e: &Expr) -> &Expr {
    loop {
        e = match e {
            Expr::Assign(x) if x.attrs.is_empty() => &x.left,
            Expr::Binary(x) if x.attrs.is_empty() => &x.left,
            Expr::Cast(x) if x.attrs.is_empty() => &x.expr,
            Expr::Range(x) if x.attrs.is_empty() => match &x.start {
                Some(start) => start,
                None => return e,
            },
            _ => return e,
        };
    }
}

fn item_attrs(i: &Item) -> &[Attribute] {
    macro_rules! attrs {
        ($($v:ident),*) => {
            match i {
                $(Item::$v(x) => &x.attrs,)*
                _ => &[],
            }
        };
    }
    attrs!(
        Const,
        Enum,
        ExternCrate,
        Fn,
        ForeignMod,
        Impl,
        Macro,
        Mod,
        Static,
        Struct,
        Trait,
        TraitAlias,
        Type,
        Union,
        Use
    )
}

impl<'ast> Visit<'ast> for Pruner<'_> {
    fn visit_item(&mut self, i: &'ast Item) {
        if !self.node(item_attrs(i), i.span()) {
            if let Item::Mod(m) = i
                && m.content.is_none()
            {
                self.modules.push(m.ident.to_string());
            }
            return;
        }
        syn::visit::visit_item(self, i);
    }

    fn visit_stmt(&mut self, s: &'ast Stmt) {
        if let Stmt::Expr(e, semi) = s {
            let span = match semi {
                Some(semi) => e.span().join(semi.span).unwrap_or_else(|| e.span()),
                None => e.span(),
            };
            // An assignment's or operator's attributes are its leftmost
            // operand's, as syn reads them; they decide the whole statement.
            if !self.node(expr_attrs(leftmost(e)), span) {
                return;
            }
            // `if cfg!(feature = "gone") { … }` as a statement: cut whole.
            if let Expr::If(i) = e
                && i.else_branch.is_none()
                && let Expr::Macro(m) = &*i.cond
                && m.mac.path.is_ident("cfg")
                && let Ok(meta) = m.mac.parse_body::<Meta>()
                && let Ok(pred) = Pred::parse(&meta, self.text)
                && pred.mentions(self.pruned)
                && let Value::False = pred.eval(self.pruned)
            {
                self.cut(span, true);
                return;
            }
        }
        syn::visit::visit_stmt(self, s);
    }

    fn visit_expr(&mut self, e: &'ast Expr) {
        let unwrap = self.block_left_bare(e);
        if self.node(expr_attrs(e), e.span()) {
            if let Some((open, close)) = unwrap {
                self.edits.push((open, String::new()));
                self.edits.push((close, String::new()));
            }
            syn::visit::visit_expr(self, e);
        }
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        if self.node(&l.attrs, l.span()) {
            syn::visit::visit_local(self, l);
        }
    }

    fn visit_stmt_macro(&mut self, m: &'ast syn::StmtMacro) {
        if self.node(&m.attrs, m.span()) {
            syn::visit::visit_stmt_macro(self, m);
        }
    }

    fn visit_impl_item(&mut self, i: &'ast syn::ImplItem) {
        let attrs: &[Attribute] = match i {
            syn::ImplItem::Const(x) => &x.attrs,
            syn::ImplItem::Fn(x) => &x.attrs,
            syn::ImplItem::Type(x) => &x.attrs,
            syn::ImplItem::Macro(x) => &x.attrs,
            _ => &[],
        };
        if self.node(attrs, i.span()) {
            syn::visit::visit_impl_item(self, i);
        }
    }

    fn visit_trait_item(&mut self, i: &'ast syn::TraitItem) {
        let attrs: &[Attribute] = match i {
            syn::TraitItem::Const(x) => &x.attrs,
            syn::TraitItem::Fn(x) => &x.attrs,
            syn::TraitItem::Type(x) => &x.attrs,
            syn::TraitItem::Macro(x) => &x.attrs,
            _ => &[],
        };
        if self.node(attrs, i.span()) {
            syn::visit::visit_trait_item(self, i);
        }
    }

    fn visit_field(&mut self, f: &'ast syn::Field) {
        if self.node(&f.attrs, f.span()) {
            syn::visit::visit_field(self, f);
        }
    }

    fn visit_field_value(&mut self, f: &'ast syn::FieldValue) {
        if self.node(&f.attrs, f.span()) {
            syn::visit::visit_field_value(self, f);
        }
    }

    fn visit_field_pat(&mut self, f: &'ast syn::FieldPat) {
        if self.node(&f.attrs, f.span()) {
            syn::visit::visit_field_pat(self, f);
        }
    }

    fn visit_variant(&mut self, v: &'ast syn::Variant) {
        if self.node(&v.attrs, v.span()) {
            syn::visit::visit_variant(self, v);
        }
    }

    fn visit_arm(&mut self, a: &'ast syn::Arm) {
        if self.node(&a.attrs, a.span()) {
            syn::visit::visit_arm(self, a);
        }
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        let range = m.span().byte_range();
        if m.path.is_ident("cfg") {
            match m.parse_body::<Meta>().and_then(|meta| Pred::parse(&meta, self.text)) {
                Ok(pred) if pred.mentions(self.pruned) => {
                    let with = match pred.eval(self.pruned) {
                        Value::True => "true".to_owned(),
                        Value::False => "false".to_owned(),
                        Value::Open(p) => format!("cfg!({})", p.render()),
                    };
                    self.edits.push((range, with));
                }
                Ok(_) => {}
                Err(e) => self.error(m.span(), &format!("an unreadable cfg!: {e}")),
            }
            return;
        }
        // A macro's input (a `macro_rules!` body, say) is tokens, not
        // syntax: its `#[cfg]`s are read token by token.
        let written = &self.text[range];
        if written.contains("feature") && self.pruned.iter().any(|f| written.contains(&format!("\"{f}\""))) {
            self.tokens(m.tokens.clone());
        }
    }
}

impl Pruner<'_> {
    /// The `#[cfg]`s in a macro's tokens: an item it turns off is cut up
    /// to the end of its body (`{ … }`) or its `;` or `,`.
    fn tokens(&mut self, stream: proc_macro2::TokenStream) {
        use proc_macro2::{Delimiter, TokenTree};
        let trees: Vec<TokenTree> = stream.into_iter().collect();
        let is_attr = |i: usize| {
            matches!(&trees[i], TokenTree::Punct(p) if p.as_char() == '#')
                && matches!(trees.get(i + 1), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket)
        };
        let mut i = 0;
        while i < trees.len() {
            if !is_attr(i) {
                if let TokenTree::Group(g) = &trees[i] {
                    self.tokens(g.stream());
                }
                i += 1;
                continue;
            }
            let TokenTree::Group(attr) = &trees[i + 1] else {
                unreachable!()
            };
            let span = trees[i].span().join(attr.span()).unwrap_or_else(|| attr.span());
            let meta = syn::parse2::<Meta>(attr.stream());
            let cfg = match &meta {
                Ok(Meta::List(l)) if l.path.is_ident("cfg") => Some(l.parse_args::<Meta>()),
                _ => None,
            };
            let Some(cfg) = cfg else {
                i += 2;
                continue;
            };
            let pred = match cfg.and_then(|m| Pred::parse(&m, self.text)) {
                Ok(p) => p,
                Err(e) => {
                    self.error(span, &format!("an unreadable cfg: {e}"));
                    i += 2;
                    continue;
                }
            };
            if !pred.mentions(self.pruned) {
                i += 2;
                continue;
            }
            match pred.eval(self.pruned) {
                Value::True => self.cut(span, false),
                Value::Open(p) => self.edits.push((span.byte_range(), format!("#[cfg({})]", p.render()))),
                Value::False => {
                    // The item: its other attributes, then up to its body.
                    let mut j = i + 2;
                    while j < trees.len() {
                        match &trees[j] {
                            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => break,
                            TokenTree::Punct(p) if p.as_char() == ';' || p.as_char() == ',' => break,
                            _ => j += 1,
                        }
                    }
                    let Some(last) = trees.get(j) else {
                        self.error(span, "a cfg with no item after it");
                        return;
                    };
                    let end = if matches!(last, TokenTree::Punct(p) if p.as_char() == ',') {
                        trees[j - 1].span()
                    } else {
                        last.span()
                    };
                    self.cut(span.join(end).unwrap_or(span), true);
                    i = j + 1;
                    continue;
                }
            }
            i += 2;
        }
    }
}

/// A manifest without the pruned features: their entries, their names in
/// other features' and dependencies' lists, the optional dependencies only
/// they enabled (with the comment lines above naming them), and the
/// examples, tests and benches that require them (returned: their files,
/// relative to the manifest's folder).
fn prune_manifest(text: &str, pruned: &BTreeSet<String>) -> anyhow::Result<(String, Vec<String>)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut keep = vec![true; lines.len()];
    let mut section = String::new();
    let mut dropped_deps: BTreeSet<String> = BTreeSet::new();
    let mut targets = Vec::new();
    // `[[example]]`, `[[test]]`, `[[bench]]` that require a pruned feature.
    let mut i = 0;
    while i < lines.len() {
        let kind = match lines[i].trim() {
            "[[example]]" => "examples",
            "[[test]]" => "tests",
            "[[bench]]" => "benches",
            _ => {
                i += 1;
                continue;
            }
        };
        let mut end = i + 1;
        while end < lines.len() && !lines[end].trim_start().starts_with('[') {
            end += 1;
        }
        // The blank line and comments before the next table are its own.
        while end > i + 1
            && (lines[end - 1].trim().is_empty() || lines[end - 1].trim_start().starts_with('#'))
            && end < lines.len()
        {
            end -= 1;
        }
        let block = &lines[i..end];
        let requires_pruned = block.iter().any(|l| {
            l.trim_start().starts_with("required-features") && pruned.iter().any(|f| l.contains(&format!("\"{f}\"")))
        });
        if requires_pruned {
            let value = |key: &str| {
                block.iter().find_map(|l| {
                    let (k, v) = l.split_once('=')?;
                    (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
                })
            };
            match (value("path"), value("name")) {
                (Some(path), _) => targets.push(path),
                (None, Some(name)) => targets.push(format!("{kind}/{name}.rs")),
                (None, None) => bail!("a [[{kind}]] without a name"),
            }
            let mut start = i;
            while start > 0 && lines[start - 1].trim_start().starts_with('#') {
                start -= 1;
            }
            // The blank line before it goes too (none is left doubled).
            if start > 0 && lines[start - 1].trim().is_empty() {
                start -= 1;
            }
            keep[start..end].iter_mut().for_each(|k| *k = false);
        }
        i = end.max(i + 1);
    }
    let mut i = 0;
    // The features' entries (an entry may span lines).
    while i < lines.len() {
        let line = lines[i].trim();
        if line.starts_with('[') {
            section = line.to_owned();
        }
        if section == "[features]"
            && let Some((name, _)) = line.split_once('=')
            && pruned.contains(name.trim())
        {
            let mut depth = 0i32;
            let mut j = i;
            loop {
                let l = lines[j];
                depth += l.matches('[').count() as i32 - l.matches(']').count() as i32;
                for dep in l.split('"').filter_map(|s| s.strip_prefix("dep:")) {
                    dropped_deps.insert(dep.to_owned());
                }
                keep[j] = false;
                if depth <= 0 || j + 1 == lines.len() {
                    break;
                }
                j += 1;
            }
            i = j + 1;
            continue;
        }
        i += 1;
    }
    // Dependencies still enabled by a kept feature stay.
    let kept_text: String = lines
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(l, _)| *l)
        .collect::<Vec<_>>()
        .join("\n");
    dropped_deps.retain(|d| !kept_text.contains(&format!("\"dep:{d}\"")));
    section.clear();
    for (n, line) in lines.iter().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            section = t.to_owned();
        }
        // Only these can hold optional dependencies (a dev- or build-
        // dependency of the same name stays).
        let normal =
            section == "[dependencies]" || (section.starts_with("[target.") && section.ends_with(".dependencies]"));
        if !normal || !keep[n] {
            continue;
        }
        let name = t.split(['=', '.', ' ']).next().unwrap_or_default();
        if dropped_deps.contains(name) {
            if t.matches('{').count() != t.matches('}').count() {
                bail!("the dependency `{name}` spans lines");
            }
            keep[n] = false;
            let mut above = n;
            while above > 0 && lines[above - 1].trim().starts_with('#') {
                let comment = lines[above - 1];
                if !pruned.iter().any(|f| comment.contains(f.as_str())) {
                    break;
                }
                above -= 1;
                keep[above] = false;
            }
        }
    }
    // The pruned names in the lists that stay (`default`, forwarding).
    let mut out = String::with_capacity(text.len());
    section.clear();
    for (n, line) in lines.iter().enumerate() {
        if !keep[n] {
            continue;
        }
        let t = line.trim();
        if t.starts_with('[') {
            section = t.to_owned();
        }
        let lists = section == "[features]" || section.ends_with("dependencies]");
        if lists && t.contains('[') {
            let mut line = (*line).to_owned();
            for f in pruned {
                for quoted in [format!("\"{f}\""), format!("\"app/{f}\"")] {
                    line = line
                        .replace(&format!("{quoted}, "), "")
                        .replace(&format!(", {quoted}"), "");
                    line = line.replace(&quoted, "");
                }
            }
            out.push_str(&line);
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    if !text.ends_with('\n') {
        out.pop();
    }
    // A cut between two blank lines leaves two in a row.
    if !text.contains("\n\n\n") {
        while out.contains("\n\n\n") {
            out = out.replace("\n\n\n", "\n\n");
        }
    }
    Ok((out, targets))
}

/// `.env.example` without the sections of pruned features (a section runs
/// from its `# --- …` heading to the next).
fn prune_settings(text: &str, pruned: &BTreeSet<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dropping = false;
    for line in text.split_inclusive('\n') {
        if line.starts_with("# ---") {
            dropping = pruned
                .iter()
                .any(|f| line.contains(&format!("feature {f}")) || line.contains(&format!("feature `{f}`")));
        }
        if !dropping {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    fn pruned(text: &str, features: &[&str]) -> String {
        match prune_rust(text, &set(features)).unwrap() {
            Outcome::Kept { text, .. } => text,
            Outcome::Gone => "<gone>".into(),
        }
    }

    #[test]
    fn a_pruned_features_items_fields_arms_and_statements_go_and_the_rest_stays_as_written() {
        let before = r#"//! A file.
use a::b;

#[cfg(feature = "chat")]
pub mod chat;
// Payments' side.
#[cfg(feature = "stripe_payment")]
mod payments;

/// Kept: documented.
pub struct S {
    pub kept: u8, // a comment that stays
    /// Chat's settings.
    #[cfg(feature = "chat")]
    pub chat: Chat,
}

pub const ALL: &[&str] = &[
    #[cfg(feature = "local_auth")]
    "local",
    #[cfg(feature = "chat")]
    "chat",
];

fn f(x: E) -> u8 {
    #[cfg(feature = "chat")]
    let y = 1;
    #[cfg(feature = "chat")]
    {
        call();
    }
    #[cfg(not(feature = "chat"))]
    {
        other();
    }
    #[cfg(any(feature = "chat", feature = "local_auth"))]
    both();
    #[cfg(all(feature = "chat", test))]
    never();
    if cfg!(feature = "chat") {
        v.push(1);
    }
    let open = cfg!(feature = "stripe_payment");
    match x {
        #[cfg(feature = "chat")]
        E::Chat => 1,
        E::Other => 2,
    }
}
"#;
        let after = r#"//! A file.
use a::b;

/// Kept: documented.
pub struct S {
    pub kept: u8, // a comment that stays
}

pub const ALL: &[&str] = &[
    #[cfg(feature = "local_auth")]
    "local",
];

fn f(x: E) -> u8 {
    {
        other();
    }
    #[cfg(feature = "local_auth")]
    both();
    let open = false;
    match x {
        E::Other => 2,
    }
}
"#;
        assert_eq!(pruned(before, &["chat", "stripe_payment"]), after);
        // Nothing pruned that the file names: unchanged, byte for byte.
        assert_eq!(pruned(before, &["github_auth"]), before);
    }

    #[test]
    fn a_value_block_left_without_its_cfg_loses_its_braces() {
        let before = "const fn main_path() -> &'static str {\n    #[cfg(feature = \"chat\")]\n    {\n        CHAT\n    }\n    #[cfg(not(feature = \"chat\"))]\n    {\n        HOLDING\n    }\n}\n";
        assert_eq!(
            pruned(before, &["chat"]),
            "const fn main_path() -> &'static str {\n    HOLDING\n}\n"
        );
    }

    #[test]
    fn declared_modules_go_with_their_files_and_gated_files_go_whole() {
        let Outcome::Kept { modules, .. } =
            prune_rust("#[cfg(feature = \"chat\")]\nmod chat;\nmod kept;\n", &set(&["chat"])).unwrap()
        else {
            panic!("the file stays")
        };
        assert_eq!(modules, ["chat"]);
        assert!(matches!(
            prune_rust("#![cfg(feature = \"chat\")]\nfn f() {}\n", &set(&["chat"])).unwrap(),
            Outcome::Gone
        ));
        assert_eq!(module_dir("app/src/lib.rs"), "app/src/");
        assert_eq!(
            module_dir("domain/src/accounts/oauth/mod.rs"),
            "domain/src/accounts/oauth/"
        );
        assert_eq!(module_dir("server/tests/api/support.rs"), "server/tests/api/support/");
        assert!(covers(
            "domain/wire/locales/*/chat.toml",
            "domain/wire/locales/uk/chat.toml"
        ));
        assert!(!covers(
            "domain/wire/locales/*/chat.toml",
            "domain/wire/locales/uk/core.toml"
        ));
    }

    #[test]
    fn items_a_macro_generates_go_too() {
        let before = "macro_rules! each {\n    ($n:ident) => {\n        mod $n {\n            #[test]\n            fn a() {}\n\n            #[cfg(feature = \"db_pg\")]\n            #[tokio::test]\n            async fn b() {\n                x();\n            }\n        }\n    };\n}\n";
        let after = "macro_rules! each {\n    ($n:ident) => {\n        mod $n {\n            #[test]\n            fn a() {}\n\n        }\n    };\n}\n";
        assert_eq!(pruned(before, &["db_pg"]), after);
        let err = prune_rust("fn f() { m!(#[cfg(feature = \"chat\")]) }\n", &set(&["chat"]))
            .err()
            .unwrap();
        assert!(format!("{err:#}").contains("line 1"), "{err:#}");
    }

    #[test]
    fn cfg_attr_keeps_or_loses_its_attribute() {
        let text = "#![cfg_attr(not(feature = \"chat\"), allow(dead_code))]\n#[cfg_attr(feature = \"chat\", derive(X))]\n#[cfg_attr(any(feature = \"chat\", test), derive(Y))]\nstruct S;\n";
        assert_eq!(
            pruned(text, &["chat"]),
            "#![allow(dead_code)]\n#[cfg_attr(test, derive(Y))]\nstruct S;\n"
        );
        assert_eq!(
            pruned(
                "#[cfg_attr(not(feature = \"chat\"), derive(X), allow(dead_code))]\nstruct S;\n",
                &["chat"]
            ),
            "#[derive(X)] #[allow(dead_code)]\nstruct S;\n"
        );
    }

    #[test]
    fn a_statement_goes_whole_when_its_attributes_sit_on_its_left_operand() {
        let before = "fn f(mut x: u8) {\n    #[cfg(feature = \"chat\")]\n    x = 1;\n    #[cfg(feature = \"chat\")]\n    x += 2;\n    let _ = x;\n}\n";
        assert_eq!(pruned(before, &["chat"]), "fn f(mut x: u8) {\n    let _ = x;\n}\n");
        assert!(prune_rust("\u{feff}fn f() {}\n", &set(&["chat"])).is_err());
    }

    #[test]
    fn manifests_lose_the_features_their_names_and_the_dependencies_only_they_enabled() {
        let before = r#"[package]
name = "domain"

[dependencies]
oauth2 = { workspace = true, optional = true }
# Stripe (`stripe_payment`).
async-stripe = { version = "1", optional = true }
hex = { version = "0.4", optional = true }

[features]
default = ["local_auth", "github_auth", "chat"]
local_auth = ["wire/local_auth"]
github_auth = ["wire/github_auth", "dep:oauth2"]
stripe_payment = [
  "wire/stripe_payment",
  "dep:async-stripe",
  "dep:hex",
]
google_auth = ["dep:oauth2", "dep:hex"]
chat = ["app/chat"]

[dev-dependencies]
migration = { workspace = true, features = ["db_sqlite", "chat"] }

# `cargo xtask bench chat`.
[[example]]
name = "chat_bench"
required-features = ["local_auth", "chat"]

[[example]]
name = "login_bench"
required-features = ["local_auth"]
"#;
        let after = r#"[package]
name = "domain"

[dependencies]
oauth2 = { workspace = true, optional = true }
hex = { version = "0.4", optional = true }

[features]
default = ["local_auth", "github_auth"]
local_auth = ["wire/local_auth"]
github_auth = ["wire/github_auth", "dep:oauth2"]
google_auth = ["dep:oauth2", "dep:hex"]

[dev-dependencies]
migration = { workspace = true, features = ["db_sqlite"] }

[[example]]
name = "login_bench"
required-features = ["local_auth"]
"#;
        let (text, targets) = prune_manifest(before, &set(&["stripe_payment", "chat"])).unwrap();
        assert_eq!(text, after);
        assert_eq!(targets, ["examples/chat_bench.rs"]);
    }

    #[test]
    fn the_settings_of_pruned_features_go_by_section() {
        let before = "# --- Server ---\nHOST=1\n# --- Chat models (feature `chat`) ---\nCHAT_X=1\n\n# --- Payments through Stripe (feature stripe_payment) ---\nSTRIPE=1\n# --- Credits ---\nC=1\n";
        assert_eq!(
            prune_settings(before, &set(&["chat", "stripe_payment"])),
            "# --- Server ---\nHOST=1\n# --- Credits ---\nC=1\n"
        );
    }
}
