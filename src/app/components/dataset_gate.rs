//! Shows a page only once its split is loaded: progress while loading, an alert with Retry
//! when loading failed.

use std::sync::Arc;

use leptos::prelude::*;

use crate::app::components::error_view::ErrorView;
use crate::app::components::progress::LoadProgress;
use crate::app::data::use_dataset;
use crate::app::link;
use crate::core::dataset::{Dataset, DatasetName, Split};

/// Renders `render(dataset)` once `name`/`split` is loaded (from the shared cache).
#[component]
pub fn WithDataset<F, V>(name: DatasetName, split: Split, render: F) -> impl IntoView
where
    F: Fn(Arc<Dataset>) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let source = use_dataset(name, split);
    let data = source.data;
    let what = format!("the {} {}", name.title(), split.noun());
    let title = format!("Could not load {what}");
    let retry = Callback::new(move |_| data.refetch());
    let fallback = {
        let what = what.clone();
        move || view! { <LoadProgress progress=source.progress what=what.clone() /> }
    };
    let failure = move |errors: ArcRwSignal<Errors>| {
        let message = errors
            .read()
            .iter()
            .map(|(_, e)| e.to_string())
            .collect::<Vec<_>>()
            .join(" ");
        view! {
            <ErrorView title=title.clone() message=message retry=retry>
                <a href=link("/")>"Home"</a>
            </ErrorView>
        }
    };
    view! {
        <Suspense fallback=fallback>
            <ErrorBoundary fallback=failure>
                {move || {
                    let render = render.clone();
                    Suspend::new(async move { data.await.map(render) })
                }}
            </ErrorBoundary>
        </Suspense>
    }
}
