//! `/train?hidden=100,50&act=relu&opt=adam&lr=0.001&batch=64&epochs=3&seed=7`: train a network
//! in a Web Worker (src/worker.rs) and watch it learn. The URL is the configuration: the form
//! edits it, a link reproduces the run. Everything computed lives in `core::training::page`.
//! Under the charts: the test set's confusion matrix after each epoch, with a gallery per cell.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

use crate::app::components::chart::LineChart;
use crate::app::components::confusion::ConfusionMatrix;
use crate::app::components::layer_health::LayerHealth;
use crate::app::components::model_panel::ModelPanel;
use crate::app::components::run_history::RunHistory;
use crate::app::components::time_travel::{follow_live_weights, TimeTravel};
use crate::app::components::weight_tiles::WeightTiles;
use crate::app::trainer::{Event, Trainer};
use crate::core::dataset::DatasetName;
use crate::core::format::thousands;
use crate::core::training::page::{
    form_value, memory_line, page_config, speed_line, weights_from, with_setting, History,
    ReceivedWeights, Series, ShownConfusion, YAxis,
};
use crate::core::training::{
    Command, Report, RunConfig, RunOptions, SnapshotMeta, TrainData, WeightsFor,
};

/// Where the worker and its run stand.
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    /// The worker is downloading and decoding the data (commands wait for it).
    Loading,
    /// No run: the worker waits for Start.
    Idle {
        train: usize,
    },
    Running,
    Paused,
    Finished,
    /// The worker died or could not start; Restart makes a new one.
    Dead(String),
}

/// What the page knows of its worker and its run: every report lands in one of these.
/// Provided as context to the page's components.
#[derive(Clone, Copy)]
pub struct RunState {
    phase: RwSignal<Phase>,
    /// The run's settings, from its `Started` (None before the first run).
    pub config: RwSignal<Option<RunConfig>>,
    pub history: RwSignal<History>,
    /// The latest confusion matrix of the test set (cleared with the history).
    pub confusion: RwSignal<Option<ShownConfusion>>,
    /// The last snapshot's weights received, with what they were asked for.
    pub weights: RwSignal<Option<ReceivedWeights>>,
    /// The snapshots the worker holds (ascending by step), for time travel.
    pub snapshots: RwSignal<Vec<SnapshotMeta>>,
    /// The snapshots' bytes and their budget.
    pub snapshot_bytes: RwSignal<(usize, usize)>,
    /// The snapshot's step time travel shows; `None`: now (the live weights).
    pub travel: RwSignal<Option<u64>>,
    /// The weights shown (heatmaps): the last ones received for [`WeightsFor::Show`].
    pub shown: RwSignal<Option<ReceivedWeights>>,
    /// The confusion matrix of the moment `travel` shows, once the worker sent it.
    pub past_confusion: RwSignal<Option<ShownConfusion>>,
    /// An Error report about the run (e.g. a setting the worker refused), shown until the next Start.
    problem: RwSignal<Option<String>>,
    /// Training digits the worker holds (from its Ready).
    train_size: RwSignal<usize>,
    /// The data the worker loads or holds.
    worker_data: RwSignal<TrainData>,
    trainer: StoredValue<Option<Trainer>, LocalStorage>,
}

impl RunState {
    fn new() -> RunState {
        RunState {
            phase: RwSignal::new(Phase::Loading),
            config: RwSignal::new(None),
            history: RwSignal::new(History::default()),
            confusion: RwSignal::new(None),
            weights: RwSignal::new(None),
            snapshots: RwSignal::new(Vec::new()),
            snapshot_bytes: RwSignal::new((0, 0)),
            travel: RwSignal::new(None),
            shown: RwSignal::new(None),
            past_confusion: RwSignal::new(None),
            problem: RwSignal::new(None),
            train_size: RwSignal::new(0),
            worker_data: RwSignal::new(TrainData::Builtin(DatasetName::Mnist)),
            trainer: StoredValue::new_local(None),
        }
    }

    /// Sends a command to the worker (held until it is ready).
    pub fn send(&self, command: Command) {
        self.trainer
            .with_value(|t| t.as_ref().map(|t| t.send(command)));
    }

    /// Forgets what the last run showed: its charts, its confusion matrix, its snapshots.
    fn forget(&self) {
        self.history.set(History::default());
        self.confusion.set(None);
        self.weights.set(None);
        self.snapshots.set(Vec::new());
        self.snapshot_bytes.set((0, 0));
        self.travel.set(None);
        self.shown.set(None);
        self.past_confusion.set(None);
    }

    /// The confusion matrix to show: the one of the moment time travel shows once it came,
    /// else the latest epoch's.
    pub fn shown_confusion(&self) -> Option<ShownConfusion> {
        match self.travel.get() {
            Some(_) => self.past_confusion.get().or_else(|| self.confusion.get()),
            None => self.confusion.get(),
        }
    }

    /// Whether a run exists (running, paused or finished).
    pub fn has_run(&self) -> bool {
        matches!(
            self.phase.get(),
            Phase::Running | Phase::Paused | Phase::Finished
        )
    }

    /// [`Self::has_run`] without tracking.
    pub fn has_run_untracked(&self) -> bool {
        untrack(|| self.has_run())
    }

    /// Whether the run is training now.
    pub fn is_running(&self) -> bool {
        self.phase.get() == Phase::Running
    }
}

#[component]
pub fn TrainPage() -> impl IntoView {
    let location = use_location();
    let query = Memo::new(move |_| location.search.get());
    let config = Memo::new(move |_| page_config(&query.get()));
    let run = RunState::new();
    provide_context(run);
    let RunState {
        phase,
        history,
        confusion,
        problem,
        trainer,
        ..
    } = run;
    let forget = move || run.forget();
    let log_scale = RwSignal::new(false);

    // A new worker (also after one died): what the last run showed stays until the next Start
    // or Reset, its last weights included.
    let spawn = move || {
        phase.set(Phase::Loading);
        problem.set(None);
        // The worker loads the dataset the link names (a bad link: MNIST, the link's error shows).
        let data = config
            .with_untracked(|c| c.as_ref().map(RunConfig::source).ok())
            .unwrap_or(TrainData::Builtin(DatasetName::Mnist));
        run.worker_data.set(data.clone());
        // The old worker (if any) goes before the new one loads its data.
        trainer.set_value(None);
        let made = Trainer::spawn(&data, move |event| on_event(event, run));
        match made {
            Ok(t) => trainer.set_value(Some(t)),
            Err(why) => phase.set(Phase::Dead(why)),
        }
    };
    spawn();
    // Another dataset in the link: a worker that loads it (unless a run is training now; Start
    // then makes one).
    let link_data = Memo::new(move |_| config.with(|c| c.as_ref().map(RunConfig::source).ok()));
    Effect::new(move |_| {
        if let Some(d) = link_data.get() {
            if run.worker_data.with_untracked(|w| *w != d) && !untrack(|| run.is_running()) {
                spawn();
            }
        }
    });
    follow_live_weights(run);
    on_cleanup(move || trainer.set_value(None));

    let send = move |command: Command| run.send(command);
    let start = move |_| {
        if let Ok(config) = config.get_untracked() {
            if run.worker_data.with_untracked(|w| *w != config.source()) {
                spawn();
            }
            problem.set(None);
            forget();
            phase.set(Phase::Running);
            send(Command::Start {
                config,
                options: RunOptions::default(),
            });
        }
    };
    let running = move || run.is_running();
    let paused = move || phase.get() == Phase::Paused;
    let has_run = move || run.has_run();
    let dead = move || matches!(phase.get(), Phase::Dead(_));
    let can_start = move || config.read().is_ok() && !running() && !dead();

    let status = move || match phase.get() {
        Phase::Loading => format!(
            "Loading the {} training and test sets in the training worker…",
            run.worker_data.get().title()
        ),
        Phase::Idle { train } => run.worker_data.with(|data| {
            let noun = match data {
                TrainData::Builtin(d) => d.item_noun(),
                TrainData::Local(_) => "image",
            };
            format!(
                "Ready: {} training {noun}s of {} loaded; press Start.",
                thousands(train),
                data.title()
            )
        }),
        Phase::Dead(_) => "Stopped: the training worker is gone.".to_string(),
        p => {
            let word = match p {
                Phase::Running => "Training",
                Phase::Paused => "Paused",
                _ => "Finished",
            };
            format!("{word} · {}", history.read().status())
        }
    };
    let speed = move || history.with(|h| speed_line(h, running()));

    view! {
        <section class="train-page">
            <h1>"Train a network in your browser"</h1>
            <p class="hint">
                "The network trains in a Web Worker, so this page stays responsive. The settings are the address: share it to share the run."
            </p>
            <SettingsForm query />
            {move || {
                config
                    .get()
                    .err()
                    .map(|e| view! { <p class="error-view" role="alert">{e.to_string()}</p> })
            }}
            <div class="train-controls" role="group" aria-label="Training">
                <button type="button" data-testid="train-start" prop:disabled=move || !can_start() on:click=start>
                    "Start"
                </button>
                <button type="button" data-testid="train-pause" prop:disabled=move || !running() on:click=move |_| { send(Command::Pause); }>
                    "Pause"
                </button>
                <button type="button" data-testid="train-resume" prop:disabled=move || !paused() on:click=move |_| { phase.set(Phase::Running); send(Command::Resume); }>
                    "Resume"
                </button>
                <button type="button" data-testid="train-step" prop:disabled=move || !paused() on:click=move |_| { send(Command::Step { batches: 1 }); }>
                    "Step"
                </button>
                <button type="button" data-testid="train-reset" prop:disabled=move || !has_run() on:click=move |_| {
                    forget();
                    phase.set(Phase::Loading);
                    send(Command::Reset);
                }>
                    "Reset"
                </button>
            </div>
            {move || match phase.get() {
                Phase::Dead(why) => Some(view! {
                    <div class="error-view" role="alert">
                        <p class="error-message">{why}</p>
                        <button type="button" class="retry" data-testid="train-restart" on:click=move |_| spawn()>
                            "Restart the worker"
                        </button>
                    </div>
                }.into_any()),
                _ => problem.get().map(|p| view! { <p class="error-view" role="alert">{p}</p> }.into_any()),
            }}
            // The status line changes ten times a second: screen readers hear only the phase.
            <p class="train-status" data-testid="train-status">{status}</p>
            <p class="visually-hidden" role="status">{move || phase_word(&phase.get())}</p>
            <div class="train-progress">
                <progress max="1" value=move || history.read().done()></progress>
                <span data-testid="train-speed">{speed}</span>
            </div>
            <Show when=move || run.has_run()>
                <p class="train-memory" data-testid="train-memory">
                    {move || {
                        let (bytes, budget) = run.snapshot_bytes.get();
                        let worker = history.with(|h| h.latest.memory_bytes);
                        memory_line(worker, run.snapshots.with(Vec::len), bytes, budget)
                    }}
                </p>
            </Show>
            <TimeTravel />
            <label class="log-toggle">
                <input type="checkbox" prop:checked=move || log_scale.get() on:change=move |e| log_scale.set(event_target_checked(&e)) />
                " Loss on a log scale"
            </label>
            <LineChart
                title="Training loss per batch"
                y_label="loss"
                testid="loss-chart"
                series=Signal::derive(move || {
                    let h = history.read();
                    vec![
                        Series { name: "loss", points: h.loss.clone() },
                        Series { name: "smoothed", points: h.smoothed.clone() },
                    ]
                })
                y_axis=Signal::derive(move || if log_scale.get() { YAxis::Log } else { YAxis::Fit })
                cursor=Signal::derive(move || run.travel.get().map(|s| s as f64))
            />
            <LineChart
                title="Accuracy"
                y_label="accuracy"
                testid="accuracy-chart"
                percent=true
                series=Signal::derive(move || {
                    let h = history.read();
                    let (train, test) = h.epoch_accuracy();
                    vec![
                        Series { name: "test estimate", points: h.estimates.clone() },
                        Series { name: "train (during the epoch)", points: train },
                        Series { name: "test (epoch)", points: test },
                    ]
                })
                y_axis=Signal::derive(|| YAxis::Fixed(0.0, 1.0))
                cursor=Signal::derive(move || run.travel.get().map(|s| s as f64))
            />
            <LayerHealth />
            // Created with the first matrix (it starts loading the test digits for the
            // galleries), kept while the matrices of later epochs replace it.
            <WeightTiles />
            <Show when=move || confusion.with(Option::is_some)>
                <ConfusionMatrix
                    shown=Signal::derive(move || run.shown_confusion())
                    dataset=Signal::derive(move || {
                        run.config.with(|c| c.as_ref().map_or(DatasetName::Mnist, |c| c.data))
                    })
                    local=Signal::derive(move || {
                        run.config.with(|c| c.as_ref().and_then(|c| c.local.clone()))
                    })
                />
            </Show>
            <ModelPanel />
            <RunHistory />
        </section>
    }
}

/// The phase in one word, for screen readers.
fn phase_word(phase: &Phase) -> &'static str {
    match phase {
        Phase::Loading => "Loading the data",
        Phase::Idle { .. } => "Ready to train",
        Phase::Running => "Training",
        Phase::Paused => "Paused",
        Phase::Finished => "Finished",
        Phase::Dead(_) => "Stopped",
    }
}

/// What a worker's report changes on the page.
fn on_event(event: Event, run: RunState) {
    let RunState {
        phase,
        history,
        confusion,
        problem,
        train_size,
        trainer,
        ..
    } = run;
    match event {
        Event::Report(Report::Ready { train, .. }) => {
            train_size.set(train);
            // Also the answer to Reset; a Start held until now is already on its way.
            if phase.get_untracked() == Phase::Loading {
                phase.set(Phase::Idle { train });
            }
        }
        Event::Report(Report::Started { config, .. }) => {
            run.forget();
            run.config.set(Some(config));
            phase.set(Phase::Running);
        }
        // A report posted before a Reset can arrive after it: its run is gone.
        Event::Report(Report::Progress { metrics }) if run.has_run_untracked() => {
            history.update(|h| h.absorb(metrics))
        }
        Event::Report(Report::Confusion {
            step,
            confusion: matrix,
            ..
        }) => {
            // The epoch's Progress came first: the history knows which epoch ended at `step`.
            let when = history.with_untracked(|h| h.moment(step));
            let shown = Some(ShownConfusion {
                when,
                confusion: Arc::new(matrix),
            });
            // The answer to time travel's Evaluate, or an epoch's end.
            if run.travel.get_untracked() == Some(step) {
                run.past_confusion.set(shown);
            } else {
                confusion.set(shown);
            }
        }
        Event::Report(Report::Snapshot {
            meta,
            purpose,
            parameters,
        }) => {
            let network = run
                .config
                .with_untracked(|c| c.as_ref().and_then(|c| weights_from(c, &parameters)));
            match network {
                Some(network) => {
                    let weights = Some(ReceivedWeights {
                        meta,
                        purpose,
                        network: Arc::new(network),
                    });
                    if purpose == WeightsFor::Show {
                        run.shown.set(weights.clone());
                    }
                    run.weights.set(weights);
                }
                None => problem.set(Some(
                    "The worker sent weights that do not fit the run's network.".into(),
                )),
            }
        }
        Event::Report(Report::Snapshots {
            snapshots,
            bytes,
            budget,
        }) => {
            run.snapshots.set(snapshots);
            run.snapshot_bytes.set((bytes, budget));
        }
        Event::Report(Report::Paused { .. }) => phase.set(Phase::Paused),
        Event::Report(Report::Finished { .. }) => phase.set(Phase::Finished),
        Event::Report(Report::Error { message }) => {
            let never_trained = history.with_untracked(|h| h.latest.batches_per_epoch == 0);
            match phase.get_untracked() {
                Phase::Loading => {
                    phase.set(Phase::Dead(message));
                    drop_later(trainer);
                    return;
                }
                // The worker refused to start the run: back to no run.
                Phase::Running if never_trained => phase.set(Phase::Idle {
                    train: train_size.get_untracked(),
                }),
                // The run stopped (the worker trains no further after an error).
                Phase::Running => phase.set(Phase::Paused),
                _ => {}
            }
            problem.set(Some(message));
        }
        Event::Report(_) => {}
        Event::Died(why) => {
            phase.set(Phase::Dead(why));
            // Its snapshots died with it; the charts and the last weights the page received stay.
            run.snapshots.set(Vec::new());
            run.travel.set(None);
            drop_later(trainer);
        }
    }
}

/// Terminates the worker after the current event (its handler is running now).
fn drop_later(trainer: StoredValue<Option<Trainer>, LocalStorage>) {
    leptos::task::spawn_local(async move {
        let _ = trainer.try_set_value(None);
    });
}

/// The run's settings; every change rewrites the address (`replace`: no history entry per key).
#[component]
fn SettingsForm(query: Memo<String>) -> impl IntoView {
    let navigate = use_navigate();
    let set = move |setting: &'static str, value: String| {
        let q = with_setting(&query.get_untracked(), setting, &value);
        navigate(
            &format!("/train?{q}"),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    };
    let set_text = set.clone();
    let text = move |setting: &'static str, label: &'static str, hint: &'static str| {
        let set = set_text.clone();
        view! {
            <label class="setting">
                <span>{label}</span>
                <input
                    type="text"
                    name=setting
                    prop:value=move || form_value(&query.get(), setting)
                    on:change=move |e| set(setting, event_target_value(&e))
                />
                <small>{hint}</small>
            </label>
        }
    };
    // The built-in sets, and the user's set when the link names one (`data=local:{name}`).
    let data_choice = {
        let set = set.clone();
        move || {
            let set = set.clone();
            let current = move || form_value(&query.get(), "data");
            let options = move || {
                let mut options = vec!["mnist".to_string(), "fashion-mnist".to_string()];
                let now = current();
                if now.starts_with("local:") {
                    options.push(now);
                }
                options
                    .into_iter()
                    .map(|o| {
                        let selected = o == current();
                        view! { <option value=o.clone() selected=selected>{o.clone()}</option> }
                    })
                    .collect_view()
            };
            view! {
                <label class="setting">
                    <span>"Dataset"</span>
                    <select name="data" on:change=move |e| set("data", event_target_value(&e))>
                        {options}
                    </select>
                </label>
            }
        }
    };
    let choice = move |setting: &'static str,
                       label: &'static str,
                       options: &'static [&'static str]| {
        let set = set.clone();
        view! {
            <label class="setting">
                <span>{label}</span>
                <select name=setting on:change=move |e| set(setting, event_target_value(&e))>
                    {options
                        .iter()
                        .map(|o| {
                            view! {
                                <option value=*o selected=move || form_value(&query.get(), setting) == *o>
                                    {*o}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
        }
    };
    view! {
        <form class="train-settings" on:submit=|e| e.prevent_default()>
            {data_choice()}
            {text("hidden", "Hidden layers", "sizes, e.g. 100,50")}
            {choice("act", "Activation", &["relu", "tanh", "sigmoid"])}
            {choice("opt", "Optimiser", &["sgd", "momentum", "adam"])}
            {text("lr", "Learning rate", "> 0, ≤ 10")}
            {text("decay", "Decay per epoch", "(0, 1]")}
            {text("batch", "Batch size", "1–4096")}
            {text("epochs", "Epochs", "1–100")}
            {text("l2", "L2", "0–1")}
            {text("seed", "Seed", "any whole number")}
            {text("subset", "Training digits", "1–60000 or all")}
        </form>
    }
}
