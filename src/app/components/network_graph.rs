//! The SVG graph of a network for one sample: a thin mapping of `core::viz` into elements.
//!
//! The structure (columns, neurons, labels) is built once per model and focus; a sample switch
//! only changes fills, output labels and the edge paths.
//! Hooks: `svg[data-testid="network-graph"]`, `g[data-layer=K]`, `[data-neuron=J]` inside.

use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, KeyboardEvent};

use crate::core::nn::{Network, Trace};
use crate::core::viz::layout::{Column, Frame, Layout};
use crate::core::viz::scale::{MAX_STROKE, MIN_STROKE, NEGATIVE, POSITIVE, WIDTH_LEVELS};
use crate::core::viz::{
    activation_fill, activation_scale, edge_paths, layout, predicted_class, step_focus,
    strongest_edges, EdgePath, Move, Shape,
};

/// The drawing area (the SVG viewBox); CSS scales it to the page width.
pub const FRAME: Frame = Frame {
    width: 1000.0,
    height: 560.0,
};

/// Styles of the network pages (scoped by their class names).
pub const NETWORK_CSS: &str = r#"
.network-page .net-controls { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; margin: .5rem 0; }
.network-page .net-sample { display: flex; flex-wrap: wrap; gap: 1rem; align-items: baseline; margin: .5rem 0; }
.network-page .net-prediction { font-size: 1.2rem; font-weight: 600; }
.network-graph { width: 100%; max-width: 1100px; height: auto; display: block; background: #fbfbfd; border: 1px solid #dde; border-radius: 6px; }
.network-graph:focus-visible { outline: 3px solid #f6a000; outline-offset: 2px; }
.network-graph [data-neuron] { stroke: #8891a8; stroke-width: .6; }
.network-graph g[data-layer="0"] [data-neuron] { stroke: none; }
.network-graph [data-neuron]:focus { outline: none; stroke: #f6a000; stroke-width: 2.5; }
.network-graph .edges path { fill: none; stroke-linecap: round; opacity: .55; }
.network-graph .out-label { font: 13px sans-serif; fill: #333; }
.network-graph .out-label.predicted { font-weight: 700; fill: #000; }
.network-graph .ring { fill: none; stroke: #f6a000; stroke-width: 2.5; pointer-events: none; }
.network-graph .ring.selected { stroke: #7a2bd6; }
.network-graph .col-title { font: 12px sans-serif; fill: #555; text-anchor: middle; }
.network-graph .focused-box { fill: #fff6df; stroke: #f6c45c; }
.net-info { min-height: 1.5em; font-family: monospace; }
.net-legend { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; font-size: .9rem; margin: .5rem 0; }
.net-legend svg { vertical-align: middle; }
.net-detail table { border-collapse: collapse; font-family: monospace; }
.net-detail td, .net-detail th { padding: .1rem .6rem; text-align: right; border-bottom: 1px solid #eee; }
.net-detail .values { max-height: 24rem; overflow: auto; display: inline-block; }
.net-top { display: flex; flex-wrap: wrap; gap: .5rem; list-style: none; padding: 0; }
.net-top li { text-align: center; font-size: .8rem; }
.net-top canvas { width: 56px; height: 56px; image-rendering: pixelated; display: block; border: 1px solid #ccc; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
"#;

/// Words for a drawn layer: "input", "hidden layer 2", "output".
pub fn layer_name(layer: usize, layers: usize) -> String {
    if layer == 0 {
        "input".to_string()
    } else if layer + 1 == layers {
        "output".to_string()
    } else {
        format!("hidden layer {layer}")
    }
}

/// One line about neuron `j` of drawn layer `l`: its z, a and bias for the sample.
pub fn neuron_summary(network: &Network, trace: &Trace, l: usize, j: usize) -> String {
    let layers = network.layers.len() + 1;
    let a = trace
        .a
        .get(l)
        .and_then(|v| v.get(j))
        .copied()
        .unwrap_or(0.0);
    if l == 0 {
        let (row, col) = (j / 28, j % 28);
        return format!("Input pixel {j} (row {row}, column {col}): value a = {a:.3}");
    }
    let z = trace
        .z
        .get(l - 1)
        .and_then(|v| v.get(j))
        .copied()
        .unwrap_or(0.0);
    let b = network
        .layers
        .get(l - 1)
        .and_then(|d| d.biases.get(j))
        .copied()
        .unwrap_or(0.0);
    format!(
        "Layer {l} ({}), neuron {j}: z = {z:.3}, a = {a:.3}, bias = {b:.3}",
        layer_name(l, layers)
    )
}

/// Per drawn layer, the fill colour (`#rrggbb`) of every neuron for the trace.
fn fills_of(trace: Option<&Trace>, sizes: &[usize]) -> Vec<Vec<String>> {
    sizes
        .iter()
        .enumerate()
        .map(|(l, &n)| match trace.and_then(|t| t.a.get(l)) {
            Some(a) => {
                let scale = activation_scale(a);
                a.iter().map(|&v| activation_fill(v, scale).css()).collect()
            }
            None => vec!["#ffffff".to_string(); n],
        })
        .collect()
}

/// The edge paths of every gap between consecutive columns for the trace.
fn paths_of(network: &Network, trace: Option<&Trace>, lay: &Layout, limit: usize) -> Vec<EdgePath> {
    let Some(trace) = trace else {
        return Vec::new();
    };
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

fn neuron_id(l: usize, j: usize) -> String {
    format!("nn-{l}-{j}")
}

/// Moves the DOM focus to neuron (l, j) (SVG elements have `focus()`, called through JS).
fn focus_neuron(l: usize, j: usize) {
    let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(&neuron_id(l, j)))
    else {
        return;
    };
    if let Ok(f) = js_sys::Reflect::get(&el, &JsValue::from_str("focus")) {
        if let Some(f) = f.dyn_ref::<js_sys::Function>() {
            let _ = f.call0(&el);
        }
    }
}

/// One drawn neuron: a rect (pixel, compact cell) or a circle, with its first fill
/// (later fills are patched by [`patch_fills`]).
fn neuron_view(col: &Column, j: usize, fill: String, label: String) -> AnyView {
    let l = col.layer;
    let p = col.neurons[j];
    match col.shape {
        Shape::Circle => view! {
            <circle id=neuron_id(l, j) data-neuron=j tabindex="-1" aria-label=label
                cx=p.x r=p.size cy=p.y fill=fill />
        }
        .into_any(),
        Shape::Pixel | Shape::Cell => view! {
            <rect id=neuron_id(l, j) data-neuron=j tabindex="-1" aria-label=label
                x=p.x - p.size / 2.0 y=p.y - p.size / 2.0 width=p.size height=p.size fill=fill />
        }
        .into_any(),
    }
}

/// Sets the `fill` of every neuron element of `svg` whose colour differs from `previous`
/// (all of them without a previous state), found by their ids.
fn patch_fills(svg: &web_sys::Element, previous: Option<&[Vec<String>]>, next: &[Vec<String>]) {
    let Some(document) = svg.owner_document() else {
        return;
    };
    for (l, colours) in next.iter().enumerate() {
        for (j, colour) in colours.iter().enumerate() {
            let old = previous.and_then(|p| p.get(l)).and_then(|v| v.get(j));
            if old == Some(colour) {
                continue;
            }
            if let Some(el) = document.get_element_by_id(&neuron_id(l, j)) {
                let _ = el.set_attribute("fill", colour);
            }
        }
    }
}

/// A column of neurons, the layer's `g[data-layer]`.
fn column_view(
    col: &Column,
    layers: usize,
    fills: Option<&Vec<String>>,
    focused: bool,
) -> impl IntoView {
    let l = col.layer;
    let name = layer_name(l, layers);
    let title = format!("{} · {}", name, col.neurons.len());
    let aria = format!("Layer {l}, {name}, {} neurons", col.neurons.len());
    let neurons: Vec<AnyView> = (0..col.neurons.len())
        .map(|j| {
            let label = if l == 0 {
                format!("pixel {j}")
            } else {
                format!("layer {l} neuron {j}")
            };
            let fill = fills.and_then(|f| f.get(j)).cloned().unwrap_or_default();
            neuron_view(col, j, fill, label)
        })
        .collect();
    let bounds = col.bounds().unwrap_or((col.x, 20.0, col.x, 20.0));
    let focus_box = focused.then(|| {
        let (x0, y0, x1, y1) = bounds;
        view! { <rect class="focused-box" x=x0 - 6.0 y=y0 - 6.0 width=x1 - x0 + 12.0 height=y1 - y0 + 12.0 rx="6" /> }
    });
    view! {
        <g data-layer=l role="group" aria-label=aria class="layer">
            {focus_box}
            <text class="col-title" x=col.x y=bounds.1 - 8.0>{title}</text>
            {neurons}
        </g>
    }
}

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
) -> impl IntoView {
    let sizes = network.sizes();
    let lay = Arc::new(layout(&sizes, FRAME, focus));
    let fills = {
        let sizes = sizes.clone();
        Memo::new(move |_| trace.with(|t| fills_of(t.as_deref(), &sizes)))
    };
    let paths = {
        let (network, lay) = (network.clone(), lay.clone());
        Memo::new(move |_| {
            let limit = edge_limit.get();
            trace.with(|t| paths_of(&network, t.as_deref(), &lay, limit))
        })
    };
    let layers = sizes.len();
    let columns: Vec<_> = fills.with_untracked(|first| {
        lay.columns
            .iter()
            .map(|c| column_view(c, layers, first.get(c.layer), focus == Some(c.layer)))
            .collect()
    });
    // One effect patches every fill that changed: one subscriber instead of one per neuron
    // (a signal with a thousand subscribers makes every update quadratic).
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    let mut drawn_first = Some(fills.get_untracked());
    Effect::new(move |previous: Option<Vec<Vec<String>>>| {
        let next = fills.get();
        let previous = previous.or_else(|| drawn_first.take());
        if let Some(svg) = svg_ref.get() {
            patch_fills(&svg, previous.as_deref(), &next);
        }
        next
    });
    let edges = move || {
        paths
            .get()
            .into_iter()
            .map(|p| {
                let colour = if p.positive { POSITIVE.css() } else { NEGATIVE.css() };
                view! { <path d=p.d stroke=colour stroke-width=p.stroke_width data-count=p.count /> }
            })
            .collect_view()
    };
    let output_labels = lay.columns.last().filter(|_| layers > 1).map(|col| {
        let col = col.clone();
        let labels: Vec<_> = col
            .neurons
            .iter()
            .enumerate()
            .map(|(j, p)| {
                let x = p.x + p.size + 6.0;
                let y = p.y + 4.5;
                let text = move || {
                    trace.with(|t| {
                        let p = t
                            .as_ref()
                            .and_then(|t| t.a.last())
                            .and_then(|a| a.get(j))
                            .copied();
                        p.map(|p| format!("{j}  {:.1} %", p * 100.0))
                            .unwrap_or_else(|| j.to_string())
                    })
                };
                let class = move || {
                    let predicted = trace.with(|t| {
                        t.as_ref()
                            .and_then(|t| t.a.last())
                            .and_then(|a| predicted_class(a))
                    });
                    if predicted == Some(j) {
                        "out-label predicted"
                    } else {
                        "out-label"
                    }
                };
                view! { <text class=class x=x y=y>{text}</text> }
            })
            .collect();
        let ring = {
            let col = col.clone();
            move || {
                let c = trace.with(|t| {
                    t.as_ref()
                        .and_then(|t| t.a.last())
                        .and_then(|a| predicted_class(a))
                })?;
                let p = col.neurons.get(c)?;
                Some(view! { <circle class="ring predicted-ring" cx=p.x cy=p.y r=p.size + 3.0 /> })
            }
        };
        view! { <g class="output-labels" aria-hidden="true">{labels}{ring}</g> }
    });
    let selected_ring = selected.and_then(|(l, j)| {
        let col = lay.columns.get(l)?;
        let p = col.neurons.get(j)?;
        let r = p.half_extent(col.shape) + 4.0;
        Some(view! { <circle class="ring selected" cx=p.x cy=p.y r=r /> })
    });
    let on_keydown = {
        let sizes = sizes.clone();
        move |ev: KeyboardEvent| {
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
            let start = active
                .get_untracked()
                .or(selected)
                .unwrap_or((focus.unwrap_or(1).min(layers - 1), 0));
            let (l, j) = match active.get_untracked() {
                Some(_) => step_focus(&sizes, start, mv),
                None => start,
            };
            focus_neuron(l, j);
        }
    };
    let on_focusin = move |ev: leptos::ev::FocusEvent| {
        if let Some(n) = neuron_of(ev.target()) {
            active.set(Some(n));
        }
    };
    let on_over = move |ev: leptos::ev::MouseEvent| {
        if let Some(n) = neuron_of(ev.target()) {
            active.set(Some(n));
        }
    };
    let view_box = format!("0 0 {} {}", FRAME.width, FRAME.height);
    view! {
        <svg
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
            on:focusin=on_focusin
            on:mouseover=on_over
        >
            <g class="edges" aria-hidden="true">{edges}</g>
            {columns}
            {output_labels}
            {selected_ring}
        </svg>
        <NeuronInfo network trace active />
        <Legend />
    }
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
        Some(neuron_summary(&network, &t, l, j))
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
