//! The product's names in one place: a product scaffolded from this
//! template renames itself here (and in the few build and settings files
//! `cargo xtask brand` lists), nowhere else. `cargo xtask brand` fails when
//! the name appears anywhere outside that list.

/// The product's machine name, as a literal for `concat!`: cookie names,
/// the default SQLite file, idempotency-key and lock-key prefixes, thread
/// names; also the WASM and CSS output name (`LEPTOS_OUTPUT_NAME` in
/// `.cargo/config.toml`, which `cargo xtask brand` requires to equal it)
/// and so the build cache's folder. Lowercase ASCII letters, digits and
/// `-`, at least 3 characters, not a word the template uses for itself.
#[macro_export]
macro_rules! slug {
    () => {
        "keel"
    };
}

/// The words the template's crates, tools and neutral test names use for
/// themselves: a product by one of these names could not be told from the
/// template's own code, so none is a slug (`cargo xtask new` refuses them).
pub const RESERVED_SLUGS: [&str; 15] = [
    "app",
    "server",
    "domain",
    "wire",
    "entity",
    "migration",
    "frontend",
    "style",
    "xtask",
    "fakes",
    "bench",
    "chat",
    "docs",
    "test",
    "mast",
];

/// [`slug!`] as a constant.
pub const SLUG: &str = slug!();

/// The product's name as users see it (titles, header, footer, emails,
/// the user agent, what Stripe is told).
pub const PRODUCT_NAME: &str = "Keel";

/// Who the footer's copyright line names.
pub const COPYRIGHT_HOLDER: &str = "The Keel authors";

/// The language a visitor gets when neither their own choice (the
/// language cookie) nor their browser's `Accept-Language` names one the
/// product has: a folder of `domain/wire/locales/`.
pub const DEFAULT_LOCALE: &str = "en";

/// The theme's `primary-950` (`style/main.css`) as hex: the text of emails,
/// which cannot read the stylesheet. `cargo xtask brand` checks it.
pub const EMAIL_TEXT_COLOUR: &str = "#1e1a4d";

/// The theme's `primary-700` as hex: the button and links of emails.
pub const EMAIL_LINK_COLOUR: &str = "#432dd7";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slug_is_a_machine_name() {
        assert!(
            SLUG.len() >= 3 && !SLUG.starts_with('-') && !SLUG.ends_with('-'),
            "{SLUG}"
        );
        assert!(
            !RESERVED_SLUGS.contains(&SLUG),
            "{SLUG} is a word the template uses for itself"
        );
        assert!(
            SLUG.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{SLUG}"
        );
        assert!(!PRODUCT_NAME.trim().is_empty());
        assert!(
            crate::i18n::Locale::from_tag(DEFAULT_LOCALE).is_some(),
            "DEFAULT_LOCALE `{DEFAULT_LOCALE}` has no folder in domain/wire/locales/"
        );
    }
}
