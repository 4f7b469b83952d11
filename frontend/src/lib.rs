//! The WASM entry point: hydrates the page the server rendered.

/// Called by Leptos' hydration script once the WASM module has loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::hydrate();
}
