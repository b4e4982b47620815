//! Messages between the training page and its Web Worker.
//!
//! Both directions are serde enums tagged by `"type"` (`{"type":"Pause"}`,
//! `{"type":"Start","config":"hidden=100&…","options":{…}}`). The big numeric arrays — a
//! progress report's activation histograms and a snapshot's parameters — are skipped by serde
//! and travel beside the message as transferred `Float32Array`s:
//! the sender calls [`Report::take_buffers`] and posts `[message, ...buffers]` with the buffers
//! in the transfer list; the receiver deserialises the message and calls
//! [`Report::put_buffers`] with the arrays in the same order.

use serde::{Deserialize, Serialize};

use super::config::RunConfig;
use super::confusion::Confusion;
use super::metrics::{EpochPoint, Metrics};
use super::run::{EvalSet, RunOptions};
use super::snapshots::SnapshotMeta;

/// What the page asked a snapshot's weights for (echoed by the worker's answer).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum WeightsFor {
    /// Time travel: show the model as it was at that step.
    #[default]
    Show,
    /// Save it as a `.mnn` file.
    Download,
    /// Keep it: in IndexedDB and as the network view's model.
    Keep,
}

/// Page → worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Command {
    /// Start a new run (dropping any other); the config travels as its link query.
    Start {
        config: RunConfig,
        #[serde(default)]
        options: RunOptions,
    },
    /// Stop after the current batch; the worker answers `Paused`.
    Pause,
    /// Train on from where it paused.
    Resume,
    /// Train exactly `batches` batches, then pause.
    Step { batches: u32 },
    /// Drop the run; the worker answers `Ready`.
    Reset,
    /// A confusion matrix of the current weights, or of the snapshot at or before `step`.
    Evaluate { set: EvalSet, step: Option<u64> },
    /// The snapshot at or before `step` (answered by `Snapshot`, parameters attached, with the
    /// same `purpose`); a step not before the current one asks for the current weights.
    Snapshot {
        step: u64,
        #[serde(default)]
        purpose: WeightsFor,
    },
    /// The list of snapshots held (answered by `Snapshots`).
    ListSnapshots,
    /// Send `Progress` at most every `ms` milliseconds (the worker keeps it ≥ 100).
    ReportEvery { ms: u32 },
}

/// Worker → page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Report {
    /// The worker has its data and waits for `Start`: the sizes of both sets.
    Ready { train: usize, test: usize },
    /// A run began: its settings, its size, and the snapshot budget in bytes.
    Started {
        config: RunConfig,
        parameters: usize,
        batches_per_epoch: usize,
        snapshot_budget: usize,
    },
    /// Everything measured since the last `Progress` (histograms attached, one buffer).
    Progress { metrics: Metrics },
    /// An epoch ended (also inside the next `Progress`; this one is sent at once).
    EpochDone { epoch: EpochPoint },
    /// A snapshot's description, its parameters attached (one buffer, `snapshots::flatten` layout).
    Snapshot {
        meta: SnapshotMeta,
        /// Echoes the request's, so the page knows what the weights are for.
        #[serde(default)]
        purpose: WeightsFor,
        #[serde(skip)]
        parameters: Vec<f32>,
    },
    /// The snapshots held, ascending by step, and their bytes against the budget.
    Snapshots {
        snapshots: Vec<SnapshotMeta>,
        bytes: usize,
        budget: usize,
    },
    /// A confusion matrix over `set` of the weights at `step`.
    Confusion {
        set: EvalSet,
        step: u64,
        confusion: Confusion,
    },
    /// Training stopped after `step` (by `Pause` or at the end of `Step`).
    Paused { step: u64 },
    /// Every epoch is done.
    Finished { step: u64 },
    /// Something went wrong: a sentence for the page (e.g. a `ConfigError` or `RunError`).
    Error { message: String },
}

impl Report {
    /// Moves the big arrays out (to be transferred beside the message), in a fixed order.
    pub fn take_buffers(&mut self) -> Vec<Vec<f32>> {
        match self {
            Report::Progress { metrics } => vec![std::mem::take(&mut metrics.histograms)],
            Report::Snapshot { parameters, .. } => vec![std::mem::take(parameters)],
            _ => Vec::new(),
        }
    }

    /// Puts arrays taken by [`Report::take_buffers`] back, in the same order (extra arrays are
    /// ignored, missing ones stay empty).
    pub fn put_buffers(&mut self, buffers: Vec<Vec<f32>>) {
        let first = buffers.into_iter().next().unwrap_or_default();
        match self {
            Report::Progress { metrics } => metrics.histograms = first,
            Report::Snapshot { parameters, .. } => *parameters = first,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::training::metrics::{EstimatePoint, LayerPoint, LossPoint};
    use crate::core::training::snapshots::SnapshotKind;

    fn metrics() -> Metrics {
        Metrics {
            step: 12,
            epoch: 1,
            epochs: 3,
            batch: 2,
            batches_per_epoch: 10,
            learning_rate: 0.001,
            losses: vec![LossPoint {
                step: 12,
                loss: 0.5,
                smoothed: 0.75,
            }],
            estimates: vec![EstimatePoint {
                step: 10,
                accuracy: 0.9,
            }],
            epochs_done: vec![epoch_point()],
            layers: vec![LayerPoint {
                step: 12,
                layer: 0,
                weight_norm: 3.5,
                gradient_norm: 0.25,
                update_ratio: 1e-3,
                dead_fraction: Some(0.125),
                histogram_range: (0.0, 8.0),
            }],
            samples_per_sec: Some(20_000.5),
            eta_epoch_seconds: Some(1.5),
            eta_run_seconds: None,
            memory_bytes: Some(3 << 20),
            histograms: (0..32).map(|i| i as f32).collect(),
        }
    }

    fn epoch_point() -> EpochPoint {
        EpochPoint {
            epoch: 1,
            step: 10,
            mean_loss: 0.6,
            train_accuracy: 0.91,
            test_accuracy: 0.9,
            learning_rate: 0.001,
        }
    }

    fn every_command() -> Vec<Command> {
        vec![
            Command::Start {
                config: RunConfig::from_query(
                    "hidden=100,50&act=relu&opt=adam&lr=0.001&batch=64&epochs=3&seed=7",
                )
                .unwrap(),
                options: RunOptions::default(),
            },
            Command::Pause,
            Command::Resume,
            Command::Step { batches: 5 },
            Command::Reset,
            Command::Evaluate {
                set: EvalSet::Test,
                step: None,
            },
            Command::Evaluate {
                set: EvalSet::TestEstimate,
                step: Some(400),
            },
            Command::Snapshot {
                step: 300,
                purpose: WeightsFor::Download,
            },
            Command::ListSnapshots,
            Command::ReportEvery { ms: 100 },
        ]
    }

    fn every_report() -> Vec<Report> {
        let meta = SnapshotMeta {
            step: 200,
            epoch: 0,
            kind: SnapshotKind::Step,
            bytes: 12,
        };
        vec![
            Report::Ready {
                train: 60_000,
                test: 10_000,
            },
            Report::Started {
                config: RunConfig::default(),
                parameters: 79_510,
                batches_per_epoch: 938,
                snapshot_budget: 64 << 20,
            },
            Report::Progress { metrics: metrics() },
            Report::EpochDone {
                epoch: epoch_point(),
            },
            Report::Snapshot {
                meta: meta.clone(),
                purpose: WeightsFor::Keep,
                parameters: vec![0.5, -1.0, 2.0],
            },
            Report::Snapshots {
                snapshots: vec![meta],
                bytes: 12,
                budget: 100,
            },
            Report::Confusion {
                set: EvalSet::Test,
                step: 5,
                confusion: Confusion::from_predictions(
                    &[Some(0), Some(1), Some(1)],
                    &[0, 1, 0],
                    &[4, 5, 6],
                    2,
                ),
            },
            Report::Paused { step: 7 },
            Report::Finished { step: 2814 },
            Report::Error {
                message: "The setting lr=\"0\" is not allowed.".into(),
            },
        ]
    }

    #[test]
    fn every_command_round_trips() {
        for c in every_command() {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<Command>(&json).unwrap(), c, "{json}");
        }
        let json = serde_json::to_string(&Command::Pause).unwrap();
        assert_eq!(json, r#"{"type":"Pause"}"#);
        // The config travels as its link; options may be left out.
        let start: Command =
            serde_json::from_str(r#"{"type":"Start","config":"hidden=30&epochs=2"}"#).unwrap();
        let Command::Start { config, options } = start else {
            panic!()
        };
        assert_eq!(
            (config.hidden, config.epochs, options),
            (vec![30], 2, RunOptions::default())
        );
        // A bad setting is refused with its sentence.
        let e = serde_json::from_str::<Command>(r#"{"type":"Start","config":"lr=0"}"#).unwrap_err();
        assert!(e.to_string().contains("lr"), "{e}");
    }

    #[test]
    fn every_report_round_trips_with_its_buffers_beside_it() {
        for r in every_report() {
            let mut sent = r.clone();
            let buffers = sent.take_buffers();
            let json = serde_json::to_string(&sent).unwrap();
            // The arrays are not in the JSON.
            assert!(
                !json.contains("histograms") && !json.contains("parameters\":["),
                "{json}"
            );
            let mut received: Report = serde_json::from_str(&json).unwrap();
            // Without buffers the arrays are empty; with them, the report is whole again.
            assert_eq!(received, sent);
            received.put_buffers(buffers);
            assert_eq!(received, r, "{json}");
        }
        let mut progress = Report::Progress { metrics: metrics() };
        assert_eq!(progress.take_buffers()[0].len(), 32);
        assert!(Report::Paused { step: 1 }.take_buffers().is_empty());
    }

    #[test]
    fn a_diverged_loss_travels_as_null() {
        let mut m = metrics();
        m.losses[0].loss = f32::INFINITY;
        m.losses[0].smoothed = f32::NAN;
        let json = serde_json::to_string(&Report::Progress { metrics: m }).unwrap();
        assert!(json.contains(r#""loss":null"#), "{json}");
        let Report::Progress { metrics } = serde_json::from_str(&json).unwrap() else {
            panic!()
        };
        assert!(metrics.losses[0].loss.is_nan() && metrics.losses[0].smoothed.is_nan());
    }
}
