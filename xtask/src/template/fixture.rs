//! The example product the template's docs and tests make: `acme-ai`,
//! "Acme AI". A product may take that very name (the one `cargo xtask test`
//! makes does): then its tests make another example, and `cargo xtask
//! brand` lets the files that show the example name it.

pub const SLUG: &str = "acme-ai";
pub const NAME: &str = "Acme AI";

/// The files that name the example: the generator and its tests, the made
/// product's browser test, the brand check's own tests, the guide.
pub const FILES: [&str; 4] = [
    "docs/template.md",
    "xtask/src/template/",
    "xtask/src/brand.rs",
    "end2end/template/",
];

/// The example's slug and name, never the product's own (a product made
/// from one named like it could not be told from it).
pub fn example() -> (&'static str, &'static str) {
    if wire::brand::SLUG == SLUG {
        ("zeta-ai", "Zeta AI")
    } else {
        (SLUG, NAME)
    }
}

/// Whether `path` is one of [`FILES`] and this product is the example.
pub fn shows_the_example(path: &str) -> bool {
    wire::brand::SLUG == SLUG && in_files(path)
}

/// Whether `path` is one of [`FILES`] (or inside one of its folders).
pub fn in_files(path: &str) -> bool {
    FILES
        .iter()
        .any(|f| path == *f || (f.ends_with('/') && path.starts_with(f)))
}
