//! How a value the server computed while rendering reaches the browser
//! (resources and shared values): JSON, parsed from bytes.
//!
//! Leptos' default codec parses with `serde_json::from_str`; server
//! functions' responses are parsed with `serde_json::from_slice`. The two
//! readers are different types, so the WASM carried every wire type's
//! deserializer twice (about a twentieth of the main module). [`Json`]
//! reads the way server functions do, so each type has one. Use
//! [`load`] instead of `Resource::new` and [`shared`] instead of
//! `SharedValue::new`.

use leptos::prelude::Resource;
use leptos::server::SharedValue;
use leptos::server::codee::{Decoder, Encoder};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// JSON written as a string on the server, read from its bytes in the
/// browser.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, Self::Error> {
        serde_json::to_string(val)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, Self::Error> {
        serde_json::from_slice(val.as_bytes())
    }
}

/// A resource whose value crosses to the browser as [`Json`].
pub type Loaded<T> = Resource<T, Json>;

/// `Resource::new` with the [`Json`] codec: `fetcher` runs again whenever
/// `source` changes; the browser starts from the server's value.
#[track_caller]
pub fn load<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Loaded<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: Send + Sync + Clone + PartialEq + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

/// `SharedValue::new(initial).into_inner()` with the [`Json`] codec: the
/// server computes the value, the browser reads it from the page.
pub fn shared<T>(initial: impl FnOnce() -> T) -> T
where
    T: Serialize + DeserializeOwned,
{
    SharedValue::<T, Json>::new_with_encoding(initial).into_inner()
}
