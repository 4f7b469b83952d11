//! The WASM entry point: hydrates the page the server rendered.

/// Called by the hydration script (`app/src/hydration.js`) once the WASM
/// module and the page's locale's texts (`locale`, `texts`) have loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate(locale: &str, texts: &str) {
    console_error_panic_hook::set_once();
    app::hydrate(locale, texts);
}
