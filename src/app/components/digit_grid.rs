//! A page of digits: each cell a link to the digit, its canvas and its label.

use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;

use crate::app::components::digit_canvas::paint_grey;
use crate::app::{link, perf};
use crate::core::dataset::{Dataset, DatasetName, Split};
use crate::core::links::digit_path;

/// The cells of `indices` (indices into the split). Paints every canvas in one effect after the
/// cells exist, then records the paint measure (`first-grid-paint` / `grid-paint`).
#[component]
pub fn DigitGrid(
    dataset: Arc<Dataset>,
    name: DatasetName,
    split: Split,
    indices: Vec<usize>,
) -> impl IntoView {
    let rows = dataset.images.rows;
    let cols = dataset.images.cols;
    let canvases: Vec<(usize, NodeRef<Canvas>)> =
        indices.iter().map(|&i| (i, NodeRef::new())).collect();
    let cells = canvases
        .iter()
        .map(|&(index, canvas)| {
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
                    <canvas node_ref=canvas width=cols height=rows aria-hidden="true"></canvas>
                    <span class="cell-label">{label}</span>
                </a>
            }
        })
        .collect_view();
    Effect::new(move |_| {
        for (index, canvas) in &canvases {
            if let Some(element) = canvas.get_untracked() {
                let _ = paint_grey(&element, dataset.image(*index), rows, cols);
            }
        }
        perf::grid_painted();
    });
    view! {
        <div class="digit-grid" data-testid="digit-grid">
            {cells}
        </div>
    }
}
