//! Sizes of what ships: the main WASM chunk of each build and every chunk
//! and script of the last (raw, gzip, brotli), the CSS and the server binary.
//! (Each page's first-load bytes are printed by the browser test
//! `end2end/budgets/weight.test.mjs`, which holds their budgets.)

use crate::build::{brotli_bytes, gzip_bytes};
use crate::server::Staged;
use std::path::Path;

/// One line per WASM bundle of `builds`, then the CSS at `css` and the
/// server binary of `server`.
pub(super) fn measure(builds: &[&Staged], css: &Path, server: &Staged) -> anyhow::Result<Vec<String>> {
    let mut report = Vec::new();
    for staged in builds {
        let wasm = std::fs::read(&staged.wasm)?;
        report.push(format!(
            "WASM {:<8} raw {:>8} B   gzip {:>8} B   brotli {:>8} B",
            staged.label.trim_start_matches("bench-"),
            wasm.len(),
            gzip_bytes(&wasm)?.len(),
            brotli_bytes(&wasm)?.len()
        ));
    }
    if let Some(default) = builds.last() {
        report.extend(chunks(default)?);
    }
    let css = std::fs::read(css)?;
    report.push(format!(
        "CSS              raw {:>8} B   gzip {:>8} B   brotli {:>8} B",
        css.len(),
        gzip_bytes(&css)?.len(),
        brotli_bytes(&css)?.len()
    ));
    report.push(format!(
        "server binary    {:>8} B",
        std::fs::metadata(&server.server)?.len()
    ));
    Ok(report)
}

/// One line per file of `staged`'s WASM bundle (chunks and scripts), the
/// main chunk first.
fn chunks(staged: &Staged) -> anyhow::Result<Vec<String>> {
    let pkg = staged.wasm.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut files: Vec<_> = std::fs::read_dir(&pkg)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("wasm" | "js")))
        .collect();
    files.sort_by_key(|p| (p != &staged.wasm, p.file_name().map(|n| n.to_owned())));
    let mut report = vec![format!(
        "chunks of the {} build:",
        staged.label.trim_start_matches("bench-")
    )];
    for file in files {
        let bytes = std::fs::read(&file)?;
        report.push(format!(
            "  {:<44} raw {:>8} B   gzip {:>8} B   brotli {:>8} B",
            file.file_name().unwrap_or_default().to_string_lossy(),
            bytes.len(),
            gzip_bytes(&bytes)?.len(),
            brotli_bytes(&bytes)?.len()
        ));
    }
    Ok(report)
}
