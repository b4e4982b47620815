//! One module per route.

pub mod digit;
pub mod draw;
pub mod grid;
pub mod home;
pub mod local;
pub mod network;
pub mod network_detail;
pub mod not_found;
pub mod stats;
pub mod train;

use leptos::prelude::*;
use leptos_router::params::ParamsMap;

use crate::app::components::error_view::ErrorView;
use crate::app::link;
use crate::core::dataset::{DatasetName, Split};
use crate::core::url::{parse_dataset, parse_split, RouteError};

/// The `:dataset` and `:split` segments of the current route, checked.
pub(crate) fn dataset_and_split(params: &ParamsMap) -> Result<(DatasetName, Split), RouteError> {
    let dataset = parse_dataset(params.get_str("dataset").unwrap_or_default())?;
    let split = parse_split(params.get_str("split").unwrap_or_default())?;
    Ok((dataset, split))
}

/// An address that names nothing: the reason, and a link to `back` (an app path) named `back_text`.
#[component]
pub fn RouteProblem(
    error: RouteError,
    #[prop(into)] back: String,
    #[prop(into)] back_text: String,
) -> impl IntoView {
    view! {
        <ErrorView title="Nothing to show at this address" message=error.to_string()>
            <a href=link(&back)>{back_text}</a>
        </ErrorView>
    }
}
