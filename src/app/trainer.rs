//! The page's side of the training Web Worker (src/worker.rs): starts it, holds commands until
//! it says `Ready` (a message sent before the worker's wasm listens would be lost), hands every
//! report to the page, and tells the page when the worker died.
//!
//! The worker's URL is index.html's `<meta name="mnist-train-worker">` (the loader with the
//! build's version of the worker files, see scripts/post_build.sh), resolved against
//! `document.baseURI`, plus `root=` the site's absolute URL, from which the worker downloads
//! the data: both work under any sub-path.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Float32Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{ErrorEvent, MessageEvent, Worker};

use crate::app::perf::{now, record_measure};
use crate::core::dataset::DatasetName;
use crate::core::training::{Command, Report, TrainData};
use crate::worker::{DATA_PARAM, LOCAL_PARAM, ROOT_PARAM};

/// What the page hears from its worker.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    Report(Report),
    /// The worker is gone (an uncaught error, a crash, out of memory): the sentence to show.
    Died(String),
}

/// A running training worker. Dropping it terminates the worker.
pub struct Trainer {
    worker: Worker,
    /// Commands held until the worker is ready; `None` once it is.
    waiting: Rc<RefCell<Option<Vec<Command>>>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

const META_NAME: &str = "mnist-train-worker";

/// Handling a report for this long or longer is recorded as a performance measure.
const SLOW_REPORT_MS: f64 = 16.0;

/// The report's `type`, e.g. "Progress".
fn report_kind(report: &Report) -> &'static str {
    match report {
        Report::Ready { .. } => "Ready",
        Report::Started { .. } => "Started",
        Report::Progress { .. } => "Progress",
        Report::EpochDone { .. } => "EpochDone",
        Report::Snapshot { .. } => "Snapshot",
        Report::Snapshots { .. } => "Snapshots",
        Report::Confusion { .. } => "Confusion",
        Report::Paused { .. } => "Paused",
        Report::Finished { .. } => "Finished",
        Report::Error { .. } => "Error",
    }
}

/// The worker script's absolute URL, or why there is none.
fn worker_url(data: &TrainData) -> Result<String, String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let base = document.base_uri().ok().flatten().ok_or("no base URL")?;
    let script = document
        .query_selector(&format!("meta[name=\"{META_NAME}\"]"))
        .ok()
        .flatten()
        .and_then(|m| m.get_attribute("content"))
        .ok_or("index.html names no training worker")?;
    let url = web_sys::Url::new_with_base(&script, &base).map_err(|_| "a bad worker URL")?;
    let root = web_sys::Url::new_with_base("./", &base).map_err(|_| "a bad base URL")?;
    url.search_params().set(ROOT_PARAM, &root.href());
    match data {
        TrainData::Builtin(DatasetName::Mnist) => {}
        TrainData::Builtin(dataset) => url.search_params().set(DATA_PARAM, dataset.id()),
        TrainData::Local(name) => url.search_params().set(LOCAL_PARAM, name),
    }
    Ok(url.href())
}

/// A report from `[JSON, ...Float32Array]`.
fn read_report(data: &JsValue) -> Result<Report, String> {
    let parts: Array = data.clone().dyn_into().map_err(|_| "not a list")?;
    let json = parts.get(0).as_string().ok_or("no text")?;
    let mut report: Report = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    let buffers = parts
        .iter()
        .skip(1)
        .filter_map(|b| b.dyn_into::<Float32Array>().ok())
        .map(|b| b.to_vec())
        .collect();
    report.put_buffers(buffers);
    Ok(report)
}

fn send_now(worker: &Worker, command: &Command) {
    if let Ok(json) = serde_json::to_string(command) {
        let _ = worker.post_message(&JsValue::from_str(&json));
    }
}

impl Trainer {
    /// Starts a worker that loads `data`; `on_event` hears its reports and its death (once:
    /// the worker is then terminated).
    pub fn spawn(data: &TrainData, on_event: impl Fn(Event) + 'static) -> Result<Trainer, String> {
        let url = worker_url(data)
            .map_err(|why| format!("The training worker cannot be started: {why}."))?;
        let worker = Worker::new(&url)
            .map_err(|_| "The browser refused to start the training worker.".to_string())?;
        let on_event = Rc::new(on_event);
        let waiting: Rc<RefCell<Option<Vec<Command>>>> = Rc::new(RefCell::new(Some(Vec::new())));
        let on_message = {
            let (on_event, waiting, worker) = (on_event.clone(), waiting.clone(), worker.clone());
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let report = match read_report(&e.data()) {
                    Ok(report) => report,
                    Err(why) => Report::Error {
                        message: format!(
                            "The training worker sent a message the page cannot read ({why})."
                        ),
                    },
                };
                if matches!(report, Report::Ready { .. }) {
                    let held = waiting.borrow_mut().take();
                    for command in held.unwrap_or_default() {
                        send_now(&worker, &command);
                    }
                }
                // A report whose handling (and the rendering it causes) takes long is recorded
                // as `train:report:{type}` (read by e2e/bench_train.mjs).
                let kind = report_kind(&report);
                let start = now();
                on_event(Event::Report(report));
                let took = now() - start;
                if took >= SLOW_REPORT_MS {
                    record_measure(&format!("train:report:{kind}"), start, took);
                }
            })
        };
        let on_error = {
            let worker = worker.clone();
            Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
                // Handled here: not an uncaught error of the page.
                e.prevent_default();
                worker.terminate();
                let what = e.message();
                let what = if what.is_empty() {
                    "it stopped without saying why".to_string()
                } else {
                    what
                };
                on_event(Event::Died(format!("The training worker stopped: {what}.")));
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Trainer {
            worker,
            waiting,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Sends a command, or holds it until the worker is ready.
    pub fn send(&self, command: Command) {
        if let Some(held) = self.waiting.borrow_mut().as_mut() {
            held.push(command);
            return;
        }
        send_now(&self.worker, &command);
    }
}

impl Drop for Trainer {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}
