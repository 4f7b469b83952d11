//! Brand strings in one place, so a scaffolded product renames itself here.

/// The product's name as users see it.
pub const PRODUCT_NAME: &str = "Keel";
/// Year shown in the footer's copyright line.
pub const COPYRIGHT_HOLDER: &str = "The Keel authors";
