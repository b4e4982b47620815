//! On /network: "Showing <name> — back to the shipped model" while the network view shows the
//! app's chosen model (crate::app::models), and why a `model=trained` link shows the shipped
//! model instead.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::{query_signal, use_location, use_navigate};
use leptos_router::NavigateOptions;

use crate::app::api::Abort;
use crate::app::models::use_models;
use crate::app::pages::network::{load_shipped, sample_dataset, NetworkState};
use crate::core::training::record::{model_summary, query_without};

#[component]
pub fn ChosenModelNote() -> impl IntoView {
    let models = use_models();
    let state = expect_context::<NetworkState>();
    let location = use_location();
    let navigate = use_navigate();
    let (sample_param, _) = query_signal::<String>("sample");
    let (input_param, _) = query_signal::<String>("input");
    // The chosen model, while it is the one drawn.
    let shown = move || {
        let chosen = models.chosen.get()?;
        let drawn =
            matches!(state.model.get(), Some(Ok(m)) if Arc::ptr_eq(&m.network, &chosen.network));
        drawn.then_some(chosen)
    };
    let back = move |_| {
        models.back_to_shipped();
        models.notice.set(None);
        state.model.set(None);
        let dataset = sample_dataset(
            sample_param.get_untracked().as_deref(),
            input_param.get_untracked().as_deref(),
        );
        leptos::task::spawn_local(load_shipped(state, Abort::new(), dataset));
        // A reload must not bring the trained model back.
        let query = query_without(&location.search.get_untracked(), "model");
        let path = state.place.with_untracked(|p| match (&p.layer, &p.neuron) {
            (Some(l), Some(n)) => format!("/network/layer/{l}/neuron/{n}"),
            (Some(l), None) => format!("/network/layer/{l}"),
            _ => "/network".to_string(),
        });
        let to = if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        };
        navigate(
            &to,
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    };
    view! {
        {move || {
            models
                .notice
                .get()
                .map(|n| view! { <p class="error-view" role="alert" data-testid="model-notice">{n}</p> })
        }}
        {move || {
            shown()
                .map(|m| {
                    let back = back.clone();
                    view! {
                        <p class="chosen-model" data-testid="chosen-model-note">
                            {format!("Showing {} ({}) — ", m.name, model_summary(&m.network))}
                            <button type="button" data-testid="back-to-shipped" on:click=back>
                                "back to the shipped model"
                            </button>
                        </p>
                    }
                })
        }}
    }
}
