//! `/data/{dataset}/{split}/{index}`: one digit, enlarged, with the pixel under the pointer.

use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use web_sys::PointerEvent;

use super::{dataset_and_split, RouteProblem};
use crate::app::components::dataset_gate::WithDataset;
use crate::app::components::digit_canvas::DigitCanvas;
use crate::app::keys::{use_step_keys, Step};
use crate::app::link;
use crate::core::dataset::{Dataset, DatasetName, Split};
use crate::core::grid::{neighbours, pixel_at};
use crate::core::paging::page_holding;
use crate::core::paths::{digit_path, grid_path, network_path};
use crate::core::url::{parse_index, SampleRef};

#[component]
pub fn DigitPage() -> impl IntoView {
    let params = use_params_map();
    let target = Memo::new(move |_| dataset_and_split(&params.read()));
    let index_text = Memo::new(move |_| params.read().get("index").unwrap_or_default());
    move || {
        match target.get() {
        Err(error) => view! { <RouteProblem error back="/" back_text="Go to the home page" /> }
        .into_any(),
        Ok((name, split)) => view! {
            <WithDataset
                name
                split
                render={move |dataset: Arc<Dataset>| digit_or_problem(dataset, name, split, index_text)}
            />
        }
        .into_any(),
    }
    }
}

/// The digit the `:index` segment names, or why there is none.
fn digit_or_problem(
    dataset: Arc<Dataset>,
    name: DatasetName,
    split: Split,
    index_text: Memo<String>,
) -> impl IntoView {
    move || match parse_index(&index_text.get(), dataset.len(), name, split) {
        Err(error) => {
            let back = grid_path(name, split, 1, None);
            view! { <RouteProblem error back back_text="Go to the first page of digits" /> }
                .into_any()
        }
        Ok(index) => view! { <DigitView dataset=dataset.clone() name split index /> }.into_any(),
    }
}

#[component]
fn DigitView(
    dataset: Arc<Dataset>,
    name: DatasetName,
    split: Split,
    index: usize,
) -> impl IntoView {
    let rows = dataset.images.rows;
    let cols = dataset.images.cols;
    let label = name.class_name(dataset.label(index));
    let pixels = dataset.image(index).to_vec();
    let (previous, next) = neighbours(index, dataset.len());

    let navigate = use_navigate();
    use_step_keys(move |step| {
        let to = match step {
            Step::Back => previous,
            Step::Forward => next,
        };
        let Some(to) = to else { return false };
        navigate(&digit_path(name, split, to), Default::default());
        true
    });

    let canvas = NodeRef::<Canvas>::new();
    let (under_pointer, set_under_pointer) = signal(None::<(usize, usize)>);
    let on_move = move |ev: PointerEvent| {
        let Some(element) = canvas.get_untracked() else {
            return;
        };
        let rect = element.get_bounding_client_rect();
        let x = ev.client_x() as f64 - rect.left();
        let y = ev.client_y() as f64 - rect.top();
        set_under_pointer.set(pixel_at(x, y, rect.width(), rect.height(), rows, cols));
    };
    let pointer_text = {
        let pixels = pixels.clone();
        move || match under_pointer.get() {
            Some((r, c)) => format!("Row {r}, column {c}: value {}", pixels[r * cols + c]),
            None => "Point at a pixel to read its value (0 = paper, 255 = ink).".to_string(),
        }
    };
    let grid_page = grid_path(name, split, page_holding(index), None);

    view! {
        <section class="page digit-page">
            <h1>
                {heading_noun(name)} " " <span data-testid="digit-index">{index}</span> " of the "
                {format!("{} {}", name.title(), split.noun())}
            </h1>
            <div class="digit-layout">
                <div
                    class="digit-big"
                    on:pointermove=on_move
                    on:pointerleave=move |_| set_under_pointer.set(None)
                >
                    <DigitCanvas
                        pixels
                        rows
                        cols
                        class="digit-canvas big"
                        label=match name {
                            DatasetName::Mnist => format!("Handwritten digit labelled {label}"),
                            _ => format!("Image labelled {label}"),
                        }
                        node_ref=canvas
                    />
                </div>
                <dl class="digit-facts">
                    <dt>"Label"</dt>
                    <dd><span class="big-label" data-testid="digit-label">{label}</span></dd>
                    <dt>"Index"</dt>
                    <dd>{index}</dd>
                    <dt>"Split"</dt>
                    <dd>{split.noun()}</dd>
                    <dt>"Pixel"</dt>
                    <dd class="pixel-readout" aria-live="polite">{pointer_text}</dd>
                </dl>
            </div>
            <nav class="digit-nav" aria-label="Digits">
                {neighbour_link(previous.map(|i| digit_path(name, split, i)), "← Previous", "prev")}
                <a href=link(&grid_page)>{format!("Back to page {}", page_holding(index))}</a>
                {neighbour_link(next.map(|i| digit_path(name, split, i)), "Next →", "next")}
            </nav>
            <p class="hint">
                {format!("Keys: ← and → step to the previous and next {}.", name.item_noun())}
            </p>
            <p>
                <a data-testid="network-link" href=link(&network_link(name, split, index))>
                    "See it in the network"
                </a>
            </p>
        </section>
    }
}

/// "Digit" / "Item": what the heading calls one image.
fn heading_noun(name: DatasetName) -> &'static str {
    match name {
        DatasetName::Mnist => "Digit",
        DatasetName::FashionMnist => "Item",
    }
}

fn neighbour_link(path: Option<String>, text: &'static str, rel: &'static str) -> AnyView {
    match path {
        Some(path) => view! { <a class="step" rel=rel href=link(&path)>{text}</a> }.into_any(),
        None => view! { <span class="step disabled" aria-disabled="true">{text}</span> }.into_any(),
    }
}

/// `/network?sample={dataset}/{split}/{index}`: this digit in the network visualizer.
fn network_link(dataset: DatasetName, split: Split, index: usize) -> String {
    let sample = SampleRef {
        dataset,
        split,
        index,
    };
    network_path(None, None, &sample)
}
