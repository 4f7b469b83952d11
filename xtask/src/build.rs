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
use std::time::Instant;

/// The crate's output name (`[[workspace.metadata.leptos]] output-name`).
pub const OUTPUT_NAME: &str = "keel";
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
    let wasm_bindgen = tools::wasm_bindgen()?;
    tools::npm_packages()?;

    let target = util::target_dir()?;
    let site = target.join("site");
    let pkg = site.join("pkg");
    let _ = std::fs::remove_dir_all(&site);
    std::fs::create_dir_all(&pkg)?;

    step("building the server (ssr)");
    let mut cargo = Command::new(util::cargo());
    cargo
        .args(["build", "--package", "server"])
        .args(opts.features.cargo_args());
    if opts.release {
        cargo.arg("--release");
    }
    run(&mut cargo)?;
    let server = target
        .join(if opts.release { "release" } else { "debug" })
        .join("server");

    step("building the WASM bundle (hydrate)");
    let profile = if opts.release { "wasm-release" } else { "dev" };
    run(Command::new(util::cargo())
        .args([
            "build",
            "--package",
            "frontend",
            "--lib",
            "--target",
            WASM_TARGET,
            "--profile",
            profile,
        ])
        .args(opts.features.cargo_args()))?;
    let profile_dir = if opts.release { "wasm-release" } else { "debug" };
    let raw_wasm = target.join(WASM_TARGET).join(profile_dir).join("frontend.wasm");

    step("generating JS bindings (wasm-bindgen)");
    run(Command::new(&wasm_bindgen)
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--out-name",
            OUTPUT_NAME,
            "--out-dir",
        ])
        .arg(&pkg)
        .arg(&raw_wasm))?;
    let bindgen_wasm = pkg.join(format!("{OUTPUT_NAME}_bg.wasm"));
    if opts.release {
        step("optimising the WASM for size (wasm-opt -Oz, npm binaryen)");
        let before = std::fs::metadata(&bindgen_wasm)?.len();
        run(Command::new(tools::npm_bin("wasm-opt"))
            .args([
                "-Oz",
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
                "--enable-sign-ext",
            ])
            .args([
                "--enable-mutable-globals",
                "--enable-reference-types",
                "--enable-multivalue",
            ])
            .arg(&bindgen_wasm)
            .arg("-o")
            .arg(&bindgen_wasm))?;
        println!("  {before} B → {} B", std::fs::metadata(&bindgen_wasm)?.len());
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
    let js = hash_rename(&pkg.join(format!("{OUTPUT_NAME}.js")), "js")?;
    let wasm = hash_rename(&bindgen_wasm, "wasm")?;
    let css = hash_rename(&css_tmp, "css")?;
    let hash_file = server.with_file_name("hash.txt");
    std::fs::write(&hash_file, format!("js: {}\nwasm: {}\ncss: {}\n", js.1, wasm.1, css.1))
        .with_context(|| format!("writing {}", hash_file.display()))?;
    precompress_tree(&site)?;

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
        css: css.0,
    })
}

/// Renames `dir/keel[_bg].ext` to `dir/keel.<hash>.ext`, the names Leptos
/// asks for when `hash.txt` lists the hashes.
fn hash_rename(path: &Path, ext: &str) -> anyhow::Result<(PathBuf, String)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let digest = Sha256::digest(&bytes);
    let hash: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let dest = path.with_file_name(format!("{OUTPUT_NAME}.{hash}.{ext}"));
    std::fs::rename(path, &dest)?;
    Ok((dest, hash))
}

/// Writes `.br` and `.gz` copies of every compressible file under `dir`.
fn precompress_tree(dir: &Path) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            precompress_tree(&path)?;
            continue;
        }
        let compressible = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("js" | "wasm" | "css" | "svg" | "txt" | "html" | "json")
        );
        if compressible {
            let bytes = std::fs::read(&path)?;
            std::fs::write(with_suffix(&path, "br"), brotli_bytes(&bytes)?)?;
            std::fs::write(with_suffix(&path, "gz"), gzip_bytes(&bytes)?)?;
        }
    }
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
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        w.write_all(bytes)?;
    }
    ensure!(!out.is_empty() || bytes.is_empty(), "brotli produced nothing");
    Ok(out)
}

pub fn gzip_bytes(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    w.write_all(bytes)?;
    Ok(w.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn precompressed_copies_decompress_to_the_original() {
        let original = b"(function(){ console.log('keel'); })();".repeat(50);
        let mut br = Vec::new();
        brotli::Decompressor::new(brotli_bytes(&original).unwrap().as_slice(), 4096)
            .read_to_end(&mut br)
            .unwrap();
        assert_eq!(br, original);
        let mut gz = Vec::new();
        flate2::read::GzDecoder::new(gzip_bytes(&original).unwrap().as_slice())
            .read_to_end(&mut gz)
            .unwrap();
        assert_eq!(gz, original);
    }

    #[test]
    fn hashed_names_change_with_content() {
        let dir = std::env::temp_dir().join(format!("keel-xtask-hash-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("keel.js"), "a").unwrap();
        let (a, ha) = hash_rename(&dir.join("keel.js"), "js").unwrap();
        std::fs::write(dir.join("keel.js"), "b").unwrap();
        let (b, hb) = hash_rename(&dir.join("keel.js"), "js").unwrap();
        assert_ne!(ha, hb);
        assert_eq!(a.file_name().unwrap().to_str().unwrap(), format!("keel.{ha}.js"));
        assert!(b.exists());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
