//! Sizes of what ships: the WASM bundle of each build (raw, gzip, brotli), the CSS and the server binary.

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
