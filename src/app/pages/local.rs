//! The user's own datasets: `/data/local` (add one from a pair of IDX files, list and remove
//! them), `/data/local/{name}?page=N` (its images, 100 a page) and `/data/local/{name}/{index}`
//! (one image). The files are read and checked in the browser (`core::local`) and kept in
//! IndexedDB (`app::local`); a bad file is named with its defect and changes nothing kept.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::{query_signal, use_navigate, use_params_map};
use wasm_bindgen::JsCast;
use web_sys::{Event, File, FileList, HtmlInputElement};

use crate::app::components::digit_canvas::DigitCanvas;
use crate::app::components::digit_grid::ImageSheet;
use crate::app::components::error_view::ErrorView;
use crate::app::components::network_graph::NetworkGraph;
use crate::app::keys::{use_step_keys, Step};
use crate::app::link;
use crate::app::local as stored;
use crate::app::pages::network::NetworkState;
use crate::core::dataset::{DatasetName, LoadError};
use crate::core::format::thousands;
use crate::core::grid::neighbours;
use crate::core::local::{
    self, filtered_grid_path, grid_path, is_valid_name, item_path, limit_text, network_fit,
    network_path, page_of, parse_class, parse_item, read_pair, LocalSet, LIST_PATH, MAX_CLASSES,
    MAX_SIDE,
};
use crate::core::nn::input_from_pixels;
use crate::core::paging::page;
use crate::core::url::parse_page;
use crate::core::viz::prediction_line;

/// Inputs of the shipped models (28×28 images).
const NETWORK_INPUTS: usize = 784;

/// What happened to the last files chosen or dropped.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Reading,
    Added { name: String, summary: String },
    Refused(Vec<LoadError>),
    NotKept(String),
}

/// `/data/local`: the form to add a set and the list of sets kept in this browser.
#[component]
pub fn LocalListPage() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let sets = LocalResource::new(move || {
        version.track();
        stored::list()
    });
    let outcome = RwSignal::new(None::<Outcome>);
    let removal_error = RwSignal::new(None::<String>);

    let take = move |files: Vec<File>| {
        if files.is_empty() {
            return;
        }
        outcome.set(Some(Outcome::Reading));
        leptos::task::spawn_local(async move {
            let result = add(files).await;
            outcome.set(Some(result));
            version.update(|v| *v += 1);
        });
    };
    let on_change = move |ev: Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        let files = input.files().map(|f| files_of(&f)).unwrap_or_default();
        // Emptied, so choosing the same files again fires `change` again.
        input.set_value("");
        take(files);
    };
    let dragging = RwSignal::new(false);
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        let files = dropped_files(&ev);
        take(files);
    };

    let remove = move |name: String| {
        removal_error.set(None);
        leptos::task::spawn_local(async move {
            if let Err(e) = stored::remove(&name).await {
                removal_error.set(Some(e));
            }
            version.update(|v| *v += 1);
        });
    };

    let list = move || match sets.get() {
        None => view! { <p class="muted">"Reading your datasets…"</p> }.into_any(),
        Some(Err(e)) => view! {
            <ErrorView title="Your datasets could not be read" message=e />
        }
        .into_any(),
        Some(Ok(list)) if list.is_empty() => view! {
            <p data-testid="local-none">"No datasets of your own yet."</p>
        }
        .into_any(),
        Some(Ok(list)) => {
            let items = list
                .into_iter()
                .map(|info| {
                    let name = info.name.clone();
                    let remove_name = info.name.clone();
                    view! {
                        <li class="local-set" data-testid="local-set" data-name=name.clone()>
                            <a href=link(&grid_path(&name, 1))>{name.clone()}</a>
                            <span class="local-summary">{info.summary()}</span>
                            <span class="local-files">{info.files.join(" + ")}</span>
                            <button
                                type="button"
                                data-testid="local-remove"
                                aria-label=format!("Remove {name}")
                                on:click=move |_| remove(remove_name.clone())
                            >
                                "Remove"
                            </button>
                        </li>
                    }
                })
                .collect_view();
            view! { <ul class="local-sets" data-testid="local-sets">{items}</ul> }.into_any()
        }
    };

    view! {
        <section class="page local-page">
            <h1>"Your own data"</h1>
            <p>
                "Add a dataset of your own from two IDX files: one of images (idx3, any width and "
                "height up to " {MAX_SIDE} " pixels) and one of labels (idx1, up to " {MAX_CLASSES}
                " classes, 0–255), gzipped or not. Each file may hold at most "
                <strong>{limit_text()}</strong> " once unpacked. The files are read in this browser "
                "only, and kept in its storage until you remove them."
            </p>
            <div
                class="drop-zone"
                class:dragging=move || dragging.get()
                data-testid="local-drop"
                on:dragover=move |ev: web_sys::DragEvent| {
                    ev.prevent_default();
                    dragging.set(true);
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <label for="local-files">"Choose the two files, or drop them here: "</label>
                <input
                    id="local-files"
                    type="file"
                    multiple=true
                    data-testid="local-files"
                    on:change=on_change
                />
            </div>
            {move || outcome.get().map(outcome_view)}
            {move || {
                removal_error.get().map(|e| view! { <ErrorView title="Not removed" message=e /> })
            }}
            <h2>"Kept in this browser"</h2>
            {list}
        </section>
    }
}

/// Reads, checks and keeps the chosen files.
async fn add(files: Vec<File>) -> Outcome {
    let files = match stored::read_files(&files).await {
        Ok(files) => files,
        Err(errors) => return Outcome::Refused(errors),
    };
    let taken: Vec<String> = match stored::list().await {
        Ok(list) => list.into_iter().map(|s| s.name).collect(),
        Err(e) => return Outcome::NotKept(e),
    };
    let set = match read_pair(&files, &taken) {
        Ok(set) => set,
        Err(errors) => return Outcome::Refused(errors),
    };
    match stored::save(&set, &files).await {
        Ok(()) => Outcome::Added {
            summary: set.summary(),
            name: set.name,
        },
        Err(e) => Outcome::NotKept(e),
    }
}

fn outcome_view(outcome: Outcome) -> AnyView {
    match outcome {
        Outcome::Reading => view! { <p role="status">"Reading the files…"</p> }.into_any(),
        Outcome::Added { name, summary } => view! {
            <p class="local-added" role="status" data-testid="local-added">
                "Added " <a href=link(&grid_path(&name, 1))>{name.clone()}</a> ": " {summary} "."
            </p>
        }
        .into_any(),
        Outcome::Refused(errors) => {
            let items = errors
                .into_iter()
                .map(|e| {
                    view! {
                        <li data-testid="local-error" data-file=e.file.clone()>
                            <strong>{e.file.clone()}</strong> ": " {e.problem.clone()}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div class="error-view" role="alert" data-testid="local-errors">
                    <h2>"Not added"</h2>
                    <ul class="local-errors">{items}</ul>
                    <p>"Nothing kept before has changed."</p>
                </div>
            }
            .into_any()
        }
        Outcome::NotKept(e) => view! { <ErrorView title="Not kept" message=e /> }.into_any(),
    }
}

fn files_of(list: &FileList) -> Vec<File> {
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// The files of a drop (`event.dataTransfer.files`, read without web-sys's DataTransfer).
fn dropped_files(ev: &web_sys::DragEvent) -> Vec<File> {
    let get = |on: &wasm_bindgen::JsValue, key: &str| {
        js_sys::Reflect::get(on, &wasm_bindgen::JsValue::from_str(key)).ok()
    };
    get(ev.as_ref(), "dataTransfer")
        .and_then(|t| get(&t, "files"))
        .and_then(|f| f.dyn_into::<FileList>().ok())
        .map(|f| files_of(&f))
        .unwrap_or_default()
}

/// Loads the set the `:name` segment names, then shows `body(set)`: a message while loading,
/// when the name names no kept set, or when storage fails.
fn with_set<V: IntoView + 'static>(
    body: impl Fn(Arc<LocalSet>) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let params = use_params_map();
    let name = Memo::new(move |_| params.read().get("name").unwrap_or_default());
    with_named_set(name.into(), body)
}

/// [`with_set`] for the set named `name`.
fn with_named_set<V: IntoView + 'static>(
    name: Signal<String>,
    body: impl Fn(Arc<LocalSet>) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let set = LocalResource::new(move || {
        let name = name.get();
        async move {
            if is_valid_name(&name) {
                stored::load(&name).await
            } else {
                Ok(None)
            }
        }
    });
    move || match set.get() {
        None => view! { <p class="muted">"Reading your dataset…"</p> }.into_any(),
        Some(Err(e)) => view! {
            <ErrorView title="Your dataset could not be read" message=e>
                <a href=link(LIST_PATH)>"Your datasets"</a>
            </ErrorView>
        }
        .into_any(),
        Some(Ok(None)) => {
            let message = format!(
                "There is no dataset named {:?} in this browser: add it, or choose one of yours.",
                name.get_untracked()
            );
            view! {
                <ErrorView title="Nothing to show at this address" message>
                    <a href=link(LIST_PATH)>"Your datasets"</a>
                </ErrorView>
            }
            .into_any()
        }
        Some(Ok(Some(set))) => body.clone()(set).into_any(),
    }
}

/// `/data/local/{name}?page=N`.
#[component]
pub fn LocalGridPage() -> impl IntoView {
    with_set(|set| view! { <LocalGrid set /> })
}

#[component]
fn LocalGrid(set: Arc<LocalSet>) -> impl IntoView {
    let (page_text, _) = query_signal::<String>("page");
    let (label_text, _) = query_signal::<String>("label");
    let classes = set.classes;
    let label = Memo::new(move |_| parse_class(label_text.read().as_deref(), classes));
    // Positions of the images with the chosen label, recomputed only when the label changes.
    let filtered = {
        let set = set.clone();
        Memo::new(move |_| label.get().map(|l| Arc::new(set.data.indices(l))))
    };
    // The page shown, its label and its images; or why the address shows none.
    let shown = Memo::new(move |_| {
        let label = label.get()?;
        let positions = filtered.get()?;
        let number = parse_page(page_text.read().as_deref()).map_err(|e| e.to_string())?;
        let p = page(positions.len(), number).map_err(|e| e.to_string())?;
        Ok::<_, String>((label, p, positions[p.start..p.end].to_vec()))
    });
    let indices = Signal::derive(move || {
        shown.with(|s| match s {
            Ok((_, _, indices)) => indices.clone(),
            Err(_) => Vec::new(),
        })
    });
    let name = set.name.clone();
    let navigate = use_navigate();
    {
        let name = name.clone();
        use_step_keys(move |step| {
            let Ok((label, p, _)) = shown.get_untracked() else {
                return false;
            };
            let to = match step {
                Step::Back if p.has_previous() => p.number - 1,
                Step::Forward if p.has_next() => p.number + 1,
                _ => return false,
            };
            navigate(&filtered_grid_path(&name, to, label), Default::default());
            true
        });
    }
    let href_prefix = link(&item_path(&name, 0))
        .strip_suffix('0')
        .unwrap_or_default()
        .to_string();
    let data = Arc::new(set.data.clone());
    let body = {
        let name = name.clone();
        move || match shown.get() {
            Err(message) => {
                let first = link(&grid_path(&name, 1));
                view! {
                    <ErrorView title="Nothing to show at this address" message>
                        <a href=first>"Go to page 1"</a>
                    </ErrorView>
                }
                .into_any()
            }
            Ok((_, _, indices)) if indices.is_empty() => {
                view! { <p class="empty">"No images have this label."</p> }.into_any()
            }
            Ok((label, p, _)) => {
                let previous = p
                    .has_previous()
                    .then(|| filtered_grid_path(&name, p.number - 1, label));
                let next = p
                    .has_next()
                    .then(|| filtered_grid_path(&name, p.number + 1, label));
                view! {
                    <nav class="pagination" aria-label="Pages">
                        {step_link(previous, "← Previous", "prev")}
                        <span class="page-info" data-testid="page-info">
                            {format!("Page {} of {}", p.number, p.total)}
                        </span>
                        {step_link(next, "Next →", "next")}
                    </nav>
                }
                .into_any()
            }
        }
    };
    let filter = {
        let name = name.clone();
        let choices = std::iter::once(None).chain((0..classes).map(|c| Some(c as u8)));
        choices
            .map(|choice| {
                let text = choice.map_or("All".to_string(), |l| l.to_string());
                let current = move || (label.get() == Ok(choice)).then_some("page");
                view! {
                    <a
                        class="filter"
                        href=link(&filtered_grid_path(&name, 1, choice))
                        aria-current=current
                    >
                        {text}
                    </a>
                }
            })
            .collect_view()
    };
    view! {
        <section class="page grid-page local-page">
            <header class="page-header">
                <h1>{format!("Your dataset “{}”", set.name)}</h1>
                <a class="side-link" href=link(LIST_PATH)>"All your datasets"</a>
            </header>
            <p data-testid="local-summary">
                {set.summary()} " (" {set.images_file.clone()} " + " {set.labels_file.clone()} ")."
            </p>
            {train_offer(&set)}
            <nav class="label-filter" aria-label="Filter by label">
                <span class="filter-title">"Label:"</span>
                {filter}
            </nav>
            {body}
            <ImageSheet dataset=data href_prefix indices />
        </section>
    }
}

/// "Train a network on it" (a `/train` link naming the set), or why /train cannot.
fn train_offer(set: &LocalSet) -> AnyView {
    match local::trainable(set) {
        Ok(()) => {
            let href = link(&format!("/train?hidden=64&epochs=5&data=local:{}", set.name));
            view! {
                <p>
                    <a href=href data-testid="local-train">"Train a network on it"</a>
                    " (its last seventh is held out as the test set)"
                </p>
            }
            .into_any()
        }
        Err(why) => view! { <p class="note" data-testid="local-train-why">{format!("Not trainable on /train: {why}")}</p> }.into_any(),
    }
}

fn step_link(path: Option<String>, text: &'static str, rel: &'static str) -> AnyView {
    match path {
        Some(path) => view! { <a class="step" rel=rel href=link(&path)>{text}</a> }.into_any(),
        None => view! { <span class="step disabled" aria-disabled="true">{text}</span> }.into_any(),
    }
}

/// `/data/local/{name}/{index}`.
#[component]
pub fn LocalItemPage() -> impl IntoView {
    let params = use_params_map();
    let index_text = Memo::new(move |_| params.read().get("index").unwrap_or_default());
    with_set(move |set| {
        move || match parse_item(&index_text.get(), set.data.len()) {
            Err(message) => {
                let back = grid_path(&set.name, 1);
                view! {
                    <ErrorView title="Nothing to show at this address" message>
                        <a href=link(&back)>"Go to the first page"</a>
                    </ErrorView>
                }
                .into_any()
            }
            Ok(index) => view! { <LocalItem set=set.clone() index /> }.into_any(),
        }
    })
}

#[component]
fn LocalItem(set: Arc<LocalSet>, index: usize) -> impl IntoView {
    let rows = set.data.images.rows;
    let cols = set.data.images.cols;
    let label = set.data.label(index);
    let pixels = set.data.image(index).to_vec();
    let (previous, next) = neighbours(index, set.data.len());
    let name = set.name.clone();
    let navigate = use_navigate();
    {
        let name = name.clone();
        use_step_keys(move |step| {
            let to = match step {
                Step::Back => previous,
                Step::Forward => next,
            };
            let Some(to) = to else { return false };
            navigate(&item_path(&name, to), Default::default());
            true
        });
    }
    let network = match network_fit(rows, cols, NETWORK_INPUTS) {
        Ok(()) => {
            "These images have the network's 28×28 size, so the network can read them.".to_string()
        }
        Err(why) => why,
    };
    view! {
        <section class="page digit-page local-page">
            <h1>
                "Image " <span data-testid="digit-index">{thousands(index)}</span> " of your dataset “"
                {name.clone()} "”"
            </h1>
            <div class="digit-layout">
                <div class="digit-big">
                    <DigitCanvas
                        pixels
                        rows
                        cols
                        class="digit-canvas big"
                        label=format!("Image labelled {label}")
                    />
                </div>
                <dl class="digit-facts">
                    <dt>"Label"</dt>
                    <dd><span class="big-label" data-testid="digit-label">{label}</span></dd>
                    <dt>"Index"</dt>
                    <dd>{index}</dd>
                    <dt>"Size"</dt>
                    <dd data-testid="local-size">{format!("{rows}×{cols} pixels")}</dd>
                    <dt>"Classes"</dt>
                    <dd>{set.classes}</dd>
                </dl>
            </div>
            <nav class="digit-nav" aria-label="Images">
                {step_link(previous.map(|i| item_path(&name, i)), "← Previous", "prev")}
                <a href=link(&grid_path(&name, page_of(index)))>
                    {format!("Back to page {}", page_of(index))}
                </a>
                {step_link(next.map(|i| item_path(&name, i)), "Next →", "next")}
            </nav>
            <p class="hint">"Keys: ← and → step to the previous and next image."</p>
            <p class="note" data-testid="network-fit">{network}</p>
            <p>
                <a data-testid="network-link" href=link(&network_path(&name, index))>
                    "See it in the network"
                </a>
            </p>
        </section>
    }
}

/// What `/network?sample=local/{name}/{index}` shows: for images of the models' 28×28 size the
/// network reading it ([`LocalGraph`]); for any other size why not (images are never resized).
#[component]
pub fn LocalSampleNote(name: String, index: String) -> impl IntoView {
    let set_name = name.clone();
    with_named_set(Signal::derive(move || set_name.clone()), move |set| {
        let item = parse_item(&index, set.data.len());
        let (rows, cols) = (set.data.images.rows, set.data.images.cols);
        let (title, message, back) = match item {
            Err(message) => (
                "Nothing to show at this address".to_string(),
                message,
                grid_path(&set.name, 1),
            ),
            Ok(i) => {
                let message = match network_fit(rows, cols, NETWORK_INPUTS) {
                    Err(why) => why,
                    Ok(()) => match use_context::<NetworkState>() {
                        Some(state) => {
                            return view! { <LocalGraph state set=set.clone() index=i /> }
                                .into_any()
                        }
                        None => "These images have the network's 28×28 size, but this page \
                                 cannot show the network."
                            .to_string(),
                    },
                };
                (
                    format!("Image {i} of “{}” is not shown in the network", set.name),
                    message,
                    item_path(&set.name, i),
                )
            }
        };
        view! {
            <div class="error-view" role="alert" data-testid="local-network-note">
                <h2>{title}</h2>
                <p class="error-message">{message}</p>
                <div class="error-actions">
                    <a href=link(&back)>"Back to your dataset"</a>
                    " "
                    <a href=link("/network")>"Show the default digit"</a>
                </div>
            </div>
        }
        .into_any()
    })
}

/// One of the user's images of the model's own input size, through the loaded model: the whole
/// network with its activations and the prediction (the layer and neuron pages take only the
/// built-in sets). The page around it says when the model is loading or failed.
#[component]
fn LocalGraph(state: NetworkState, set: Arc<LocalSet>, index: usize) -> impl IntoView {
    let pixels = set.data.image(index).to_vec();
    let (rows, cols) = (set.data.images.rows, set.data.images.cols);
    let caption = format!(
        "Image {index} of your dataset “{}”, labelled {}",
        set.name,
        set.data.label(index)
    );
    let back = item_path(&set.name, index);
    move || {
        let Some(Ok(model)) = state.model.get() else {
            return ().into_any();
        };
        let network = model.network.clone();
        // Checked against the model itself: forward_trace would pad or cut another size.
        if let Err(why) = network_fit(rows, cols, network.input_size()) {
            return view! { <ErrorView title="Not shown in the network" message=why /> }.into_any();
        }
        let trace = Arc::new(network.forward_trace(&input_from_pixels(&pixels)));
        // The user's classes are numbers, as MNIST's are.
        let prediction = trace
            .a
            .last()
            .and_then(|a| prediction_line(DatasetName::Mnist, a));
        let trace = Memo::new(move |_| Some(trace.clone()));
        view! {
            <nav class="net-sample" aria-label="Sample">
                <span data-testid="sample">{caption.clone()}</span>
                <a href=link(&back)>"Back to the image"</a>
            </nav>
            <p class="net-prediction" data-testid="prediction">{prediction}</p>
            <NetworkGraph
                network
                focus=None
                selected=None
                trace
                edge_limit=state.edge_limit
                active=RwSignal::new(None)
                on_activate=Callback::new(|_| {})
            />
        }
        .into_any()
    }
}
