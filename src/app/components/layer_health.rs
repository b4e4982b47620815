//! "Layer health" on `/train`: per layer over the run, the weight and gradient norms, the
//! update/weight ratio (log scale), the dead-ReLU fraction, and the activation histogram (a heat
//! strip over time plus the latest histogram as bars, with a table). Reads the page's
//! [`RunState`] context; every number and coordinate comes from `core::training::layers`.

use std::time::Duration;

use leptos::html::Canvas;
use leptos::prelude::*;

use crate::app::components::chart::LineChart;
use crate::app::components::digit_canvas::paint_rgba;
use crate::app::pages::train::RunState;
use crate::core::format::thousands;
use crate::core::training::chart::Viewport;
use crate::core::training::layers::{
    bin_text, has_relu_layers, heat_strip, histogram_layout, layer_label, value_text, Bar,
    LayerHistory, LayerTrack,
};
use crate::core::training::page::YAxis;
use crate::core::training::{RunOptions, CLASSES, INPUT};

/// The heat strip's and the bars' SVG boxes and plot areas.
const HEAT_W: f64 = 420.0;
const BARS_W: f64 = 300.0;
const H: f64 = 200.0;
const HEAT_PLOT: Viewport = Viewport {
    x: 48.0,
    y: 10.0,
    width: 360.0,
    height: 150.0,
};
const BARS_PLOT: Viewport = Viewport {
    x: 48.0,
    y: 10.0,
    width: 240.0,
    height: 150.0,
};
/// The section redraws at most this often (ms) while a run reports.
const REFRESH_MS: f64 = 500.0;
/// Moments (columns of counts) in a histogram's table.
const TABLE_MOMENTS: usize = 4;

/// The section, under the accuracy chart.
#[component]
pub fn LayerHealth() -> impl IntoView {
    let Some(run) = use_context::<RunState>() else {
        return ().into_any();
    };
    let history = run.history;
    let config = run.config;
    // What the section shows: the history's layers, refreshed at most every REFRESH_MS while
    // reports pour in (a fast run reports ten times a second) and at once when cleared. The
    // latest state is always shown within REFRESH_MS.
    let layers = RwSignal::new(LayerHistory::default());
    let last_sync = StoredValue::new(f64::NEG_INFINITY);
    let pending = StoredValue::new(false);
    let sync = move || {
        let Some(now) = history.try_with_untracked(|h| h.layers.clone()) else {
            return;
        };
        let _ = layers.try_set(now);
        let _ = last_sync.try_set_value(js_sys::Date::now());
        let _ = pending.try_set_value(false);
    };
    Effect::new(move |_| {
        let points = history.with(|h| h.layers.points());
        if pending.get_value() && points > 0 {
            return;
        }
        let wait = REFRESH_MS - (js_sys::Date::now() - last_sync.get_value());
        if points == 0 || wait <= 0.0 {
            sync();
        } else {
            pending.set_value(true);
            set_timeout(sync, Duration::from_millis(wait.ceil() as u64));
        }
    });
    let units = Memo::new(move |_| {
        config.with(|c| {
            c.as_ref()
                .map(|c| c.sizes(INPUT, CLASSES).split_off(1))
                .unwrap_or_default()
        })
    });
    let measured = Memo::new(move |_| !layers.with(LayerHistory::is_empty));
    // From the settings (known at Started), so the section is built once, not at the first probe.
    let relu = Memo::new(move |_| config.with(|c| c.as_ref().is_none_or(has_relu_layers)));
    let count = Memo::new(move |_| layers.with(|l| l.layers.len()));
    let hidden_activation = move || {
        config.with(|c| {
            c.as_ref()
                .map_or("not ReLU", |c| c.activation.name())
                .to_string()
        })
    };
    let options = RunOptions::default();
    view! {
        <section class="layer-health" data-testid="layer-health" aria-labelledby="layer-health-title">
            <h2 id="layer-health-title">"Layer health"</h2>
            <p class="layer-health-intro">
                {format!(
                    "Every {} batches, each layer is measured on a fixed probe batch of {} training digits.",
                    options.probe_every,
                    options.probe_size,
                )}
                {move || (!measured.get()).then_some(" Nothing measured yet.")}
            </p>
            <LineChart
                title="Weight and gradient norm per layer"
                y_label="norm (log scale)"
                testid="layer-norms-chart"
                series=Signal::derive(move || layers.with(|l| l.norm_series(&units.read())))
                y_axis=Signal::derive(|| YAxis::Log)
            />
            <p class="chart-note">
                "‖W‖ (solid) is the size of a layer's weights; ‖∂L/∂W‖ (dashed) the gradient on the probe batch. A gradient that vanishes or explodes shows here first."
            </p>
            <LineChart
                title="Update / weight ratio per layer"
                y_label="‖ΔW‖ / ‖W‖ (log scale)"
                testid="layer-ratio-chart"
                series=Signal::derive(move || layers.with(|l| l.ratio_series(&units.read())))
                y_axis=Signal::derive(|| YAxis::Log)
            />
            <p class="chart-note">
                "How much one step changes a layer's weights, relative to their size. A healthy band is around 1e-3 (0.001): far above it training is unstable, far below it the layer barely learns."
            </p>
            <Show
                when=move || relu.get()
                fallback=move || view! {
                    <p class="chart-note" data-testid="layer-dead-note">
                        {move || format!(
                            "The dead-unit fraction applies to ReLU layers only (units that output 0 for every probe digit); this network's hidden activation is {}.",
                            hidden_activation(),
                        )}
                    </p>
                }
            >
                <LineChart
                    title="Dead ReLU units per layer"
                    y_label="dead units"
                    testid="layer-dead-chart"
                    percent=true
                    series=Signal::derive(move || layers.with(|l| l.dead_series(&units.read())))
                    y_axis=Signal::derive(|| YAxis::Fixed(0.0, 1.0))
                />
                <p class="chart-note">
                    "The share of a ReLU layer's units that output 0 for every probe digit: they no longer learn."
                </p>
            </Show>
            <Show when=move || measured.get()>
                <h3>"Activations per layer"</h3>
            </Show>
            <For each=move || 0..count.get() key=|i| *i let:index>
                <ActivationHistogram
                    index=index
                    track=Signal::derive(move || layers.with(|l| l.layers.get(index).cloned()))
                    name=Signal::derive(move || layer_label(index, &units.read()))
                />
            </For>
        </section>
    }
    .into_any()
}

/// One layer's activations: the heat strip over the run and the latest histogram as bars.
#[component]
fn ActivationHistogram(
    index: usize,
    #[prop(into)] track: Signal<Option<LayerTrack>>,
    #[prop(into)] name: Signal<String>,
) -> impl IntoView {
    let range =
        Memo::new(move |_| track.with(|t| t.as_ref().map_or((0.0, 1.0), |t| t.histogram_range)));
    let latest_step = Memo::new(move |_| {
        track.with(|t| {
            t.as_ref()
                .and_then(|t| t.latest.as_ref())
                .map_or(0, |r| r.step)
        })
    });
    let bars = Memo::new(move |_| {
        track.with(|t| {
            let t = t.as_ref();
            let counts = t
                .and_then(|t| t.latest.as_ref())
                .map_or(&[][..], |r| &r.counts);
            histogram_layout(counts, range.get(), BARS_PLOT)
        })
    });
    let strip = Memo::new(move |_| {
        track.with(|t| {
            let rows = t.as_ref().map_or(&[][..], |t| &t.histograms[..]);
            heat_strip(rows, range.get(), HEAT_PLOT)
        })
    });
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let s = strip.read();
        if let Some(c) = canvas.get() {
            c.set_width(s.width.max(1) as u32);
            c.set_height(s.height.max(1) as u32);
            // An empty strip (no histogram yet) leaves the canvas blank.
            let _ = paint_rgba(&c, &s.rgba, s.height, s.width);
        }
    });
    // The bar under the pointer or the keyboard focus.
    let focused = RwSignal::new(None::<usize>);
    let readout = move || {
        focused
            .get()
            .and_then(|k| bars.read().bars.get(k).map(|b| b.label()))
            .unwrap_or_default()
    };
    let percent = |v: f64, of: f64| format!("{:.3}%", v / of * 100.0);
    let canvas_style = format!(
        "left:{};top:{};width:{};height:{}",
        percent(HEAT_PLOT.x, HEAT_W),
        percent(HEAT_PLOT.y, H),
        percent(HEAT_PLOT.width, HEAT_W),
        percent(HEAT_PLOT.height, H),
    );
    let (lo, hi) = (
        move || value_text(range.get().0),
        move || value_text(range.get().1),
    );
    view! {
        <figure
            class="activation-histogram"
            data-testid="activation-histogram"
            data-layer=index
            data-step=move || latest_step.get()
        >
            <figcaption>
                <strong>{move || name.get()}</strong>
                {move || format!(
                    ": activations on the probe batch, latest after batch {}. Values outside {}…{} are counted in the first or last bin.",
                    thousands(latest_step.get() as usize),
                    lo(),
                    hi(),
                )}
            </figcaption>
            <div class="histogram-views">
                <div class="heat-strip">
                    <svg
                        viewBox=format!("0 0 {HEAT_W} {H}")
                        role="img"
                        aria-label=move || format!("{}: activation histograms over the run, darker = more activations (see the table)", name.get())
                    >
                        <HistogramAxes
                            plot=HEAT_PLOT
                            height=H
                            x_label="step (batches trained)"
                            y_label="activation value"
                            x_ticks=Signal::derive(move || strip.read().x_ticks.clone())
                            y_ticks=Signal::derive(move || strip.read().y_ticks.clone())
                        />
                    </svg>
                    <canvas node_ref=canvas class="heat-canvas" style=canvas_style aria-hidden="true"></canvas>
                </div>
                <svg
                    class="histogram-bars"
                    viewBox=format!("0 0 {BARS_W} {H}")
                    role="group"
                    aria-label=move || format!("{}: latest activation histogram, one bar per value range", name.get())
                    on:pointerleave=move |_| focused.set(None)
                >
                    <HistogramAxes
                        plot=BARS_PLOT
                        height=H
                        x_label="activation value"
                        y_label="activations"
                        x_ticks=Signal::derive(move || bars.read().x_ticks.clone())
                        y_ticks=Signal::derive(move || bars.read().y_ticks.clone())
                    />
                    // One element per bin, built once; a new histogram only moves their attributes.
                    <For each=move || 0..bars.read().bars.len() key=|k| *k let:k>
                        {
                            let bar = move || bars.read().bars.get(k).cloned();
                            let label = move || bar().map(|b| b.label()).unwrap_or_default();
                            let at = move |f: fn(&Bar) -> f64| move || bar().map_or(0.0, |b| f(&b));
                            view! {
                                <g
                                    class="bar"
                                    tabindex="0"
                                    role="img"
                                    aria-label=label
                                    on:focus=move |_| focused.set(Some(k))
                                    on:blur=move |_| focused.set(None)
                                    on:pointerenter=move |_| focused.set(Some(k))
                                >
                                    <title>{label}</title>
                                    // A bar too short to hover still has its full-height hit area.
                                    <rect class="bar-hit" x=at(|b| b.x) y=BARS_PLOT.y width=at(|b| b.width) height=BARS_PLOT.height></rect>
                                    <rect class="bar-fill" x=at(|b| b.x) y=at(|b| b.y) width=at(|b| b.width) height=at(|b| b.height)></rect>
                                </g>
                            }
                        }
                    </For>
                </svg>
            </div>
            <p class="chart-readout" aria-live="polite">{readout}</p>
            <HistogramTable track=track range=range />
        </figure>
    }
}

/// The axes, ticks and axis labels of a histogram view.
#[component]
fn HistogramAxes(
    plot: Viewport,
    height: f64,
    x_label: &'static str,
    y_label: &'static str,
    #[prop(into)] x_ticks: Signal<Vec<(f64, String)>>,
    #[prop(into)] y_ticks: Signal<Vec<(f64, String)>>,
) -> impl IntoView {
    let bottom = plot.y + plot.height;
    let right = plot.x + plot.width;
    view! {
        <g class="chart-grid">
            {move || {
                y_ticks
                    .get()
                    .into_iter()
                    .map(|(y, label)| {
                        view! {
                            <line x1=plot.x - 4.0 x2=plot.x y1=y y2=y></line>
                            <text class="tick-y" x=plot.x - 6.0 y=y + 4.0>{label}</text>
                        }
                    })
                    .collect_view()
            }}
            {move || {
                x_ticks
                    .get()
                    .into_iter()
                    .map(|(x, label)| {
                        view! {
                            <line x1=x x2=x y1=bottom y2=bottom + 4.0></line>
                            <text class="tick-x" x=x y=bottom + 16.0>{label}</text>
                        }
                    })
                    .collect_view()
            }}
        </g>
        <line class="chart-axis" x1=plot.x x2=right y1=bottom y2=bottom></line>
        <line class="chart-axis" x1=plot.x x2=plot.x y1=plot.y y2=bottom></line>
        <text class="axis-label" x=plot.x + plot.width / 2.0 y=height - 6.0>{x_label}</text>
        <text class="axis-label" transform=format!("translate(12 {}) rotate(-90)", plot.y + plot.height / 2.0)>
            {y_label}
        </text>
    }
}

/// The histograms as a table: one row per value range, one column per moment.
#[component]
fn HistogramTable(
    #[prop(into)] track: Signal<Option<LayerTrack>>,
    #[prop(into)] range: Signal<(f32, f32)>,
) -> impl IntoView {
    let table = move || {
        track.with(|t| {
            let t = t.as_ref()?;
            let moments = t.table_moments(TABLE_MOMENTS);
            let bins = moments.first()?.counts.len();
            let steps: Vec<u64> = moments.iter().map(|r| r.step).collect();
            let rows: Vec<(String, Vec<String>)> = (0..bins)
                .map(|k| {
                    (
                        bin_text(range.get(), bins, k),
                        moments
                            .iter()
                            .map(|r| thousands(r.counts.get(k).copied().unwrap_or(0.0) as usize))
                            .collect(),
                    )
                })
                .collect();
            Some((steps, rows))
        })
    };
    // Built only while open: a closed table costs nothing as the run reports.
    let open = RwSignal::new(false);
    let on_toggle = move |e: leptos::ev::Event| {
        let is_open = e
            .target()
            .and_then(|t| js_sys::Reflect::get(&t, &"open".into()).ok())
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        open.set(is_open);
    };
    view! {
        <details class="histogram-table" on:toggle=on_toggle>
            <summary>"As a table"</summary>
            {move || {
                open.get().then(table).flatten()
                    .map(|(steps, rows)| {
                        view! {
                            <table>
                                <caption>"Activations counted per value range, after each batch shown"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"value range"</th>
                                        {steps
                                            .into_iter()
                                            .map(|s| view! { <th scope="col">{format!("after batch {}", thousands(s as usize))}</th> })
                                            .collect_view()}
                                    </tr>
                                </thead>
                                <tbody>
                                    {rows
                                        .into_iter()
                                        .map(|(range, counts)| {
                                            view! {
                                                <tr>
                                                    <th scope="row">{range}</th>
                                                    {counts.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        }
                    })
            }}
        </details>
    }
}
