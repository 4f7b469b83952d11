//! Every user-facing string, in every supported language, as data:
//! `locales/<locale>/<area>.toml`. The build script turns them into
//! [`Locale`], [`Key`] and one exhaustive `match` per locale, and fails the
//! build when a locale lacks a key, has a stray one, or a text's
//! placeholders differ from English's. A file named after a product feature
//! (`chat.toml`) is compiled only with that feature.
//!
//! The server compiles every text in. The WASM compiles none (they were
//! about 6 % of its main module, brotli): the browser fetches its page's locale's
//! texts beside the WASM ([`texts_json`], served by the server at a URL
//! naming its content) and hands them to [`load`] before hydrating.
//!
//! Add a language by adding a folder of files; add a string by adding its
//! key to every locale's file of that area.

use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/i18n.rs"));

/// The product's default language (`wire::brand::DEFAULT_LOCALE`): for a
/// visitor whose choice and browser name none the product has.
impl Default for Locale {
    fn default() -> Self {
        Self::from_tag(crate::brand::DEFAULT_LOCALE).unwrap_or(Self::ALL[0])
    }
}

impl Locale {
    /// Parses a language tag, ignoring region and case (`ru-RU` → `Ru`).
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Self::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// Picks the best supported locale from an `Accept-Language` header,
    /// honouring `q` weights; `None` when nothing in it is supported.
    pub fn negotiate(accept_language: &str) -> Option<Self> {
        let mut best: Option<(Self, f32)> = None;
        for item in accept_language.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |v| v.trim().parse::<f32>().ok());
            let (Some(locale), Some(q)) = (Self::from_tag(tag), q) else {
                continue;
            };
            if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
                best = Some((locale, q));
            }
        }
        best.map(|(l, _)| l)
    }
}

/// A locale's texts as the browser loads them: a JSON array of this
/// build's [`KEYS_FINGERPRINT`], then the texts in [`Key::ALL`]'s order.
#[cfg(not(target_arch = "wasm32"))]
pub fn texts_json(locale: Locale) -> String {
    let texts: Vec<&str> = std::iter::once(KEYS_FINGERPRINT)
        .chain(Key::ALL.iter().map(|key| locale.t(*key)))
        .collect();
    serde_json::to_string(&texts).expect("strings serialise")
}

/// Why a locale's texts could not be loaded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoadError {
    #[error("the texts are not a JSON array of strings: {0}")]
    NotTexts(String),
    #[error("the texts are for other keys (another build's)")]
    OtherBuild,
    #[error("the texts of {0:?} are loaded already")]
    OtherLocale(Locale),
}

/// One locale's texts, by key.
struct Loaded {
    locale: Locale,
    texts: Box<[Box<str>]>,
}

static LOADED: OnceLock<Loaded> = OnceLock::new();

/// Parses texts made by [`texts_json`] by a build with the same keys.
fn parse(json: &str) -> Result<Box<[Box<str>]>, LoadError> {
    let mut texts: Vec<Box<str>> = serde_json::from_str(json).map_err(|e| LoadError::NotTexts(e.to_string()))?;
    if texts.first().map(|f| &**f) != Some(KEYS_FINGERPRINT) || texts.len() != Key::ALL.len() + 1 {
        return Err(LoadError::OtherBuild);
    }
    texts.remove(0);
    Ok(texts.into_boxed_slice())
}

/// Loads the texts [`Locale::t`] gives in the browser, once: the page's
/// locale's (a page changes language by reloading).
pub fn load(locale: Locale, json: &str) -> Result<(), LoadError> {
    let texts = parse(json)?;
    let loaded = LOADED.get_or_init(|| Loaded { locale, texts });
    if loaded.locale == locale {
        Ok(())
    } else {
        Err(LoadError::OtherLocale(loaded.locale))
    }
}

/// The locale whose texts are loaded, once they are.
pub fn loaded_locale() -> Option<Locale> {
    LOADED.get().map(|loaded| loaded.locale)
}

/// The loaded text for `key`: empty for a locale other than the loaded
/// one, or before [`load`] (the page hydrates only once it has loaded).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn loaded(locale: Locale, key: Key) -> &'static str {
    match LOADED.get() {
        Some(loaded) if loaded.locale == locale => loaded.texts.get(key as usize).map_or("", |t| t),
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // English is always built (its files define the keys); the others are
    // whichever folders the product keeps, so tests name them by tag.
    fn ru() -> Option<Locale> {
        Locale::from_tag("ru")
    }
    fn uk() -> Option<Locale> {
        Locale::from_tag("uk")
    }

    #[test]
    fn negotiate_prefers_the_highest_weighted_supported_language() {
        assert_eq!(
            Locale::negotiate("de-DE, ru;q=0.8, en;q=0.5"),
            Some(ru().unwrap_or(Locale::En))
        );
        assert_eq!(Locale::negotiate("en-GB,en;q=0.9,ru;q=0.8"), Some(Locale::En));
        assert_eq!(Locale::negotiate("ru-RU"), ru());
        assert_eq!(Locale::negotiate("uk-UA, ru;q=0.5"), uk().or(ru()));
    }

    #[test]
    fn negotiate_ignores_unsupported_zero_weight_and_malformed_items() {
        assert_eq!(Locale::negotiate("fr, de"), None);
        assert_eq!(Locale::negotiate("ru;q=0, en;q=0.1"), Some(Locale::En));
        assert_eq!(Locale::negotiate("ru;q=abc"), None);
        assert_eq!(Locale::negotiate(""), None);
    }

    #[test]
    fn each_language_is_named_in_itself_english_first() {
        assert_eq!(Locale::ALL[0], Locale::En);
        for locale in Locale::ALL {
            let expected = match locale.code() {
                "en" => "English",
                "ru" => "Русский",
                "uk" => "Українська",
                _ => continue,
            };
            assert_eq!(locale.native_name(), expected);
        }
    }

    #[test]
    fn keys_are_numbered_in_the_order_the_texts_are_sent() {
        for (i, key) in Key::ALL.iter().enumerate() {
            assert_eq!(*key as usize, i, "{key:?}");
        }
    }

    #[test]
    fn a_locales_texts_load_as_the_server_sends_them() {
        let locale = Locale::ALL[Locale::ALL.len() - 1];
        let texts = parse(&texts_json(locale)).expect("its own texts parse");
        for key in Key::ALL {
            assert_eq!(&*texts[*key as usize], locale.t(*key), "{key:?}");
        }
        assert_eq!(
            Locale::ALL.map(|l| l.native_name()),
            Locale::ALL.map(|l| l.t(Key::LocaleName))
        );
        // Once loaded, the browser's `t` gives them; other locales give nothing.
        assert_eq!(loaded_locale(), None);
        load(locale, &texts_json(locale)).expect("loads");
        assert_eq!(loaded_locale(), Some(locale));
        assert_eq!(load(locale, &texts_json(locale)), Ok(()));
        let other = Locale::ALL.into_iter().find(|l| *l != locale);
        if let Some(other) = other {
            assert_eq!(load(other, &texts_json(other)), Err(LoadError::OtherLocale(locale)));
            assert_eq!(loaded(other, Key::LocaleName), "");
        }
        assert_eq!(loaded(locale, Key::LocaleName), locale.native_name());
    }

    #[test]
    fn texts_from_another_build_or_not_texts_are_refused() {
        let json = texts_json(Locale::En);
        let texts: Vec<String> = serde_json::from_str(&json).unwrap();
        let edited = |edit: &dyn Fn(&mut Vec<String>)| {
            let mut texts = texts.clone();
            edit(&mut texts);
            serde_json::to_string(&texts).unwrap()
        };
        // One key fewer, one more, or as many but other keys.
        for other in [
            edited(&|t| {
                t.pop();
            }),
            edited(&|t| t.push("more".into())),
            edited(&|t| t[0] = "0123456789abcdef".into()),
            edited(&|t| {
                t.remove(0);
            }),
        ] {
            assert_eq!(parse(&other), Err(LoadError::OtherBuild));
        }
        for bad in ["", "{}", "[1, 2]", "\"text\"", "<!doctype html>"] {
            assert!(matches!(parse(bad), Err(LoadError::NotTexts(_))), "{bad}");
        }
    }

    #[test]
    fn the_default_is_the_brands_default_language() {
        assert_eq!(Locale::default().code(), crate::brand::DEFAULT_LOCALE);
    }

    #[test]
    fn every_key_has_a_non_empty_text_in_every_locale() {
        for locale in Locale::ALL {
            for key in Key::ALL {
                assert!(!locale.t(*key).trim().is_empty(), "{locale:?} {key:?}");
            }
        }
    }

    #[test]
    fn every_language_differs_from_english_for_prose() {
        // Keys are named here by their names, so the lists hold whatever
        // features this build has.
        let name = |k: &Key| format!("{k:?}");
        // Brand names are the same in every language.
        let brands = ["MethodGoogle", "MethodGitHub"];
        for locale in Locale::ALL.into_iter().filter(|l| *l != Locale::En) {
            let same: Vec<_> = Key::ALL
                .iter()
                .filter(|k| !brands.contains(&name(k).as_str()))
                .filter(|k| Locale::En.t(**k) == locale.t(**k))
                .collect();
            assert!(same.is_empty(), "{locale:?} untranslated: {same:?}");
        }
        // Words the two languages share.
        let shared = [
            "ChatTitle",
            "NavChat",
            "ChatModel",
            "AccessSection",
            "PasswordLabel",
            "ReasonPayment",
            "InviteAccessUntil",
            "PasswordSection",
            "BillingSection",
            "OfferPass",
            "NavMenu",
            "CreditsAvailable",
            "CreditsEntrySettle",
            "CreditsDate",
        ];
        let (Some(ru), Some(uk)) = (ru(), uk()) else {
            return;
        };
        let same: Vec<_> = Key::ALL
            .iter()
            .filter(|k| !brands.contains(&name(k).as_str()) && !shared.contains(&name(k).as_str()))
            .filter(|k| ru.t(**k) == uk.t(**k))
            .collect();
        assert!(same.is_empty(), "Ukrainian copied from Russian: {same:?}");
    }
}
