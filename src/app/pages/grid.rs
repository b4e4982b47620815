//! `/data/{dataset}/{split}?page=N&label=D`: 100 digits a page, filtered by label.

use std::sync::Arc;

use crate::app::router::{use_navigate, use_params_map, use_query_map};
use leptos::prelude::*;

use super::{dataset_and_split, RouteProblem};
use crate::app::components::dataset_gate::WithDataset;
use crate::app::components::digit_grid::DigitGrid;
use crate::app::keys::{use_step_keys, Step};
use crate::app::{link, perf};
use crate::core::dataset::{Dataset, DatasetName, Split};
use crate::core::links::{grid_path, stats_path};
use crate::core::paging::{page, Page};
use crate::core::route::{parse_label, parse_page, RouteError};

#[component]
pub fn GridPage() -> impl IntoView {
    let params = use_params_map();
    let target = Memo::new(move |_| dataset_and_split(&params.read()));
    move || match target.get() {
        Err(error) => {
            view! { <RouteProblem error back="/" back_text="Go to the home page" /> }.into_any()
        }
        Ok((name, split)) => view! {
            <WithDataset
                name
                split
                render={move |dataset| view! { <GridView dataset name split /> }}
            />
        }
        .into_any(),
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
    let query = use_query_map();
    let label = Memo::new(move |_| parse_label(query.read().get_str("label")));
    // Positions of the digits with the chosen label, recomputed only when the label changes.
    let filtered = {
        let dataset = dataset.clone();
        Memo::new(move |_| label.get().map(|l| Arc::new(dataset.indices(l))))
    };
    let selection = Memo::new(move |_| -> Result<Selection, RouteError> {
        let label = label.get()?;
        let number = parse_page(query.read().get_str("page"))?;
        let positions = filtered.get()?;
        let page = page(positions.len(), number)?;
        Ok(Selection {
            label,
            page,
            indices: positions[page.start..page.end].to_vec(),
        })
    });

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
        perf::begin_flip();
        navigate(&grid_path(name, split, to, sel.label), Default::default());
        true
    });

    let body = move || match selection.get() {
        Err(error) => {
            let back = grid_path(name, split, 1, None);
            view! { <RouteProblem error back back_text="Go to page 1" /> }.into_any()
        }
        Ok(sel) => {
            perf::begin_flip();
            let dataset = dataset.clone();
            view! {
                <Pagination name split selection=sel.clone() />
                {if sel.indices.is_empty() {
                    view! { <p class="empty">"No digits have this label."</p> }.into_any()
                } else {
                    view! { <DigitGrid dataset name split indices=sel.indices /> }.into_any()
                }}
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
            let text = choice.map_or("All".to_string(), |l| l.to_string());
            let current = move || (active.get() == choice).then_some("page");
            view! {
                <a
                    class="filter"
                    href=link(&grid_path(name, split, 1, choice))
                    aria-current=current
                    on:click=|_| perf::begin_flip()
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

/// "← Previous  Page 3 of 100  Next →".
#[component]
fn Pagination(name: DatasetName, split: Split, selection: Selection) -> impl IntoView {
    let Selection { label, page, .. } = selection;
    let previous = page
        .has_previous()
        .then(|| grid_path(name, split, page.number - 1, label));
    let next = page
        .has_next()
        .then(|| grid_path(name, split, page.number + 1, label));
    view! {
        <nav class="pagination" aria-label="Pages">
            {step_link(previous, "← Previous", "prev")}
            <span class="page-info" data-testid="page-info">
                {format!("Page {} of {}", page.number, page.total)}
            </span>
            {step_link(next, "Next →", "next")}
        </nav>
    }
}

/// A link to a neighbouring page, or the same words greyed out at the ends.
fn step_link(path: Option<String>, text: &'static str, rel: &'static str) -> AnyView {
    match path {
        Some(path) => view! {
            <a class="step" rel=rel href=link(&path) on:click=|_| perf::begin_flip()>
                {text}
            </a>
        }
        .into_any(),
        None => view! { <span class="step disabled" aria-disabled="true">{text}</span> }.into_any(),
    }
}
