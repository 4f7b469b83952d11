//! Per-browser preferences kept in cookies (theme, language), so the server
//! renders the page the way the user left it and hydration agrees.

use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Cookie holding the chosen colour theme (absent: follow the system).
pub const THEME_COOKIE: &str = concat!(wire::slug!(), "_theme");
pub use crate::i18n::LOCALE_COOKIE;
/// How long a preference cookie lives: one year.
#[cfg(feature = "ssr")]
const PREF_MAX_AGE_SECS: u32 = 365 * 24 * 60 * 60;

/// The colour theme a user picked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ThemeChoice {
    /// Follow `prefers-color-scheme`.
    #[default]
    System,
    Light,
    Dark,
}

impl ThemeChoice {
    /// Value of `<html data-theme>`; `None` lets the media query decide.
    pub const fn attr(self) -> Option<&'static str> {
        match self {
            ThemeChoice::System => None,
            ThemeChoice::Light => Some("light"),
            ThemeChoice::Dark => Some("dark"),
        }
    }

    /// Reads a `data-theme` / cookie value.
    pub fn from_attr(value: &str) -> Self {
        match value {
            "light" => ThemeChoice::Light,
            "dark" => ThemeChoice::Dark,
            _ => ThemeChoice::System,
        }
    }

    /// The next choice when the toggle is pressed: system → dark → light → system.
    pub const fn next(self) -> Self {
        match self {
            ThemeChoice::System => ThemeChoice::Dark,
            ThemeChoice::Dark => ThemeChoice::Light,
            ThemeChoice::Light => ThemeChoice::System,
        }
    }
}

/// The theme a request's cookie asks for.
#[cfg(feature = "ssr")]
pub fn theme_of(headers: &http::HeaderMap) -> ThemeChoice {
    crate::server::cookies::read(headers, THEME_COOKIE)
        .map(|v| ThemeChoice::from_attr(&v))
        .unwrap_or_default()
}

/// The theme for this render: the cookie on the server, `<html data-theme>`
/// in the browser (which the server wrote from that cookie).
pub fn initial_theme() -> ThemeChoice {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .map(|parts| theme_of(&parts.headers))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        #[cfg(feature = "hydrate")]
        {
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
                .and_then(|e| e.get_attribute("data-theme"))
                .map(|v| ThemeChoice::from_attr(&v))
                .unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        ThemeChoice::default()
    }
}

#[cfg(feature = "ssr")]
fn set_pref_cookie(name: &str, value: Option<&str>) -> Result<(), AppError> {
    let header = match value {
        Some(v) => format!("{name}={v}; Path=/; Max-Age={PREF_MAX_AGE_SECS}; SameSite=Lax"),
        None => format!("{name}=; Path=/; Max-Age=0; SameSite=Lax"),
    };
    let value = http::HeaderValue::from_str(&header).map_err(|_| AppError::Internal)?;
    expect_context::<leptos_axum::ResponseOptions>().append_header(http::header::SET_COOKIE, value);
    Ok(())
}

/// Remembers the colour theme for this browser.
#[server(endpoint = "prefs/theme")]
pub async fn set_theme(theme: ThemeChoice) -> Result<ThemeChoice, AppError> {
    set_pref_cookie(THEME_COOKIE, theme.attr())?;
    Ok(theme)
}

/// Remembers the language for this browser.
#[server(endpoint = "prefs/locale")]
pub async fn set_locale(locale: Locale) -> Result<Locale, AppError> {
    set_pref_cookie(LOCALE_COOKIE, Some(locale.code()))?;
    Ok(locale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theme_toggle_cycles_through_every_choice_and_back() {
        let start = ThemeChoice::System;
        let seen = [start.next(), start.next().next(), start.next().next().next()];
        assert_eq!(seen, [ThemeChoice::Dark, ThemeChoice::Light, ThemeChoice::System]);
    }

    #[test]
    fn theme_attr_round_trips() {
        for t in [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark] {
            assert_eq!(ThemeChoice::from_attr(t.attr().unwrap_or("")), t);
        }
    }
}
