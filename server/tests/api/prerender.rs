//! The landing page is served to signed-out visitors prerendered
//! (`server::http::prerender`): rendered once per language and theme, each
//! response with its own nonce. It must be byte for byte the page a render
//! of that request gives, and never a signed-in visitor's. (What reaches
//! the render, and when it runs, is checked by the module's unit tests.)

use crate::helpers::{Backend, TestApp, assert_every_script_carries, nonce_of};
use crate::support::registered_and_verified;
use reqwest::StatusCode;
use wire::brand::SLUG;

/// The page's body with its nonce (from its CSP) replaced by `NONCE`,
/// after checking every script carries that nonce.
async fn page(response: reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::OK);
    let nonce = nonce_of(response.headers());
    let html = response.text().await.unwrap();
    assert_every_script_carries(&html, &nonce);
    html.replace(&nonce, "NONCE")
}

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    request.send().await.unwrap()
}

/// For each language and theme: the first request (which renders the
/// page), the next ones (served the kept page) and a request the
/// prerender never serves (a query string: rendered each time) get the
/// same page, each with a nonce of its own.
#[tokio::test]
async fn the_kept_page_is_the_rendered_page_with_each_responses_nonce() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let mut pages = std::collections::BTreeSet::new();
    for locale in wire::i18n::Locale::ALL {
        for theme in [None, Some("dark"), Some("light")] {
            let mut cookie = format!("{SLUG}_locale={}", locale.code());
            if let Some(theme) = theme {
                cookie.push_str(&format!("; {SLUG}_theme={theme}"));
            }
            let headers = [("cookie", cookie.as_str())];
            let first = page(get(&app, "/", &headers).await).await;
            let kept = page(get(&app, "/", &headers).await).await;
            let rendered = page(get(&app, "/?utm_source=test", &headers).await).await;
            assert_eq!(first, rendered, "{cookie}: the first response is the page as rendered");
            assert_eq!(kept, rendered, "{cookie}: the kept page is the page as rendered");
            assert!(first.contains(&format!("<html lang=\"{}\"", locale.code())), "{cookie}");
            match theme {
                Some(theme) => assert!(first.contains(&format!("data-theme=\"{theme}\"")), "{cookie}"),
                None => assert!(!first.contains("data-theme="), "{cookie}"),
            }
            pages.insert(first);
        }
    }
    assert_eq!(
        pages.len(),
        wire::i18n::Locale::ALL.len() * 3,
        "a page of its own for each language and theme"
    );
}

/// A signed-in visitor is rendered their own page (their name in the
/// header), never the kept one; and their page is never kept for others,
/// whichever comes first.
#[tokio::test]
async fn signed_in_visitors_get_their_own_page_and_it_is_never_kept() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let member = app.browser();
    registered_and_verified(&app, &member, &crate::helpers::unique_email("prerender")).await;
    // Signed in first: the kept page must not be theirs.
    let theirs = member.get("/").await;
    assert_eq!(theirs.status(), StatusCode::OK);
    assert!(theirs.text().await.unwrap().contains("Ada Lovelace"));
    let anonymous = page(get(&app, "/", &[]).await).await;
    assert!(!anonymous.contains("Ada Lovelace"));
    assert!(anonymous.contains("data-testid=\"sign-in-link\""));
    // And once the page is kept, still their own.
    let again = member.get("/").await.text().await.unwrap();
    assert!(again.contains("Ada Lovelace"));
    assert!(!again.contains("data-testid=\"sign-in-link\""));
}
