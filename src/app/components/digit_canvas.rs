//! A grey image (e.g. a 28×28 digit) on a canvas, painted in one `putImageData` call.
//! The canvas has the image's own size; CSS enlarges it (`image-rendering: pixelated`).

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use crate::core::grid::grey_to_rgba;

/// Paints `grey` (`rows × cols` bytes, row-major, 0 = paper, 255 = ink) onto `canvas`.
pub fn paint_grey(
    canvas: &HtmlCanvasElement,
    grey: &[u8],
    rows: usize,
    cols: usize,
) -> Result<(), JsValue> {
    if grey.len() != rows * cols {
        return Err(JsValue::from_str("image size does not match its pixels"));
    }
    paint_rgba(canvas, &grey_to_rgba(grey), rows, cols)
}

/// Paints RGBA bytes (`height × width × 4`, row-major) onto `canvas` in one `putImageData` call.
pub fn paint_rgba(
    canvas: &HtmlCanvasElement,
    rgba: &[u8],
    height: usize,
    width: usize,
) -> Result<(), JsValue> {
    if rgba.len() != height * width * 4 || width == 0 || height == 0 {
        return Err(JsValue::from_str("image size does not match its pixels"));
    }
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("no 2d context"))?
        .dyn_into()?;
    let image =
        ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width as u32, height as u32)?;
    context.put_image_data(&image, 0.0, 0.0)
}

/// One grey image on a canvas. `pixels`: `rows × cols` bytes, row-major.
#[component]
pub fn DigitCanvas(
    pixels: Vec<u8>,
    #[prop(default = 28)] rows: usize,
    #[prop(default = 28)] cols: usize,
    #[prop(optional, into)] class: Option<String>,
    /// Text for screen readers, e.g. "Digit 7".
    #[prop(optional, into)]
    label: Option<String>,
    /// Set to read the canvas element (e.g. to map the pointer to a pixel).
    #[prop(optional)]
    node_ref: Option<NodeRef<Canvas>>,
) -> impl IntoView {
    let canvas = node_ref.unwrap_or_default();
    Effect::new(move |_| {
        if let Some(element) = canvas.get() {
            let _ = paint_grey(&element, &pixels, rows, cols);
        }
    });
    view! {
        <canvas
            node_ref=canvas
            class=class.unwrap_or_else(|| "digit-canvas".to_string())
            width=cols
            height=rows
            role="img"
            aria-label=label
        ></canvas>
    }
}
