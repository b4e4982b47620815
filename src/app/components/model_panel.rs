//! On /train: the run's model as a `.mnn` file (download), a `.mnn` file as the model in use
//! (upload), and "use this model in the network view". The model in use and the last trained
//! one are the app's (crate::app::models), kept in IndexedDB.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use crate::app::models::{chosen_file, save_file, use_models, AppModel, AppModels};
use crate::app::pages::train::RunState;
use crate::core::format::thousands;
use crate::core::nn::model::to_bytes_with_note;
use crate::core::training::page::ReceivedWeights;
use crate::core::training::record::{model_file_name, model_note, model_summary};
use crate::core::training::{Command, WeightsFor};

/// Where the network view of the trained model is.
const TRAINED_VIEW: &str = "/network?model=trained";

/// The weights the worker sent as a model file: its name and bytes, with a note saying how to
/// train it again.
fn as_model(run: RunState, w: &ReceivedWeights) -> Option<AppModel> {
    let config = run.config.get_untracked()?;
    let step = w.meta.step;
    let bytes = to_bytes_with_note(&w.network, &model_note(&config, step));
    Some(AppModel {
        name: model_file_name(&config, step),
        network: w.network.clone(),
        bytes: std::sync::Arc::new(bytes),
    })
}

#[component]
pub fn ModelPanel() -> impl IntoView {
    let run = expect_context::<RunState>();
    let models = use_models();
    let navigate = use_navigate();
    let problem = RwSignal::new(None::<String>);
    let upload_error = RwSignal::new(None::<String>);
    // "Use in the network view" waits for the run's weights.
    let use_pending = StoredValue::new(false);
    leptos::task::spawn_local(models.restore_saved());

    let go_to_network = {
        let navigate = navigate.clone();
        move || navigate(TRAINED_VIEW, Default::default())
    };
    Effect::new(move |_| {
        let Some(w) = run.weights.get() else {
            return;
        };
        match w.purpose {
            WeightsFor::Download => match as_model(run, &w) {
                Some(m) => problem.set(save_file(&m.name, &m.bytes).err()),
                None => problem.set(Some("The run's model could not be built.".into())),
            },
            WeightsFor::Keep => {
                let Some(m) = as_model(run, &w) else {
                    return;
                };
                models.keep_trained(m.clone());
                if use_pending.get_value() {
                    use_pending.set_value(false);
                    models.choose(m);
                    go_to_network();
                }
            }
            WeightsFor::Show => {}
        }
    });

    let has_run = move || run.has_run();
    let can_download = move || {
        has_run() || models.trained.with(Option::is_some) || models.chosen.with(Option::is_some)
    };
    let can_use = move || has_run() || models.trained.with(Option::is_some);
    let download = move |_| {
        problem.set(None);
        if run.has_run() {
            // The weights of the moment time travel shows, else the current ones.
            run.send(Command::Snapshot {
                step: run.travel.get_untracked().unwrap_or(u64::MAX),
                purpose: WeightsFor::Download,
            });
        } else if let Some(m) = models
            .trained
            .get_untracked()
            .or_else(|| models.chosen.get_untracked())
        {
            problem.set(save_file(&m.name, &m.bytes).err());
        }
    };
    let use_it = move |_| {
        if run.has_run() {
            use_pending.set_value(true);
            run.send(Command::Snapshot {
                step: run.travel.get_untracked().unwrap_or(u64::MAX),
                purpose: WeightsFor::Keep,
            });
        } else if let Some(m) = models.trained.get_untracked() {
            models.choose(m);
            navigate(TRAINED_VIEW, Default::default());
        }
    };
    let download_hint = move || {
        if run.has_run() {
            match run.travel.get() {
                Some(step) => format!("the run's weights at batch {}", thousands(step as usize)),
                None => "the run's current weights".to_string(),
            }
        } else {
            match models.trained.get().or_else(|| models.chosen.get()) {
                Some(m) => m.name,
                None => "no model yet: train one or load a file".to_string(),
            }
        }
    };
    let on_file = move |ev: leptos::ev::Event| {
        if let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        {
            upload(input, models, upload_error);
        }
    };
    let in_use = move || match models.chosen.get() {
        Some(m) => format!("{} ({})", m.name, model_summary(&m.network)),
        None => "the shipped model (784–256–128–10)".to_string(),
    };
    let trained = move || {
        models.trained.get().map(|m| {
            view! {
                <p data-testid="model-trained">
                    "Last trained model kept in this browser: "
                    {format!("{} ({})", m.name, model_summary(&m.network))}
                </p>
            }
        })
    };

    view! {
        <section class="model-panel" aria-labelledby="model-panel-title">
            <h2 id="model-panel-title">"The model"</h2>
            <p data-testid="model-in-use">"Model in use (the network view shows it): " {in_use}</p>
            {trained}
            <div class="model-actions" role="group" aria-label="Model">
                <button type="button" data-testid="model-download" prop:disabled=move || !can_download() on:click=download>
                    "Download (.mnn)"
                </button>
                <button type="button" data-testid="model-use" prop:disabled=move || !can_use() on:click=use_it>
                    "Use this model in the network view"
                </button>
                <label>
                    "Load a model (.mnn): "
                    <input type="file" accept=".mnn" data-testid="model-upload" on:change=on_file />
                </label>
            </div>
            <p class="hint">"Download: " {download_hint}</p>
            {move || problem.get().map(|p| view! { <p class="error-view" role="alert">{p}</p> })}
            {move || {
                upload_error
                    .get()
                    .map(|e| view! { <p class="error-view" role="alert" data-testid="model-upload-error">{e}</p> })
            }}
        </section>
    }
}

/// Reads the chosen file; a valid model becomes the model in use, anything else is named in
/// `error` and the model in use is kept.
fn upload(input: HtmlInputElement, models: AppModels, error: RwSignal<Option<String>>) {
    leptos::task::spawn_local(async move {
        let Some((name, bytes)) = chosen_file(&input).await else {
            return;
        };
        let read = bytes
            .ok_or_else(|| "The file could not be read.".to_string())
            .and_then(|b| AppModel::from_bytes(name.clone(), b));
        match read {
            Ok(m) => {
                let _ = error.try_set(None);
                models.choose(m);
            }
            Err(e) => {
                let _ = error.try_set(Some(format!(
                    "{name} was not loaded: {e} The model in use is kept."
                )));
            }
        }
    });
}
