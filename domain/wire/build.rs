//! Generates the i18n code from `locales/<locale>/<file>.toml`.
//!
//! Each file holds one area's strings. A file named after a product
//! feature of this crate (`chat.toml`, `stripe_payment.toml`) is compiled
//! only with that feature: its keys, and their texts in every locale, are
//! behind `#[cfg(feature = "…")]`, so a compiled-out feature leaves no
//! string behind. The build fails, naming the file and key, when a locale
//! lacks a file or a key another has, has one too many, or a text's
//! placeholders (`{minutes}`) differ from English's.
//!
//! Output (`$OUT_DIR/i18n.rs`): `enum Locale` (one variant per locale
//! folder, English first), `enum Key` (one variant per key), `Key::ALL`,
//! and one exhaustive `match` per locale, compiled into the server only:
//! the WASM loads its page's texts at run time (`src/i18n.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The locale whose files define the keys.
const SOURCE: &str = "en";

/// The key of each language's name for itself.
const NATIVE_NAME: &str = "LocaleName";

type Texts = BTreeMap<String, String>;

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let dir = root.join("locales");
    println!("cargo:rerun-if-changed=locales");
    println!("cargo:rerun-if-changed=Cargo.toml");
    let features = features(&root.join("Cargo.toml"));
    let locales = locales(&dir);
    let mut files: BTreeMap<String, BTreeMap<String, Texts>> = BTreeMap::new();
    for locale in &locales {
        for (name, texts) in read_locale(&dir.join(locale)) {
            files.entry(name).or_default().insert(locale.clone(), texts);
        }
    }
    let mut errors = Vec::new();
    let mut order: Vec<(String, String)> = Vec::new(); // (key, file)
    let mut seen = BTreeSet::new();
    for (file, by_locale) in &files {
        let Some(source) = by_locale.get(SOURCE) else {
            errors.push(format!("{file}.toml exists in some locales but not in `{SOURCE}`"));
            continue;
        };
        for locale in &locales {
            let Some(texts) = by_locale.get(locale) else {
                errors.push(format!("locales/{locale}/{file}.toml is missing"));
                continue;
            };
            for key in source.keys().filter(|k| !texts.contains_key(*k)) {
                errors.push(format!("locales/{locale}/{file}.toml: `{key}` is missing"));
            }
            for key in texts.keys().filter(|k| !source.contains_key(*k)) {
                errors.push(format!("locales/{locale}/{file}.toml: `{key}` is not in `{SOURCE}`"));
            }
            for (key, text) in texts {
                if let Some(english) = source.get(key)
                    && placeholders(english) != placeholders(text)
                {
                    errors.push(format!(
                        "locales/{locale}/{file}.toml: `{key}` has placeholders {:?}, `{SOURCE}` has {:?}",
                        placeholders(text),
                        placeholders(english)
                    ));
                }
                if text.trim().is_empty() {
                    errors.push(format!("locales/{locale}/{file}.toml: `{key}` is empty"));
                }
            }
        }
        for key in source.keys() {
            if !seen.insert(key.clone()) {
                errors.push(format!("`{key}` is defined in more than one file"));
            }
            order.push((key.clone(), file.clone()));
        }
    }
    if !errors.is_empty() {
        panic!("the translations are incomplete:\n  {}", errors.join("\n  "));
    }
    let cfg = |file: &str| {
        if features.contains(file) {
            format!("#[cfg(feature = \"{file}\")] ")
        } else {
            String::new()
        }
    };

    let mut out = String::new();
    out.push_str("/// A language the UI is translated into (one per `locales/` folder).\n");
    // `Default` is `wire::brand::DEFAULT_LOCALE` (src/i18n.rs).
    out.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]\n");
    out.push_str("pub enum Locale {\n");
    for locale in &locales {
        let _ = writeln!(out, "    {},", variant(locale));
    }
    out.push_str("}\n\nimpl Locale {\n    /// Every locale, English first.\n    pub const ALL: [Locale; ");
    let _ = write!(out, "{}] = [", locales.len());
    for locale in &locales {
        let _ = write!(out, "Locale::{}, ", variant(locale));
    }
    out.push_str("];\n\n    /// BCP 47 language tag, as used in `<html lang>` and the cookie.\n");
    out.push_str("    pub const fn code(self) -> &'static str {\n        match self {\n");
    for locale in &locales {
        let _ = writeln!(out, "            Locale::{} => \"{locale}\",", variant(locale));
    }
    out.push_str("        }\n    }\n\n");
    // Compiled everywhere: the language switcher names every language, and
    // the WASM carries no other text.
    out.push_str("    /// The language's own name for itself (the switcher's label).\n");
    out.push_str("    pub const fn native_name(self) -> &'static str {\n        match self {\n");
    for locale in &locales {
        let name = files
            .values()
            .find_map(|by_locale| by_locale.get(locale)?.get(NATIVE_NAME))
            .unwrap_or_else(|| panic!("locales/{locale}: `{NATIVE_NAME}` is missing"));
        let _ = writeln!(out, "            Locale::{} => {name:?},", variant(locale));
    }
    out.push_str("        }\n    }\n\n");
    // The server compiles every text in; the WASM none: it reads the
    // page's locale's, loaded before hydration (`src/i18n.rs`).
    out.push_str("    /// The text for `key` in this locale.\n    #[cfg(not(target_arch = \"wasm32\"))]\n");
    out.push_str("    pub fn t(self, key: Key) -> &'static str {\n        match self {\n");
    for locale in &locales {
        let _ = writeln!(out, "            Locale::{} => text_{locale}(key),", variant(locale));
    }
    out.push_str("        }\n    }\n\n");
    out.push_str(
        "    /// The text for `key` in this locale, if it is the one loaded.\n    #[cfg(target_arch = \"wasm32\")]\n",
    );
    out.push_str(
        "    pub fn t(self, key: Key) -> &'static str {\n        crate::i18n::loaded(self, key)\n    }\n}\n\n",
    );

    out.push_str("/// One user-facing string; its texts are in `locales/<locale>/<file>.toml`.\n");
    out.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\npub enum Key {\n");
    for (key, file) in &order {
        let _ = writeln!(out, "    {}{key},", cfg(file));
    }
    out.push_str("}\n\nimpl Key {\n    /// Every key of this build.\n    pub const ALL: &[Key] = &[\n");
    for (key, file) in &order {
        let _ = writeln!(out, "        {}Key::{key},", cfg(file));
    }
    out.push_str("    ];\n}\n\n");
    // Names this build's keys (the features compiled in decide which), so
    // the browser refuses texts a differently built server sends.
    let enabled = |file: &str| {
        !features.contains(file)
            || std::env::var_os(format!("CARGO_FEATURE_{}", file.to_uppercase().replace('-', "_"))).is_some()
    };
    let names: Vec<&str> = order
        .iter()
        .filter(|(_, file)| enabled(file))
        .map(|(key, _)| key.as_str())
        .collect();
    out.push_str("/// A fingerprint of this build's keys, in order (FNV-1a of their names).\n");
    let _ = writeln!(
        out,
        "pub const KEYS_FINGERPRINT: &str = \"{:016x}\";\n",
        fnv1a(&names.join("\n"))
    );
    for locale in &locales {
        let _ = writeln!(
            out,
            "#[cfg(not(target_arch = \"wasm32\"))]\nfn text_{locale}(key: Key) -> &'static str {{\n    match key {{"
        );
        for (key, file) in &order {
            let text = &files[file][locale][key];
            let _ = writeln!(out, "        {}Key::{key} => {text:?},", cfg(file));
        }
        out.push_str("    }\n}\n\n");
    }
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("i18n.rs");
    std::fs::write(&dest, out).expect("writing the generated i18n code");
}

/// The crate's features (file names that match one are compiled with it).
fn features(manifest: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(manifest).expect("reading Cargo.toml");
    let value: toml::Table = text.parse().expect("Cargo.toml parses");
    value
        .get("features")
        .and_then(|f| f.as_table())
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default()
}

/// The locale folders, the source locale first.
fn locales(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("reading locales/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort_by_key(|n| (n != SOURCE, n.clone()));
    assert!(
        names.first().is_some_and(|n| n == SOURCE),
        "locales/{SOURCE} is missing"
    );
    names
}

/// Every `<file>.toml` of a locale folder, as key → text.
fn read_locale(dir: &Path) -> BTreeMap<String, Texts> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir)
        .expect("reading a locale folder")
        .filter_map(|e| e.ok())
    {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a UTF-8 file name")
            .to_owned();
        let text = std::fs::read_to_string(&path).expect("reading a locale file");
        let table: toml::Table = text.parse().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let texts = table
            .into_iter()
            .map(|(k, v)| match v {
                toml::Value::String(s) => (k, s),
                other => panic!("{}: `{k}` must be a string, not {other}", path.display()),
            })
            .collect();
        files.insert(name, texts);
    }
    files
}

/// The `{name}` placeholders of a text.
fn placeholders(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if let Some(close) = rest.find('}') {
            found.insert(rest[..close].to_owned());
            rest = &rest[close + 1..];
        }
    }
    found
}

/// FNV-1a, 64 bits.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `en` → `En`.
fn variant(locale: &str) -> String {
    let mut chars = locale.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
