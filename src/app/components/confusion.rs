//! The test set's confusion matrix on /train: a 10×10 table (rows: true label, columns:
//! predicted), each cell a button with its count, shaded by it; a click opens the gallery of
//! exactly that cell's test digits, each a link to its digit page and one to the network view of
//! that digit with the trained model (`core::training::record::trained_network_path`). Shades,
//! labels, the cap and the summary line come from `core::training::{confusion, page}`.

use std::sync::Arc;

use leptos::prelude::*;

use crate::app::components::dataset_gate::WithDataset;
use crate::app::components::digit_canvas::DigitCanvas;
use crate::app::data::use_dataset;
use crate::app::link;
use crate::core::dataset::{Dataset, DatasetName, Split};
use crate::core::local;
use crate::core::paths::digit_path;
use crate::core::training::confusion::{Confusion, Gallery, GALLERY_CAP};
use crate::core::training::page::{confusion_summary, ShownConfusion};
use crate::core::training::record::trained_network_path;
use crate::core::viz::output_class;

/// A cell of the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cell {
    truth: usize,
    predicted: usize,
}

/// `shown`: the latest matrix the worker sent (`None`: none yet; only the heading shows).
#[component]
pub fn ConfusionMatrix(
    #[prop(into)] shown: Signal<Option<ShownConfusion>>,
    /// The dataset the run trains on (its class names label the rows and columns).
    #[prop(into)]
    dataset: Signal<DatasetName>,
    /// Or one of the user's sets (`data=local:{name}`): its held-out images are the test set.
    #[prop(into)]
    local: Signal<Option<String>>,
) -> impl IntoView {
    // The galleries show the page's own copy of the test set: start loading it with the first
    // matrix, so a click finds it ready.
    Effect::new(move |_| {
        if local.with(Option::is_none) {
            let _ = use_dataset(dataset.get(), Split::Test);
        }
    });
    // A run on one of the user's sets: its held-out images, read from IndexedDB once per set
    // (not again for every gallery opened or every new matrix).
    let local_test = LocalResource::new(move || {
        let name = local.get();
        async move {
            match name {
                Some(name) => Some(load_local_test(name).await.map(Arc::new)),
                None => None,
            }
        }
    });
    // The open gallery's cell; it stays open (with the new digits) when the next matrix comes.
    let selected = RwSignal::new(None::<Cell>);
    let table = move || {
        shown.with(|s| {
            s.as_ref().map(|s| {
                view! {
                    <p class="confusion-summary" data-testid="confusion-summary">
                        {confusion_summary(&s.confusion, &s.when)}
                    </p>
                    {matrix_table(&s.confusion, dataset.get(), selected)}
                }
            })
        })
    };
    let gallery = move || {
        let cell = selected.get()?;
        let gallery = shown.with(|s| {
            s.as_ref()
                .map(|s| s.confusion.gallery(cell.truth, cell.predicted, GALLERY_CAP))
        })?;
        Some(if local.with(Option::is_some) {
            view! { <LocalGallery gallery set=local_test /> }.into_any()
        } else {
            view! { <ConfusionGallery gallery dataset=dataset.get() /> }.into_any()
        })
    };
    view! {
        <section class="confusion-section" aria-labelledby="confusion-title">
            <h2 id="confusion-title">"Confusion matrix of the test set"</h2>
            <p class="hint">
                "Rows: the true label; columns: the network's prediction; the diagonal (framed) is right. Click a cell for its digits."
            </p>
            {table}
            {gallery}
        </section>
    }
}

fn matrix_table(
    c: &Confusion,
    dataset: DatasetName,
    selected: RwSignal<Option<Cell>>,
) -> impl IntoView {
    let classes = c.classes;
    // Columns stay narrow: the class number, its name in the title (the rows spell it out).
    let header = (0..classes)
        .map(|p| view! { <th scope="col" title=output_class(dataset, p)>{p}</th> })
        .collect_view();
    let rows = (0..classes)
        .map(|truth| {
            let cells = (0..classes)
                .map(|predicted| matrix_cell(c, dataset, Cell { truth, predicted }, selected))
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{row_name(dataset, truth)}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="confusion-scroll">
            <table class="confusion" data-testid="confusion-matrix">
                <thead>
                    <tr>
                        <th scope="col" class="confusion-corner">"true ↓ predicted →"</th>
                        {header}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// A row's heading: "7" for MNIST, "9 Ankle boot" for Fashion-MNIST.
fn row_name(dataset: DatasetName, class: usize) -> String {
    match u8::try_from(class) {
        Ok(c) if dataset != DatasetName::Mnist => dataset.numbered_class(c),
        _ => class.to_string(),
    }
}

fn matrix_cell(
    c: &Confusion,
    dataset: DatasetName,
    cell: Cell,
    selected: RwSignal<Option<Cell>>,
) -> impl IntoView {
    let Cell { truth, predicted } = cell;
    let diagonal = if truth == predicted { " diagonal" } else { "" };
    let class = format!(
        "confusion-cell shade-{}{diagonal}",
        c.shade(truth, predicted)
    );
    let toggle = move |_| selected.update(|s| *s = (*s != Some(cell)).then_some(cell));
    view! {
        <td>
            <button
                type="button"
                class=class
                data-true=truth
                data-pred=predicted
                aria-label=c.cell_label(dataset, truth, predicted)
                aria-pressed=move || (selected.get() == Some(cell)).to_string()
                on:click=toggle
            >
                {c.count(truth, predicted)}
            </button>
        </td>
    }
}

/// The digits of one cell, each a link to its digit page.
#[component]
fn ConfusionGallery(gallery: Gallery, dataset: DatasetName) -> impl IntoView {
    let title = gallery.title(dataset);
    let more = gallery.more_text();
    let empty = gallery.empty_text(dataset);
    let indices = gallery.shown;
    let render = move |d: Arc<Dataset>| gallery_digits(d, dataset, &indices);
    view! {
        <section class="confusion-gallery" data-testid="confusion-gallery" aria-labelledby="confusion-gallery-title">
            <h3 id="confusion-gallery-title">{title}</h3>
            {empty.map(|e| view! { <p class="empty">{e}</p> })}
            <WithDataset name=dataset split=Split::Test render />
            {more.map(|m| view! { <p class="hint">{m}</p> })}
        </section>
    }
}

/// [`ConfusionGallery`] for a run on one of the user's sets: its test images are the set's last
/// seventh (`core::local::training_split`, read once by [`ConfusionMatrix`]); each links to its
/// item page.
#[component]
fn LocalGallery(
    gallery: Gallery,
    set: LocalResource<Option<Result<Arc<LocalTest>, String>>>,
) -> impl IntoView {
    let title = gallery.title_counting(DatasetName::Mnist, "image");
    let more = gallery.more_text();
    let indices = gallery.shown;
    let items = move || {
        let t = match set.get()?? {
            Ok(t) => t,
            Err(why) => return Some(view! { <p class="empty">{why}</p> }.into_any()),
        };
        let (rows, cols) = (t.test.images.rows, t.test.images.cols);
        let items = indices
            .iter()
            .map(|&i| i as usize)
            .filter(|&i| i < t.test.len())
            .map(|i| {
                let index = t.offset + i;
                let label = format!("Image {index} of {}, labelled {}", t.name, t.test.label(i));
                view! {
                    <li>
                        <a href=link(&local::item_path(&t.name, index)) data-index=index title=format!("Image {index}")>
                            <DigitCanvas pixels=t.test.image(i).to_vec() rows cols label />
                        </a>
                    </li>
                }
            })
            .collect_view();
        Some(view! { <ul class="gallery-digits">{items}</ul> }.into_any())
    };
    view! {
        <section class="confusion-gallery" data-testid="confusion-gallery" aria-labelledby="confusion-gallery-title">
            <h3 id="confusion-gallery-title">{title}</h3>
            <Suspense fallback=|| view! { <p aria-live="polite">"Loading the images…"</p> }>{items}</Suspense>
            {more.map(|m| view! { <p class="hint">{m}</p> })}
        </section>
    }
}

/// The held-out test images of one of the user's sets, and where they start in the set.
struct LocalTest {
    name: String,
    offset: usize,
    test: Dataset,
}

/// Reads the set `name` and splits it as the training worker does (`core::local::training_split`).
async fn load_local_test(name: String) -> Result<LocalTest, String> {
    let set = crate::app::local::load(&name)
        .await?
        .ok_or_else(|| "This set is no longer kept in this browser.".to_string())?;
    let (train, test) = local::training_split(&set.data)
        .ok_or_else(|| "This set is too small to hold out test images.".to_string())?;
    Ok(LocalTest {
        name,
        offset: train.len(),
        test,
    })
}

fn gallery_digits(d: Arc<Dataset>, dataset: DatasetName, indices: &[u32]) -> impl IntoView {
    let (rows, cols) = (d.images.rows, d.images.cols);
    let items = indices
        .iter()
        .map(|&i| i as usize)
        .filter(|&i| i < d.len())
        .map(|i| {
            let href = link(&digit_path(dataset, Split::Test, i));
            let noun = dataset.item_noun();
            let label = format!("Test {noun} {i}, labelled {}", dataset.class_name(d.label(i)));
            let network = link(&trained_network_path(dataset, i));
            view! {
                <li>
                    <a href=href data-index=i title=format!("Test {noun} {i}")>
                        <DigitCanvas pixels=d.image(i).to_vec() rows cols label />
                    </a>
                    <a href=network class="gallery-network" data-network-index=i title=format!("Test {noun} {i} in the network view, with the trained model")>
                        "network"
                    </a>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="gallery-digits">{items}</ul> }
}
