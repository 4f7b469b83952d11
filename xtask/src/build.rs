//! The build: server binary, WASM (+ wasm-bindgen, + wasm-opt on release),
//! Tailwind CSS, static files, content hashes and precompressed copies.

use crate::features::FeatureArgs;
use crate::tools;
use crate::util::{self, run, step};
use anyhow::{Context, ensure};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// The WASM, JS and CSS files' name: `LEPTOS_OUTPUT_NAME` from
/// `.cargo/config.toml` (the same as `[[workspace.metadata.leptos]]
/// output-name` in `Cargo.toml`, for `cargo leptos` users). Cargo reads
/// that file from the directory it runs in: run `cargo xtask` inside the
/// repository (its alias does), not with `--manifest-path` from outside.
pub const OUTPUT_NAME: &str = env!("LEPTOS_OUTPUT_NAME");
const WASM_TARGET: &str = "wasm32-unknown-unknown";

#[derive(Clone, Debug)]
pub struct BuildOptions {
    pub release: bool,
    pub features: FeatureArgs,
}

/// What a build produced.
#[derive(Clone, Debug)]
pub struct BuildOutput {
    /// The server binary; `hash.txt` sits beside it.
    pub server: PathBuf,
    /// The site root: `pkg/` (WASM, JS, CSS) and static files.
    pub site: PathBuf,
    /// The hashed WASM file inside `site/pkg`.
    pub wasm: PathBuf,
    pub css: PathBuf,
}

/// Runs the whole pipeline.
pub fn build(opts: &BuildOptions) -> anyhow::Result<BuildOutput> {
    let started = Instant::now();
    let declared = crate::features::declared()?;
    let features = opts.features.resolve(&declared)?;
    println!(
        "building {} with features: {}",
        if opts.release { "release" } else { "debug" },
        features.iter().cloned().collect::<Vec<_>>().join(", ")
    );
    tools::ensure_wasm_target()?;
    // A release WASM's standard library is rebuilt for size (on nightly).
    let std_for_size = opts.release && !tools::stable_release_wasm();
    if std_for_size {
        tools::ensure_wasm_release_toolchain()?;
    }
    let wasm_bindgen = tools::wasm_bindgen()?;
    tools::npm_packages()?;

    let target = util::target_dir()?;
    // Built beside the current site, which takes its place only once all
    // of it is there: a server still running (`cargo xtask dev`) keeps
    // serving the last good build meanwhile, and after a failed one.
    let live = util::out_dir()?.join("site");
    let site = util::out_dir()?.join("site.next");
    let pkg = site.join("pkg");
    let _ = std::fs::remove_dir_all(&site);
    std::fs::create_dir_all(&pkg)?;

    step("building the server (ssr)");
    build_server(opts)?;
    let server = target
        .join(if opts.release { "release" } else { "debug" })
        .join("server");

    step("building the WASM bundle (hydrate)");
    run(wasm_build_command(std_for_size)
        .args(["build", "--package", "frontend", "--lib", "--target", WASM_TARGET])
        .args(["--profile", if opts.release { "wasm-release" } else { "dev" }])
        .args(wasm_size_flags(std_for_size))
        .args(opts.features.cargo_args()))?;
    let profile_dir = if opts.release { "wasm-release" } else { "debug" };
    let raw_wasm = target.join(WASM_TARGET).join(profile_dir).join("frontend.wasm");

    step("splitting the WASM into its main module and page chunks");
    let split = split_wasm(&raw_wasm, &util::out_dir()?.join("wasm-split"), &pkg)?;

    step("generating JS bindings (wasm-bindgen)");
    run(Command::new(&wasm_bindgen)
        .args([
            "--target",
            "web",
            "--no-typescript",
            // The chunks link against the main module's exports.
            "--keep-lld-exports",
            "--out-name",
            OUTPUT_NAME,
            "--out-dir",
        ])
        .arg(&pkg)
        .arg(&split.main))?;
    let bindgen_wasm = pkg.join(format!("{OUTPUT_NAME}_bg.wasm"));
    if opts.release {
        step("optimising the WASM for size (wasm-opt -Os, npm binaryen)");
        for wasm in std::iter::once(&bindgen_wasm).chain(&split.chunks) {
            let before = std::fs::metadata(wasm)?.len();
            wasm_opt(wasm)?;
            println!(
                "  {}: {before} B → {} B",
                wasm.file_name().unwrap_or_default().to_string_lossy(),
                std::fs::metadata(wasm)?.len()
            );
        }
    }

    step("building the stylesheet (Tailwind v4)");
    let css_tmp = pkg.join(format!("{OUTPUT_NAME}.css"));
    let mut tailwind = Command::new(tools::npm_bin("tailwindcss"));
    tailwind.args(["--input", "style/main.css", "--output"]).arg(&css_tmp);
    if opts.release {
        tailwind.arg("--minify");
    }
    run(&mut tailwind)?;

    step("copying static files, hashing and precompressing assets");
    util::copy_dir(Path::new("style/public"), &site)?;
    crate::icons::write_png_icons(&site)?;
    let names = hash_bundle(&pkg, &bindgen_wasm, &split)?;
    let css = hash_rename(&css_tmp, "css")?;
    // Release assets are compressed once, at the highest levels, and served
    // many times; a debug build compresses at fast levels, and not its tens
    // of megabytes of WASM, so `cargo xtask dev` rebuilds fast.
    precompress_tree(&site, opts.release)?;
    let old = util::out_dir()?.join("site.old");
    let _ = std::fs::remove_dir_all(&old);
    if live.exists() {
        std::fs::rename(&live, &old).with_context(|| format!("moving {} aside", live.display()))?;
    }
    std::fs::rename(&site, &live).with_context(|| format!("moving the new site to {}", live.display()))?;
    let _ = std::fs::remove_dir_all(&old);
    let pkg = live.join("pkg");
    let site = live;
    let hash_file = server.with_file_name("hash.txt");
    std::fs::write(
        &hash_file,
        format!(
            "js: {}\nwasm: {}\ncss: {}\nsplit: {}\nmanifest: {}\n",
            names.js, names.wasm, css.1, names.split, names.manifest
        ),
    )
    .with_context(|| format!("writing {}", hash_file.display()))?;
    let wasm = (pkg.join(format!("{OUTPUT_NAME}.{}.wasm", names.wasm)), names.wasm);
    let css = pkg.join(css.0.file_name().context("the stylesheet has no name")?);

    println!(
        "\nbuilt in {:.0?}:\n  server {}\n  site   {}\n  wasm   {} ({} B)",
        started.elapsed(),
        server.display(),
        site.display(),
        wasm.0.display(),
        std::fs::metadata(&wasm.0)?.len()
    );
    Ok(BuildOutput {
        server,
        site,
        wasm: wasm.0,
        css,
    })
}

/// Renames `dir/<name>[_bg].ext` to `dir/<name>.<hash>.ext`, the names the
/// page asks for when `hash.txt` lists the hashes (`app/src/hydration.rs`).
fn hash_rename(path: &Path, ext: &str) -> anyhow::Result<(PathBuf, String)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let hash = hex_digest(&bytes, 8);
    let dest = path.with_file_name(format!("{OUTPUT_NAME}.{hash}.{ext}"));
    std::fs::rename(path, &dest)?;
    Ok((dest, hash))
}

/// The cargo that builds the WASM: the pinned nightly's
/// ([`tools::WASM_RELEASE_TOOLCHAIN`]) when its standard library is rebuilt
/// for size, else stable's.
fn wasm_build_command(std_for_size: bool) -> Command {
    if !std_for_size {
        return Command::new(util::cargo());
    }
    let mut cargo = Command::new("rustup");
    cargo.args(["run", tools::WASM_RELEASE_TOOLCHAIN, "cargo"]);
    // Set by the stable cargo that runs xtask; the nightly one sets its own.
    for var in ["CARGO", "RUSTC", "RUSTDOC", "RUSTUP_TOOLCHAIN"] {
        cargo.env_remove(var);
    }
    cargo
}

/// The release WASM's standard library, rebuilt for size: the nightly
/// cargo's `-Zbuild-std` with `optimize_for_size`, panics that abort at
/// once (no message formatting, which also makes the panic hook dead code)
/// and no file/line strings. The rustflags add to `.cargo/config.toml`'s.
fn wasm_size_flags(std_for_size: bool) -> Vec<&'static str> {
    if !std_for_size {
        return Vec::new();
    }
    vec![
        "-Zbuild-std=std,panic_abort",
        "-Zbuild-std-features=optimize_for_size",
        "--config",
        r#"target.wasm32-unknown-unknown.rustflags=["-Zunstable-options","-Cpanic=immediate-abort","-Zlocation-detail=none"]"#,
    ]
}

/// The loader module the splitter writes and Leptos looks for; the
/// underscores stand for the 22-character hash of the built bundle.
const SPLIT_LOADER_PLACEHOLDER: &str = "__wasm_split.______________________.js";
const SPLIT_MANIFEST: &str = "__wasm_split_manifest.json";

/// What the splitter made of the WASM.
#[derive(Debug)]
pub struct Split {
    /// The main module, for wasm-bindgen.
    pub main: PathBuf,
    /// One `.wasm` per chunk, in `pkg/`.
    pub chunks: Vec<PathBuf>,
}

/// Cuts `raw` (rustc's output, linked with `--emit-relocs`) into the main
/// module (in `work`) and one chunk per `lazy_page!` plus the chunks they
/// share (in `pkg`), with the JS loader and the manifest the server reads
/// to name a page's chunks (`app/src/hydration.rs`).
fn split_wasm(raw: &Path, work: &Path, pkg: &Path) -> anyhow::Result<Split> {
    let _ = std::fs::remove_dir_all(work);
    std::fs::create_dir_all(work)?;
    let input = std::fs::read(raw).with_context(|| format!("reading {}", raw.display()))?;
    let main = work.join("frontend_split.wasm");
    let main_module = format!("./{OUTPUT_NAME}.js");
    let link_name = format!("./{SPLIT_LOADER_PLACEHOLDER}");
    let split = wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(&input);
        opts.output_dir = pkg;
        opts.main_out_path = &main;
        opts.main_module = &main_module;
        opts.link_name = &link_name;
        opts
    })
    .map_err(|e| anyhow::anyhow!("splitting the WASM: {e:?}"))?;
    let manifest = serde_json::to_string_pretty(&split.prefetch_map)?;
    std::fs::write(pkg.join(SPLIT_MANIFEST), manifest)?;
    let mut chunks = split.split_modules;
    chunks.sort();
    println!("  {} chunk(s)", chunks.len());
    Ok(Split { main, chunks })
}

/// The hashes in the bundle's file names (see [`hash_bundle`]).
struct BundleNames {
    js: String,
    wasm: String,
    split: String,
    manifest: String,
}

/// Gives every file of the WASM bundle a content-hashed name and rewrites
/// the names the files use for each other:
/// - each chunk is named by its own hash (the loader and the manifest
///   name it);
/// - the main JS and the loader import each other, so both are named by
///   one hash over the main JS, the main WASM and the loader (a change in
///   any renames both; the WASM names the loader too, so its 22 characters
///   replace the placeholder in place);
/// - the main WASM and the manifest are named by their own hash.
fn hash_bundle(pkg: &Path, main_wasm: &Path, split: &Split) -> anyhow::Result<BundleNames> {
    let loader_path = pkg.join(SPLIT_LOADER_PLACEHOLDER);
    let manifest_path = pkg.join(SPLIT_MANIFEST);
    let js_path = pkg.join(format!("{OUTPUT_NAME}.js"));
    let mut loader = std::fs::read_to_string(&loader_path).context("reading the split loader")?;
    let mut manifest = std::fs::read_to_string(&manifest_path)?;
    for chunk in &split.chunks {
        let bytes = std::fs::read(chunk)?;
        let stem = chunk.file_stem().and_then(|s| s.to_str()).context("a chunk's name")?;
        let hashed = format!("{stem}.{}", hex_digest(&bytes, 8));
        std::fs::rename(chunk, chunk.with_file_name(format!("{hashed}.wasm")))?;
        // The names as the loader and the manifest quote them: a name is
        // never part of another's (`chunk_1` / `chunk_11`), and a splitter
        // that wrote them differently must stop the build, not ship chunks
        // nobody asks for.
        let in_loader = format!("\"./{stem}.wasm\"");
        ensure!(
            loader.matches(&in_loader).count() == 1,
            "the split loader names {stem}.wasm {} times, not once",
            loader.matches(&in_loader).count()
        );
        loader = loader.replace(&in_loader, &format!("\"./{hashed}.wasm\""));
        let in_manifest = format!("\"{stem}\"");
        ensure!(
            manifest.contains(&in_manifest),
            "the split manifest does not name {stem}"
        );
        manifest = manifest.replace(&in_manifest, &format!("\"{hashed}\""));
    }
    let js = std::fs::read_to_string(&js_path)?;
    let wasm = std::fs::read(main_wasm)?;
    let bundle = hex_digest(&[js.as_bytes(), &wasm, loader.as_bytes()].concat(), 11);
    let js_hash = bundle[..16].to_owned();
    let loader_name = format!("__wasm_split.{bundle}.js");
    ensure!(
        loader_name.len() == SPLIT_LOADER_PLACEHOLDER.len(),
        "the loader's hashed name keeps its length"
    );
    let main_js = format!("\"./{OUTPUT_NAME}.js\"");
    ensure!(loader.contains(&main_js), "the split loader does not import {main_js}");
    let loader = loader.replace(&main_js, &format!("\"./{OUTPUT_NAME}.{js_hash}.js\""));
    ensure!(
        js.contains(SPLIT_LOADER_PLACEHOLDER)
            && memchr::memmem::find(&wasm, SPLIT_LOADER_PLACEHOLDER.as_bytes()).is_some(),
        "the main JS and WASM do not both name the split loader"
    );
    let js = js.replace(SPLIT_LOADER_PLACEHOLDER, &loader_name);
    let wasm = replace_bytes(&wasm, SPLIT_LOADER_PLACEHOLDER.as_bytes(), loader_name.as_bytes());
    std::fs::remove_file(&loader_path)?;
    std::fs::write(pkg.join(&loader_name), loader)?;
    std::fs::remove_file(&js_path)?;
    std::fs::write(pkg.join(format!("{OUTPUT_NAME}.{js_hash}.js")), js)?;
    let wasm_hash = hex_digest(&wasm, 8);
    std::fs::remove_file(main_wasm)?;
    std::fs::write(pkg.join(format!("{OUTPUT_NAME}.{wasm_hash}.wasm")), wasm)?;
    let manifest_hash = hex_digest(manifest.as_bytes(), 8);
    std::fs::remove_file(&manifest_path)?;
    std::fs::write(
        pkg.join(format!("__wasm_split_manifest.{manifest_hash}.json")),
        manifest,
    )?;
    Ok(BundleNames {
        js: js_hash,
        wasm: wasm_hash,
        split: bundle,
        manifest: manifest_hash,
    })
}

/// The first `bytes` bytes of the SHA-256 of `data`, in hex.
fn hex_digest(data: &[u8], bytes: usize) -> String {
    Sha256::digest(data)
        .iter()
        .take(bytes)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `haystack` with every `from` replaced by `to` (of the same length).
fn replace_bytes(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    debug_assert_eq!(from.len(), to.len());
    let mut out = haystack.to_vec();
    for at in memchr::memmem::find_iter(haystack, from) {
        out[at..at + from.len()].copy_from_slice(to);
    }
    out
}

/// `wasm-opt -Os` (npm binaryen) in place. Not `-Oz`: its main module is
/// smaller raw (876,691 B against 929,572 B) but larger in brotli, as it is
/// sent (249,324 B against 247,166 B), and so are the chunks.
fn wasm_opt(wasm: &Path) -> anyhow::Result<()> {
    run(Command::new(tools::npm_bin("wasm-opt"))
        .args([
            "-Os",
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
        ])
        .args([
            "--enable-mutable-globals",
            "--enable-reference-types",
            "--enable-multivalue",
        ])
        .arg(wasm)
        .arg("-o")
        .arg(wasm))
}

/// Files a debug build leaves uncompressed: its WASM (tens of MB) would
/// take minutes at the levels release uses.
const DEBUG_COMPRESS_LIMIT: u64 = 1024 * 1024;

/// Brotli's quality in a debug build: its files are compressed at every
/// rebuild of `cargo xtask dev` and served on this machine only. (Quality
/// 11 on a debug build's chunks took about 50 s of each rebuild.)
const DEBUG_BROTLI_QUALITY: u32 = 5;

/// Writes `.br` and `.gz` copies of every compressible file under `dir`:
/// at the highest levels in release; in a debug build, of the files under
/// [`DEBUG_COMPRESS_LIMIT`], at fast levels. One thread per core, largest
/// files first (brotli runs unoptimised in this debug-built command: a
/// release site took 37 s on one core).
fn precompress_tree(dir: &Path, release: bool) -> anyhow::Result<()> {
    let mut files = Vec::new();
    compressible_files(dir, release, &mut files)?;
    files.sort_by_key(|(_, len)| std::cmp::Reverse(*len));
    let next = std::sync::Mutex::new(files.into_iter());
    let failed = AtomicBool::new(false);
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> anyhow::Result<()> {
                    // Until the files run out or a worker failed.
                    while !failed.load(Ordering::Relaxed) {
                        let Some((path, _)) = next.lock().expect("no worker panics holding it").next() else {
                            break;
                        };
                        if let Err(e) = compress_copies(&path, release) {
                            failed.store(true, Ordering::Relaxed);
                            return Err(e.context(format!("compressing {}", path.display())));
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        // Every worker joined, then the first error.
        let results: Vec<anyhow::Result<()>> = workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a compressing thread panicked")))
            })
            .collect();
        results.into_iter().collect()
    })
}

/// The files under `dir` [`precompress_tree`] compresses, with their sizes.
fn compressible_files(dir: &Path, release: bool, found: &mut Vec<(PathBuf, u64)>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            compressible_files(&path, release, found)?;
            continue;
        }
        if !matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("js" | "wasm" | "css" | "svg" | "txt" | "html" | "json")
        ) {
            continue;
        }
        let len = std::fs::metadata(&path)?.len();
        if release || len <= DEBUG_COMPRESS_LIMIT {
            found.push((path, len));
        }
    }
    Ok(())
}

/// Writes `path`'s `.br` and `.gz` copies.
fn compress_copies(path: &Path, release: bool) -> anyhow::Result<()> {
    let bytes = std::fs::read(path)?;
    let (br, gz) = if release {
        (brotli_bytes(&bytes)?, gzip_bytes(&bytes)?)
    } else {
        (
            brotli_at(&bytes, DEBUG_BROTLI_QUALITY)?,
            gzip_at(&bytes, flate2::Compression::fast())?,
        )
    };
    std::fs::write(with_suffix(path, "br"), br)?;
    std::fs::write(with_suffix(path, "gz"), gz)?;
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// Brotli at maximum quality (done once per build, served many times).
pub fn brotli_bytes(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    brotli_at(bytes, 11)
}

fn brotli_at(bytes: &[u8], quality: u32) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, quality, 22);
        w.write_all(bytes)?;
    }
    ensure!(!out.is_empty() || bytes.is_empty(), "brotli produced nothing");
    Ok(out)
}

/// Gzip at its best level.
pub fn gzip_bytes(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    gzip_at(bytes, flate2::Compression::best())
}

fn gzip_at(bytes: &[u8], level: flate2::Compression) -> anyhow::Result<Vec<u8>> {
    let mut w = flate2::write::GzEncoder::new(Vec::new(), level);
    w.write_all(bytes)?;
    Ok(w.finish()?)
}

// ---- Partial rebuilds for `cargo xtask dev` (see dev.rs) -------------------

/// Rebuilds only the server binary, in place (`out.server`), for a change
/// the WASM does not see.
pub fn rebuild_server(opts: &BuildOptions) -> anyhow::Result<()> {
    step("rebuilding the server (ssr)");
    build_server(opts)
}

/// `cargo build -p server` (ssr) with the build's features and profile.
fn build_server(opts: &BuildOptions) -> anyhow::Result<()> {
    let mut cargo = Command::new(util::cargo());
    cargo
        .args(["build", "--package", "server"])
        .args(opts.features.cargo_args());
    if opts.release {
        cargo.arg("--release");
    }
    run(&mut cargo)
}

/// Builds the bench's yardstick, a bare Leptos page (`xtask/baseline`), in
/// release, as a new Leptos app builds: without `.cargo/config.toml`'s
/// `--cfg erase_components` (an empty `CARGO_ENCODED_RUSTFLAGS` stands in
/// for the configured flags). The app needs erased views (its WASM and
/// the markers its server renders must match); a bare page built that way
/// renders slower than one built out of the box, and measuring against it
/// would flatter the app's ratio. The framework compiles a second time
/// for it, once.
pub fn bench_baseline() -> anyhow::Result<PathBuf> {
    step("building the bare Leptos page the render bench compares with (as a new Leptos app builds it)");
    run(Command::new(util::cargo())
        .args(["build", "--release", "--package", "bench-baseline"])
        .env("CARGO_ENCODED_RUSTFLAGS", ""))?;
    Ok(util::target_dir()?.join("release").join("bench-baseline"))
}

/// Re-runs Tailwind into the built stylesheet's file, keeping its name
/// (`out.css`): open tabs swap it in by that name, and pages rendered later
/// keep asking for it. Its hash then no longer matches its content, so the
/// dev server revalidates assets instead of caching them as immutable
/// (`LEPTOS_WATCH`). Stale precompressed copies are removed.
pub fn rebuild_css(opts: &BuildOptions, out: &BuildOutput) -> anyhow::Result<()> {
    step("rebuilding the stylesheet (Tailwind v4)");
    let fresh = with_suffix(&out.css, "new");
    let mut tailwind = Command::new(tools::npm_bin("tailwindcss"));
    tailwind.args(["--input", "style/main.css", "--output"]).arg(&fresh);
    if opts.release {
        tailwind.arg("--minify");
    }
    run(&mut tailwind)?;
    for stale in [with_suffix(&out.css, "br"), with_suffix(&out.css, "gz")] {
        match std::fs::remove_file(&stale) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("removing {}", stale.display()));
            }
            _ => {}
        }
    }
    std::fs::rename(&fresh, &out.css).with_context(|| format!("replacing {}", out.css.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn precompressed_copies_decompress_to_the_original() {
        let original = b"(function(){ console.log('app'); })();".repeat(50);
        assert_eq!(unbrotli(&brotli_bytes(&original).unwrap()), original);
        assert_eq!(gunzip(&gzip_bytes(&original).unwrap()), original);
    }

    fn unbrotli(compressed: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        brotli::Decompressor::new(compressed, 4096)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    fn gunzip(compressed: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(compressed).read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn a_debug_builds_copies_are_fast_but_whole_and_skip_large_files() {
        let dir = std::env::temp_dir().join(format!("xtask-precompress-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let small = b"export const app = () => console.log('app');\n".repeat(200);
        std::fs::write(dir.join("app.js"), &small).unwrap();
        let large = vec![b'a'; DEBUG_COMPRESS_LIMIT as usize + 1];
        std::fs::write(dir.join("big.wasm"), &large).unwrap();
        // Several files, in a folder: each gets its own copies.
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        let chunks: Vec<Vec<u8>> = (0..9)
            .map(|i| format!("chunk {i};\n").repeat(50 * (i + 1)).into_bytes())
            .collect();
        for (i, chunk) in chunks.iter().enumerate() {
            std::fs::write(dir.join(format!("pkg/chunk_{i}.wasm")), chunk).unwrap();
        }
        precompress_tree(&dir, false).unwrap();
        assert_eq!(unbrotli(&std::fs::read(dir.join("app.js.br")).unwrap()), small);
        assert_eq!(gunzip(&std::fs::read(dir.join("app.js.gz")).unwrap()), small);
        for (i, chunk) in chunks.iter().enumerate() {
            let copy = |suffix: &str| std::fs::read(dir.join(format!("pkg/chunk_{i}.wasm.{suffix}"))).unwrap();
            assert_eq!(
                (&unbrotli(&copy("br")), &gunzip(&copy("gz"))),
                (chunk, chunk),
                "chunk {i}"
            );
        }
        assert!(!dir.join("big.wasm.br").exists() && !dir.join("big.wasm.gz").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn hashed_names_change_with_content() {
        let dir = std::env::temp_dir().join(format!("xtask-hash-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("app.js"), "a").unwrap();
        let (a, ha) = hash_rename(&dir.join("app.js"), "js").unwrap();
        std::fs::write(dir.join("app.js"), "b").unwrap();
        let (b, hb) = hash_rename(&dir.join("app.js"), "js").unwrap();
        assert_ne!(ha, hb);
        assert_eq!(
            a.file_name().unwrap().to_str().unwrap(),
            format!("{OUTPUT_NAME}.{ha}.js")
        );
        assert!(b.exists());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
