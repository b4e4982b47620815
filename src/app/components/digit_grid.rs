//! A page of digits: one canvas holds all the digits (painted in one `putImageData` call, far
//! cheaper than a canvas per cell), and over it one link per digit with its label.
//!
//! Layout: `GRID_COLUMNS` tiles a row; each tile is a digit with a 1-pixel frame (core's
//! [`sheet_into`]). The cells form a CSS grid of the same columns, so cell k covers tile k.
//!
//! A page flip changes `indices`: the effect repaints the sheet into one buffer kept across flips,
//! then hands the page's indices and labels to one small JavaScript function ([`update_cells`])
//! that rewrites the links in place (href, `data-index`, `data-label`, title, text), adding or
//! removing cells only when the count changes. One call across the wasm boundary per flip instead
//! of ~400 attribute writes through the reactive system: that was most of a flip's time.

use std::sync::Arc;

use leptos::html::{Canvas, Div};
use leptos::prelude::*;

use crate::app::components::digit_canvas::paint_rgba;
use crate::app::dom::update_cells;
use crate::app::{link, perf};
use crate::core::dataset::{Dataset, DatasetName, Split, CLASSES};
use crate::core::grid::sheet_into;
use crate::core::paths::digit_path;

/// Digits per row of the grid.
pub const GRID_COLUMNS: usize = 10;
/// Frame around each digit on the sheet, in image pixels.
const TILE_MARGIN: usize = 1;

/// The cells of `indices` (indices into the split). Paints the sheet in an effect once the canvas
/// exists and again whenever `indices` changes, then records the paint measure
/// (`first-grid-paint` / `grid-paint`).
#[component]
pub fn DigitGrid(
    dataset: Arc<Dataset>,
    name: DatasetName,
    split: Split,
    /// The digits to show, in order; a page flip sets new ones.
    #[prop(into)]
    indices: Signal<Vec<usize>>,
) -> impl IntoView {
    // Every cell's href is this prefix followed by its index.
    let href_prefix = link(&digit_path(name, split, 0))
        .strip_suffix('0')
        .unwrap_or_default()
        .to_string();
    let class_names: String = (0..CLASSES as u8)
        .map(|l| name.class_name(l))
        .collect::<Vec<_>>()
        .join("\n");
    let noun = match name {
        DatasetName::Mnist => "Digit",
        DatasetName::FashionMnist => "Item",
    };
    view! { <ImageSheet dataset href_prefix indices class_names noun /> }
}

/// [`DigitGrid`] for images of any `rows × cols` (e.g. the user's own sets): each cell links to
/// `href_prefix` followed by its index (an href, base path included). A cell shows its label's
/// line of `class_names` (one name per line, by label), else the label's number; `noun` names
/// one image in the cells' titles.
#[component]
pub fn ImageSheet(
    dataset: Arc<Dataset>,
    href_prefix: String,
    #[prop(into)] indices: Signal<Vec<usize>>,
    #[prop(optional)] class_names: String,
    #[prop(default = "Image")] noun: &'static str,
) -> impl IntoView {
    let rows = dataset.images.rows;
    let cols = dataset.images.cols;
    let canvas = NodeRef::<Canvas>::new();
    let count = Memo::new(move |_| indices.with(Vec::len));
    let tile_rows = move || count.get().div_ceil(GRID_COLUMNS);
    let grid = NodeRef::<Div>::new();
    // A cell's width over its height: 1 for square images (the stylesheet's default).
    let tile_aspect = format!("{} / {}", cols + 2 * TILE_MARGIN, rows + 2 * TILE_MARGIN);

    // The sheet buffer is the effect's value, handed back on each run and reused.
    Effect::new(move |buffer: Option<Vec<u8>>| {
        let mut rgba = buffer.unwrap_or_default();
        let (Some(element), Some(container)) = (canvas.get(), grid.get()) else {
            return rgba;
        };
        indices.with(|indices| {
            let images: Vec<&[u8]> = indices.iter().map(|&i| dataset.image(i)).collect();
            let (width, height) =
                sheet_into(&mut rgba, &images, rows, cols, GRID_COLUMNS, TILE_MARGIN);
            let _ = paint_rgba(&element, &rgba, height, width);
            let shown: Vec<u32> = indices.iter().map(|&i| i as u32).collect();
            let labels: Vec<u8> = indices.iter().map(|&i| dataset.label(i)).collect();
            update_cells(
                &container,
                &shown,
                &labels,
                &href_prefix,
                &class_names,
                noun,
            );
        });
        perf::GRID.done();
        rgba
    });
    view! {
        <div
            class="digit-grid"
            data-testid="digit-grid"
            node_ref=grid
            style:--tile-rows=move || tile_rows().to_string()
            style:--tile-aspect=tile_aspect
        >
            <canvas
                class="grid-sheet"
                node_ref=canvas
                width=GRID_COLUMNS * (cols + 2 * TILE_MARGIN)
                height=move || tile_rows() * (rows + 2 * TILE_MARGIN)
                aria-hidden="true"
            ></canvas>
        </div>
    }
}
