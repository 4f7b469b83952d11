use crate::helpers::{Backend, TestApp, assert_every_script_carries, nonce_of};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use std::time::Duration;

fn assert_security_headers(headers: &HeaderMap) {
    let csp = headers["content-security-policy"].to_str().unwrap();
    for directive in [
        "script-src 'self' 'nonce-",
        "'wasm-unsafe-eval'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "CSP lacks {directive}: {csp}");
    }
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "strict-origin-when-cross-origin");
    assert!(headers.contains_key("x-request-id"));
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_fresh_nonce_that_matches_their_scripts() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let first = app.get("/").await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_security_headers(first.headers());
    let nonce = nonce_of(first.headers());
    let html = first.text().await.unwrap();
    assert_every_script_carries(&html, &nonce);

    let second = app.get("/").await;
    assert_ne!(nonce_of(second.headers()), nonce, "a new nonce per request");
}

/// Every page carries the header, which shows who is signed in. With the
/// viewer read from a resource inside a `<Suspense>`, some responses never
/// ended while other apps in the process rendered at the same time (seven
/// runs of this test in eight failed). Each response must end with the document.
#[test]
fn pages_always_finish_while_other_apps_render_at_once() {
    let apps: Vec<_> = (0..6)
        .map(|_| {
            std::thread::spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
                    for i in 0..40 {
                        let path = if i % 2 == 0 { "/" } else { "/no/such/page" };
                        let res = app.get(path).await;
                        let body = tokio::time::timeout(Duration::from_secs(10), res.text())
                            .await
                            .unwrap_or_else(|_| panic!("GET {path} (request {i}) never finished"))
                            .unwrap();
                        assert!(body.contains("</html>"), "GET {path} (request {i}) ended early");
                    }
                })
            })
        })
        .collect();
    for app in apps {
        app.join().expect("every app served every page");
    }
}

/// Leptos works out an app's routes by rendering it with resource loading
/// switched off for the whole process (a global flag: leptos-rs/leptos#4773).
/// When every app did that as it started, a page of another app that read
/// a resource at that moment never finished (the API tests start many apps
/// in one process). Pages that wait for resources, rendered while other
/// apps start beside them, must each end with the document.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pages_that_wait_for_resources_finish_while_other_apps_start() {
    use crate::support::signed_in_admin;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use wire::paths::*;
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let admin = signed_in_admin(&app, "starts").await;

    let rendering = Arc::new(AtomicBool::new(true));
    let starts: Vec<_> = (0..3)
        .map(|_| {
            let rendering = rendering.clone();
            tokio::spawn(async move {
                let mut started = 0;
                while rendering.load(Ordering::Relaxed) {
                    drop(TestApp::spawn(Backend::Sqlite).await.unwrap());
                    started += 1;
                }
                started
            })
        })
        .collect();
    // A visitor's pages and a signed-in admin's, each waiting for resources.
    let visitor: &[&str] = &[SIGN_UP_PATH, "/pricing"];
    let signed_in: &[&str] = &[ACCOUNT_PATH, ADMIN_PATH, WALLET_PATH, "/chat", "/pricing"];
    let mut renders = tokio::task::JoinSet::new();
    for worker in 0..4 {
        let (browser, pages) = if worker % 2 == 0 {
            (app.browser(), visitor)
        } else {
            (admin.clone(), signed_in)
        };
        renders.spawn(async move {
            for i in 0..60 {
                let page = pages[(worker + i) % pages.len()];
                let response = browser.get(page).await;
                let body = tokio::time::timeout(Duration::from_secs(20), response.text())
                    .await
                    .unwrap_or_else(|_| panic!("{page} (request {i}) never finished"))
                    .unwrap();
                assert!(body.contains("</html>"), "{page} (request {i}) ended early: {body}");
            }
        });
    }
    while let Some(done) = renders.join_next().await {
        done.expect("every page finished");
    }
    rendering.store(false, Ordering::Relaxed);
    let mut started = 0;
    for starts in starts {
        started += starts.await.unwrap();
    }
    assert!(started > 0, "other apps started meanwhile");
}

#[tokio::test]
async fn a_404_page_carries_the_same_security_headers() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let res = app.get("/definitely/not/here").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_security_headers(res.headers());
    let nonce = nonce_of(res.headers());
    assert!(res.text().await.unwrap().contains(&format!("nonce=\"{nonce}\"")));
}

#[tokio::test]
async fn hsts_is_sent_only_when_served_over_https() {
    let http = TestApp::spawn(Backend::Sqlite).await.unwrap();
    assert!(
        !http
            .get("/healthz")
            .await
            .headers()
            .contains_key("strict-transport-security")
    );
    let https = TestApp::spawn_with(Backend::Sqlite, &[("PUBLIC_URL", "https://app.example.com")])
        .await
        .unwrap();
    let res = https.get("/healthz").await;
    assert!(
        res.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
}

#[tokio::test]
async fn a_request_id_is_kept_when_given_and_made_when_not() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let given = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-42")
        .send()
        .await
        .unwrap();
    assert_eq!(given.headers()["x-request-id"], "trace-42");
    let made = app.get("/healthz").await;
    let id = made.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("REQUEST_BODY_LIMIT_BYTES", "4096")])
        .await
        .unwrap();
    let res = app
        .post_form("/api/prefs/theme", format!("theme=Dark&padding={}", "x".repeat(8192)))
        .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_server_function_round_trip_sets_the_preference_cookie() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let res = app.post_form("/api/prefs/theme", "theme=Dark".to_owned()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with(&format!("{}_theme=dark;", wire::brand::SLUG)),
        "{cookie}"
    );
    assert!(cookie.contains("SameSite=Lax"));

    let page = app
        .client
        .get(app.url("/"))
        .header("cookie", format!("{}_theme=dark", wire::brand::SLUG))
        .send()
        .await
        .unwrap();
    assert!(page.text().await.unwrap().contains("data-theme=\"dark\""));
}

#[tokio::test]
async fn the_language_comes_from_the_cookie_then_accept_language() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let html = |res: reqwest::Response| async move { res.text().await.unwrap() };
    // The product's last language (English when it has only that), asked
    // for by the browser, then overridden by the cookie.
    let other = wire::i18n::Locale::ALL[wire::i18n::Locale::ALL.len() - 1].code();
    let asked = app
        .client
        .get(app.url("/"))
        .header("accept-language", format!("{other}-XX,{other};q=0.9,en;q=0.5"))
        .send()
        .await
        .unwrap();
    assert!(html(asked).await.contains(&format!("<html lang=\"{other}\"")));
    let cookie_wins = app
        .client
        .get(app.url("/"))
        .header("accept-language", other)
        .header("cookie", format!("{}_locale=en", wire::brand::SLUG))
        .send()
        .await
        .unwrap();
    assert!(html(cookie_wins).await.contains("<html lang=\"en\""));
    // A language the product does not have: its default.
    let fallback = app
        .client
        .get(app.url("/"))
        .header("accept-language", "tlh")
        .send()
        .await
        .unwrap();
    let default = wire::brand::DEFAULT_LOCALE;
    assert!(html(fallback).await.contains(&format!("<html lang=\"{default}\"")));
}

/// A server render may begin on one worker thread and end on another.
/// Page state kept in thread-local storage, or read outside the render's
/// arena (a `<Title>` closure, a clean-up), then panics while the render
/// is torn down — and a panic in a destructor aborts the whole process:
/// the chat page did this, so one signed-in user reloading it quickly
/// enough took the service down for everyone. Every page, rendered many
/// times at once on a multi-threaded runtime, for a visitor and for a
/// signed-in admin (who may open them all).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_page_rendered_many_times_at_once_leaves_the_server_up() {
    use crate::support::signed_in_admin;
    use wire::paths::*;
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let admin = signed_in_admin(&app, "renders").await;
    let pages = [
        HOME_PATH,
        HOLDING_PATH,
        SIGN_IN_PATH,
        SIGN_UP_PATH,
        VERIFY_EMAIL_PATH,
        FORGOT_PASSWORD_PATH,
        RESET_PASSWORD_PATH,
        INVITE_ONLY_PATH,
        ACCOUNT_PATH,
        ADMIN_PATH,
        WALLET_PATH,
        "/pricing",
        "/chat",
        "/payment",
        "/payment/success",
        "/no-such-page",
    ];
    for browser in [app.browser(), admin] {
        let mut renders = tokio::task::JoinSet::new();
        // Eight clients at once on four workers: enough to move renders
        // between threads (what aborted the process).
        for worker in 0..8 {
            let browser = browser.clone();
            renders.spawn(async move {
                for i in 0..24 {
                    let page = pages[(worker + i) % pages.len()];
                    let response = browser.get(page).await;
                    let status = response.status();
                    assert!(!status.is_server_error(), "{page}: {status}");
                    response
                        .text()
                        .await
                        .unwrap_or_else(|e| panic!("{page}: the page broke off: {e:?}"));
                }
            });
        }
        while let Some(done) = renders.join_next().await {
            done.expect("every render answered");
        }
    }
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}
