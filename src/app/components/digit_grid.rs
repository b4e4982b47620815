//! A page of digits: one canvas holds all the digits (painted in one `putImageData` call, far
//! cheaper than a canvas per cell), and over it one link per digit with its label.
//!
//! Layout: `GRID_COLUMNS` tiles a row; each tile is a digit with a 1-pixel frame (core's
//! [`sheet_into`]). The cells form a CSS grid of the same columns, so cell k covers tile k.
//!
//! A page flip changes `indices`: the cells are fixed slots (slot k shows `indices[k]`) whose
//! attributes and text follow the indices, so a flip updates the same 100 links in place instead
//! of building new ones, and the sheet is rebuilt in one buffer kept across flips.

use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;

use crate::app::components::digit_canvas::paint_rgba;
use crate::app::{link, perf};
use crate::core::dataset::{Dataset, DatasetName, Split};
use crate::core::grid::sheet_into;
use crate::core::links::digit_path;

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
    let rows = dataset.images.rows;
    let cols = dataset.images.cols;
    let canvas = NodeRef::<Canvas>::new();
    let count = Memo::new(move |_| indices.with(Vec::len));
    let tile_rows = move || count.get().div_ceil(GRID_COLUMNS);

    // Slot k: the k-th digit of the page. The slots are keyed by position, so a flip between two
    // full pages keeps all 100 links and only rewrites what differs.
    let slot = {
        let dataset = dataset.clone();
        move |k: usize| {
            // One memo per slot, read by the slot's attributes: the page's indices then have 100
            // subscribers, not 500 (each re-subscription costs a search among them).
            // A slot past the end of the list is about to be removed; it shows digit 0 until then.
            let digit = Memo::new(move |_| indices.with(|v| v.get(k).copied().unwrap_or(0)));
            let index = move || digit.get();
            let label = {
                let dataset = dataset.clone();
                move || dataset.labels.get(index()).copied().unwrap_or(0)
            };
            let title = {
                let label = label.clone();
                move || format!("Digit {}: a {}", index(), label())
            };
            let text = label.clone();
            view! {
                <a
                    class="digit-cell"
                    data-testid="digit-cell"
                    data-index=index
                    data-label=label
                    href=move || link(&digit_path(name, split, index()))
                    title=title
                >
                    <span class="cell-label">{text}</span>
                </a>
            }
        }
    };

    // The sheet buffer is the effect's value, handed back on each run and reused.
    Effect::new(move |buffer: Option<Vec<u8>>| {
        let mut rgba = buffer.unwrap_or_default();
        let Some(element) = canvas.get() else {
            return rgba;
        };
        indices.with(|indices| {
            let images: Vec<&[u8]> = indices.iter().map(|&i| dataset.image(i)).collect();
            let (width, height) =
                sheet_into(&mut rgba, &images, rows, cols, GRID_COLUMNS, TILE_MARGIN);
            let _ = paint_rgba(&element, &rgba, height, width);
        });
        perf::grid_painted();
        rgba
    });
    view! {
        <div class="digit-grid" data-testid="digit-grid" style:--tile-rows=move || tile_rows().to_string()>
            <canvas
                class="grid-sheet"
                node_ref=canvas
                width=GRID_COLUMNS * (cols + 2 * TILE_MARGIN)
                height=move || tile_rows() * (rows + 2 * TILE_MARGIN)
                aria-hidden="true"
            ></canvas>
            <For each=move || 0..count.get() key=|k| *k children=slot />
        </div>
    }
}
