//! `/network?sample=…`, `/network/layer/{L}`, `/network/layer/{L}/neuron/{J}`: the network graph
//! with one digit's activations. With `?input=…` instead of `?sample=`, the digit is a drawing
//! from `/draw` that travels in the link (`core::input_code`).
//!
//! `/network` is a parent route ([`NetworkPage`]) that holds the loaded model (the shipped
//! default, or an uploaded `.mnn`), the number of edges drawn, the "top digits" ranking and the
//! graph, so moving between the graph, a layer and a neuron keeps all of that. Its child routes
//! ([`NetworkPlace`] in its `<Outlet/>`) name the layer and neuron: they tell the graph which
//! (through [`NetworkState::place`]) and show that layer's or neuron's panel under it.
//! Geometry and choices are in `core::viz`.

use std::cell::Cell;
use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::{query_signal, use_navigate, use_params_map};
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use super::local::LocalSampleNote;
use super::network_detail::{LayerDetail, NeuronDetail};
use super::RouteProblem;
use crate::app::api::Abort;
use crate::app::components::chosen_note::ChosenModelNote;
use crate::app::components::dataset_gate::WithDataset;
use crate::app::components::error_view::ErrorView;
use crate::app::components::network_graph::NetworkGraph;
use crate::app::data::use_dataset;
use crate::app::keys::{use_step_keys, Step};
use crate::app::models::{chosen_file, download_shipped_for, read_model, use_models};
use crate::app::{link, perf};
use crate::core::dataset::{Dataset, DatasetName, Split};
use crate::core::grid::neighbours;
use crate::core::input_code;
use crate::core::nn::{input_from_pixels, Network, Trace};
use crate::core::paths::{digit_path, subject_path, with_index};
use crate::core::url::{parse_layer, parse_neuron, parse_subject, RouteError, Subject};
use crate::core::viz::{describe, prediction_line, sample_caption, TopActivations};

/// Edges drawn between two layers, by default and at most.
pub const DEFAULT_EDGES: usize = 150;
pub const MAX_EDGES: usize = 2000;

/// A model ready to draw. `generation` changes whenever another model is loaded.
#[derive(Clone, Debug)]
pub struct LoadedModel {
    pub name: String,
    /// The dataset whose shipped model this is (None: an uploaded, chosen or trained model).
    pub shipped: Option<DatasetName>,
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
    /// The test digits that activate each neuron most, for the model of that generation and the
    /// test set of that dataset.
    pub tops: RwSignal<Option<(u64, DatasetName, Arc<TopActivations>)>>,
    /// Samples ranked so far while the ranking runs (None when idle).
    pub tops_progress: RwSignal<Option<usize>>,
    /// The `:layer` and `:neuron` segments of the child route shown (unchecked).
    pub place: RwSignal<PlaceSegments>,
    /// What the graph shows, for the child routes' panels (None until model and data are in).
    pub shown: RwSignal<Option<Shown>>,
}

/// The `:layer` and `:neuron` segments of the address, as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlaceSegments {
    pub layer: Option<String>,
    pub neuron: Option<String>,
}

/// The model, sample and place the graph shows, shared with the panels under it.
#[derive(Clone)]
pub struct Shown {
    pub network: Arc<Network>,
    /// The dataset the sample comes from (its test set ranks the top digits).
    pub dataset: DatasetName,
    pub generation: u64,
    pub trace: Memo<Option<Arc<Trace>>>,
    pub current: Memo<Result<Subject, RouteError>>,
    pub place: Memo<Result<Place, RouteError>>,
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

/// Downloads the shipped model trained on `dataset` and shows it, unless an upload finished first
/// (the download stops if the user leaves first).
pub async fn load_shipped(state: NetworkState, abort: Abort, dataset: DatasetName) {
    let loaded = download_shipped_for(dataset, &abort)
        .await
        .map(|network| LoadedModel {
            name: match dataset {
                DatasetName::Mnist => "the shipped model".to_string(),
                _ => format!("the shipped {} model", dataset.title()),
            },
            shipped: Some(dataset),
            network: Arc::new(network),
            generation: next_generation(),
        });
    // An upload that finished first wins; a page that is gone takes nothing. The shipped model
    // of another dataset (the address changed while this one downloaded) gives way.
    let _ = state.model.try_update(|model| {
        let replace = match model {
            None | Some(Err(_)) => true,
            Some(Ok(m)) => m.shipped.is_some_and(|d| d != dataset),
        };
        if replace {
            *model = Some(loaded);
        }
    });
}

/// The dataset of what the address shows: the `?sample=`'s, MNIST's for a drawing (`?input=`),
/// and MNIST's when it names none or is wrong.
pub fn sample_dataset(sample: Option<&str>, input: Option<&str>) -> DatasetName {
    match parse_subject(sample, input) {
        Ok(Subject::Sample(s)) => s.dataset,
        _ => DatasetName::Mnist,
    }
}

/// The `/network` parent route: holds the model and the graph for its child routes and loads the
/// app's chosen model or the shipped one.
#[component]
pub fn NetworkPage() -> impl IntoView {
    let state = NetworkState {
        model: RwSignal::new(None),
        upload_error: RwSignal::new(None),
        edge_limit: RwSignal::new(DEFAULT_EDGES),
        tops: RwSignal::new(None),
        tops_progress: RwSignal::new(None),
        place: RwSignal::new(PlaceSegments::default()),
        shown: RwSignal::new(None),
    };
    provide_context(state);
    let abort = Abort::new();
    on_cleanup({
        let abort = abort.clone();
        move || abort.abort()
    });
    // The app's chosen model (or, with `model=trained` in the link, the last one trained on
    // /train) replaces the shipped one; see crate::app::models.
    let models = use_models();
    let (model_param, _) = query_signal::<String>("model");
    let wants_trained = Memo::new(move |_| model_param.read().as_deref() == Some("trained"));
    // The shipped model shown is the one trained on the sample's dataset.
    let (sample_param, _) = query_signal::<String>("sample");
    let (input_param, _) = query_signal::<String>("input");
    let dataset = Memo::new(move |_| {
        sample_dataset(
            sample_param.read().as_deref(),
            input_param.read().as_deref(),
        )
    });
    Effect::new(move |_| {
        let trained = wants_trained.get();
        let dataset = dataset.get();
        let abort = abort.clone();
        leptos::task::spawn_local(async move {
            let picked = models.for_network(trained).await;
            let _ = models.notice.try_set(picked.as_ref().err().cloned());
            match picked {
                Ok(Some(m)) => {
                    let _ = state.model.try_update(|model| {
                        // Already shown (e.g. the link lost its `model=`): no new generation.
                        let shown =
                            matches!(model, Some(Ok(l)) if Arc::ptr_eq(&l.network, &m.network));
                        if !shown {
                            *model = Some(Ok(LoadedModel {
                                name: m.name,
                                shipped: None,
                                network: m.network,
                                generation: next_generation(),
                            }));
                        }
                    });
                }
                Ok(None) => {
                    // Already showing this dataset's shipped model: nothing to download.
                    let mut have = false;
                    let _ = state.model.try_update(|model| match model {
                        Some(Ok(m)) if m.shipped == Some(dataset) => have = true,
                        // Another dataset's shipped model goes ("Loading the model…").
                        Some(Ok(m)) if m.shipped.is_some() => *model = None,
                        // An uploaded model stays (load_shipped does not replace it).
                        _ => {}
                    });
                    if !have {
                        load_shipped(state, abort, dataset).await
                    }
                }
                // The link asked for a model this browser does not have: the shipped one.
                Err(_) => {
                    let _ = state.model.try_set(None);
                    load_shipped(state, abort, dataset).await
                }
            }
        });
    });
    view! { <NetworkBody /> }
}

/// The part of every `/network…` child route that depends on its segments: tells the graph
/// which layer and neuron the address names, and shows that layer's or neuron's panel.
#[component]
pub fn NetworkPlace() -> impl IntoView {
    let state = expect_context::<NetworkState>();
    let params = use_params_map();
    Effect::new(move |_| {
        let segments = params.with(|p| PlaceSegments {
            layer: p.get("layer"),
            neuron: p.get("neuron"),
        });
        if state.place.with_untracked(|p| *p != segments) {
            state.place.set(segments);
        }
    });
    move || {
        let shown = state.shown.get()?;
        let place = shown.place.get().ok()?;
        let Shown {
            network,
            dataset,
            generation,
            trace,
            current,
            ..
        } = shown;
        Some(match (place.layer, place.neuron) {
            (Some(layer), Some(neuron)) => view! {
                <NeuronDetail network dataset generation layer neuron trace />
            }
            .into_any(),
            (Some(layer), None) => view! { <LayerDetail network layer trace current /> }.into_any(),
            _ => ().into_any(),
        })
    }
}

/// Reads the chosen file and, if it is a valid model, makes it the current one.
fn upload_model(input: HtmlInputElement, state: NetworkState) {
    leptos::task::spawn_local(async move {
        let Some((name, bytes)) = chosen_file(&input).await else {
            return;
        };
        let read = bytes
            .ok_or_else(|| "the file could not be read".to_string())
            .and_then(|b| read_model(&b));
        match read {
            Ok(network) => {
                state.upload_error.set(None);
                state.model.set(Some(Ok(LoadedModel {
                    name,
                    shipped: None,
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

/// Controls, the sample's problems, the graph, and the child route's panel.
#[component]
fn NetworkBody() -> impl IntoView {
    let state = expect_context::<NetworkState>();
    let (sample_text, _) = query_signal::<String>("sample");
    let (input_text, _) = query_signal::<String>("input");
    let subject = Memo::new(move |_| {
        parse_subject(sample_text.read().as_deref(), input_text.read().as_deref())
    });
    // `?sample=local/{name}/{index}`: one of the user's own images (pages::local explains).
    let local = Memo::new(move |_| {
        // A drawing (readable or not) wins over any sample.
        if subject.with(|s| matches!(s, Ok(Subject::Drawing(_)) | Err(RouteError::BadInput(_)))) {
            return None;
        }
        sample_text
            .read()
            .as_deref()
            .and_then(crate::core::local::parse_network_sample)
    });
    // What to show it from: changes only when the dataset or split of the sample changes, or
    // between a sample and a drawing.
    let source = Memo::new(move |_| subject.with(|s| s.as_ref().ok().map(Source::of)));
    // Start downloading the split now, while the model downloads (not after it).
    Effect::new(move |_| {
        if let Some(Source::Split(name, split)) = source.get() {
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
                source.get().map(|source| match source {
                    Source::Split(name, split) => {
                        let render = move |dataset: Arc<Dataset>| {
                            let dataset = Some(dataset);
                            view! { <NetworkView dataset name model=model.clone() subject /> }
                        };
                        view! { <WithDataset name split render /> }.into_any()
                    }
                    // A drawing is a handwritten digit: read with MNIST's class names.
                    Source::Drawing => view! {
                        <NetworkView dataset=None name=DatasetName::Mnist model subject />
                    }
                    .into_any(),
                })
            })
            .into_any()
        }
    };
    view! {
        <section class="network-page">
            <h1>"The network"</h1>
            <ChosenModelNote />
            <ModelControls />
            {move || {
                subject
                    .get()
                    .err()
                    .filter(|_| local.with(Option::is_none))
                    .map(|error| {
                        view! { <RouteProblem error back="/network" back_text="Show the default digit" /> }
                    })
            }}
            {move || {
                local.get().map(|(name, index)| view! { <LocalSampleNote name index /> })
            }}
            {model_view}
            <Outlet />
        </section>
    }
}

/// Where the shown input comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Split(DatasetName, Split),
    Drawing,
}

impl Source {
    fn of(subject: &Subject) -> Source {
        match subject {
            Subject::Sample(s) => Source::Split(s.dataset, s.split),
            Subject::Drawing(_) => Source::Drawing,
        }
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

/// What the view shows for the current address, shared by its parts.
#[derive(Clone, Copy)]
struct Viewed {
    /// The sample (checked against the loaded split) or the drawing.
    current: Memo<Result<Subject, RouteError>>,
    /// The layer and neuron, checked against the model.
    place: Memo<Result<Place, RouteError>>,
    /// The model's z and a for the sample.
    trace: Memo<Option<Arc<Trace>>>,
    /// Samples in the split (0 for a drawing).
    len: usize,
}

impl Viewed {
    /// The app path of this view (same layer and neuron) for another sample index.
    fn path_to(&self, index: usize) -> Option<String> {
        let s = self.current.get().ok()?.sample()?;
        let p = self.place.get().ok()?;
        let other = Subject::Sample(with_index(&s, index));
        Some(subject_path(p.layer, p.neuron, &other))
    }

    /// The previous and next sample indices, where they exist.
    fn neighbours(&self) -> (Option<usize>, Option<usize>) {
        match self.current.get().ok().and_then(|s| s.sample()) {
            Some(s) => neighbours(s.index, self.len),
            None => (None, None),
        }
    }
}

/// The page once the model and the split (none for a drawing) are loaded.
#[component]
fn NetworkView(
    dataset: Option<Arc<Dataset>>,
    name: DatasetName,
    model: LoadedModel,
    subject: Memo<Result<Subject, RouteError>>,
) -> impl IntoView {
    let state = expect_context::<NetworkState>();
    let network = model.network.clone();
    let sizes = network.sizes();
    let len = dataset.as_ref().map_or(0, |d| d.len());
    let place = Memo::new(move |_| {
        let p = state.place.read();
        place(p.layer.as_deref(), p.neuron.as_deref(), &sizes)
    });
    let current = Memo::new(move |_| {
        let subject = subject.get()?;
        match &subject {
            Subject::Sample(s) => s.checked_index(len).map(|_| subject),
            Subject::Drawing(_) => Ok(subject),
        }
    });
    let trace = {
        let (dataset, network) = (dataset.clone(), network.clone());
        Memo::new(move |previous: Option<&Option<Arc<Trace>>>| {
            let subject = current.get().ok()?;
            if previous.is_some_and(|p| p.is_some()) {
                perf::NETWORK.begin();
            }
            let x = match &subject {
                Subject::Sample(s) => input_from_pixels(dataset.as_ref()?.image(s.index)),
                // Checked when the link was read.
                Subject::Drawing(code) => input_from_pixels(&input_code::decode(code).ok()?),
            };
            Some(Arc::new(network.forward_trace(&x)))
        })
    };
    let viewed = Viewed {
        current,
        place,
        trace,
        len,
    };
    use_sample_keys(viewed);
    state.shown.set(Some(Shown {
        network: network.clone(),
        dataset: name,
        generation: model.generation,
        trace,
        current,
        place,
    }));
    on_cleanup(move || {
        let _ = state.shown.try_set(None);
    });
    let sample_problem = move || {
        let error = subject.get().ok()?.sample()?.checked_index(len).err()?;
        Some(view! { <RouteProblem error back="/network" back_text="Show the default digit" /> })
    };
    let prediction = move || prediction_line(name, trace.get()?.a.last()?);
    view! {
        <SampleNav viewed dataset=dataset.clone() />
        {sample_problem}
        <p class="net-prediction" data-testid="prediction">{prediction}</p>
        <Description viewed dataset name network=network.clone() />
        <GraphOrProblem viewed name network />
    }
}

/// ← → move to the previous / next sample of the split, keeping the layer and neuron.
fn use_sample_keys(viewed: Viewed) {
    let navigate = use_navigate();
    use_step_keys(move |step| {
        let (previous, next) = viewed.neighbours();
        let to = match step {
            Step::Back => previous,
            Step::Forward => next,
        };
        let Some(path) = to.and_then(|index| viewed.path_to(index)) else {
            return false;
        };
        perf::NETWORK.begin();
        navigate(&path, Default::default());
        true
    });
}

/// "← Previous digit · MNIST test digit 12 of 10000 (labelled 7) · Next digit → · Open this digit",
/// or, for a drawing, what it is and a way back to the pad.
#[component]
fn SampleNav(viewed: Viewed, dataset: Option<Arc<Dataset>>) -> impl IntoView {
    let Some(dataset) = dataset else {
        return view! {
            <nav class="net-sample" aria-label="Sample">
                <span data-testid="sample">"A drawing from the drawing pad (28×28 grey levels, from the link)"</span>
                <a href=link("/draw")>"Draw another"</a>
            </nav>
        }
        .into_any();
    };
    let step = move |index: Option<usize>| index.and_then(|i| viewed.path_to(i)).map(|p| link(&p));
    let previous = move || step(viewed.neighbours().0);
    let next = move || step(viewed.neighbours().1);
    let caption = move || {
        let s = viewed.current.get().ok()?.sample()?;
        Some(sample_caption(&s, viewed.len, dataset.label(s.index)))
    };
    // "digit" / "item", as the sample's dataset calls one image.
    let noun = move || {
        viewed
            .current
            .get()
            .ok()
            .and_then(|s| s.sample())
            .map_or("digit", |s| s.dataset.item_noun())
    };
    let open_digit = move || {
        let s = viewed.current.get().ok()?.sample()?;
        Some(link(&digit_path(s.dataset, s.split, s.index)))
    };
    view! {
        <nav class="net-sample" aria-label="Sample">
            {move || previous().map(|href| view! { <a href=href rel="prev" data-testid="prev-sample">{format!("← Previous {}", noun())}</a> })}
            <span data-testid="sample">{caption}</span>
            {move || next().map(|href| view! { <a href=href rel="next" data-testid="next-sample">{format!("Next {} →", noun())}</a> })}
            {move || open_digit().map(|href| view! { <a href=href>{format!("Open this {}", noun())}</a> })}
        </nav>
    }
    .into_any()
}

/// The graph in words, for screen readers (the graph's `aria-describedby`).
#[component]
fn Description(
    viewed: Viewed,
    dataset: Option<Arc<Dataset>>,
    name: DatasetName,
    network: Arc<Network>,
) -> impl IntoView {
    let sizes = network.sizes();
    let text = move || {
        let subject = viewed.current.get().ok()?;
        let t = viewed.trace.get()?;
        let (what, label) = match (subject.sample(), &dataset) {
            (Some(s), Some(d)) => (
                format!(
                    "{} {} {} {}",
                    s.dataset.title(),
                    s.split.id(),
                    s.dataset.item_noun(),
                    s.index
                ),
                Some(d.label(s.index)),
            ),
            _ => ("a drawing from the drawing pad".to_string(), None),
        };
        Some(describe(&sizes, name, &what, label, t.a.last()?))
    };
    view! { <p id="network-description" class="sr-only">{text}</p> }
}

/// The graph, or why the address names no layer or neuron of this model. Enter on a neuron
/// opens its page.
#[component]
fn GraphOrProblem(viewed: Viewed, name: DatasetName, network: Arc<Network>) -> impl IntoView {
    let state = expect_context::<NetworkState>();
    let active = RwSignal::new(None::<(usize, usize)>);
    let navigate = use_navigate();
    let on_activate = Callback::new(move |(l, j): (usize, usize)| {
        if let Ok(s) = viewed.current.get_untracked() {
            navigate(&subject_path(Some(l), Some(j), &s), Default::default());
        }
    });
    move || match viewed.place.get() {
        Err(error) => view! {
            <RouteProblem error back="/network" back_text="Show the whole network" />
        }
        .into_any(),
        Ok(p) => view! {
            <NetworkGraph
                network=network.clone()
                classes=name
                focus=p.layer
                selected=p.layer.zip(p.neuron)
                trace=viewed.trace
                edge_limit=state.edge_limit
                active
                on_activate
                on_rendered=Callback::new(|_| perf::NETWORK.done())
            />
        }
        .into_any(),
    }
}
