//! `GET /i18n/<locale>.<hash>.json`: a locale's texts, which the browser
//! loads before hydrating (`app::i18n::served`). Outside the session: they
//! are the same for everyone, and cached for good (the name changes with
//! them).

use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use http::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use http::{HeaderMap, HeaderValue, StatusCode};

/// The route, for the router.
pub const ROUTE: &str = "/i18n/{file}";

pub async fn texts(Path(file): Path<String>, request: HeaderMap) -> Response {
    let Some(texts) = app::i18n::served::find(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let brotli = accepts_brotli(&request);
    let body = if brotli {
        texts.brotli.clone()
    } else {
        texts.json.clone()
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
    if brotli {
        headers.insert(CONTENT_ENCODING, HeaderValue::from_static("br"));
    }
    response
}

/// Whether `Accept-Encoding` lists `br` with a weight above zero.
fn accepts_brotli(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim();
            let weight = parts
                .map(|p| p.trim().to_ascii_lowercase())
                .find_map(|p| p.strip_prefix("q=").map(str::to_owned))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok());
            coding.eq_ignore_ascii_case("br") && weight.is_some_and(|q| q > 0.0)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepts(value: &str) -> bool {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
        accepts_brotli(&headers)
    }

    #[test]
    fn brotli_only_when_asked_for_with_a_weight() {
        assert!(accepts("gzip, deflate, br, zstd"));
        assert!(accepts("BR;q=0.5"));
        assert!(!accepts("gzip"));
        assert!(!accepts("br;q=0, gzip"));
        assert!(!accepts("br;Q=0"));
        assert!(!accepts("brotli"));
        assert!(!accepts_brotli(&HeaderMap::new()));
    }
}
