//! The driver a Web Worker calls: one mini-batch per [`TrainingRun::step_batch`], never waiting
//! on anything, with the live metrics gathered along the way.
//!
//! Training is `core::nn`'s [`Trainer`], started by [`RunConfig::trainer`] exactly as the native
//! trainer starts it; the measurements only read the weights (the probe's gradient uses the
//! trainer's scratch buffers, which every batch overwrites), so a run with every measurement
//! switched on ends with the same weights, bit for bit, as `Trainer::run` with the same
//! settings (tested below).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::chart::Ema;
use super::config::{RunConfig, CLASSES};
use super::confusion::Confusion;
use super::metrics::{
    dead_fraction, distance, evenly_spaced, histogram, histogram_range, norm, EpochPoint,
    EstimatePoint, LayerPoint, LossPoint, Metrics, HISTOGRAM_BINS,
};
use super::snapshots::{Snapshot, SnapshotKind, SnapshotStore};
use crate::core::nn::{
    evaluate, Activation, BatchReport, Evaluation, Network, Samples, TrainError, Trainer,
};

/// How much to measure; none of it changes what is trained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunOptions {
    /// Steps between layer probes (norms, update ratio, dead ReLUs, histograms); 0 = never.
    pub probe_every: u64,
    /// Training samples in the fixed probe batch (evenly spaced over the training subset).
    pub probe_size: usize,
    /// Steps between test estimates; 0 = never.
    pub estimate_every: u64,
    /// Test samples in the fixed estimate subset (evenly spaced over the test set).
    pub estimate_size: usize,
    /// Steps between weight snapshots (epoch ends always get one); 0 = epochs only.
    pub snapshot_every: u64,
    /// Memory budget of the snapshots in bytes (see `snapshots`' policy).
    pub snapshot_budget: usize,
    /// β of the smoothed loss.
    pub smoothing: f64,
}

impl Default for RunOptions {
    /// Probe every 100 steps on 128 samples, estimate every 100 steps on 1000 test samples,
    /// snapshot every 200 steps within 64 MiB, smoothing 0.95.
    fn default() -> Self {
        RunOptions {
            probe_every: 100,
            probe_size: 128,
            estimate_every: 100,
            estimate_size: 1000,
            snapshot_every: 200,
            snapshot_budget: 64 << 20,
            smoothing: 0.95,
        }
    }
}

/// Why a run cannot start or go on. Display is a sentence for the page.
#[derive(Clone, Debug, PartialEq)]
pub enum RunError {
    /// The trainer refused the data or the settings.
    Train(TrainError),
    /// Every epoch asked for is done.
    Finished,
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Train(e) => write!(f, "Training cannot go on: {e}."),
            RunError::Finished => write!(f, "The run has finished all its epochs."),
        }
    }
}

impl std::error::Error for RunError {}

impl From<TrainError> for RunError {
    fn from(e: TrainError) -> RunError {
        RunError::Train(e)
    }
}

/// Which labelled set a confusion matrix is taken over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EvalSet {
    /// The whole test set.
    Test,
    /// The fixed test subset of the frequent estimate.
    TestEstimate,
}

/// A labelled subset and where its samples come from.
#[derive(Clone, Debug)]
struct Subset {
    indices: Vec<u32>,
    samples: Samples,
}

impl Subset {
    /// `count` samples of `all`, evenly spaced.
    fn evenly(all: &Samples, count: usize) -> Subset {
        let indices = evenly_spaced(all.len(), count);
        let samples = all.pick(&indices);
        Subset { indices, samples }
    }
}

/// A training run for a worker: settings, data, trainer, and what has been measured.
#[derive(Clone, Debug)]
pub struct TrainingRun {
    config: RunConfig,
    options: RunOptions,
    trainer: Trainer,
    train: Samples,
    test: Samples,
    probe: Subset,
    /// The probe batch's inputs, dense (`Trainer::gradients` takes dense rows), made once.
    probe_inputs: Vec<f32>,
    estimate: Subset,
    loss_ema: Ema,
    epoch_loss_sum: f64,
    epoch_batches: usize,
    /// Samples of this epoch classified correctly before their update, and samples trained
    /// (the epoch's running train accuracy, as the native trainer reports it).
    epoch_correct: usize,
    epoch_samples: usize,
    epoch_lr: f32,
    batch_in_epoch: usize,
    epoch_end: bool,
    pending: Metrics,
    samples_seen: u64,
    last_report: Option<(f64, u64)>,
    snapshots: SnapshotStore,
    /// The test set's confusion matrix from the last epoch's end (the same pass that gave its
    /// test accuracy).
    epoch_confusion: Option<Confusion>,
}

impl TrainingRun {
    /// A run of `config` on `train` (its first `config.subset` samples) and `test`, at step 0
    /// (a snapshot of the initial weights is taken).
    pub fn new(
        config: RunConfig,
        train: Samples,
        test: Samples,
        options: RunOptions,
    ) -> Result<TrainingRun, RunError> {
        let train = config.training_subset(train);
        let trainer = config.trainer(train.dim, CLASSES)?;
        if train.is_empty() || test.is_empty() {
            return Err(TrainError::EmptyData.into());
        }
        if test.dim != train.dim {
            return Err(TrainError::ShapeMismatch {
                what: "test sample size",
                expected: train.dim,
                found: test.dim,
            }
            .into());
        }
        let mut snapshots = SnapshotStore::new(options.snapshot_budget);
        snapshots.push(Snapshot::new(trainer.network(), 0, 0, SnapshotKind::Step));
        let probe = Subset::evenly(&train, options.probe_size);
        Ok(TrainingRun {
            probe_inputs: probe.samples.dense(),
            probe,
            estimate: Subset::evenly(&test, options.estimate_size),
            loss_ema: Ema::new(options.smoothing),
            epoch_lr: trainer.learning_rate(),
            config,
            options,
            trainer,
            train,
            test,
            epoch_loss_sum: 0.0,
            epoch_correct: 0,
            epoch_samples: 0,
            epoch_batches: 0,
            batch_in_epoch: 0,
            epoch_end: false,
            pending: Metrics::default(),
            samples_seen: 0,
            last_report: None,
            snapshots,
            epoch_confusion: None,
        })
    }

    /// Trains one mini-batch and records what it showed: its loss; every `probe_every` steps the
    /// layer probe; every `estimate_every` steps the test estimate; every `snapshot_every` steps
    /// a snapshot. The batch that ends an epoch also measures train and test accuracy (a pass
    /// over both sets) and takes an epoch snapshot.
    pub fn step_batch(&mut self) -> Result<BatchReport, RunError> {
        if self.is_finished() {
            return Err(RunError::Finished);
        }
        let step = self.trainer.steps() + 1;
        let probing = every(self.options.probe_every, step) && !self.probe.samples.is_empty();
        let before: Vec<Vec<f32>> = if probing {
            self.trainer
                .layer_parameters()
                .map(|(w, _)| w.to_vec())
                .collect()
        } else {
            Vec::new()
        };
        let report = self.trainer.train_batch(&self.train)?;
        self.samples_seen += report.samples as u64;
        self.epoch_correct += report.correct;
        self.epoch_samples += report.samples;
        self.batch_in_epoch = report.batch;
        self.record_loss(step, report.loss);
        if probing {
            self.probe_layers(step, &before)?;
        }
        if every(self.options.estimate_every, step) && !self.estimate.samples.is_empty() {
            let accuracy = evaluate(&self.trainer.network(), &self.estimate.samples).accuracy();
            self.pending
                .estimates
                .push(EstimatePoint { step, accuracy });
        }
        if every(self.options.snapshot_every, step) {
            self.snapshot(SnapshotKind::Step);
        }
        self.epoch_end = report.epoch_finished;
        if report.epoch_finished {
            self.finish_epoch(step);
        }
        Ok(report)
    }

    fn record_loss(&mut self, step: u64, loss: f32) {
        let smoothed = self.loss_ema.push(loss as f64) as f32;
        self.pending.losses.push(LossPoint {
            step,
            loss,
            smoothed,
        });
        self.epoch_loss_sum += loss as f64;
        self.epoch_batches += 1;
    }

    /// Norms and update ratio from the weights before and after the step; gradient norm,
    /// dead units and histograms on the probe batch.
    fn probe_layers(&mut self, step: u64, before: &[Vec<f32>]) -> Result<(), TrainError> {
        let (_, gradients) = self
            .trainer
            .gradients(&self.probe_inputs, &self.probe.samples.labels)?;
        let net = self.trainer.network();
        let outputs = net.forward_layers(self.probe.samples.sparse());
        let afters = self.trainer.layer_parameters().map(|(wt, _)| wt);
        for (l, (layer, after)) in net.layers.iter().zip(afters).enumerate() {
            let weight_before = norm(&before[l]);
            let range = histogram_range(layer.activation);
            self.pending.layers.push(LayerPoint {
                step,
                layer: l,
                weight_norm: norm(&layer.weights) as f32,
                gradient_norm: norm(&gradients[l].0) as f32,
                update_ratio: (distance(after, &before[l]) / weight_before.max(f64::MIN_POSITIVE))
                    as f32,
                dead_fraction: (layer.activation == Activation::Relu)
                    .then(|| dead_fraction(&outputs[l], layer.outputs)),
                histogram_range: range,
            });
            self.pending
                .histograms
                .extend(histogram(&outputs[l], range, HISTOGRAM_BINS));
        }
        Ok(())
    }

    fn finish_epoch(&mut self, step: u64) {
        let net = self.trainer.network();
        // One pass over the test set gives both its accuracy and its confusion matrix.
        let test_predictions = net.predict_sparse(self.test.sparse());
        let test_accuracy =
            Evaluation::from_predictions(&test_predictions, &self.test.labels, net.output_size())
                .accuracy();
        self.epoch_confusion = Some(Confusion::from_predictions(
            &test_predictions,
            &self.test.labels,
            &(0..self.test.len() as u32).collect::<Vec<_>>(),
            CLASSES,
        ));
        self.pending.epochs_done.push(EpochPoint {
            epoch: self.trainer.epoch(),
            step,
            mean_loss: (self.epoch_loss_sum / self.epoch_batches.max(1) as f64) as f32,
            train_accuracy: self.epoch_correct as f32 / self.epoch_samples.max(1) as f32,
            test_accuracy,
            learning_rate: self.epoch_lr,
        });
        self.epoch_loss_sum = 0.0;
        self.epoch_batches = 0;
        self.epoch_correct = 0;
        self.epoch_samples = 0;
        self.batch_in_epoch = 0;
        self.epoch_lr = self.trainer.learning_rate();
        self.snapshot(SnapshotKind::Epoch);
    }

    fn snapshot(&mut self, kind: SnapshotKind) {
        let s = Snapshot::new(
            self.trainer.network(),
            self.trainer.steps(),
            self.trainer.epoch(),
            kind,
        );
        self.snapshots.push(s);
    }

    /// Whether the last step ended an epoch.
    pub fn is_epoch_end(&self) -> bool {
        self.epoch_end
    }

    /// Whether all `config.epochs` epochs are done.
    pub fn is_finished(&self) -> bool {
        self.trainer.epoch() >= self.config.epochs
    }

    /// Optimiser steps taken.
    pub fn step(&self) -> u64 {
        self.trainer.steps()
    }

    /// Epochs completed.
    pub fn epoch(&self) -> usize {
        self.trainer.epoch()
    }

    /// The settings.
    pub fn config(&self) -> &RunConfig {
        &self.config
    }

    /// The measurement options.
    pub fn options(&self) -> &RunOptions {
        &self.options
    }

    /// Batches in one epoch.
    pub fn batches_per_epoch(&self) -> usize {
        self.train.len().div_ceil(self.config.batch)
    }

    /// Training samples used (the subset).
    pub fn train_len(&self) -> usize {
        self.train.len()
    }

    /// The current weights.
    pub fn network(&self) -> Network {
        self.trainer.network()
    }

    /// Everything measured since the previous call, and where the run stands. `now` is a
    /// clock in seconds (`performance.now() / 1000`); throughput and ETAs are measured between
    /// two calls, so call [`TrainingRun::restart_clock`] after a pause.
    pub fn metrics_since_last_report(&mut self, now: f64) -> Metrics {
        let mut m = std::mem::take(&mut self.pending);
        m.step = self.trainer.steps();
        m.epoch = self.trainer.epoch();
        m.epochs = self.config.epochs;
        m.batch = self.batch_in_epoch;
        m.batches_per_epoch = self.batches_per_epoch();
        m.learning_rate = self.trainer.learning_rate();
        if let Some((then, seen)) = self.last_report {
            let seconds = now - then;
            if seconds > 0.0 {
                let rate = (self.samples_seen - seen) as f64 / seconds;
                m.samples_per_sec = Some(rate);
                if rate > 0.0 {
                    let in_epoch = self.train.len() - self.trainer.position();
                    let later = self.config.epochs.saturating_sub(self.trainer.epoch() + 1)
                        * self.train.len();
                    let left_in_run = if self.is_finished() {
                        0
                    } else {
                        in_epoch + later
                    };
                    m.eta_epoch_seconds = Some(if self.is_finished() {
                        0.0
                    } else {
                        in_epoch as f64 / rate
                    });
                    m.eta_run_seconds = Some(left_in_run as f64 / rate);
                }
            }
        }
        self.last_report = Some((now, self.samples_seen));
        m
    }

    /// Forgets the throughput baseline (after a pause, so the pause does not count as slow
    /// training); the next report measures from `now`.
    pub fn restart_clock(&mut self, now: f64) {
        self.last_report = Some((now, self.samples_seen));
    }

    /// The test set's confusion matrix as of the last epoch's end (None before the first).
    pub fn epoch_confusion(&self) -> Option<&Confusion> {
        self.epoch_confusion.as_ref()
    }

    /// The confusion matrix of the current weights over `set`; cell indices are test-set indices.
    pub fn confusion(&self, set: EvalSet) -> Confusion {
        self.confusion_of(&self.trainer.network(), set)
    }

    /// The confusion matrix of any network (e.g. a snapshot's) over `set`.
    pub fn confusion_of(&self, network: &Network, set: EvalSet) -> Confusion {
        let (samples, indices): (&Samples, Vec<u32>) = match set {
            EvalSet::Test => (&self.test, (0..self.test.len() as u32).collect()),
            EvalSet::TestEstimate => (&self.estimate.samples, self.estimate.indices.clone()),
        };
        let predictions = network.predict_sparse(samples.sparse());
        Confusion::from_predictions(&predictions, &samples.labels, &indices, CLASSES)
    }

    /// The snapshots held.
    pub fn snapshots(&self) -> &SnapshotStore {
        &self.snapshots
    }

    /// The snapshot at `step` or the latest before it.
    pub fn snapshot_at(&self, step: u64) -> Option<&Snapshot> {
        self.snapshots.at_or_before(step)
    }

    /// The weights as they were at `step`: the current ones when `step` is `None` or not before
    /// the current step, else the snapshot at or before it (`None` if every snapshot is later).
    pub fn weights_at(&self, step: Option<u64>) -> Option<Snapshot> {
        match step {
            Some(s) if s < self.step() => self.snapshot_at(s).cloned(),
            _ => {
                let kind = if self.is_epoch_end() {
                    SnapshotKind::Epoch
                } else {
                    SnapshotKind::Step
                };
                Some(Snapshot::new(
                    self.network(),
                    self.step(),
                    self.epoch(),
                    kind,
                ))
            }
        }
    }
}

/// Whether `step` is one of every `n` (never when `n` is 0).
fn every(n: u64, step: u64) -> bool {
    n > 0 && step.is_multiple_of(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::nn::{EpochReport, Flow, Progress, Rng};

    /// Sparse 10-class data in 20 dimensions: class c lights up inputs 2c and 2c + 1.
    fn data(count: usize, seed: u64) -> Samples {
        let mut rng = Rng::new(seed);
        let mut inputs = Vec::with_capacity(count * 20);
        let mut labels = Vec::with_capacity(count);
        for _ in 0..count {
            let c = rng.below(10);
            for d in 0..20 {
                let on = d / 2 == c;
                let v = if on {
                    0.6 + rng.uniform(0.4)
                } else {
                    rng.uniform(0.5).max(0.0)
                };
                inputs.push(v);
            }
            labels.push(c as u8);
        }
        Samples::new(inputs, labels, 20).unwrap()
    }

    fn config(query: &str) -> RunConfig {
        RunConfig::from_query(query).unwrap()
    }

    /// Everything measured as often as possible.
    fn busy() -> RunOptions {
        RunOptions {
            probe_every: 1,
            probe_size: 16,
            estimate_every: 1,
            estimate_size: 30,
            snapshot_every: 1,
            snapshot_budget: 1 << 20,
            smoothing: 0.9,
        }
    }

    /// [`busy`] with another probe batch and test subset size.
    fn sized(probe_size: usize, estimate_size: usize) -> RunOptions {
        RunOptions {
            probe_size,
            estimate_size,
            ..busy()
        }
    }

    /// The native trainer's path: `RunConfig::trainer` and `Trainer::run` to the end.
    fn native(c: &RunConfig, train: &Samples, test: &Samples) -> (Network, Vec<EpochReport>) {
        let mut trainer = c.trainer(train.dim, CLASSES).unwrap();
        let train = c.training_subset(train.clone());
        let mut epochs = Vec::new();
        trainer
            .run(&train, Some(test), c.epochs, &|| 0.0, &mut |p| {
                if let Progress::Epoch(e) = p {
                    epochs.push(e.clone());
                }
                Flow::Continue
            })
            .unwrap();
        (trainer.network(), epochs)
    }

    #[test]
    fn single_steps_equal_the_native_trainer_bit_for_bit() {
        let (train, test) = (data(230, 1), data(60, 2));
        for query in [
            "hidden=12,8&opt=adam&lr=0.01&batch=16&epochs=3&seed=7&subset=200",
            "hidden=10&opt=sgd&lr=0.3&batch=32&epochs=2&seed=3&l2=0.001&decay=0.5",
            "hidden=9&act=tanh&opt=momentum&lr=0.05&batch=7&epochs=2&seed=11",
        ] {
            let c = config(query);
            let (want, reports) = native(&c, &train, &test);
            let mut run = TrainingRun::new(c.clone(), train.clone(), test.clone(), busy()).unwrap();
            let mut epochs = Vec::new();
            while !run.is_finished() {
                run.step_batch().unwrap();
                epochs.extend(run.metrics_since_last_report(0.0).epochs_done);
            }
            assert_eq!(run.network(), want, "{query}");
            assert_eq!(epochs.len(), c.epochs);
            for (mine, theirs) in epochs.iter().zip(&reports) {
                assert_eq!(mine.epoch, theirs.epoch);
                assert_eq!(mine.mean_loss, theirs.mean_loss);
                assert_eq!(mine.train_accuracy, theirs.train_accuracy);
                assert_eq!(Some(mine.test_accuracy), theirs.test_accuracy);
            }
            assert_eq!(run.step_batch().unwrap_err(), RunError::Finished);
        }
    }

    #[test]
    fn metrics_arrive_once_and_describe_the_run() {
        let c = config("hidden=16,8&opt=adam&lr=0.02&batch=10&epochs=2&seed=2");
        let options = RunOptions {
            probe_every: 4,
            estimate_every: 5,
            snapshot_every: 0,
            ..busy()
        };
        let mut run = TrainingRun::new(c, data(100, 3), data(50, 4), options).unwrap();
        assert_eq!(run.batches_per_epoch(), 10);
        for _ in 0..12 {
            run.step_batch().unwrap();
        }
        let m = run.metrics_since_last_report(10.0);
        assert_eq!(
            m.losses.iter().map(|p| p.step).collect::<Vec<_>>(),
            (1..=12).collect::<Vec<_>>()
        );
        assert_eq!(m.losses[0].smoothed, m.losses[0].loss);
        assert_eq!(
            m.estimates.iter().map(|p| p.step).collect::<Vec<_>>(),
            vec![5, 10]
        );
        assert_eq!(m.epochs_done.len(), 1);
        assert_eq!((m.epochs_done[0].epoch, m.epochs_done[0].step), (1, 10));
        // Probes at steps 4, 8, 12; three layers each.
        assert_eq!(m.layers.len(), 9);
        assert_eq!(m.histograms.len(), 9 * HISTOGRAM_BINS);
        for (p, h) in m.layers.iter().zip(m.histograms.chunks(HISTOGRAM_BINS)) {
            let units = [16, 8, 10][p.layer];
            assert_eq!(
                h.iter().sum::<f32>(),
                (16 * units) as f32,
                "all probe activations binned"
            );
            assert!(p.weight_norm > 0.0 && p.gradient_norm > 0.0);
            assert!(
                p.update_ratio > 0.0 && p.update_ratio < 0.5,
                "{}",
                p.update_ratio
            );
            assert_eq!(p.dead_fraction.is_some(), p.layer < 2);
        }
        assert_eq!((m.step, m.epoch, m.batch, m.epochs), (12, 1, 2, 2));
        assert_eq!(m.samples_per_sec, None);
        // Nothing is reported twice; throughput and ETAs come from the clock.
        run.step_batch().unwrap();
        run.step_batch().unwrap();
        let m = run.metrics_since_last_report(12.0);
        assert_eq!(m.losses.len(), 2);
        assert!(m.layers.is_empty() && m.estimates.is_empty());
        assert_eq!(m.samples_per_sec, Some(10.0));
        // 60 samples left in this epoch, none after it.
        assert_eq!(m.eta_epoch_seconds, Some(6.0));
        assert_eq!(m.eta_run_seconds, Some(6.0));
        run.restart_clock(100.0);
        run.step_batch().unwrap();
        assert_eq!(
            run.metrics_since_last_report(101.0).samples_per_sec,
            Some(10.0)
        );
    }

    #[test]
    fn update_ratio_is_the_relative_step() {
        // Plain SGD without decay: the update is lr·gradient of the batch, so with one batch
        // holding every sample the ratio is lr·‖g‖/‖W‖ of the batch just trained on.
        let c = config("hidden=6&opt=sgd&lr=0.1&batch=40&epochs=1&seed=5");
        let train = data(40, 6);
        let mut run =
            TrainingRun::new(c.clone(), train.clone(), data(20, 7), sized(40, 30)).unwrap();
        let mut trainer = c.trainer(20, CLASSES).unwrap();
        let (_, before) = trainer.gradients(&train.dense(), &train.labels).unwrap();
        let w0 = c.network(20, CLASSES);
        run.step_batch().unwrap();
        let m = run.metrics_since_last_report(0.0);
        for p in &m.layers {
            let want = 0.1 * norm(&before[p.layer].0) / norm(&w0.layers[p.layer].weights);
            assert!(
                (p.update_ratio as f64 - want).abs() < 1e-4 * want,
                "{} vs {want}",
                p.update_ratio
            );
        }
    }

    #[test]
    fn confusion_over_the_test_set_and_its_subset() {
        let c = config("hidden=16&opt=adam&lr=0.02&batch=10&epochs=3&seed=2");
        let test = data(200, 9);
        let mut run = TrainingRun::new(c, data(300, 8), test.clone(), sized(16, 50)).unwrap();
        while !run.is_finished() {
            run.step_batch().unwrap();
        }
        let full = run.confusion(EvalSet::Test);
        // The last epoch's own pass over the test set gave the same matrix.
        assert_eq!(run.epoch_confusion(), Some(&full));
        assert_eq!(full.total(), 200);
        assert_eq!(full.accuracy(), evaluate(&run.network(), &test).accuracy());
        assert!(
            full.accuracy() > 0.7,
            "learned (chance is 0.1): {}",
            full.accuracy()
        );
        let part = run.confusion(EvalSet::TestEstimate);
        assert_eq!(part.total(), 50);
        for t in 0..10 {
            for p in 0..10 {
                for &i in part.samples(t, p) {
                    assert_eq!(i % 4, 0, "evenly spaced: every 4th of 200");
                    assert_eq!(test.labels[i as usize] as usize, t);
                }
            }
        }
    }

    #[test]
    fn snapshots_cover_start_steps_and_epochs() {
        let c = config("hidden=8&opt=adam&lr=0.02&batch=10&epochs=2&seed=2");
        let options = RunOptions {
            snapshot_every: 3,
            ..busy()
        };
        let mut run = TrainingRun::new(c, data(50, 1), data(20, 2), options).unwrap();
        let start = run.network();
        let mut at_step_7 = None;
        while !run.is_finished() {
            run.step_batch().unwrap();
            if run.step() == 7 {
                at_step_7 = Some(run.network());
            }
            assert_eq!(run.is_epoch_end(), run.step().is_multiple_of(5));
        }
        let metas = run.snapshots().metas();
        let steps: Vec<u64> = metas.iter().map(|m| m.step).collect();
        assert_eq!(steps, vec![0, 3, 5, 6, 9, 10]);
        let kinds: Vec<SnapshotKind> = metas.iter().map(|m| m.kind).collect();
        use SnapshotKind::*;
        assert_eq!(kinds, vec![Step, Step, Epoch, Step, Step, Epoch]);
        assert_eq!(run.snapshot_at(0).unwrap().network, start);
        assert_eq!(run.snapshot_at(8).unwrap().meta.step, 6);
        assert_ne!(run.snapshot_at(8).unwrap().network, at_step_7.unwrap());
        assert_eq!(run.snapshot_at(99).unwrap().network, run.network());
        // weights_at: the current weights for None or a step not before the current one.
        assert_eq!(run.weights_at(None).unwrap().network, run.network());
        assert_eq!(
            run.weights_at(Some(run.step())).unwrap().meta.step,
            run.step()
        );
        assert_eq!(run.weights_at(Some(8)).unwrap().meta.step, 6);
        assert_eq!(run.weights_at(Some(0)).unwrap().network, start);
    }

    #[test]
    fn empty_probe_and_estimate_measure_nothing() {
        let c = config("hidden=4&batch=5&epochs=1");
        let mut run = TrainingRun::new(c, data(20, 1), data(10, 2), sized(0, 0)).unwrap();
        while !run.is_finished() {
            run.step_batch().unwrap();
        }
        let m = run.metrics_since_last_report(0.0);
        assert!(m.layers.is_empty() && m.estimates.is_empty());
        assert_eq!((m.losses.len(), m.epochs_done.len()), (4, 1));
    }

    #[test]
    fn bad_data_is_refused_with_a_sentence() {
        let c = config("hidden=4&epochs=1");
        let empty = Samples::new(vec![], vec![], 20).unwrap();
        let e = TrainingRun::new(c.clone(), data(10, 1), empty, busy()).unwrap_err();
        assert!(e.to_string().contains("no samples"), "{e}");
        let mut wrong = data(10, 1);
        wrong.labels[2] = 12;
        let mut run = TrainingRun::new(c, wrong, data(5, 2), busy()).unwrap();
        let e = run.step_batch().unwrap_err();
        assert!(e.to_string().contains("label 12"), "{e}");
    }
}
