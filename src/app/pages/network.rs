//! `/network?sample=…`, `/network/layer/{L}`, `/network/layer/{L}/neuron/{J}`: the network graph
//! with one digit's activations.
//!
//! The three routes are one page ([`NetworkShell`]) that holds the loaded model (the shipped
//! default, or an uploaded `.mnn`), the number of edges drawn, and the "top digits" ranking,
//! so moving between them keeps all of that. Geometry and choices are in `core::viz`.

use std::cell::Cell;
use std::sync::Arc;

use js_sys::Uint8Array;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlInputElement, Response};

use super::network_detail::{LayerDetail, NeuronDetail};
use crate::app::components::dataset_gate::WithDataset;
use crate::app::components::error_view::ErrorView;
use crate::app::components::network_graph::{NetworkGraph, NETWORK_CSS};
use crate::app::data::use_dataset;
use crate::app::keys::{use_step_keys, Step};
use crate::app::link;
use crate::app::router::{use_navigate, use_params_map, use_query_map};
use crate::core::dataset::Dataset;
use crate::core::nn::{argmax, input_from_pixels, model, Network, Trace};
use crate::core::route::{parse_layer, parse_neuron, parse_sample, RouteError, SampleRef};
use crate::core::viz::links::{network_path, with_index};
use crate::core::viz::{describe, TopActivations};

/// The shipped model, relative to the document base URL.
const DEFAULT_MODEL: &str = "data/models/default.mnn";
/// Input and output widths a model must have to read MNIST digits.
const INPUTS: usize = 784;
const OUTPUTS: usize = 10;
/// Edges drawn between two layers, by default and at most.
pub const DEFAULT_EDGES: usize = 150;
pub const MAX_EDGES: usize = 2000;

/// A model ready to draw. `generation` changes whenever another model is loaded.
#[derive(Clone, Debug)]
pub struct LoadedModel {
    pub name: String,
    pub network: Arc<Network>,
    pub generation: u64,
}

impl PartialEq for LoadedModel {
    fn eq(&self, other: &Self) -> bool {
        self.generation == other.generation
    }
}

/// State shared by the network routes.
#[derive(Clone, Copy)]
pub struct NetworkState {
    /// None while the default model downloads; Err when it could not be loaded.
    pub model: RwSignal<Option<Result<LoadedModel, String>>>,
    /// Why the last uploaded file was refused (the current model is kept).
    pub upload_error: RwSignal<Option<String>>,
    /// Edges drawn between two consecutive layers.
    pub edge_limit: RwSignal<usize>,
    /// The test digits that activate each neuron most, for the model of that generation.
    pub tops: RwSignal<Option<(u64, Arc<TopActivations>)>>,
    /// Samples ranked so far while the ranking runs (None when idle).
    pub tops_progress: RwSignal<Option<usize>>,
}

thread_local! {
    static GENERATION: Cell<u64> = const { Cell::new(0) };
}

fn next_generation() -> u64 {
    GENERATION.with(|g| {
        g.set(g.get() + 1);
        g.get()
    })
}

/// Holds the model for the three network routes and loads the default one.
#[component]
pub fn NetworkShell() -> impl IntoView {
    let state = NetworkState {
        model: RwSignal::new(None),
        upload_error: RwSignal::new(None),
        edge_limit: RwSignal::new(DEFAULT_EDGES),
        tops: RwSignal::new(None),
        tops_progress: RwSignal::new(None),
    };
    provide_context(state);
    leptos::task::spawn_local(async move {
        let loaded = fetch_bytes(DEFAULT_MODEL)
            .await
            .and_then(|bytes| read_model(&bytes))
            .map(|network| LoadedModel {
                name: "the shipped model".into(),
                network: Arc::new(network),
                generation: next_generation(),
            })
            .map_err(|e| format!("Could not load the shipped model ({DEFAULT_MODEL}): {e}"));
        // An upload that finished first wins.
        if state
            .model
            .with_untracked(|m| m.as_ref().is_none_or(|m| m.is_err()))
        {
            state.model.set(Some(loaded));
        }
    });
    view! {
        <style>{NETWORK_CSS}</style>
        <NetworkPage />
    }
}

/// Parses model bytes and checks that the model reads 28×28 digits into 10 classes.
fn read_model(bytes: &[u8]) -> Result<Network, String> {
    let network = model::from_bytes(bytes).map_err(|e| e.to_string())?;
    model::check_shape(&network, INPUTS, OUTPUTS).map_err(|e| e.to_string())?;
    Ok(network)
}

/// GET `path` (relative to the document base URL) as bytes; the error is a sentence.
async fn fetch_bytes(path: &str) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let unreachable = || "the server could not be reached".to_string();
    let value = JsFuture::from(window.fetch_with_str(path))
        .await
        .map_err(|_| unreachable())?;
    let response: Response = value.dyn_into().map_err(|_| unreachable())?;
    if !response.ok() {
        return Err(format!("the server answered {}", response.status()));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(|_| unreachable())?)
        .await
        .map_err(|_| "the download was interrupted".to_string())?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Reads the chosen file and, if it is a valid model, makes it the current one.
fn upload_model(input: HtmlInputElement, state: NetworkState) {
    let Some(file) = input.files().and_then(|files| files.get(0)) else {
        return;
    };
    let name = file.name();
    leptos::task::spawn_local(async move {
        let bytes = JsFuture::from(file.array_buffer())
            .await
            .map(|b| Uint8Array::new(&b).to_vec())
            .map_err(|_| "the file could not be read".to_string());
        match bytes.and_then(|b| read_model(&b)) {
            Ok(network) => {
                state.upload_error.set(None);
                state.model.set(Some(Ok(LoadedModel {
                    name,
                    network: Arc::new(network),
                    generation: next_generation(),
                })));
            }
            Err(e) => state.upload_error.set(Some(format!(
                "{name} was not loaded: {e}. The current model is kept."
            ))),
        }
    });
}

/// What the route parameters name, once the model's layer widths are known.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Place {
    pub layer: Option<usize>,
    pub neuron: Option<usize>,
}

/// Checks `:layer` and `:neuron` against the drawn widths `sizes`.
fn place(layer: Option<&str>, neuron: Option<&str>, sizes: &[usize]) -> Result<Place, RouteError> {
    let layer = layer.map(|s| parse_layer(s, sizes.len())).transpose()?;
    let neuron = match (layer, neuron) {
        (Some(l), Some(s)) => Some(parse_neuron(s, sizes[l], l)?),
        _ => None,
    };
    Ok(Place { layer, neuron })
}

/// One of the three network routes.
#[component]
fn NetworkPage() -> impl IntoView {
    let state = expect_context::<NetworkState>();
    let query = use_query_map();
    let sample = Memo::new(move |_| parse_sample(query.read().get_str("sample")));
    // Which split to load: changes only when the dataset or split of the sample changes.
    let source = Memo::new(move |_| sample.get().ok().map(|s| (s.dataset, s.split)));
    // Start downloading the split now, while the model downloads (not after it).
    Effect::new(move |_| {
        if let Some((name, split)) = source.get() {
            let _ = use_dataset(name, split);
        }
    });
    let model_view = move || match state.model.get() {
        None => {
            view! { <p class="net-status" aria-live="polite">"Loading the model…"</p> }.into_any()
        }
        Some(Err(message)) => {
            view! { <ErrorView title="No model to draw" message=message /> }.into_any()
        }
        Some(Ok(model)) => {
            let model = model.clone();
            (move || {
                let model = model.clone();
                source.get().map(|(name, split)| {
                    let render = move |dataset: Arc<Dataset>| {
                        view! { <NetworkView dataset model=model.clone() sample /> }
                    };
                    view! { <WithDataset name split render /> }
                })
            })
            .into_any()
        }
    };
    view! {
        <section class="network-page">
            <h1>"The network"</h1>
            <ModelControls />
            {move || {
                sample
                    .get()
                    .err()
                    .map(|error| {
                        view! {
                            <ErrorView title="Nothing to show at this address" message=error.to_string()>
                                <a href=link("/network")>"Show the default digit"</a>
                            </ErrorView>
                        }
                    })
            }}
            {model_view}
        </section>
    }
}

/// Model upload and the number of edges drawn.
#[component]
fn ModelControls() -> impl IntoView {
    let state = expect_context::<NetworkState>();
    let model_name = move || match state.model.get() {
        Some(Ok(m)) => format!(
            "Model: {} ({})",
            m.name,
            m.network
                .sizes()
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join("–")
        ),
        Some(Err(_)) => "No model loaded".to_string(),
        None => "Loading the model…".to_string(),
    };
    let on_file = move |ev: leptos::ev::Event| {
        if let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        {
            upload_model(input, state);
        }
    };
    let on_edges = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev)
            .parse::<usize>()
            .unwrap_or(DEFAULT_EDGES);
        state.edge_limit.set(value.min(MAX_EDGES));
    };
    view! {
        <div class="net-controls">
            <span data-testid="model-name">{model_name}</span>
            <label>
                "Load a model (.mnn): "
                <input type="file" accept=".mnn" data-testid="model-upload" on:change=on_file />
            </label>
            <label>
                "Connections drawn between two layers: "
                <input
                    type="range"
                    min="0"
                    max=MAX_EDGES.to_string()
                    step="10"
                    data-testid="edge-count"
                    prop:value=move || state.edge_limit.get().to_string()
                    on:input=on_edges
                />
                <output>{move || state.edge_limit.get()}</output>
            </label>
            {move || {
                state
                    .upload_error
                    .get()
                    .map(|message| {
                        view! { <ErrorView title="That file is not a model" message=message /> }
                    })
            }}
        </div>
    }
}

thread_local! {
    static FIRST_PAINT_DONE: Cell<bool> = const { Cell::new(false) };
    static SWITCH_PENDING: Cell<bool> = const { Cell::new(false) };
}

const SWITCH_MARK: &str = "network-switch";

/// A sample switch starts (key, click, or URL change); keeps the earliest start while pending.
fn begin_switch() {
    if SWITCH_PENDING.with(|p| p.replace(true)) {
        return;
    }
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(SWITCH_MARK);
    }
}

/// The graph has been redrawn for a sample (called by the graph once its DOM is patched):
/// `network-first-paint` the first time, `network-render` after a switch.
fn graph_rendered() {
    let Some(p) = web_sys::window().and_then(|w| w.performance()) else {
        return;
    };
    let pending = SWITCH_PENDING.with(|f| f.replace(false));
    if !FIRST_PAINT_DONE.with(|f| f.replace(true)) {
        let _ = p.measure("network-first-paint");
    } else if pending {
        let _ = p.measure_with_start_mark("network-render", SWITCH_MARK);
    }
}

/// The pixels of image `index` as network input (pixel / 255).
fn input_of(dataset: &Dataset, index: usize) -> Vec<f32> {
    input_from_pixels(dataset.image(index))
}

/// The page once model and split are loaded.
#[component]
fn NetworkView(
    dataset: Arc<Dataset>,
    model: LoadedModel,
    sample: Memo<Result<SampleRef, RouteError>>,
) -> impl IntoView {
    let state = expect_context::<NetworkState>();
    let params = use_params_map();
    let network = model.network.clone();
    let sizes = network.sizes();
    let place = {
        let sizes = sizes.clone();
        Memo::new(move |_| {
            let p = params.read();
            place(p.get_str("layer"), p.get_str("neuron"), &sizes)
        })
    };
    let len = dataset.len();
    // The sample, checked against the loaded split.
    let current = Memo::new(move |_| {
        let s = sample.get()?;
        s.checked_index(len).map(|_| s)
    });
    let trace: Memo<Option<Arc<Trace>>> = {
        let (dataset, network) = (dataset.clone(), network.clone());
        Memo::new(move |previous: Option<&Option<Arc<Trace>>>| {
            let s = current.get().ok()?;
            if previous.is_some_and(|p| p.is_some()) {
                begin_switch();
            }
            Some(Arc::new(
                network.forward_trace(&input_of(&dataset, s.index)),
            ))
        })
    };

    // ← → move to the previous / next sample of the split, keeping the layer / neuron.
    let navigate = use_navigate();
    let go_to = move |index: usize| {
        let (Ok(s), Ok(p)) = (current.get_untracked(), place.get_untracked()) else {
            return false;
        };
        begin_switch();
        navigate(
            &network_path(p.layer, p.neuron, &with_index(&s, index)),
            Default::default(),
        );
        true
    };
    use_step_keys(move |step| {
        let Ok(s) = current.get_untracked() else {
            return false;
        };
        match step {
            Step::Back if s.index > 0 => go_to(s.index - 1),
            Step::Forward if s.index + 1 < len => go_to(s.index + 1),
            _ => false,
        }
    });
    let here = move |index: usize| {
        let s = current.get().ok()?;
        let p = place.get().ok()?;
        Some(link(&network_path(
            p.layer,
            p.neuron,
            &with_index(&s, index),
        )))
    };
    let prev_href = move || {
        current
            .get()
            .ok()
            .filter(|s| s.index > 0)
            .and_then(|s| here(s.index - 1))
    };
    let next_href = move || {
        current
            .get()
            .ok()
            .filter(|s| s.index + 1 < len)
            .and_then(|s| here(s.index + 1))
    };

    let active = RwSignal::new(None::<(usize, usize)>);
    let label_of = {
        let dataset = dataset.clone();
        move |s: &SampleRef| dataset.label(s.index)
    };
    let prediction = move || {
        let t = trace.get()?;
        let out = t.a.last()?;
        let c = argmax(out)?;
        Some(format!("Predicted: {c} ({:.1} %)", out[c] * 100.0))
    };
    let description = {
        let sizes = sizes.clone();
        let label_of = label_of.clone();
        move || {
            let s = current.get().ok()?;
            let t = trace.get()?;
            let what = format!("{} {} digit {}", s.dataset.title(), s.split.id(), s.index);
            Some(describe(&sizes, &what, Some(label_of(&s)), t.a.last()?))
        }
    };
    let sample_text = {
        move || {
            current.get().ok().map(|s| {
                format!(
                    "{} {} digit {} of {} (labelled {})",
                    s.dataset.title(),
                    s.split.id(),
                    s.index,
                    len,
                    label_of(&s)
                )
            })
        }
    };
    let sample_error =
        move || {
            sample.get().ok().and_then(|s| s.checked_index(len).err()).map(|error| {
            view! {
                <ErrorView title="Nothing to show at this address" message=error.to_string()>
                    <a href=link("/network")>"Show the default digit"</a>
                </ErrorView>
            }
        })
        };
    let on_activate = {
        let navigate = use_navigate();
        Callback::new(move |(l, j): (usize, usize)| {
            if let Ok(s) = current.get_untracked() {
                navigate(&network_path(Some(l), Some(j), &s), Default::default());
            }
        })
    };
    let graph_and_details = {
        let network = network.clone();
        move || match place.get() {
            Err(error) => view! {
                <ErrorView title="Nothing to show at this address" message=error.to_string()>
                    <a href=link("/network")>"Show the whole network"</a>
                </ErrorView>
            }
            .into_any(),
            Ok(p) => {
                let detail = match (p.layer, p.neuron) {
                    (Some(l), Some(j)) => view! {
                        <NeuronDetail network=network.clone() generation=model.generation layer=l neuron=j trace />
                    }
                    .into_any(),
                    (Some(l), None) => view! {
                        <LayerDetail network=network.clone() layer=l trace current />
                    }
                    .into_any(),
                    _ => ().into_any(),
                };
                view! {
                    <NetworkGraph
                        network=network.clone()
                        focus=p.layer
                        selected=p.layer.zip(p.neuron)
                        trace
                        edge_limit=state.edge_limit
                        active
                        on_activate
                        on_rendered=Callback::new(|_| graph_rendered())
                    />
                    {detail}
                }
                .into_any()
            }
        }
    };
    view! {
        <nav class="net-sample" aria-label="Sample">
            {move || prev_href().map(|href| view! { <a href=href rel="prev" data-testid="prev-sample">"← Previous digit"</a> })}
            <span data-testid="sample">{sample_text}</span>
            {move || next_href().map(|href| view! { <a href=href rel="next" data-testid="next-sample">"Next digit →"</a> })}
            {move || {
                current.get().ok().map(|s| {
                    view! {
                        <a href=link(&crate::core::links::digit_path(s.dataset, s.split, s.index))>
                            "Open this digit"
                        </a>
                    }
                })
            }}
        </nav>
        {sample_error}
        <p class="net-prediction" data-testid="prediction">{prediction}</p>
        <p id="network-description" class="sr-only">{description}</p>
        {graph_and_details}
    }
}
