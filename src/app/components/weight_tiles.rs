//! The first layer's weights as 28×28 heatmaps, one per hidden unit (at most [`MAX_UNITS`]),
//! of the weights the page holds (live or of the moment time travel shows). The geometry and
//! the pixels are `core::viz::tiles`'.

use leptos::prelude::*;

use crate::app::components::digit_canvas::paint_rgba;
use crate::app::pages::train::RunState;
use crate::core::format::thousands;
use crate::core::viz::tiles::{rgba, weight_range, Tiles};

/// Units drawn, and tiles per row.
const MAX_UNITS: usize = 100;
const COLUMNS: usize = 10;

#[component]
pub fn WeightTiles() -> impl IntoView {
    let run = expect_context::<RunState>();
    let tiles = Memo::new(move |_| {
        run.shown.with(|w| {
            w.as_ref()
                .and_then(|w| Tiles::first_layer(&w.network, MAX_UNITS, COLUMNS))
        })
    });
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        let (Some(canvas), Some(tiles)) = (canvas.get(), tiles.get()) else {
            return;
        };
        run.shown.with(|w| {
            if let Some(w) = w {
                let (width, height) = tiles.size();
                let _ = paint_rgba(&canvas, &rgba(&w.network, &tiles), height, width);
            }
        });
    });
    // The unit under the pointer and its weights' range.
    let pointed = RwSignal::new(None::<usize>);
    let on_pointer = move |e: leptos::ev::PointerEvent| {
        let (Some(c), Some(t)) = (canvas.get_untracked(), tiles.get_untracked()) else {
            return;
        };
        let rect = c.get_bounding_client_rect();
        if rect.width() <= 0.0 {
            return;
        }
        let scale = c.width() as f64 / rect.width();
        let x = (e.client_x() as f64 - rect.left()) * scale;
        let y = (e.client_y() as f64 - rect.top()) * scale;
        pointed.set(t.unit_at(x, y));
    };
    // From the keyboard: the canvas takes the focus and the arrows move between units (a row of
    // tiles is COLUMNS units), so the values are not for pointer users only.
    let on_key = move |e: leptos::ev::KeyboardEvent| {
        let Some(units) = tiles.with_untracked(|t| t.as_ref().map(|t| t.units)) else {
            return;
        };
        let j = pointed.get_untracked().unwrap_or(0);
        let next = match e.key().as_str() {
            "ArrowRight" => (j + 1).min(units - 1),
            "ArrowLeft" => j.saturating_sub(1),
            "ArrowDown" if j + COLUMNS < units => j + COLUMNS,
            "ArrowUp" => j.checked_sub(COLUMNS).unwrap_or(j),
            "ArrowDown" => j,
            _ => return,
        };
        e.prevent_default();
        pointed.set(Some(next));
    };
    let readout = move || {
        let j = pointed.get()?;
        run.shown.with(|w| {
            let (lo, hi) = weight_range(&w.as_ref()?.network, j)?;
            Some(format!("Unit {}: weights from {lo:.3} to {hi:.3}", j + 1))
        })
    };
    let caption = move || {
        let t = tiles.get()?;
        let (units, step) = run.shown.with(|w| {
            w.as_ref()
                .map(|w| (w.network.layers[0].outputs, w.meta.step))
        })?;
        let moment = run.history.with(|h| h.moment(step));
        Some(format!(
            "The first {} of the first layer's {} units, {moment}: each tile is one unit's {} incoming weights in the image's layout; blue is positive, red negative, white zero, each tile scaled to its own largest weight.",
            t.units,
            thousands(units),
            t.side * t.side
        ))
    };
    view! {
        <Show when=move || tiles.with(Option::is_some)>
            <h2>"First-layer weights"</h2>
            <figure class="weight-tiles">
                <canvas
                    node_ref=canvas
                    data-testid="weight-heatmaps"
                    data-step=move || run.shown.with(|w| w.as_ref().map(|w| w.meta.step))
                    width=move || tiles.get().map(|t| t.size().0).unwrap_or(1)
                    height=move || tiles.get().map(|t| t.size().1).unwrap_or(1)
                    role="img"
                    aria-label=move || caption().unwrap_or_default()
                    tabindex="0"
                    aria-keyshortcuts="ArrowLeft ArrowRight ArrowUp ArrowDown"
                    on:pointermove=on_pointer
                    on:pointerleave=move |_| pointed.set(None)
                    on:keydown=on_key
                    on:focus=move |_| {
                        if pointed.get_untracked().is_none() {
                            pointed.set(Some(0));
                        }
                    }
                ></canvas>
                <figcaption>
                    <span>{caption}</span>
                    " "
                    <span class="chart-readout" aria-live="polite">{readout}</span>
                </figcaption>
            </figure>
        </Show>
    }
}
