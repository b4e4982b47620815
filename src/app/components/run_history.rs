//! On /train: the runs kept in this browser (IndexedDB, crate::app::storage). A run's record is
//! written at each epoch's end, on Pause and when it finishes (its weights are kept then too);
//! after a reload the last run's curves are drawn again. Each saved run can be deleted or
//! checked to overlay its curves on others'. Records, overlays and dates: core::training::record.

use leptos::prelude::*;

use crate::app::components::chart::LineChart;
use crate::app::models::use_models;
use crate::app::pages::train::RunState;
use crate::app::storage;
use crate::core::training::page::YAxis;
use crate::core::training::record::{date_utc, overlay, RunRecord, OVERLAY_LETTERS, OVERLAY_MAX};
use crate::core::training::{Command, WeightsFor};

fn now_ms() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

#[component]
pub fn RunHistory() -> impl IntoView {
    let run = expect_context::<RunState>();
    let models = use_models();
    let runs = RwSignal::new(Vec::<RunRecord>::new());
    // Ids of the runs overlaid, in the order they were checked (their letters).
    let checked = RwSignal::new(Vec::<u64>::new());
    // The run shown from its record after a reload (no run in the worker yet).
    let restored = RwSignal::new(None::<RunRecord>);
    // The current run's start (its record's id).
    let run_id = StoredValue::new(None::<u64>);

    leptos::task::spawn_local(async move {
        match storage::load_runs().await {
            Ok((list, unreadable)) => {
                if unreadable > 0 {
                    let _ = models.write_error.try_set(Some(format!(
                        "{unreadable} saved run(s) could not be read and are not listed."
                    )));
                }
                // Draw the last run again unless a run started meanwhile.
                let idle = !untrack(|| run.has_run())
                    && run
                        .history
                        .with_untracked(|h| h.smoothed.is_empty() && h.epochs.is_empty());
                if let (true, Some(last)) = (idle, list.last()) {
                    run.history.set(last.to_history());
                    let _ = restored.try_set(Some(last.clone()));
                }
                let _ = runs.try_set(list);
            }
            Err(e) => {
                let _ = models.storage_off.try_set(Some(e));
            }
        }
    });

    // A new run (its `Started`): a new record.
    Effect::new(move |_| {
        if run.config.read().is_some() {
            run_id.set_value(Some(now_ms()));
            restored.set(None);
        }
    });

    // Save at each epoch's end, on Pause and at the end.
    let epochs = Memo::new(move |_| run.history.with(|h| h.epochs.len()));
    let stopped = Memo::new(move |_| run.has_run() && !run.is_running());
    Effect::new(move |previous: Option<(usize, bool)>| {
        let now = (epochs.get(), stopped.get());
        if let Some((was_epochs, was_stopped)) = previous {
            if untrack(|| run.has_run()) && (now.0 > was_epochs || (now.1 && !was_stopped)) {
                save(run, run_id, runs, models);
            }
        }
        now
    });

    let remove = move |id: u64| {
        checked.update(|c| c.retain(|&x| x != id));
        leptos::task::spawn_local(async move {
            match storage::delete_run(id).await {
                Ok(()) => {
                    let _ = runs.try_update(|r| r.retain(|x| x.id != id));
                }
                Err(e) => {
                    let _ = models.write_error.try_set(Some(e));
                }
            }
        });
    };
    let toggle = move |id: u64, on: bool| {
        checked.update(|c| {
            c.retain(|&x| x != id);
            if on && c.len() < OVERLAY_MAX {
                c.push(id);
            }
        })
    };
    let letter = move |id: u64| {
        checked.with(|c| c.iter().position(|&x| x == id).map(|i| OVERLAY_LETTERS[i]))
    };
    let overlaid = Memo::new(move |_| {
        let ids = checked.get();
        runs.with(|list| {
            let picked: Vec<&RunRecord> = ids
                .iter()
                .filter_map(|id| list.iter().find(|r| r.id == *id))
                .collect();
            overlay(&picked)
        })
    });

    let items = move || {
        runs.get()
            .into_iter()
            .rev()
            .map(|r| {
                let id = r.id;
                let on = move || checked.with(|c| c.contains(&id));
                let full = move || checked.with(|c| c.len() >= OVERLAY_MAX);
                view! {
                    <li class="run-item" data-testid="run-item" data-id=id.to_string()>
                        <label>
                            <input
                                type="checkbox"
                                data-testid="run-overlay"
                                prop:checked=on
                                prop:disabled=move || full() && !on()
                                on:change=move |e| toggle(id, event_target_checked(&e))
                            />
                            " Overlay "
                            <strong>{move || letter(id)}</strong>
                        </label>
                        " "
                        <span class="run-summary">{r.summary()}</span>
                        " · "
                        <time>{date_utc(r.id)}</time>
                        " · "
                        <span class="run-result">{r.result()}</span>
                        " "
                        <button type="button" data-testid="run-delete" on:click=move |_| remove(id)>
                            "Delete"
                        </button>
                    </li>
                }
            })
            .collect_view()
    };

    view! {
        <section class="run-history" data-testid="run-history" aria-labelledby="run-history-title">
            <h2 id="run-history-title">"Runs kept in this browser"</h2>
            {move || {
                models
                    .storage_off
                    .get()
                    .map(|why| {
                        view! {
                            <p class="storage-off" role="status" data-testid="storage-status">
                                {format!("Runs and models are not kept after a reload here: {why}")}
                            </p>
                        }
                    })
            }}
            {move || {
                models
                    .write_error
                    .get()
                    .map(|e| view! { <p class="error-view" role="alert" data-testid="storage-error">{e}</p> })
            }}
            {move || {
                restored
                    .get()
                    .map(|r| {
                        view! {
                            <p data-testid="restored-run">
                                {format!(
                                    "The charts show the last run kept in this browser ({}): {} · {}. Start trains a new run.",
                                    date_utc(r.id),
                                    r.summary(),
                                    r.result(),
                                )}
                            </p>
                        }
                    })
            }}
            <Show when=move || runs.with(|r| !r.is_empty())
                fallback=|| view! { <p class="hint">"No run kept yet: a run is kept at each epoch's end, on Pause and when it finishes."</p> }>
                <ul class="run-list">{items}</ul>
                <p class="hint">"Check runs to overlay their curves (up to four)."</p>
            </Show>
            <Show when=move || checked.with(|c| !c.is_empty())>
                <LineChart
                    title="Overlaid runs: smoothed training loss"
                    y_label="loss"
                    testid="overlay-loss-chart"
                    series=Signal::derive(move || overlaid.get().0)
                    y_axis=Signal::derive(|| YAxis::Fit)
                />
                <LineChart
                    title="Overlaid runs: test accuracy"
                    y_label="accuracy"
                    testid="overlay-accuracy-chart"
                    percent=true
                    series=Signal::derive(move || overlaid.get().1)
                    y_axis=Signal::derive(|| YAxis::Fixed(0.0, 1.0))
                />
            </Show>
        </section>
    }
}

/// Writes the current run's record and asks the worker for its weights to keep.
fn save(
    run: RunState,
    run_id: StoredValue<Option<u64>>,
    runs: RwSignal<Vec<RunRecord>>,
    models: crate::app::models::AppModels,
) {
    let Some(config) = run.config.get_untracked() else {
        return;
    };
    let now = now_ms();
    let id = run_id.get_value().unwrap_or(now);
    let finished = run.history.with_untracked(|h| h.done() >= 1.0) && !untrack(|| run.is_running());
    let record = run
        .history
        .with_untracked(|h| RunRecord::from_history(id, now, &config, h, finished));
    run.send(Command::Snapshot {
        step: u64::MAX,
        purpose: WeightsFor::Keep,
    });
    leptos::task::spawn_local(async move {
        match storage::save_run(&record).await {
            Ok(()) => {
                let _ = models.write_error.try_set(None);
                let _ = runs.try_update(|list| {
                    match list.iter_mut().find(|r| r.id == record.id) {
                        Some(r) => *r = record,
                        None => list.push(record),
                    }
                    // As the store keeps them: the newest MAX_RECORDS.
                    let extra = list
                        .len()
                        .saturating_sub(crate::core::training::record::MAX_RECORDS);
                    list.drain(..extra);
                });
            }
            Err(e) => {
                let _ = models.write_error.try_set(Some(e));
            }
        }
    });
}
