//! A page of digits: one canvas holds all the digits (painted in one `putImageData` call, far
//! cheaper than a canvas per cell), and over it one link per digit with its label.
//!
//! Layout: `GRID_COLUMNS` tiles a row; each tile is a digit with a 1-pixel frame (core's
//! [`sheet`]). The cells form a CSS grid of the same columns, so cell k covers tile k.

use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;

use crate::app::components::digit_canvas::paint_rgba;
use crate::app::{link, perf};
use crate::core::dataset::{Dataset, DatasetName, Split};
use crate::core::grid::sheet;
use crate::core::links::digit_path;

/// Digits per row of the grid.
pub const GRID_COLUMNS: usize = 10;
/// Frame around each digit on the sheet, in image pixels.
const TILE_MARGIN: usize = 1;

/// The cells of `indices` (indices into the split). Paints the sheet in an effect once the canvas
/// exists, then records the paint measure (`first-grid-paint` / `grid-paint`).
#[component]
pub fn DigitGrid(
    dataset: Arc<Dataset>,
    name: DatasetName,
    split: Split,
    indices: Vec<usize>,
) -> impl IntoView {
    let rows = dataset.images.rows;
    let cols = dataset.images.cols;
    let canvas = NodeRef::<Canvas>::new();
    let tile_rows = indices.len().div_ceil(GRID_COLUMNS);
    let cells = indices
        .iter()
        .map(|&index| {
            let label = dataset.label(index);
            view! {
                <a
                    class="digit-cell"
                    data-testid="digit-cell"
                    data-index=index
                    data-label=label
                    href=link(&digit_path(name, split, index))
                    title=format!("Digit {index}: a {label}")
                >
                    <span class="cell-label">{label}</span>
                </a>
            }
        })
        .collect_view();
    Effect::new(move |_| {
        let Some(element) = canvas.get() else { return };
        let images: Vec<&[u8]> = indices.iter().map(|&i| dataset.image(i)).collect();
        let sheet = sheet(&images, rows, cols, GRID_COLUMNS, TILE_MARGIN);
        let _ = paint_rgba(&element, &sheet.rgba, sheet.height, sheet.width);
        perf::grid_painted();
    });
    view! {
        <div class="digit-grid" data-testid="digit-grid" style:--tile-rows=tile_rows.to_string()>
            <canvas
                class="grid-sheet"
                node_ref=canvas
                width=GRID_COLUMNS * (cols + 2 * TILE_MARGIN)
                height=tile_rows * (rows + 2 * TILE_MARGIN)
                aria-hidden="true"
            ></canvas>
            {cells}
        </div>
    }
}
