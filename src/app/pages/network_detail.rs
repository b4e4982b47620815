//! The panels under the graph on `/network/layer/{L}` (every value of the layer) and
//! `/network/layer/{L}/neuron/{J}` (one neuron: values, incoming weights, top test digits).

use std::sync::Arc;

use leptos::prelude::*;

use super::network::NetworkState;
use crate::app::api;
use crate::app::components::digit_canvas::DigitCanvas;
use crate::app::data::use_dataset;
use crate::app::link;
use crate::core::dataset::{Dataset, DatasetName, Split};
use crate::core::nn::{Network, Trace};
use crate::core::paths::{network_path, subject_path};
use crate::core::url::{RouteError, SampleRef, Subject};
use crate::core::viz::layout::{cell_grid, square_side};
use crate::core::viz::scale::{heat_fill, heat_scale};
use crate::core::viz::{
    layer_name, layer_rows, layer_title, rank_batch, NeuronSummary, RankBatches, TopActivations,
};

/// How many top digits a neuron page shows.
const TOP_DIGITS: usize = 12;
/// Test digits ranked between two pauses (keeps the page responsive).
const RANK_CHUNK: usize = 500;

/// Every neuron of one layer: z, a, bias, with links to the neuron pages.
#[component]
pub fn LayerDetail(
    network: Arc<Network>,
    layer: usize,
    trace: Memo<Option<Arc<Trace>>>,
    current: Memo<Result<Subject, RouteError>>,
) -> impl IntoView {
    let title = layer_title(&network, layer);
    let rows = move || {
        let t = trace.get()?;
        let s = current.get().ok()?;
        let rows: Vec<_> = layer_rows(&network, &t, layer)
            .into_iter()
            .map(|row| {
                let j = row.neuron;
                let href = link(&subject_path(Some(layer), Some(j), &s));
                view! {
                    <tr>
                        <td><a href=href>{j}</a></td>
                        <td>{row.z}</td>
                        <td>{row.a}</td>
                        <td>{row.bias}</td>
                    </tr>
                }
            })
            .collect();
        Some(rows)
    };
    let note =
        (layer == 0).then_some("The input layer: only the pixels with ink (a > 0) are listed.");
    view! {
        <section class="net-detail" data-testid="layer-detail">
            <h2>{title}</h2>
            {note.map(|n| view! { <p>{n}</p> })}
            <div class="values">
                <table>
                    <thead>
                        <tr><th>"neuron"</th><th>"z"</th><th>"a"</th><th>"bias"</th></tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

/// One neuron: its values for the sample, its incoming weights, and the test digits that
/// activate it most.
#[component]
pub fn NeuronDetail(
    network: Arc<Network>,
    dataset: DatasetName,
    generation: u64,
    layer: usize,
    neuron: usize,
    trace: Memo<Option<Arc<Trace>>>,
) -> impl IntoView {
    let title = format!(
        "Layer {layer} ({}), neuron {neuron}",
        layer_name(layer, network.layers.len() + 1)
    );
    let values = {
        let network = network.clone();
        move || {
            let t = trace.get()?;
            Some(NeuronSummary::of(&network, &t, layer, neuron)?.values())
        }
    };
    let weights = (layer > 0).then(|| {
        let dense = &network.layers[layer - 1];
        let w = dense.weights_into(neuron).to_vec();
        view! { <IncomingWeights weights=w layer /> }
    });
    let top = (layer > 0)
        .then(|| view! { <TopDigits network=network.clone() dataset generation layer neuron /> });
    view! {
        <section class="net-detail" data-testid="neuron-detail">
            <h2>{title}</h2>
            <p data-testid="neuron-values">{values}</p>
            {weights}
            {top}
        </section>
    }
}

/// The heatmap's values as a table (the same rows and columns), for readers who cannot tell the
/// colours apart or use a screen reader.
fn weights_table(weights: &[f32], rows: usize, cols: usize, image: bool) -> impl IntoView {
    let body = (0..rows)
        .map(|r| {
            let cells = (0..cols)
                .map(|c| {
                    let k = if image { r * cols + c } else { c * rows + r };
                    weights
                        .get(k)
                        .map(|w| format!("{w:.3}"))
                        .unwrap_or_default()
                })
                .map(|v| view! { <td>{v}</td> })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table data-testid="weight-table">
                <caption class="sr-only">"Incoming weights, in the heatmap's layout"</caption>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

/// The weights into a neuron as a heatmap: a square image (28×28 for MNIST) when they come
/// from the image, a grid of cells otherwise (blue positive, red negative, white 0).
#[component]
fn IncomingWeights(weights: Vec<f32>, layer: usize) -> impl IntoView {
    let scale = heat_scale(&weights);
    let n = weights.len();
    let (cols, rows, what) = match square_side(n).filter(|_| layer == 1) {
        Some(side) => (
            side,
            side,
            format!("What it looks for: the weights from each pixel, as a {side}×{side} image"),
        ),
        None => {
            let (c, r) = cell_grid(n, 280.0, 10.0);
            (
                c,
                r,
                "Weights from each neuron of the layer before (column by column)".to_string(),
            )
        }
    };
    let cell = (280.0 / rows.max(cols) as f32).min(14.0);
    let image = square_side(n).is_some() && layer == 1;
    let rects: Vec<_> = weights
        .iter()
        .enumerate()
        .map(|(k, &w)| {
            let (r, c) = if image { (k / cols, k % cols) } else { (k % rows, k / rows) };
            view! {
                <rect x=c as f32 * cell y=r as f32 * cell width=cell height=cell fill=heat_fill(w, scale).css()>
                    <title>{format!("from {k}: w = {w:.4}")}</title>
                </rect>
            }
        })
        .collect();
    let (w, h) = (cols as f32 * cell, rows as f32 * cell);
    view! {
        <figure class="net-weights">
            <svg data-testid="weight-heatmap" width=w height=h viewBox=format!("0 0 {w} {h}") role="img"
                aria-label=format!("{what}; strongest |w| = {scale:.3}")>
                {rects}
            </svg>
            <details class="net-weights-table">
                <summary>"The weights as numbers"</summary>
                {weights_table(&weights, rows, cols, image)}
            </details>
            <figcaption>
                {what} ". "
                // The words in the map's colours, from the theme (readable on either page).
                <span class="weight-positive">"Blue"</span> " = positive, "
                <span class="weight-negative">"red"</span> " = negative, white = 0; full colour at |w| = "
                {format!("{scale:.3}")} "."
            </figcaption>
        </figure>
    }
}

/// Every activation of the test set, layer by layer in batches, ranked per neuron.
async fn rank_test_set(
    network: Arc<Network>,
    test: Arc<Dataset>,
    progress: RwSignal<Option<usize>>,
) -> TopActivations {
    let mut tops = TopActivations::new(&network.sizes(), TOP_DIGITS);
    for batch in RankBatches::new(test.len(), RANK_CHUNK) {
        let end = batch.end;
        rank_batch(&network, &test.images, batch, &mut tops);
        progress.set(Some(end));
        api::next_task().await;
    }
    tops
}

/// The test digits that activate the neuron most (computed once per model, when first asked).
#[component]
fn TopDigits(
    network: Arc<Network>,
    dataset: DatasetName,
    generation: u64,
    layer: usize,
    neuron: usize,
) -> impl IntoView {
    let state = expect_context::<NetworkState>();
    let source = use_dataset(dataset, Split::Test);
    let test = source.data;
    // Start the ranking when the test set is there and no ranking of this model exists or runs.
    Effect::new(move |_| {
        let Some(Ok(test)) = test.get() else { return };
        let have = state.tops.with_untracked(|t| {
            t.as_ref()
                .is_some_and(|(g, d, _)| (*g, *d) == (generation, dataset))
        });
        if have || state.tops_progress.get_untracked().is_some() {
            return;
        }
        state.tops_progress.set(Some(0));
        let network = network.clone();
        leptos::task::spawn_local(async move {
            let tops = rank_test_set(network, test, state.tops_progress).await;
            state.tops.set(Some((generation, dataset, Arc::new(tops))));
            state.tops_progress.set(None);
        });
    });
    let list = move || {
        let Some(Ok(test)) = test.get() else {
            return view! { <p aria-live="polite">"Loading the test set…"</p> }.into_any();
        };
        let ranked = state.tops.with(|t| {
            t.as_ref()
                .filter(|(g, d, _)| (*g, *d) == (generation, dataset))
                .map(|(_, _, t)| t.top(layer, neuron).to_vec())
        });
        match ranked {
            None => {
                let done = state.tops_progress.get().unwrap_or(0);
                view! {
                    <p aria-live="polite" data-testid="ranking-progress">
                        {format!("Ranking the {} test {}s… {} %", test.len(), dataset.item_noun(), done * 100 / test.len().max(1))}
                    </p>
                }
                .into_any()
            }
            Some(items) => {
                let cells: Vec<_> = items
                    .into_iter()
                    .map(|(i, a)| {
                        let s = SampleRef {
                            dataset,
                            split: Split::Test,
                            index: i,
                        };
                        let href = link(&network_path(Some(layer), Some(neuron), &s));
                        let label = format!(
                            "Test {} {i}, labelled {}",
                            dataset.item_noun(),
                            dataset.class_name(test.label(i))
                        );
                        view! {
                            <li data-testid="top-digit" data-index=i>
                                <a href=href>
                                    <DigitCanvas pixels=test.image(i).to_vec() label=label />
                                    {format!("#{i} · a = {a:.2}")}
                                </a>
                            </li>
                        }
                    })
                    .collect();
                view! { <ol class="net-top">{cells}</ol> }.into_any()
            }
        }
    };
    view! {
        <h3>{format!("Test {}s that activate it most", dataset.item_noun())}</h3>
        {list}
    }
}
