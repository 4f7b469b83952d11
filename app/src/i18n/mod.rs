//! Every user-facing string, in every supported language.
//!
//! Checked at compile time: each locale is one exhaustive `match` over
//! [`Key`], so a key without a translation does not build. Strings of a
//! compiled-out feature are compiled out with it.
//!
//! The server picks the locale (cookie, else `Accept-Language`, else
//! English) and writes it into `<html lang>`; the browser reads it back from
//! there, so SSR and hydration render the same text.

mod en;
mod keys;
mod ru;

pub use keys::Key;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A language the UI is translated into.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    En,
    Ru,
}

impl Locale {
    /// Every supported locale, in the order the switcher lists them.
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Ru];

    /// BCP 47 language tag, as used in `<html lang>` and the cookie.
    pub const fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ru => "ru",
        }
    }

    /// The language's own name for itself.
    pub const fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Ru => "Русский",
        }
    }

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

    /// The text for `key` in this locale.
    pub fn t(self, key: Key) -> &'static str {
        match self {
            Locale::En => en::text(key),
            Locale::Ru => ru::text(key),
        }
    }
}

/// The current request's locale, provided by [`provide_locale`].
pub fn use_locale() -> Locale {
    use_context::<Locale>().unwrap_or_default()
}

/// Decides the locale for this render (once: the shell and the app share it)
/// and provides it to every component.
pub fn provide_locale() -> Locale {
    if let Some(locale) = use_context::<Locale>() {
        return locale;
    }
    let locale = detect();
    provide_context(locale);
    locale
}

/// The locale of the current request, for work outside the page render
/// (the language of an email a server function sends).
pub fn request_locale() -> Locale {
    use_context::<Locale>().unwrap_or_else(detect)
}

#[cfg(feature = "ssr")]
fn detect() -> Locale {
    use crate::prefs::cookie;
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Locale::default();
    };
    cookie(&parts.headers, crate::prefs::LOCALE_COOKIE)
        .and_then(|v| Locale::from_tag(&v))
        .or_else(|| {
            parts
                .headers
                .get(http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::negotiate)
        })
        .unwrap_or_default()
}

#[cfg(not(feature = "ssr"))]
fn detect() -> Locale {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|lang| Locale::from_tag(&lang))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    Locale::default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiate_prefers_the_highest_weighted_supported_language() {
        assert_eq!(Locale::negotiate("de-DE, ru;q=0.8, en;q=0.5"), Some(Locale::Ru));
        assert_eq!(Locale::negotiate("en-GB,en;q=0.9,ru;q=0.8"), Some(Locale::En));
        assert_eq!(Locale::negotiate("ru-RU"), Some(Locale::Ru));
    }

    #[test]
    fn negotiate_ignores_unsupported_zero_weight_and_malformed_items() {
        assert_eq!(Locale::negotiate("fr, de"), None);
        assert_eq!(Locale::negotiate("ru;q=0, en;q=0.1"), Some(Locale::En));
        assert_eq!(Locale::negotiate("ru;q=abc"), None);
        assert_eq!(Locale::negotiate(""), None);
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
    fn russian_differs_from_english_for_prose() {
        // Brand names are the same in every language.
        let names: &[Key] = &[
            #[cfg(feature = "google_auth")]
            Key::MethodGoogle,
            #[cfg(feature = "github_auth")]
            Key::MethodGitHub,
        ];
        let same: Vec<_> = Key::ALL
            .iter()
            .filter(|k| !names.contains(k))
            .filter(|k| Locale::En.t(**k) == Locale::Ru.t(**k))
            .collect();
        assert!(same.is_empty(), "untranslated: {same:?}");
    }
}
