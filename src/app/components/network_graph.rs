//! The SVG graph of a network for one sample: a thin mapping of `core::viz` into elements.
//!
//! The structure (columns, neurons, labels) is built once per model and focus; a sample switch
//! only changes fills, output labels and the edge paths.
//! Hooks: `svg[data-testid="network-graph"]`, `g[data-layer=K]`, `[data-neuron=J]` inside.

use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlCanvasElement, KeyboardEvent, NodeList, SvgElement};

use crate::app::components::digit_canvas::paint_rgba;
use crate::app::dom::set_fills;
use crate::core::dataset::DatasetName;
use crate::core::nn::{argmax, Network, Trace};
use crate::core::viz::layout::{Column, Frame, Layout};
use crate::core::viz::markup::{
    css_run, edges_markup, is_image, layer_fills, neuron_id, neurons_markup, rgba_of,
};
use crate::core::viz::scale::{MAX_STROKE, MIN_STROKE, NEGATIVE, POSITIVE, WHITE, WIDTH_LEVELS};
use crate::core::viz::{
    edge_paths, layer_name, layout, output_class, step_focus, strongest_edges, EdgePath, Move,
    NeuronSummary, Rgb,
};

/// The drawing area (the SVG viewBox); CSS scales it to the page width.
pub const FRAME: Frame = Frame {
    width: 1000.0,
    height: 560.0,
};

/// The edge paths of every gap between consecutive columns for the trace.
fn paths_of(network: &Network, trace: &Trace, lay: &Layout, limit: usize) -> Vec<EdgePath> {
    let mut all = Vec::new();
    for (l, dense) in network.layers.iter().enumerate() {
        let (Some(from), Some(to), Some(a)) =
            (lay.columns.get(l), lay.columns.get(l + 1), trace.a.get(l))
        else {
            continue;
        };
        let edges = strongest_edges(&dense.weights, dense.inputs, a, limit);
        all.extend(edge_paths(&edges, from, to));
    }
    all
}

/// (layer, neuron) of the neuron element an event happened on, if any.
fn neuron_of(target: Option<web_sys::EventTarget>) -> Option<(usize, usize)> {
    let el: Element = target?.dyn_into().ok()?;
    let neuron = el.closest("[data-neuron]").ok()??;
    let layer = neuron.closest("[data-layer]").ok()??;
    let j = neuron.get_attribute("data-neuron")?.parse().ok()?;
    let l = layer.get_attribute("data-layer")?.parse().ok()?;
    Some((l, j))
}

/// Moves the DOM focus to neuron (l, j).
fn focus_neuron(l: usize, j: usize) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(&neuron_id(l, j)))
        .and_then(|e| e.dyn_into::<SvgElement>().ok())
    {
        let _ = el.focus();
    }
}

/// What is drawn for one trace: fills of the layers drawn as elements (empty for the input
/// image) and the edge markup, to patch only what changed on the next switch.
struct Drawn {
    fills: Vec<Vec<Rgb>>,
    edges: String,
    trace: Option<Arc<Trace>>,
}

/// The neuron elements of every layer (looked up once; empty for the input image), the input
/// image canvas and the edges group.
struct Targets {
    neurons: Vec<Option<NodeList>>,
    image: Option<HtmlCanvasElement>,
    edges: Option<Element>,
}

/// The neuron elements of every layer: one `querySelectorAll` per layer (they are in neuron
/// order in the markup), not one lookup per neuron.
fn targets(svg: &Element, lay: &Layout) -> Targets {
    let neurons = lay
        .columns
        .iter()
        .map(|c| {
            if is_image(c) {
                return None;
            }
            let selector = format!("g[data-layer=\"{}\"] > g.neurons > [data-neuron]", c.layer);
            svg.query_selector_all(&selector).ok()
        })
        .collect();
    let image = svg
        .query_selector("canvas.input-image")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<HtmlCanvasElement>().ok());
    let edges = svg.query_selector("g.edges").ok().flatten();
    Targets {
        neurons,
        image,
        edges,
    }
}

/// Fills of every drawn layer for the trace (all white without one).
fn fills_of(trace: Option<&Trace>, sizes: &[usize]) -> Vec<Vec<Rgb>> {
    sizes
        .iter()
        .enumerate()
        .map(|(l, &n)| match trace.and_then(|t| t.a.get(l)) {
            Some(a) => layer_fills(a),
            None => vec![WHITE; n],
        })
        .collect()
}

/// Brings the drawing from `previous` to the trace: paints the input image in one call, sets the
/// fill of the neurons whose colour changed, and replaces the edges when they changed.
fn redraw(
    targets: &Targets,
    lay: &Layout,
    previous: Option<&Drawn>,
    fills: Vec<Vec<Rgb>>,
    edges: String,
    trace: Arc<Trace>,
) -> Drawn {
    for (l, colours) in fills.iter().enumerate() {
        let col = &lay.columns[l];
        if is_image(col) {
            if let Some(canvas) = &targets.image {
                let _ = paint_rgba(canvas, &rgba_of(colours), col.grid_rows, col.grid_cols);
            }
            continue;
        }
        let old = previous.and_then(|p| p.fills.get(l));
        let changed: Vec<u32> = (0..colours.len())
            .filter(|&j| old.and_then(|o| o.get(j)) != colours.get(j))
            .map(|j| j as u32)
            .collect();
        if let (false, Some(elements)) = (
            changed.is_empty(),
            targets.neurons.get(l).and_then(Option::as_ref),
        ) {
            set_fills(elements, &css_run(colours), &changed);
        }
    }
    if previous.is_none_or(|p| p.edges != edges) {
        if let Some(g) = &targets.edges {
            g.set_inner_html(&edges);
        }
    }
    Drawn {
        fills,
        edges,
        trace: Some(trace),
    }
}

/// A column of neurons, the layer's `g[data-layer]`: the input image is one canvas under
/// transparent pixel elements (hover and focus targets); other neurons are drawn with `fills`.
fn column_view(col: &Column, layers: usize, fills: Option<&[Rgb]>, focused: bool) -> impl IntoView {
    let l = col.layer;
    let name = layer_name(l, layers);
    let title = format!("{} · {}", name, col.neurons.len());
    let aria = format!("Layer {l}, {name}, {} neurons", col.neurons.len());
    let bounds = col.bounds().unwrap_or((col.x, 20.0, col.x, 20.0));
    let focus_box = focused.then(|| {
        let (x0, y0, x1, y1) = bounds;
        view! { <rect class="focused-box" x=x0 - 6.0 y=y0 - 6.0 width=x1 - x0 + 12.0 height=y1 - y0 + 12.0 rx="6" /> }
    });
    let image = is_image(col).then(|| {
        let (x0, y0, x1, y1) = bounds;
        view! {
            <foreignObject x=x0 y=y0 width=x1 - x0 height=y1 - y0 aria-hidden="true">
                <canvas class="input-image" width=col.grid_cols height=col.grid_rows></canvas>
            </foreignObject>
        }
    });
    let markup = neurons_markup(col, if is_image(col) { None } else { fills });
    view! {
        <g data-layer=l role="group" aria-label=aria class="layer">
            {focus_box}
            <text class="col-title" x=col.x y=bounds.1 - 8.0>{title}</text>
            {image}
            <g class="neurons" inner_html=markup></g>
        </g>
    }
}

/// Zoom steps of the graph, in % of its box's width (the graph pans by scrolling in its box).
const ZOOMS: [u32; 5] = [100, 150, 200, 300, 400];

/// The graph. `focus`: the enlarged layer; `selected`: the neuron of a neuron page; `active`:
/// the hovered or focused neuron (shared with the info line); Enter on a neuron calls `on_activate`.
#[component]
pub fn NetworkGraph(
    network: Arc<Network>,
    focus: Option<usize>,
    selected: Option<(usize, usize)>,
    trace: Memo<Option<Arc<Trace>>>,
    edge_limit: RwSignal<usize>,
    active: RwSignal<Option<(usize, usize)>>,
    on_activate: Callback<(usize, usize)>,
    /// Whose class names label the output neurons (MNIST's digits when not given).
    #[prop(optional)]
    classes: Option<DatasetName>,
    /// Called each time the graph has been redrawn for a trace (or edge limit).
    #[prop(optional)]
    on_rendered: Option<Callback<()>>,
) -> impl IntoView {
    let sizes = network.sizes();
    let lay = Arc::new(layout(&sizes, FRAME, focus));
    let layers = sizes.len();
    // The first fills go into the markup; later ones are patched by `use_redraw`.
    let first_fills = trace.with_untracked(|t| fills_of(t.as_deref(), &sizes));
    let columns: Vec<_> = lay
        .columns
        .iter()
        .map(|c| {
            let fills = first_fills.get(c.layer).map(Vec::as_slice);
            column_view(c, layers, fills, focus == Some(c.layer))
        })
        .collect();
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    use_redraw(Redraw {
        network: network.clone(),
        lay: lay.clone(),
        svg: svg_ref,
        trace,
        edge_limit,
        first_fills,
        on_rendered,
    });
    let output_labels = lay.columns.last().filter(|_| layers > 1).map(|col| {
        let classes = classes.unwrap_or(DatasetName::Mnist);
        view! { <OutputLabels col=col.clone() trace classes /> }
    });
    let selected_ring = selected.and_then(|(l, j)| {
        let col = lay.columns.get(l)?;
        let p = col.neurons.get(j)?;
        let r = p.half_extent(col.shape) + 4.0;
        Some(view! { <circle class="ring selected" cx=p.x cy=p.y r=r /> })
    });
    let start = (focus.unwrap_or(1).min(layers - 1), 0);
    let on_keydown = move |ev: KeyboardEvent| {
        on_graph_key(&ev, &sizes, active, selected.unwrap_or(start), on_activate)
    };
    let hover = move |target: Option<web_sys::EventTarget>| {
        if let Some(n) = neuron_of(target) {
            active.set(Some(n));
        }
    };
    let view_box = format!("0 0 {} {}", FRAME.width, FRAME.height);
    // The box scrolls the graph on narrow screens (theme.css gives the graph a minimum width
    // there), so the page itself never scrolls sideways.
    // None: the stylesheet's size (the box's width; at least 640 px on a phone).
    let zoom = RwSignal::new(None::<usize>);
    let zoom_style = move || {
        zoom.get()
            .map(|i| format!("width: {}%; min-width: 0; max-width: none", ZOOMS[i]))
    };
    view! {
        <div class="graph-zoom" role="group" aria-label="Zoom the graph">
            <button
                type="button"
                data-testid="graph-zoom-out"
                aria-label="Zoom out"
                disabled=move || zoom.get() == Some(0)
                on:click=move |_| zoom.update(|z| *z = Some(z.map_or(0, |i| i.saturating_sub(1))))
            >
                "−"
            </button>
            <button
                type="button"
                data-testid="graph-zoom-in"
                aria-label="Zoom in"
                disabled=move || zoom.get() == Some(ZOOMS.len() - 1)
                on:click=move |_| zoom.update(|z| *z = Some(z.map_or(1, |i| (i + 1).min(ZOOMS.len() - 1))))
            >
                "+"
            </button>
            <button type="button" data-testid="graph-zoom-fit" on:click=move |_| zoom.set(Some(0))>
                "Fit"
            </button>
            <span class="hint">{move || zoom.get().map(|i| format!("{} % of the box; scroll to pan", ZOOMS[i]))}</span>
        </div>
        <div class="network-graph-box">
            <svg
                style=zoom_style
                node_ref=svg_ref
                class="network-graph"
                data-testid="network-graph"
                viewBox=view_box
                role="group"
                tabindex="0"
                aria-roledescription="network graph"
                aria-label="Network graph: arrow keys move between neurons, Enter opens one"
                aria-describedby="network-description"
                on:keydown=on_keydown
                on:focusin=move |ev| hover(ev.target())
                on:mouseover=move |ev| hover(ev.target())
            >
                <g class="edges" aria-hidden="true"></g>
                {columns}
                {output_labels}
                {selected_ring}
            </svg>
        </div>
        <NeuronInfo network trace active />
        <Legend />
    }
}

/// Enter opens the active neuron; arrow keys move the focus between neurons (from `start` when
/// none is active yet).
fn on_graph_key(
    ev: &KeyboardEvent,
    sizes: &[usize],
    active: RwSignal<Option<(usize, usize)>>,
    start: (usize, usize),
    on_activate: Callback<(usize, usize)>,
) {
    if ev.key() == "Enter" {
        if let Some(n) = active.get_untracked() {
            ev.prevent_default();
            on_activate.run(n);
        }
        return;
    }
    let Some(mv) = Move::from_key(&ev.key()) else {
        return;
    };
    ev.prevent_default();
    ev.stop_propagation();
    let (l, j) = match active.get_untracked() {
        Some(now) => step_focus(sizes, now, mv),
        None => start,
    };
    focus_neuron(l, j);
}

/// What [`use_redraw`] keeps the graph in step with.
struct Redraw {
    network: Arc<Network>,
    lay: Arc<Layout>,
    svg: NodeRef<leptos::svg::Svg>,
    trace: Memo<Option<Arc<Trace>>>,
    edge_limit: RwSignal<usize>,
    /// The fills already in the markup.
    first_fills: Vec<Vec<Rgb>>,
    on_rendered: Option<Callback<()>>,
}

/// One effect redraws fills, input image and edges for each trace or edge limit: one
/// subscriber instead of one per neuron, and only changed fills touch the DOM.
fn use_redraw(r: Redraw) {
    let sizes = r.network.sizes();
    let mut first = Some(r.first_fills);
    let mut found: Option<Targets> = None;
    Effect::new(move |previous: Option<Option<Drawn>>| {
        let limit = r.edge_limit.get();
        let t = r.trace.get()?;
        let svg = r.svg.get()?;
        let targets = found.get_or_insert_with(|| targets(&svg, &r.lay));
        let previous = previous.flatten().or_else(|| {
            first.take().map(|fills| Drawn {
                fills,
                edges: String::new(),
                trace: None,
            })
        });
        let same_trace = previous
            .as_ref()
            .and_then(|p| p.trace.as_ref())
            .is_some_and(|p| Arc::ptr_eq(p, &t));
        let fills = match (&previous, same_trace) {
            (Some(p), true) => p.fills.clone(),
            _ => fills_of(Some(&t), &sizes),
        };
        let edges = edges_markup(&paths_of(&r.network, &t, &r.lay, limit));
        let drawn = redraw(targets, &r.lay, previous.as_ref(), fills, edges, t);
        if let Some(done) = r.on_rendered {
            done.run(());
        }
        Some(drawn)
    });
}

/// The output column's labels ("7  99.1 %") and a ring around the predicted class.
#[component]
fn OutputLabels(
    col: Column,
    trace: Memo<Option<Arc<Trace>>>,
    classes: DatasetName,
) -> impl IntoView {
    let output = move |j: usize| trace.with(|t| t.as_ref()?.a.last()?.get(j).copied());
    let predicted = move || trace.with(|t| argmax(t.as_ref()?.a.last()?));
    let labels: Vec<_> = col
        .neurons
        .iter()
        .enumerate()
        .map(|(j, p)| {
            let text = move || match output(j) {
                Some(p) => format!("{j}  {:.1} %", p * 100.0),
                None => j.to_string(),
            };
            // Named classes (Fashion-MNIST) get their name on a second, smaller line; the pair
            // is centred on the neuron.
            let name = (classes != DatasetName::Mnist).then(|| output_class(classes, j));
            let y = if name.is_some() { p.y - 1.0 } else { p.y + 4.5 };
            let name = name.map(|name| {
                view! {
                    <tspan class="out-name" x=p.x + p.size + 6.0 dy="11" font-size="10.5">{name}</tspan>
                }
            });
            let class = move || {
                if predicted() == Some(j) {
                    "out-label predicted"
                } else {
                    "out-label"
                }
            };
            view! { <text class=class x=p.x + p.size + 6.0 y=y>{text}{name}</text> }
        })
        .collect();
    let ring = move || {
        let p = col.neurons.get(predicted()?)?;
        Some(view! { <circle class="ring predicted-ring" cx=p.x cy=p.y r=p.size + 3.0 /> })
    };
    view! { <g class="output-labels" aria-hidden="true">{labels}{ring}</g> }
}

/// The line under the graph that tells z, a and bias of the hovered / focused neuron.
#[component]
fn NeuronInfo(
    network: Arc<Network>,
    trace: Memo<Option<Arc<Trace>>>,
    active: RwSignal<Option<(usize, usize)>>,
) -> impl IntoView {
    let text = move || {
        let (l, j) = active.get()?;
        let t = trace.get()?;
        NeuronSummary::of(&network, &t, l, j).map(|s| s.line())
    };
    view! {
        <p class="net-info" data-testid="neuron-info" aria-live="polite">
            {move || text().unwrap_or_else(|| "Hover or focus a neuron to see its z, a and bias.".to_string())}
        </p>
    }
}

/// What the colours and widths mean.
#[component]
fn Legend() -> impl IntoView {
    use crate::core::viz::scale::{INK, NEGATIVE_FILL, WHITE};
    let swatch = |colour: String| view! { <svg width="14" height="14" aria-hidden="true"><rect width="14" height="14" fill=colour stroke="#889" /></svg> };
    let line = |colour: String, width: f32| view! { <svg width="36" height="10" aria-hidden="true"><line x1="2" y1="5" x2="34" y2="5" stroke=colour stroke-width=width /></svg> };
    view! {
        <div class="net-legend" data-testid="legend">
            <span>"Neuron fill = activation a: " {swatch(WHITE.css())} " 0 → " {swatch(INK.css())} " 1 (or the layer's largest), " {swatch(NEGATIVE_FILL.css())} " negative"</span>
            <span>"Connection colour = sign of the weight: " {line(POSITIVE.css(), 2.0)} " positive, " {line(NEGATIVE.css(), 2.0)} " negative"</span>
            <span>
                "Width = |w| in " {WIDTH_LEVELS} " steps: " {line("#555".into(), MIN_STROKE)} " small … " {line("#555".into(), MAX_STROKE)}
                " largest drawn between those layers. Only the strongest contributions |w·a| for this digit are drawn."
            </span>
        </div>
    }
}
