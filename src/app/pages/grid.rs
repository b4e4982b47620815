//! `/data/{dataset}/{split}?page=N&label=D`: 100 digits a page, filtered by label.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::{query_signal, use_navigate, use_params_map};

use super::{dataset_and_split, RouteProblem};
use crate::app::components::dataset_gate::WithDataset;
use crate::app::components::digit_grid::DigitGrid;
use crate::app::keys::{use_step_keys, Step};
use crate::app::{link, perf};
use crate::core::dataset::{Dataset, DatasetName, Split};
use crate::core::paging::{page, Page};
use crate::core::paths::{grid_path, stats_path};
use crate::core::url::{parse_label, parse_page, RouteError};

#[component]
pub fn GridPage() -> impl IntoView {
    dataset_route(|dataset, name, split| view! { <GridView dataset name split /> })
}

/// The body of a `/data/{dataset}/{split}…` route, shared by the grid and the statistics pages:
/// checks the `:dataset` and `:split` segments (an alert with a link home when they name nothing),
/// loads that split (progress, or an alert with Retry), then shows `page(dataset, name, split)`.
pub(super) fn dataset_route<V: IntoView + 'static>(
    page: impl Fn(Arc<Dataset>, DatasetName, Split) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let params = use_params_map();
    let target = Memo::new(move |_| dataset_and_split(&params.read()));
    move || match target.get() {
        Err(error) => {
            view! { <RouteProblem error back="/" back_text="Go to the home page" /> }.into_any()
        }
        Ok((name, split)) => {
            let page = page.clone();
            view! {
                <WithDataset name split render=move |dataset| page(dataset, name, split) />
            }
            .into_any()
        }
    }
}

/// What a grid URL selects: one page of the digits with a label (or all).
#[derive(Clone, Debug, PartialEq)]
struct Selection {
    label: Option<u8>,
    page: Page,
    /// Indices into the split of the digits on this page.
    indices: Vec<usize>,
}

#[component]
fn GridView(dataset: Arc<Dataset>, name: DatasetName, split: Split) -> impl IntoView {
    let (label_text, _) = query_signal::<String>("label");
    let (page_text, _) = query_signal::<String>("page");
    let label = Memo::new(move |_| parse_label(label_text.read().as_deref()));
    // Positions of the digits with the chosen label, recomputed only when the label changes.
    let filtered = {
        let dataset = dataset.clone();
        Memo::new(move |_| label.get().map(|l| Arc::new(dataset.indices(l))))
    };
    let selection = Memo::new(move |previous: Option<&Result<Selection, RouteError>>| {
        let current = (|| -> Result<Selection, RouteError> {
            let label = label.get()?;
            let number = parse_page(page_text.read().as_deref())?;
            let positions = filtered.get()?;
            let page = page(positions.len(), number)?;
            Ok(Selection {
                label,
                page,
                indices: positions[page.start..page.end].to_vec(),
            })
        })();
        // A flip by URL (a link, back/forward, or a typed address) starts here when it selects
        // another page; a key press or click has started it already (the earliest start counts).
        if current.is_ok() && previous != Some(&current) {
            perf::GRID.begin();
        }
        current
    });
    // The parts of the selection the view shows, each changing only when it differs: a flip
    // updates the pager and the cells in place, and only an error (or its end) swaps the body.
    let problem = Memo::new(move |_| selection.with(|s| s.as_ref().err().cloned()));
    let shown = Memo::new(move |_| selection.with(|s| s.as_ref().ok().map(|s| (s.label, s.page))));
    let indices = Memo::new(move |_| {
        selection.with(|s| s.as_ref().map(|s| s.indices.clone()).unwrap_or_default())
    });
    let empty = Memo::new(move |_| indices.with(Vec::is_empty));

    let navigate = use_navigate();
    use_step_keys(move |step| {
        let Ok(sel) = selection.get_untracked() else {
            return false;
        };
        let to = match step {
            Step::Back if sel.page.has_previous() => sel.page.number - 1,
            Step::Forward if sel.page.has_next() => sel.page.number + 1,
            _ => return false,
        };
        perf::GRID.begin();
        navigate(&grid_path(name, split, to, sel.label), Default::default());
        true
    });

    let cells = move || {
        if empty.get() {
            let text = format!("No {}s have this label.", name.item_noun());
            view! { <p class="empty">{text}</p> }.into_any()
        } else {
            let dataset = dataset.clone();
            view! { <DigitGrid dataset name split indices /> }.into_any()
        }
    };
    let body = move || match problem.get() {
        Some(error) => {
            let back = grid_path(name, split, 1, None);
            view! { <RouteProblem error back back_text="Go to page 1" /> }.into_any()
        }
        None => {
            let cells = cells.clone();
            view! {
                <Pagination name split shown />
                {cells}
            }
            .into_any()
        }
    };
    let active_label = Signal::derive(move || label.get().ok().flatten());
    view! {
        <section class="page grid-page">
            <header class="page-header">
                <h1>{format!("{} {}", name.title(), split.noun())}</h1>
                <a class="side-link" href=link(&stats_path(name, split))>"Statistics of this set"</a>
            </header>
            <LabelFilter name split active=active_label />
            {body}
        </section>
    }
}

/// Links for "All" and each label 0–9; the active one is marked `aria-current`.
#[component]
fn LabelFilter(name: DatasetName, split: Split, active: Signal<Option<u8>>) -> impl IntoView {
    let choices = std::iter::once(None).chain((0..10u8).map(Some));
    let links = choices
        .map(|choice| {
            let text = choice.map_or("All".to_string(), |l| name.class_name(l).to_string());
            let current = move || (active.get() == choice).then_some("page");
            view! {
                <a
                    class="filter"
                    href=link(&grid_path(name, split, 1, choice))
                    aria-current=current
                    on:click=|_| perf::GRID.begin()
                >
                    {text}
                </a>
            }
        })
        .collect_view();
    view! {
        <nav class="label-filter" aria-label="Filter by label">
            <span class="filter-title">"Label:"</span>
            {links}
        </nav>
    }
}

/// "← Previous  Page 3 of 100  Next →", following the shown page (`None`: nothing to show).
#[component]
fn Pagination(
    name: DatasetName,
    split: Split,
    shown: Memo<Option<(Option<u8>, Page)>>,
) -> impl IntoView {
    let previous = move || {
        shown.get().and_then(|(label, page)| {
            page.has_previous()
                .then(|| grid_path(name, split, page.number - 1, label))
        })
    };
    let next = move || {
        shown.get().and_then(|(label, page)| {
            page.has_next()
                .then(|| grid_path(name, split, page.number + 1, label))
        })
    };
    let info = move || {
        shown
            .get()
            .map(|(_, page)| format!("Page {} of {}", page.number, page.total))
    };
    view! {
        <nav class="pagination" aria-label="Pages">
            {step_link(Signal::derive(previous), "← Previous", "prev")}
            <span class="page-info" data-testid="page-info">
                {info}
            </span>
            {step_link(Signal::derive(next), "Next →", "next")}
        </nav>
    }
}

/// A link to a neighbouring page (`path`), or the same words greyed out at the ends. A flip only
/// changes the link's `href`; the element is swapped only at the ends.
fn step_link(path: Signal<Option<String>>, text: &'static str, rel: &'static str) -> impl IntoView {
    let enabled = Memo::new(move |_| path.with(Option::is_some));
    move || {
        if enabled.get() {
            let href = move || path.with(|p| p.as_deref().map(link));
            view! {
                <a class="step" rel=rel href=href on:click=|_| perf::GRID.begin()>
                    {text}
                </a>
            }
            .into_any()
        } else {
            view! { <span class="step disabled" aria-disabled="true">{text}</span> }.into_any()
        }
    }
}
