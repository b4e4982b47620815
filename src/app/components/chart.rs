//! A line chart drawn as hand-written SVG from `core::training::page::layout`: axes with ticks
//! and units, one path per series, the values under the pointer or the keyboard focus (← →),
//! and a table of the same values for screen readers.

use leptos::prelude::*;

use crate::core::training::chart::Viewport;
use crate::core::training::page::{layout, table_rows, Series, YAxis};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 260.0;
const PLOT: Viewport = Viewport {
    x: 64.0,
    y: 12.0,
    width: 560.0,
    height: 200.0,
};
/// Series with at most this many drawn points get a dot on each.
const MARKED: usize = 30;
/// Rows of the table alternative, per series.
const TABLE_ROWS: usize = 40;

/// `series` over the step; `percent`: values are fractions shown as "91.3 %".
#[component]
pub fn LineChart(
    /// The chart's name (its SVG title and the table's caption).
    #[prop(into)]
    title: String,
    /// The y axis's label, e.g. "loss (cross-entropy)".
    #[prop(into)]
    y_label: String,
    #[prop(into)] series: Signal<Vec<Series>>,
    #[prop(into)] y_axis: Signal<YAxis>,
    #[prop(optional)] percent: bool,
    #[prop(into)] testid: String,
    /// A step to mark with a vertical line (time travel: the moment shown), if any.
    #[prop(optional, into)]
    cursor: Option<Signal<Option<f64>>>,
) -> impl IntoView {
    let unit = if percent { "%" } else { "" };
    let drawn = Memo::new(move |_| layout(&series.read(), y_axis.get(), unit, PLOT));
    let names = Memo::new(move |_| series.read().iter().map(|s| s.name).collect::<Vec<_>>());
    // The step the reader is looking at (pointer or keys); None: nothing is pointed at.
    let focus_step = RwSignal::new(None::<f64>);
    let readout = Memo::new(move |_| {
        let step = focus_step.get()?;
        drawn.read().readout(&names.read(), step, percent)
    });
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    let on_pointer = move |e: leptos::ev::PointerEvent| {
        let Some(svg) = svg_ref.get_untracked() else {
            return;
        };
        let rect = svg.get_bounding_client_rect();
        if rect.width() <= 0.0 {
            return;
        }
        let x = (e.client_x() as f64 - rect.left()) * WIDTH / rect.width();
        focus_step.set(Some(drawn.read_untracked().step_at(x)));
    };
    let on_key = move |e: leptos::ev::KeyboardEvent| {
        let layout = drawn.read_untracked();
        let Some(points) = layout.drawn.iter().find(|p| !p.is_empty()) else {
            return;
        };
        let here = focus_step
            .get_untracked()
            .and_then(|s| crate::core::training::chart::nearest(points, s));
        let next = match (e.key().as_str(), here) {
            ("ArrowRight", Some(i)) => (i + 1).min(points.len() - 1),
            ("ArrowLeft", Some(i)) => i.saturating_sub(1),
            ("ArrowRight" | "ArrowLeft", None) => points.len() - 1,
            ("Home", _) => 0,
            ("End", _) => points.len() - 1,
            _ => return,
        };
        e.prevent_default();
        focus_step.set(Some(points[next].0));
    };
    let bottom = PLOT.y + PLOT.height;
    let right = PLOT.x + PLOT.width;
    let title_text = title.clone();
    let y_label_text = y_label.clone();
    view! {
        <figure class="chart" data-testid=testid>
            <svg
                node_ref=svg_ref
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img"
                tabindex="0"
                aria-label=format!("{title}: move the pointer over it, or use ← → for the values")
                on:pointermove=on_pointer
                on:pointerleave=move |_| focus_step.set(None)
                on:keydown=on_key
                on:blur=move |_| focus_step.set(None)
            >
                <title>{title_text}</title>
                <g class="chart-grid">
                    {move || {
                        drawn
                            .read()
                            .y_ticks
                            .iter()
                            .map(|(y, label)| {
                                view! {
                                    <line x1=PLOT.x x2=right y1=*y y2=*y></line>
                                    <text class="tick-y" x=PLOT.x - 6.0 y=*y + 4.0>
                                        {label.clone()}
                                    </text>
                                }
                            })
                            .collect_view()
                    }}
                    {move || {
                        drawn
                            .read()
                            .x_ticks
                            .iter()
                            .map(|(x, label)| {
                                view! {
                                    <line class="tick-x" x1=*x x2=*x y1=bottom y2=bottom + 5.0></line>
                                    <text class="tick-x" x=*x y=bottom + 18.0>
                                        {label.clone()}
                                    </text>
                                }
                            })
                            .collect_view()
                    }}
                </g>
                <line class="chart-axis" x1=PLOT.x x2=right y1=bottom y2=bottom></line>
                <line class="chart-axis" x1=PLOT.x x2=PLOT.x y1=PLOT.y y2=bottom></line>
                <text class="axis-label" x=PLOT.x + PLOT.width / 2.0 y=HEIGHT - 6.0>
                    "step (batches trained)"
                </text>
                <text
                    class="axis-label"
                    transform=format!("translate(14 {}) rotate(-90)", PLOT.y + PLOT.height / 2.0)
                >
                    {y_label_text}
                </text>
                {move || {
                    drawn
                        .read()
                        .paths
                        .iter()
                        .enumerate()
                        .map(|(i, d)| {
                            view! {
                                <path class=format!("series series-{i}") d=d.clone()></path>
                            }
                        })
                        .collect_view()
                }}
                // Series of few points (one per epoch) also get dots: a single point has no line.
                {move || {
                    let layout = drawn.read();
                    let axes = layout.axes;
                    layout
                        .drawn
                        .iter()
                        .enumerate()
                        .filter(|(_, points)| points.len() <= MARKED)
                        .flat_map(|(i, points)| {
                            points.iter().map(move |&(x, y)| (i, axes.point(x, y)))
                        })
                        .map(|(i, (cx, cy))| {
                            view! { <circle class=format!("dot series-{i}") cx=cx cy=cy r="3.5"></circle> }
                        })
                        .collect_view()
                }}
                {move || {
                    let step = cursor.and_then(|c| c.get())?;
                    let x = drawn.read().axes.point(step, 0.0).0;
                    Some(view! {
                        <line class="chart-cursor" data-step=step x1=x x2=x y1=PLOT.y y2=bottom></line>
                    })
                }}
                {move || {
                    readout
                        .get()
                        .map(|(x, _)| {
                            view! { <line class="chart-guide" x1=x x2=x y1=PLOT.y y2=bottom></line> }
                        })
                }}
            </svg>
            <figcaption>
                <span class="chart-legend">
                    {move || {
                        names
                            .get()
                            .into_iter()
                            .enumerate()
                            .map(|(i, name)| {
                                view! { <span class=format!("legend series-{i}")>{name}</span> }
                            })
                            .collect_view()
                    }}
                </span>
                <span class="chart-readout" aria-live="polite">
                    {move || readout.get().map(|(_, text)| text).unwrap_or_default()}
                </span>
            </figcaption>
            // A table's height never goes below its content's: the wrapper is what hides it.
            <div class="visually-hidden">
            <table>
                <caption>{format!("{title} ({y_label}), by step")}</caption>
                <thead>
                    <tr>
                        <th scope="col">"series"</th>
                        <th scope="col">"step"</th>
                        <th scope="col">"value"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        series
                            .read()
                            .iter()
                            .flat_map(|s| {
                                table_rows(&s.points, TABLE_ROWS)
                                    .into_iter()
                                    .map(move |(x, y)| (s.name, x, y))
                            })
                            .map(|(name, x, y)| {
                                let value = if percent {
                                    crate::core::format::percent(y as f32)
                                } else {
                                    format!("{y:.4}")
                                };
                                view! {
                                    <tr>
                                        <td>{name}</td>
                                        <td>{x}</td>
                                        <td>{value}</td>
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
            </div>
        </figure>
    }
}
