//! The locale of this render, for components: decided once per request on
//! the server (cookie, else `Accept-Language`, else English) and written
//! into `<html lang>`; the browser reads it back from there, so SSR and
//! hydration render the same text. The strings themselves are data in
//! `wire` (`domain/wire/locales/`), checked at compile time; the browser
//! loads its page's locale's before hydrating ([`served`]).

use leptos::prelude::*;
pub use wire::i18n::{Key, Locale};

#[cfg(feature = "ssr")]
pub mod served;

/// Cookie holding the chosen language (absent: `Accept-Language`).
pub const LOCALE_COOKIE: &str = concat!(wire::slug!(), "_locale");

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
    use_context::<http::request::Parts>().map_or_else(Locale::default, |parts| locale_of(&parts.headers))
}

/// The locale a request's headers ask for: the cookie, else
/// `Accept-Language`, else the default.
#[cfg(feature = "ssr")]
pub fn locale_of(headers: &http::HeaderMap) -> Locale {
    crate::server::cookies::read(headers, LOCALE_COOKIE)
        .and_then(|v| Locale::from_tag(&v))
        .or_else(|| {
            headers
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
        // The language whose texts were loaded (read from `<html lang>`
        // then: the page may change that attribute since, as a browser's
        // page translation does).
        wire::i18n::loaded_locale()
            .or_else(|| {
                web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.document_element())
                    .and_then(|e| e.get_attribute("lang"))
                    .and_then(|lang| Locale::from_tag(&lang))
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    Locale::default()
}
