//! The training Web Worker (wasm32 only; its binary is src/bin/train_worker.rs, loaded by
//! public/train_worker_loader.js): downloads and decodes both MNIST splits itself, then trains a
//! [`TrainingRun`] batch after batch, tasks of at most ~8 ms, reporting to the page at most every
//! ~100 ms.
//!
//! Messages (docs/CONTRACTS.md, core::training::protocol): the page posts a [`Command`] as JSON
//! text; the worker posts `[report JSON, ...Float32Array]`, the arrays' buffers transferred.
//! The worker says `Ready` once its data is decoded; the page holds its commands until then.
//!
//! After ~8 ms of batches the worker returns to its event loop (a message to itself through a
//! `MessageChannel`, which, unlike `setTimeout`, is not clamped to 4 ms), so the page's `Pause`,
//! `Step` and `Reset` are handled within about that long, always between two batches. It never
//! waits for the page.
//!
//! At each epoch's end (the last one is the run's end) it also sends the test set's confusion
//! matrix, each cell with its test indices, and on `Evaluate` the current weights' one or a
//! snapshot's. It lists its snapshots (`Snapshots`) at each epoch's end and whenever training
//! stops, and sends a snapshot's weights (`Snapshot`, the current ones for a step not in the
//! past) on request: the page's time travel and model download.

use std::cell::RefCell;

use js_sys::{Array, Float32Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageChannel, MessageEvent, MessagePort};

use crate::app::data::fetch_split;
use crate::app::perf::{now, record_measure};
use crate::core::dataset::{Dataset, DatasetName, Split};
use crate::core::local;
use crate::core::nn::Samples;
use crate::core::training::config::INPUT;
use crate::core::training::snapshots::flatten;
use crate::core::training::{
    Command, EvalSet, Report, RunConfig, RunOptions, TrainData, TrainingRun,
};

/// The query parameter of the worker's URL that carries the site's absolute base URL.
pub const ROOT_PARAM: &str = "root";
/// The query parameter of the worker's URL that names the dataset it loads (`fashion-mnist`;
/// absent: MNIST).
pub const DATA_PARAM: &str = "data";
/// The worker URL's parameter naming one of the user's sets (IndexedDB, see `app::local`).
pub const LOCAL_PARAM: &str = "local";
/// Fewest milliseconds between two `Progress` reports.
const MIN_REPORT_MS: f64 = 100.0;
/// Most milliseconds of batches in one task: a command waits at most about this long (a B1 batch
/// takes ~0.2 ms, so a task per batch spent much of the epoch going round the event loop).
const TASK_MS: f64 = 8.0;

/// What the worker is doing.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    /// No run, or a run that is paused or finished: nothing is scheduled.
    Still,
    /// Training batch after batch.
    Running,
    /// Training this many more batches, then pausing.
    Stepping(u32),
}

struct State {
    /// Where `data` came from (named by the worker's URL).
    dataset: Option<TrainData>,
    data: Option<(Dataset, Dataset)>,
    run: Option<TrainingRun>,
    mode: Mode,
    report_every_ms: f64,
    last_report_ms: f64,
    /// A batch task is queued on the channel (never two).
    scheduled: bool,
    /// port1 → port2: the worker's "next batch" task.
    channel: Option<MessageChannel>,
    /// When the current epoch's first batch began (ms), for the `train:epoch` measure.
    epoch_started_ms: Option<f64>,
}

thread_local! {
    static STATE: RefCell<State> = const {
        RefCell::new(State {
            dataset: None,
            data: None,
            run: None,
            mode: Mode::Still,
            report_every_ms: MIN_REPORT_MS,
            last_report_ms: f64::NEG_INFINITY,
            scheduled: false,
            channel: None,
            epoch_started_ms: None,
        })
    };
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// The worker's entry point: reports panics to the page, listens for commands, loads the data
/// and says `Ready`.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        post(Report::Error {
            message: format!("The training worker crashed: {info}"),
        });
    }));
    let on_message =
        Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| on_command(e.data()));
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    if let Ok(channel) = MessageChannel::new() {
        let on_tick = Closure::<dyn FnMut(MessageEvent)>::new(|_| tick());
        channel
            .port2()
            .set_onmessage(Some(on_tick.as_ref().unchecked_ref()));
        on_tick.forget();
        STATE.with_borrow_mut(|s| s.channel = Some(channel));
    }
    wasm_bindgen_futures::spawn_local(load());
}

/// The site's root URL from the worker's own URL (`…?root=https%3A%2F%2Fhost%2Fmnist%2F`).
fn root() -> String {
    let href = scope().location().href();
    web_sys::Url::new(&href)
        .ok()
        .and_then(|u| u.search_params().get(ROOT_PARAM))
        .unwrap_or_default()
}

/// The data the worker's URL names: `…&data=fashion-mnist`, `…&local=letters` (one of the
/// user's sets, read from IndexedDB); MNIST when none.
fn url_dataset() -> Result<TrainData, String> {
    let href = scope().location().href();
    let params = web_sys::Url::new(&href).ok().map(|u| u.search_params());
    if let Some(name) = params.as_ref().and_then(|p| p.get(LOCAL_PARAM)) {
        return Ok(TrainData::Local(name));
    }
    match params.and_then(|p| p.get(DATA_PARAM)) {
        None => Ok(TrainData::Builtin(DatasetName::Mnist)),
        Some(id) => DatasetName::from_id(&id)
            .filter(|d| d.is_available())
            .map(TrainData::Builtin)
            .ok_or_else(|| format!("The training worker was asked for an unknown dataset “{id}”.")),
    }
}

/// The user's set `name` from IndexedDB, split into training and test images.
async fn load_local(name: &str) -> Result<(Dataset, Dataset), String> {
    let set = crate::app::local::load(name).await?.ok_or_else(|| {
        format!("This browser keeps no set called “{name}”: add it on /data/local.")
    })?;
    local::trainable(&set).map_err(|why| format!("“{name}” cannot be trained on: {why}"))?;
    local::training_split(&set.data).ok_or_else(|| format!("“{name}” is too small to train on."))
}

async fn load() {
    let root = root();
    let source = match url_dataset() {
        Ok(source) => source,
        Err(message) => return post(Report::Error { message }),
    };
    STATE.with_borrow_mut(|s| s.dataset = Some(source.clone()));
    let (train, test) = match &source {
        TrainData::Builtin(name) => {
            let (train, test) = futures::join!(
                fetch_split(&root, *name, Split::Train),
                fetch_split(&root, *name, Split::Test)
            );
            (
                train.map_err(|e| e.to_string()),
                test.map_err(|e| e.to_string()),
            )
        }
        TrainData::Local(name) => match load_local(name).await {
            Ok((train, test)) => (Ok(train), Ok(test)),
            Err(message) => return post(Report::Error { message }),
        },
    };
    match (train, test) {
        (Ok(train), Ok(test)) => {
            let ready = ready(&train, &test);
            STATE.with_borrow_mut(|s| s.data = Some((train, test)));
            post(ready);
        }
        (Err(message), _) | (_, Err(message)) => post(Report::Error { message }),
    }
}

/// `Ready`: the worker holds both splits and waits for a Start.
fn ready(train: &Dataset, test: &Dataset) -> Report {
    Report::Ready {
        train: train.len(),
        test: test.len(),
    }
}

/// Posts `[JSON, ...arrays]` with the arrays' buffers transferred (not copied).
fn post(mut report: Report) {
    let buffers = report.take_buffers();
    let json = serde_json::to_string(&report).unwrap_or_else(|e| {
        format!(r#"{{"type":"Error","message":"A report could not be written: {e}."}}"#)
    });
    let message = Array::of1(&JsValue::from_str(&json));
    let transfer = Array::new();
    for buffer in buffers {
        let array = Float32Array::from(buffer.as_slice());
        transfer.push(&array.buffer());
        message.push(&array);
    }
    let _ = scope().post_message_with_transfer(&message, &transfer);
}

fn on_command(data: JsValue) {
    let command = data
        .as_string()
        .ok_or_else(|| "a message that is not text".to_string())
        .and_then(|text| serde_json::from_str::<Command>(&text).map_err(|e| e.to_string()));
    match command {
        Ok(command) => handle(command),
        Err(why) => post(Report::Error {
            message: format!("The training worker did not understand {why}."),
        }),
    }
}

fn handle(command: Command) {
    match command {
        Command::Start { config, options } => start_run(config, options),
        Command::Pause => pause(),
        Command::Resume => go(Mode::Running),
        Command::Step { batches } => go(Mode::Stepping(batches.max(1))),
        Command::Reset => {
            let ready = STATE.with_borrow_mut(|s| {
                s.run = None;
                s.epoch_started_ms = None;
                s.mode = Mode::Still;
                s.data.as_ref().map(|(train, test)| ready(train, test))
            });
            if let Some(ready) = ready {
                post(ready);
            }
        }
        Command::ReportEvery { ms } => {
            STATE.with_borrow_mut(|s| s.report_every_ms = (ms as f64).max(MIN_REPORT_MS))
        }
        Command::Evaluate { set, step: None } => post(with_run(|run| Some(confusion(run, set)))),
        Command::Evaluate {
            set,
            step: Some(step),
        } => post(with_run(|run| {
            let snapshot = run.weights_at(Some(step))?;
            Some(Report::Confusion {
                set,
                step: snapshot.meta.step,
                confusion: run.confusion_of(&snapshot.network, set),
            })
        })),
        Command::Snapshot { step, purpose } => post(with_run(|run| {
            let snapshot = run.weights_at(Some(step))?;
            Some(Report::Snapshot {
                parameters: flatten(&snapshot.network),
                meta: snapshot.meta,
                purpose,
            })
        })),
        Command::ListSnapshots => post(with_run(|run| Some(snapshots(run)))),
    }
}

/// `answer` of the current run, or an `Error` saying there is no run (or no such snapshot).
fn with_run(answer: impl FnOnce(&TrainingRun) -> Option<Report>) -> Report {
    STATE.with_borrow(|s| match s.run.as_ref() {
        None => Report::Error {
            message: "There is no run: press Start first.".into(),
        },
        Some(run) => answer(run).unwrap_or_else(|| Report::Error {
            message: "No snapshot of the weights is that old.".into(),
        }),
    })
}

/// The snapshots held, for the page's time-travel scrubber.
fn snapshots(run: &TrainingRun) -> Report {
    let store = run.snapshots();
    Report::Snapshots {
        snapshots: store.metas(),
        bytes: store.bytes(),
        budget: store.budget(),
    }
}

/// The confusion matrix of the run's current weights over `set` (a pass over it).
fn confusion(run: &TrainingRun, set: EvalSet) -> Report {
    Report::Confusion {
        set,
        step: run.step(),
        confusion: run.confusion(set),
    }
}

/// The first `n` samples of a split as network inputs.
fn samples(d: &Dataset, n: usize) -> Samples {
    let n = n.min(d.len());
    Samples::from_pixels(&d.images.pixels[..n * INPUT], &d.labels[..n], INPUT)
        .expect("a decoded split has one label per image")
}

fn start_run(config: RunConfig, options: RunOptions) {
    // The old run goes first: its samples and snapshots are freed before the new ones are made.
    STATE.with_borrow_mut(|s| {
        s.run = None;
        s.mode = Mode::Still;
    });
    let held = STATE.with_borrow(|s| s.dataset.clone());
    let wanted = config.source();
    if held.as_ref() != Some(&wanted) {
        let held = held.map_or("no data".to_string(), |h| h.title());
        return post(Report::Error {
            message: format!(
                "This training worker holds {held}, not {}: reload the page to train on it.",
                wanted.title()
            ),
        });
    }
    let made = STATE.with_borrow(|s| {
        s.data.as_ref().map(|(train, test)| {
            let n = config.subset_len(train.len());
            TrainingRun::new(
                config.clone(),
                samples(train, n),
                samples(test, test.len()),
                options,
            )
        })
    });
    let run = match made {
        None => {
            return post(Report::Error {
                message: "The training data is not loaded yet.".into(),
            })
        }
        Some(Err(e)) => {
            return post(Report::Error {
                message: e.to_string(),
            })
        }
        Some(Ok(run)) => run,
    };
    let started = Report::Started {
        config,
        parameters: run.network().parameter_count(),
        batches_per_epoch: run.batches_per_epoch(),
        snapshot_budget: run.options().snapshot_budget,
    };
    STATE.with_borrow_mut(|s| {
        s.run = Some(run);
        s.mode = Mode::Still;
        s.epoch_started_ms = None;
    });
    post(started);
    go(Mode::Running);
}

/// Trains on (`Running`) or a few batches (`Stepping`) from where the run stands.
fn go(mode: Mode) {
    let has_run = STATE.with_borrow_mut(|s| {
        let Some(run) = s.run.as_mut() else {
            return false;
        };
        if run.is_finished() {
            return false;
        }
        if s.mode == Mode::Still {
            run.restart_clock(now() / 1000.0);
            s.last_report_ms = now();
        }
        s.mode = mode;
        true
    });
    if has_run {
        schedule();
    }
}

fn pause() {
    let paused = STATE.with_borrow_mut(|s| {
        let was = s.mode;
        s.mode = Mode::Still;
        (was != Mode::Still).then(|| {
            s.run
                .as_mut()
                .map(|r| (progress(r), snapshots(r), r.step()))
        })
    });
    if let Some(Some((progress, snapshots, step))) = paused {
        post(progress);
        post(snapshots);
        post(Report::Paused { step });
    }
}

fn progress(run: &mut TrainingRun) -> Report {
    let mut metrics = run.metrics_since_last_report(now() / 1000.0);
    metrics.memory_bytes = Some(memory_bytes());
    Report::Progress { metrics }
}

/// The length of this worker's WebAssembly memory (pages of 64 KiB).
fn memory_bytes() -> u64 {
    core::arch::wasm32::memory_size(0) as u64 * 65_536
}

/// Queues the next batch task unless one is queued.
fn schedule() {
    let port: Option<MessagePort> = STATE.with_borrow_mut(|s| {
        if s.scheduled {
            return None;
        }
        s.scheduled = true;
        s.channel.as_ref().map(|c| c.port1())
    });
    if let Some(port) = port {
        let _ = port.post_message(&JsValue::NULL);
    }
}

/// Batches for up to [`TASK_MS`], each followed by the reports it made due, then the next task
/// (while there is work).
fn tick() {
    STATE.with_borrow_mut(|s| s.scheduled = false);
    let started = now();
    loop {
        let (more, reports) = one_batch();
        for report in reports {
            post(report);
        }
        if !more {
            return;
        }
        // Batches follow each other in one task for up to TASK_MS, then the worker returns
        // to its event loop, where the page's commands wait.
        if now() - started >= TASK_MS {
            schedule();
            return;
        }
    }
}

/// One batch and the reports it makes due; whether there is more to train.
fn one_batch() -> (bool, Vec<Report>) {
    let mut reports = Vec::new();
    let more = STATE.with_borrow_mut(|s| {
        if s.mode == Mode::Still {
            return false;
        }
        let Some(run) = s.run.as_mut() else {
            s.mode = Mode::Still;
            return false;
        };
        let started = *s.epoch_started_ms.get_or_insert_with(now);
        if let Err(e) = run.step_batch() {
            s.mode = Mode::Still;
            reports.push(Report::Error {
                message: e.to_string(),
            });
            return false;
        }
        if let Mode::Stepping(left) = s.mode {
            s.mode = if left > 1 {
                Mode::Stepping(left - 1)
            } else {
                Mode::Still
            };
        }
        let t = now();
        if run.is_epoch_end() {
            // The epoch's wall time in the worker (its end-of-epoch evaluation and any pause
            // included): read by e2e/bench_train.mjs.
            record_measure("train:epoch", started, t - started);
            s.epoch_started_ms = None;
        }
        let finished = run.is_finished();
        let due = t - s.last_report_ms >= s.report_every_ms;
        if due || finished || s.mode == Mode::Still || run.is_epoch_end() {
            s.last_report_ms = t;
            let report = progress(run);
            if let Report::Progress { metrics } = &report {
                reports.extend(
                    metrics
                        .epochs_done
                        .iter()
                        .map(|e| Report::EpochDone { epoch: e.clone() }),
                );
            }
            reports.push(report);
        }
        // After the epoch's Progress, so the page knows the epoch the matrix belongs to; the
        // run's last batch ends an epoch too, so a finished run has its matrix.
        if let (true, Some(matrix)) = (run.is_epoch_end(), run.epoch_confusion()) {
            reports.push(Report::Confusion {
                set: EvalSet::Test,
                step: run.step(),
                confusion: matrix.clone(),
            });
        }
        // The scrubber's stops: new ones at each epoch's end, and when training stops.
        if run.is_epoch_end() || finished || s.mode == Mode::Still {
            reports.push(snapshots(run));
        }
        if finished {
            s.mode = Mode::Still;
            reports.push(Report::Finished { step: run.step() });
        } else if s.mode == Mode::Still {
            reports.push(Report::Paused { step: run.step() });
        }
        s.mode != Mode::Still
    });
    (more, reports)
}
