use crate::helpers::{Backend, TestApp};
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE};

#[tokio::test]
async fn precompressed_files_are_served_with_their_content_encoding() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("LEPTOS_HASH_FILES", "true")])
        .await
        .unwrap();
    let pkg = app.site.join("pkg");
    std::fs::write(pkg.join("app.abc123.js"), "plain").unwrap();
    std::fs::write(pkg.join("app.abc123.js.br"), "brotli-bytes").unwrap();
    std::fs::write(pkg.join("app.abc123.js.gz"), "gzip-bytes").unwrap();

    let br = app
        .client
        .get(app.url("/pkg/app.abc123.js"))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(br.status(), StatusCode::OK);
    assert_eq!(br.headers()[CONTENT_ENCODING], "br");
    assert!(br.headers()[CONTENT_TYPE].to_str().unwrap().contains("javascript"));
    assert_eq!(br.headers()[CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert_eq!(br.text().await.unwrap(), "brotli-bytes");

    let gz = app
        .client
        .get(app.url("/pkg/app.abc123.js"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()[CONTENT_ENCODING], "gzip");
    assert_eq!(gz.text().await.unwrap(), "gzip-bytes");

    let plain = app
        .client
        .get(app.url("/pkg/app.abc123.js"))
        .header("accept-encoding", "identity")
        .send()
        .await
        .unwrap();
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    assert_eq!(plain.text().await.unwrap(), "plain");
}

#[tokio::test]
async fn unhashed_static_files_must_be_revalidated() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    std::fs::write(app.site.join("robots.txt"), "User-agent: *").unwrap();
    let res = app.get("/robots.txt").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[CACHE_CONTROL], "public, max-age=0, must-revalidate");
}

#[tokio::test]
async fn pages_are_compressed_on_the_fly() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let res = app
        .client
        .get(app.url("/"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[CONTENT_ENCODING], "gzip");
}

#[tokio::test]
async fn the_page_names_its_locales_texts_which_are_served_for_good() {
    use app::i18n::{Key, Locale};
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let html = app.get("/").await.text().await.unwrap();
    for locale in Locale::ALL {
        // The hydration script's map: `"en":"/i18n/en.<hash>.json"`.
        let start = format!("\"{}\":\"/i18n/", locale.code());
        let at = html
            .find(&start)
            .unwrap_or_else(|| panic!("{locale:?}'s texts are named"));
        let url = &html[at + start.len() - "/i18n/".len()..];
        let url = &url[..url.find('"').unwrap()];

        let plain = app
            .client
            .get(app.url(url))
            .header("accept-encoding", "identity")
            .send()
            .await
            .unwrap();
        assert_eq!(plain.status(), StatusCode::OK, "{url}");
        assert_eq!(plain.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(plain.headers()[CACHE_CONTROL], "public, max-age=31536000, immutable");
        let texts: Vec<String> = plain.json().await.unwrap();
        // This build's keys, then their texts.
        assert_eq!(texts[0], wire::i18n::KEYS_FINGERPRINT);
        assert_eq!(texts.len(), Key::ALL.len() + 1);
        assert_eq!(texts[1 + Key::LocaleName as usize], locale.native_name());

        let br = app
            .client
            .get(app.url(url))
            .header("accept-encoding", "gzip, br")
            .send()
            .await
            .unwrap();
        assert_eq!(br.headers()[CONTENT_ENCODING], "br");
        assert_eq!(br.headers()["vary"], "accept-encoding");
        let packed = br.bytes().await.unwrap();
        let json = serde_json::to_vec(&texts).unwrap();
        assert!(packed.len() < json.len() / 2, "{} B of {} B", packed.len(), json.len());
    }
    // Only the names the page gives: another hash or locale is not found.
    for path in ["/i18n/en.0000000000000000.json", "/i18n/de.json", "/i18n/en.json"] {
        assert_eq!(app.get(path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
}
