//! Bindings to the app's JavaScript helpers (`src/app/dom.js`, shipped as a module by
//! wasm-bindgen): each does in one call what would otherwise cross from wasm to the DOM once per
//! element. Everything else goes through web-sys.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/app/dom.js")]
extern "C" {
    /// Makes the links of `grid` (after its canvas) show `indices` with their `labels`: one
    /// `<a class="digit-cell" data-testid="digit-cell" data-index data-label href title>` per
    /// digit, its class name as text (`class_names`: the ten names, one a line; `noun` starts the
    /// title), `href` = `href_prefix` + index. Reuses the cells already there.
    pub fn update_cells(
        grid: &web_sys::HtmlDivElement,
        indices: &[u32],
        labels: &[u8],
        href_prefix: &str,
        class_names: &str,
        noun: &str,
    );

    /// For each j of `changed`, sets the fill of `els[j]` to the 7-character colour j of
    /// `colours` (one call instead of one per neuron).
    pub fn set_fills(els: &web_sys::NodeList, colours: &str, changed: &[u32]);
}
