//! The script that hydrates a page, in place of Leptos' `HydrationScripts`.
//!
//! Leptos' component hints the WASM in the `<head>` (`<link rel="preload">`,
//! and one for each chunk of a split page), so the browser fetches about
//! 270 KB (the chat: 430 KB) alongside the stylesheet, before the first
//! paint. Here nothing is fetched until the page's content is on screen
//! (its first contentful paint; at once in a background tab): the inline
//! script ([`SCRIPT`], `hydration.js`) then adds the same hints, for the
//! main module and for the chunks the page named in its
//! `<meta name="wasm-chunks">` ([`page_needs_chunk`]), all at once (no
//! extra round trip for a split page), fetches the page's locale's texts
//! beside them (the WASM carries none: `i18n::served`), and hydrates. The
//! bundle's names are read once per process, not at every render.
//! (`cargo xtask dev` and `cargo leptos watch` restart the server whenever
//! the WASM is rebuilt.)

use leptos::prelude::*;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The inline script, with `__PKG__`, `__JS__`, `__WASM__`, `__SPLIT__`
/// and `__TEXTS__` to fill in.
const SCRIPT: &str = include_str!("hydration.js");

/// The bundle's files, as the build named them.
struct Bundle {
    /// [`SCRIPT`], filled in.
    script: String,
    /// The WASM files each split-out chunk needs (itself and the chunks it
    /// shares with others), space-separated, by chunk name.
    chunks: HashMap<String, String>,
    /// The stylesheet's URL.
    stylesheet: String,
}

static BUNDLE: OnceLock<Bundle> = OnceLock::new();

/// The hashes `hash.txt` (beside the server binary, written by
/// `cargo xtask build`) gives each file kind, when the files are hashed.
fn hashes(options: &LeptosOptions) -> HashMap<String, String> {
    if !options.hash_files {
        return HashMap::new();
    }
    let path = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())));
    match path.map(std::fs::read_to_string) {
        Some(Ok(text)) => text
            .lines()
            .filter_map(|line| line.split_once(':'))
            .map(|(file, hash)| (file.trim().to_owned(), hash.trim().to_owned()))
            .collect(),
        _ => {
            leptos::logging::error!("file hashing is on, but there is no hash file beside the server");
            HashMap::new()
        }
    }
}

/// The file of kind `kind` (`js`, `css`…): `<output name>[.<hash>]<rest>`.
fn file(options: &LeptosOptions, hashes: &HashMap<String, String>, kind: &str, rest: &str) -> String {
    let hash = hashes.get(kind).map(|h| format!(".{h}")).unwrap_or_default();
    format!("/{}/{}{hash}{rest}", options.site_pkg_dir, options.output_name)
}

/// The bundle, read on first use, with the chunks from the splitter's
/// manifest.
fn bundle(options: &LeptosOptions) -> &'static Bundle {
    BUNDLE.get_or_init(|| {
        let hashes = hashes(options);
        let hashed = |kind: &str| hashes.get(kind).map(|hash| format!(".{hash}"));
        let pkg_dir = options.site_pkg_dir.as_ref();
        let js = file(options, &hashes, "js", ".js");
        // wasm-bindgen's own name, unless the build names the output.
        let unhashed = if option_env!("LEPTOS_OUTPUT_NAME").is_none() {
            "_bg.wasm"
        } else {
            ".wasm"
        };
        let wasm = file(
            options,
            &hashes,
            "wasm",
            if hashes.contains_key("wasm") { ".wasm" } else { unhashed },
        );
        let split = format!(
            "/{pkg_dir}/__wasm_split{}.js",
            hashed("split").unwrap_or_else(|| ".______________________".to_owned())
        );
        let manifest = format!("__wasm_split_manifest{}.json", hashed("manifest").unwrap_or_default());
        let manifest = std::path::Path::new(options.site_root.as_ref())
            .join(pkg_dir)
            .join(manifest);
        // No manifest: a build that split nothing.
        let chunks = std::fs::read_to_string(&manifest)
            .ok()
            .and_then(|text| serde_json::from_str::<HashMap<String, Vec<String>>>(&text).ok())
            .unwrap_or_default()
            .into_iter()
            .map(|(chunk, files)| (chunk, files.join(" ")))
            .collect();
        // A JSON string that cannot close the `<script>` it is in.
        let quoted = |s: &str| serde_json::to_string(s).expect("a string").replace('<', "\\u003c");
        // Without its comments: it is in every page.
        let script: String = SCRIPT
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let script = script
            .replace("__PKG__", &quoted(&format!("/{pkg_dir}/")))
            .replace("__JS__", &quoted(&js))
            .replace("__WASM__", &quoted(&wasm))
            .replace("__SPLIT__", &quoted(&split));
        // `{"en": "/i18n/en.<hash>.json", …}`, serialised as one JSON object
        // (no texts are served by a build without the server side).
        #[cfg(feature = "ssr")]
        let texts: std::collections::BTreeMap<&str, String> = crate::i18n::served::all()
            .iter()
            .map(|texts| (texts.locale.code(), texts.url()))
            .collect();
        #[cfg(not(feature = "ssr"))]
        let texts = std::collections::BTreeMap::<&str, String>::new();
        let texts = serde_json::to_string(&texts)
            .expect("a map of strings")
            .replace('<', "\\u003c");
        let script = script.replace("__TEXTS__", &texts);
        let stylesheet = file(options, &hashes, "css", ".css");
        Bundle {
            script,
            chunks,
            stylesheet,
        }
    })
}

/// The stylesheet, in place of Leptos' `HashedStylesheet` (which reads
/// `hash.txt` at every render): its name is read once, but at every render
/// while `live` (`cargo leptos watch` renames a rebuilt stylesheet without
/// restarting the server; `cargo xtask dev` keeps its name).
pub fn stylesheet(options: &LeptosOptions, live: bool) -> impl IntoView + use<> {
    let href: std::borrow::Cow<'static, str> = if live {
        file(options, &hashes(options), "css", ".css").into()
    } else {
        bundle(options).stylesheet.as_str().into()
    };
    // `leptos`: the id the live-reload script swaps a new stylesheet in by.
    view! { <link rel="stylesheet" id="leptos" href=href /> }
}

/// The hydration script, for the shell's `<head>`.
pub fn hydration(options: &LeptosOptions) -> impl IntoView + use<> {
    let nonce = leptos::nonce::use_nonce();
    let script = bundle(options).script.as_str();
    view! { <script type="module" nonce=nonce>{script}</script> }
}

/// Names the chunk `name` for the page being rendered, so the browser
/// fetches its files with the main module's
/// (`<meta name="wasm-chunks">`, moved into the `<head>`).
///
/// leptos_meta hydrates the `<head>` tags it registered in their order, and
/// this one is registered before the page renders: a lazily loaded page
/// must therefore not add `<Meta>`, `<Link>`, `<Style>` or `<Script>` of
/// its own (the browser would take this tag for its first one). `<Title>`
/// is fine; tags every page needs go in the shell.
pub fn page_needs_chunk(name: &str) {
    let Some(files) = BUNDLE.get().and_then(|b| b.chunks.get(name)) else {
        return;
    };
    let _ = view! { <leptos_meta::Meta name="wasm-chunks" content=files.as_str() /> }.to_html();
}
