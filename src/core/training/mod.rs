//! What in-browser training needs besides the network itself, all pure Rust and natively
//! tested: the run's settings from the URL ([`config`]), a driver that trains one batch per call
//! and gathers live metrics ([`run`], [`metrics`]), the confusion matrix with the samples of
//! every cell ([`confusion`]), weight snapshots within a memory budget ([`snapshots`]), the
//! geometry of the SVG charts ([`chart`]) and the messages between the page and its Web Worker
//! ([`protocol`]). Training itself is `core::nn`'s [`crate::core::nn::Trainer`]; nothing here
//! changes its results. The API and the protocol: docs/CONTRACTS.md.

pub mod chart;
pub mod config;
pub mod confusion;
pub mod layers;
pub mod metrics;
pub mod page;
pub mod protocol;
pub mod record;
pub mod run;
pub mod snapshots;

pub use config::{ConfigError, OptimizerKind, RunConfig, TrainData, CLASSES, INPUT};
pub use confusion::Confusion;
pub use metrics::Metrics;
pub use protocol::{Command, Report, WeightsFor};
pub use run::{EvalSet, RunError, RunOptions, TrainingRun};
pub use snapshots::{Snapshot, SnapshotKind, SnapshotMeta, SnapshotStore};
