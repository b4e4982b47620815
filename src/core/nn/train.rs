//! Mini-batch training: back-propagation, a pausable loop, progress reports.
//!
//! The trainer keeps each layer's weights transposed (`inputs × outputs`), the layout in which
//! the batched products are unit-stride:
//! forward `Z (B×out) = A (B×in) · Wt + b`; backward `dA (B×in) = Δ (B×out) · W`,
//! `dWt (in×out) = Aᵀ (in×B) · Δ`. [`Trainer::network`] turns them back into a [`Network`].
//! All state (weights, optimiser memory, shuffled order, position) lives in the [`Trainer`], so
//! training can stop after any batch and continue later exactly where it was.

use std::fmt;

use super::activation::Activation;
use super::eval::evaluate;
use super::layer::Dense;
use super::loss::Loss;
use super::matrix;
use super::network::{transposed_weights, Network};
use super::optimizer::{update, Optimizer, Slot, StepState};
use super::rng::Rng;

/// A labelled set: `len()` inputs of `dim` values, one label per sample. The inputs are kept
/// sparsely only (their non-zeros, a CSR matrix): training and evaluation read nothing else,
/// and MNIST's digits are ~80 % zeros, so the 60,000 training digits take ~72 MB instead of
/// 188 MB of dense `f32` (and the browser's worker, whose memory never shrinks, holds only
/// these). [`Samples::input`] and [`Samples::dense`] rebuild dense rows when needed.
#[derive(Clone, Debug, PartialEq)]
pub struct Samples {
    pub labels: Vec<u8>,
    pub dim: usize,
    sparse: matrix::Csr,
}

impl Samples {
    /// Checks that there is one label per `dim` inputs.
    pub fn new(inputs: Vec<f32>, labels: Vec<u8>, dim: usize) -> Result<Samples, TrainError> {
        if dim == 0 || inputs.len() != labels.len() * dim {
            return Err(TrainError::ShapeMismatch {
                what: "inputs per label",
                expected: labels.len() * dim,
                found: inputs.len(),
            });
        }
        let sparse = matrix::Csr::from_dense(&inputs, labels.len(), dim);
        Ok(Samples {
            labels,
            dim,
            sparse,
        })
    }

    /// The inputs as a sparse `len() × dim` matrix.
    pub fn sparse(&self) -> &matrix::Csr {
        &self.sparse
    }

    /// From 8-bit pixels (scaled by [`input_from_pixels`](super::input_from_pixels)).
    pub fn from_pixels(pixels: &[u8], labels: &[u8], dim: usize) -> Result<Samples, TrainError> {
        if dim == 0 || pixels.len() != labels.len() * dim {
            return Err(TrainError::ShapeMismatch {
                what: "inputs per label",
                expected: labels.len() * dim,
                found: pixels.len(),
            });
        }
        // Row by row through one dense row: the whole set is never dense. A pixel is a non-zero
        // input exactly when it is not 0, so the buffers are sized once.
        let mut sparse = matrix::Csr::default();
        sparse.reset(dim);
        sparse.reserve(labels.len(), pixels.iter().filter(|&&p| p != 0).count());
        let mut row = vec![0.0f32; dim];
        for image in pixels.chunks_exact(dim) {
            for (x, &p) in row.iter_mut().zip(image) {
                *x = super::input::pixel_input(p);
            }
            sparse.push_dense_row(&row);
        }
        Ok(Samples {
            labels: labels.to_vec(),
            dim,
            sparse,
        })
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The input of sample `i`, dense (`dim` values).
    pub fn input(&self, i: usize) -> Vec<f32> {
        let mut row = vec![0.0f32; self.dim];
        self.sparse.add_row_to(i, &mut row);
        row
    }

    /// Every input, dense: `len() × dim` values back to back.
    pub fn dense(&self) -> Vec<f32> {
        let mut all = vec![0.0f32; self.len() * self.dim];
        for (i, row) in all.chunks_exact_mut(self.dim.max(1)).enumerate() {
            self.sparse.add_row_to(i, row);
        }
        all
    }

    /// The samples numbered in `indices`, in that order.
    pub fn pick(&self, indices: &[u32]) -> Samples {
        let mut sparse = matrix::Csr::default();
        sparse.reset(self.dim);
        for &i in indices {
            sparse.push_row_of(&self.sparse, i as usize);
        }
        Samples {
            labels: indices.iter().map(|&i| self.labels[i as usize]).collect(),
            dim: self.dim,
            sparse,
        }
    }

    /// The first `n` samples (all of them if there are fewer).
    pub fn take(&self, n: usize) -> Samples {
        let n = n.min(self.len()) as u32;
        self.pick(&(0..n).collect::<Vec<u32>>())
    }
}

/// Why training cannot start or continue.
#[derive(Clone, Debug, PartialEq)]
pub enum TrainError {
    /// No samples to train on.
    EmptyData,
    /// A size does not match (inputs vs network, inputs vs labels, ...).
    ShapeMismatch {
        what: &'static str,
        expected: usize,
        found: usize,
    },
    /// A label is not a valid class for the network's output.
    LabelOutOfRange {
        index: usize,
        label: u8,
        classes: usize,
    },
    /// The loss cannot be used with the output activation (cross-entropy needs softmax).
    LossDoesNotFit { loss: Loss, output: Activation },
    /// Batch size zero.
    ZeroBatch,
    /// A learning rate or hyper-parameter that is not a finite positive number.
    BadHyperParameter(&'static str),
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::EmptyData => write!(f, "there are no samples to train on"),
            TrainError::ShapeMismatch {
                what,
                expected,
                found,
            } => {
                write!(
                    f,
                    "size mismatch in {what}: expected {expected}, found {found}"
                )
            }
            TrainError::LabelOutOfRange {
                index,
                label,
                classes,
            } => write!(
                f,
                "sample {index} has label {label}, but the network has only {classes} outputs"
            ),
            TrainError::LossDoesNotFit { loss, output } => write!(
                f,
                "the {} loss cannot follow a {} output layer (cross-entropy needs softmax)",
                loss.name(),
                output.name()
            ),
            TrainError::ZeroBatch => write!(f, "the batch size must be at least 1"),
            TrainError::BadHyperParameter(p) => {
                write!(f, "the {p} must be a finite positive number")
            }
        }
    }
}

impl std::error::Error for TrainError {}

/// Hyper-parameters of a training run.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    pub batch_size: usize,
    pub optimizer: Optimizer,
    pub loss: Loss,
    /// L2 weight decay λ: adds λ·W to the weight gradients (biases are not decayed).
    pub weight_decay: f32,
    /// The learning rate is multiplied by this after every epoch (1.0 = constant).
    pub lr_decay: f32,
    /// Seed of the per-epoch shuffles.
    pub seed: u64,
}

impl Default for TrainConfig {
    /// Benchmark B1's settings: plain SGD, lr 0.1, batch 32, cross-entropy.
    fn default() -> Self {
        TrainConfig {
            batch_size: 32,
            optimizer: Optimizer::Sgd { lr: 0.1 },
            loss: Loss::SoftmaxCrossEntropy,
            weight_decay: 0.0,
            lr_decay: 1.0,
            seed: 1,
        }
    }
}

/// What one mini-batch did.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchReport {
    /// Epoch the batch belonged to (0-based).
    pub epoch: usize,
    /// Batch number within the epoch (1-based) and the number of batches per epoch.
    pub batch: usize,
    pub batches: usize,
    /// Samples in this batch.
    pub samples: usize,
    /// Mean loss of the batch (before the update).
    pub loss: f32,
    /// Samples of the batch the network classified correctly (before the update).
    pub correct: usize,
    /// Whether this batch completed its epoch.
    pub epoch_finished: bool,
}

/// What one epoch achieved.
#[derive(Clone, Debug, PartialEq)]
pub struct EpochReport {
    /// Number of completed epochs (1-based).
    pub epoch: usize,
    /// Mean of the batch losses.
    pub mean_loss: f32,
    /// The share of the epoch's training samples classified correctly when their batch was
    /// trained (before its update): a running accuracy, as Keras reports it, that costs no pass
    /// over the training set (a full pass after each epoch took a third of an epoch's time).
    pub train_accuracy: f32,
    /// Accuracy on the test set after the epoch, if one was given.
    pub test_accuracy: Option<f32>,
    /// Training time of the epoch (batches only, not evaluation) and throughput.
    pub seconds: f64,
    pub samples_per_sec: f64,
}

/// A progress event from [`Trainer::run`].
#[derive(Clone, Debug, PartialEq)]
pub enum Progress {
    Batch {
        report: BatchReport,
        samples_per_sec: f64,
    },
    Epoch(EpochReport),
}

/// The observer's answer to a progress event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Pause,
}

/// How [`Trainer::run`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    /// The requested number of epochs is complete.
    Finished,
    /// The observer asked to pause; calling `run` again continues with the next batch.
    Paused,
}

/// Gradient of one layer: (dL/dW as `outputs × inputs`, dL/db).
pub type LayerGradient = (Vec<f32>, Vec<f32>);

/// One layer as the trainer holds it.
#[derive(Clone, Debug)]
struct LayerState {
    inputs: usize,
    outputs: usize,
    activation: Activation,
    /// `inputs × outputs` (transposed weights).
    wt: Vec<f32>,
    biases: Vec<f32>,
    grad_wt: Vec<f32>,
    grad_b: Vec<f32>,
    slot_w: Slot,
    slot_b: Slot,
}

/// Where gradients go during back-propagation.
#[derive(Clone, Copy)]
enum Apply {
    /// Plain SGD: subtract lr·gradient from the weights inside the product (no gradient buffer).
    FusedSgd { lr: f32 },
    /// Store the gradients in `grad_wt` / `grad_b` (for other optimisers and for tests).
    Store,
}

/// Training state: weights, optimiser memory, shuffle order and position, scratch buffers.
#[derive(Clone, Debug)]
pub struct Trainer {
    config: TrainConfig,
    layers: Vec<LayerState>,
    steps: StepState,
    rng: Rng,
    order: Vec<u32>,
    position: usize,
    epoch: usize,
    epoch_loss_sum: f64,
    epoch_batches: usize,
    /// Samples of this epoch classified correctly before their update, and samples trained.
    epoch_correct: usize,
    epoch_samples: usize,
    epoch_seconds: f64,
    /// acts[l + 1] = output of layer l (`B × width`); acts[0] stays empty (see `sparse`).
    acts: Vec<Vec<f32>>,
    /// zs[l] = pre-activation of layer l (`B × outputs`).
    zs: Vec<Vec<f32>>,
    /// sparse[l] = the input of layer l in compressed rows (zeros skipped), built in the
    /// forward pass and reused, transposed, for the weight gradient.
    sparse: Vec<matrix::Csr>,
    sparse_t: matrix::Csr,
    delta: Vec<f32>,
    delta_prev: Vec<f32>,
    w_scratch: Vec<f32>,
}

impl Trainer {
    /// Starts training `net` (copied) with `config`.
    pub fn new(net: &Network, config: TrainConfig) -> Result<Trainer, TrainError> {
        check_config(net, &config)?;
        let layers = net
            .layers
            .iter()
            .map(|l| LayerState {
                inputs: l.inputs,
                outputs: l.outputs,
                activation: l.activation,
                wt: transposed_weights(l),
                biases: l.biases.clone(),
                grad_wt: Vec::new(),
                grad_b: Vec::new(),
                slot_w: Slot::default(),
                slot_b: Slot::default(),
            })
            .collect::<Vec<_>>();
        let count = layers.len();
        Ok(Trainer {
            rng: Rng::new(config.seed),
            config,
            layers,
            steps: StepState::default(),
            order: Vec::new(),
            position: 0,
            epoch: 0,
            epoch_loss_sum: 0.0,
            epoch_batches: 0,
            epoch_correct: 0,
            epoch_samples: 0,
            epoch_seconds: 0.0,
            acts: vec![Vec::new(); count + 1],
            zs: vec![Vec::new(); count],
            sparse: vec![matrix::Csr::default(); count],
            sparse_t: matrix::Csr::default(),
            delta: Vec::new(),
            delta_prev: Vec::new(),
            w_scratch: Vec::new(),
        })
    }

    /// The hyper-parameters.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// Completed epochs.
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    /// Samples already used in the current epoch.
    pub fn position(&self) -> usize {
        self.position
    }

    /// Optimiser steps taken so far.
    pub fn steps(&self) -> u64 {
        self.steps.steps
    }

    /// The learning rate for the current epoch (base rate × lr_decay^epoch).
    pub fn learning_rate(&self) -> f32 {
        self.config.optimizer.learning_rate() * self.config.lr_decay.powi(self.epoch as i32)
    }

    /// Each layer's current parameters without copying them: (weights transposed,
    /// `inputs × outputs`, and biases). For norms and differences, where the layout does not
    /// matter; [`Trainer::network`] gives them in the usual layout.
    pub fn layer_parameters(&self) -> impl Iterator<Item = (&[f32], &[f32])> {
        self.layers
            .iter()
            .map(|l| (l.wt.as_slice(), l.biases.as_slice()))
    }

    /// The current weights as a [`Network`].
    pub fn network(&self) -> Network {
        let layers = self
            .layers
            .iter()
            .map(|l| {
                let mut weights = vec![0.0f32; l.wt.len()];
                matrix::transpose(&l.wt, l.inputs, l.outputs, &mut weights);
                Dense {
                    inputs: l.inputs,
                    outputs: l.outputs,
                    weights,
                    biases: l.biases.clone(),
                    activation: l.activation,
                }
            })
            .collect();
        Network { layers }
    }

    /// Trains on the next mini-batch of `train` (shuffled anew at the start of every epoch).
    pub fn train_batch(&mut self, train: &Samples) -> Result<BatchReport, TrainError> {
        let new_epoch = self.position == 0 || self.order.len() != train.len();
        if new_epoch {
            // Every label once per epoch; later batches check only their own rows' labels.
            self.check_samples(train)?;
            self.order = (0..train.len() as u32).collect();
            self.rng.shuffle(&mut self.order);
            self.position = 0;
        } else {
            self.check_shape(train)?;
        }
        let batches = train.len().div_ceil(self.config.batch_size);
        let start = self.position;
        let end = (start + self.config.batch_size).min(train.len());
        let batch: Vec<u32> = self.order[start..end].to_vec();
        let labels = self.batch_labels(train, &batch)?;
        self.gather(train, &batch);
        let lr = self.learning_rate();
        self.steps.advance(&self.config.optimizer);
        let loss = match self.config.optimizer {
            Optimizer::Sgd { .. } => self.forward_backward(&labels, Apply::FusedSgd { lr }),
            _ => {
                let loss = self.forward_backward(&labels, Apply::Store);
                self.apply_optimizer(lr);
                loss
            }
        };
        let correct = self.correct_in_batch(&labels);
        let report = BatchReport {
            correct,
            epoch: self.epoch,
            batch: start / self.config.batch_size + 1,
            batches,
            samples: end - start,
            loss,
            epoch_finished: end == train.len(),
        };
        self.epoch_loss_sum += loss as f64;
        self.epoch_batches += 1;
        self.epoch_correct += report.correct;
        self.epoch_samples += report.samples;
        self.position = end;
        if report.epoch_finished {
            self.position = 0;
            self.epoch += 1;
        }
        Ok(report)
    }

    /// Trains until `epochs` epochs are complete, reporting every batch and every epoch to
    /// `observe`, which may pause the run after any event. `clock` returns seconds (any
    /// origin): `Instant` natively, `performance.now() / 1000` in a browser.
    /// Train and test accuracy are measured after each epoch.
    pub fn run(
        &mut self,
        train: &Samples,
        test: Option<&Samples>,
        epochs: usize,
        clock: &dyn Fn() -> f64,
        observe: &mut dyn FnMut(&Progress) -> Flow,
    ) -> Result<RunState, TrainError> {
        self.check_samples(train)?;
        if let Some(t) = test {
            self.check_samples(t)?;
        }
        while self.epoch < epochs {
            let t0 = clock();
            let report = self.train_batch(train)?;
            let dt = (clock() - t0).max(1e-9);
            self.epoch_seconds += dt;
            let finished = report.epoch_finished;
            let samples_per_sec = report.samples as f64 / dt;
            let mut flow = observe(&Progress::Batch {
                report,
                samples_per_sec,
            });
            if finished {
                let epoch_report = self.finish_epoch(train, test);
                if observe(&Progress::Epoch(epoch_report)) == Flow::Pause {
                    flow = Flow::Pause;
                }
            }
            if flow == Flow::Pause {
                return Ok(if self.epoch >= epochs {
                    RunState::Finished
                } else {
                    RunState::Paused
                });
            }
        }
        Ok(RunState::Finished)
    }

    /// Loss of one batch and the gradients of every layer, without changing the weights.
    /// Returns `(loss, [(dL/dW as outputs × inputs, dL/db)])`; includes weight decay.
    /// Labels beyond the inputs given are ignored; a label that is not a class is an error.
    pub fn gradients(
        &mut self,
        inputs: &[f32],
        labels: &[u8],
    ) -> Result<(f32, Vec<LayerGradient>), TrainError> {
        let dim = self.layers[0].inputs;
        let labels = &labels[..labels.len().min(inputs.len() / dim)];
        if labels.is_empty() {
            return Err(TrainError::EmptyData);
        }
        let classes = self.layers.last().map_or(0, |l| l.outputs);
        if let Some((index, &label)) = labels
            .iter()
            .enumerate()
            .find(|(_, &l)| l as usize >= classes)
        {
            return Err(TrainError::LabelOutOfRange {
                index,
                label,
                classes,
            });
        }
        let first = &mut self.sparse[0];
        first.reset(dim);
        for row in inputs[..labels.len() * dim].chunks_exact(dim) {
            first.push_dense_row(row);
        }
        let loss = self.forward_backward(labels, Apply::Store);
        let grads = self
            .layers
            .iter()
            .map(|l| {
                let mut gw = vec![0.0f32; l.grad_wt.len()];
                matrix::transpose(&l.grad_wt, l.inputs, l.outputs, &mut gw);
                (gw, l.grad_b.clone())
            })
            .collect();
        Ok((loss, grads))
    }

    /// How many rows of the last forward pass put their largest output on the label.
    fn correct_in_batch(&self, labels: &[u8]) -> usize {
        let out = self.acts.last().expect("output layer");
        let width = self.layers.last().map_or(1, |l| l.outputs);
        out.chunks_exact(width)
            .zip(labels)
            .filter(|(row, &y)| super::network::argmax(row) == Some(y as usize))
            .count()
    }

    fn finish_epoch(&mut self, train: &Samples, test: Option<&Samples>) -> EpochReport {
        let net = self.network();
        let seconds = self.epoch_seconds;
        let report = EpochReport {
            epoch: self.epoch,
            mean_loss: (self.epoch_loss_sum / self.epoch_batches.max(1) as f64) as f32,
            train_accuracy: self.epoch_correct as f32 / self.epoch_samples.max(1) as f32,
            test_accuracy: test.map(|t| evaluate(&net, t).accuracy()),
            seconds,
            samples_per_sec: train.len() as f64 / seconds.max(1e-9),
        };
        self.epoch_loss_sum = 0.0;
        self.epoch_batches = 0;
        self.epoch_correct = 0;
        self.epoch_samples = 0;
        self.epoch_seconds = 0.0;
        report
    }

    /// Non-empty, and every sample has the network's input size.
    fn check_shape(&self, s: &Samples) -> Result<(), TrainError> {
        if s.is_empty() {
            return Err(TrainError::EmptyData);
        }
        let dim = self.layers[0].inputs;
        if s.dim != dim || s.sparse.rows() != s.len() {
            return Err(TrainError::ShapeMismatch {
                what: "sample size",
                expected: dim,
                found: s.dim,
            });
        }
        Ok(())
    }

    /// The labels of the samples numbered in `batch`, each checked to be a class.
    fn batch_labels(&self, s: &Samples, batch: &[u32]) -> Result<Vec<u8>, TrainError> {
        let classes = self.layers.last().map_or(0, |l| l.outputs);
        batch
            .iter()
            .map(|&i| match s.labels[i as usize] {
                label if (label as usize) < classes => Ok(label),
                label => Err(TrainError::LabelOutOfRange {
                    index: i as usize,
                    label,
                    classes,
                }),
            })
            .collect()
    }

    /// [`Trainer::check_shape`], and every label is a class.
    fn check_samples(&self, s: &Samples) -> Result<(), TrainError> {
        self.check_shape(s)?;
        let classes = self.layers.last().map_or(0, |l| l.outputs);
        if let Some((index, &label)) = s
            .labels
            .iter()
            .enumerate()
            .find(|(_, &l)| l as usize >= classes)
        {
            return Err(TrainError::LabelOutOfRange {
                index,
                label,
                classes,
            });
        }
        Ok(())
    }

    /// Lists the non-zero inputs of the chosen samples in `sparse[0]` (the dense batch is
    /// never copied).
    fn gather(&mut self, train: &Samples, batch: &[u32]) {
        let x = &mut self.sparse[0];
        x.reset(train.dim);
        const AHEAD: usize = 4;
        for &i in batch.iter().take(AHEAD) {
            train.sparse.prefetch_row(i as usize);
        }
        for (n, &i) in batch.iter().enumerate() {
            if let Some(&later) = batch.get(n + AHEAD) {
                train.sparse.prefetch_row(later as usize);
            }
            x.push_row_of(&train.sparse, i as usize);
        }
    }

    /// Forward pass of `sparse[0]`, loss, and back-propagation; gradients go where `apply` says.
    fn forward_backward(&mut self, labels: &[u8], apply: Apply) -> f32 {
        let rows = labels.len();
        self.forward(rows);
        let last = self.layers.len() - 1;
        let out = &self.layers[last];
        self.delta.resize(rows * out.outputs, 0.0);
        let loss = self.config.loss.output_delta(
            out.activation,
            &self.zs[last],
            &self.acts[last + 1],
            labels,
            out.outputs,
            &mut self.delta,
        );
        for l in (0..self.layers.len()).rev() {
            if l > 0 {
                self.propagate_delta(l, rows);
            }
            self.layer_gradient(l, rows, apply);
            if l > 0 {
                std::mem::swap(&mut self.delta, &mut self.delta_prev);
            }
        }
        loss
    }

    /// Fills `zs[l]` and `acts[l + 1]` for every layer, for `rows` inputs in `sparse[0]`.
    fn forward(&mut self, rows: usize) {
        for (l, layer) in self.layers.iter().enumerate() {
            if l > 0 {
                let s = &mut self.sparse[l];
                s.reset(layer.inputs);
                for row in self.acts[l].chunks_exact(layer.inputs) {
                    s.push_dense_row(row);
                }
            }
            let z = &mut self.zs[l];
            z.clear();
            for _ in 0..rows {
                z.extend_from_slice(&layer.biases);
            }
            matrix::gemm_csr(&self.sparse[l], &layer.wt, layer.outputs, 1.0, z, true);
            let a = &mut self.acts[l + 1];
            a.clear();
            a.extend_from_slice(z);
            layer.activation.apply_rows_in_place(a, layer.outputs);
        }
    }

    /// delta_prev = (delta · W_l) ⊙ f'_{l-1}: the error at layer l−1's pre-activation.
    fn propagate_delta(&mut self, l: usize, rows: usize) {
        let layer = &self.layers[l];
        let (inputs, outputs) = (layer.inputs, layer.outputs);
        self.w_scratch.resize(inputs * outputs, 0.0);
        matrix::transpose(&layer.wt, inputs, outputs, &mut self.w_scratch);
        self.delta_prev.resize(rows * inputs, 0.0);
        matrix::gemm(
            rows,
            outputs,
            inputs,
            1.0,
            &self.delta,
            &self.w_scratch,
            &mut self.delta_prev,
            false,
        );
        let prev = self.layers[l - 1].activation;
        for r in 0..rows {
            let span = r * inputs..(r + 1) * inputs;
            prev.backward(
                &self.zs[l - 1][span.clone()],
                &self.acts[l][span.clone()],
                &mut self.delta_prev[span],
            );
        }
    }

    /// dWt = acts[l]ᵀ · delta and db = Σ rows of delta, applied or stored.
    fn layer_gradient(&mut self, l: usize, rows: usize, apply: Apply) {
        let decay = self.config.weight_decay;
        let layer = &mut self.layers[l];
        let (inputs, outputs) = (layer.inputs, layer.outputs);
        debug_assert_eq!(self.sparse[l].rows(), rows);
        self.sparse[l].transpose_into(&mut self.sparse_t);
        let at = &self.sparse_t;
        match apply {
            Apply::FusedSgd { lr } => {
                if decay > 0.0 {
                    let keep = 1.0 - lr * decay;
                    layer.wt.iter_mut().for_each(|w| *w *= keep);
                }
                matrix::gemm_csr(at, &self.delta, outputs, -lr, &mut layer.wt, true);
                matrix::add_column_sums(&self.delta, rows, outputs, -lr, &mut layer.biases);
            }
            Apply::Store => {
                layer.grad_wt.resize(inputs * outputs, 0.0);
                matrix::gemm_csr(at, &self.delta, outputs, 1.0, &mut layer.grad_wt, false);
                if decay > 0.0 {
                    for (g, w) in layer.grad_wt.iter_mut().zip(&layer.wt) {
                        *g += decay * w;
                    }
                }
                layer.grad_b.clear();
                layer.grad_b.resize(outputs, 0.0);
                matrix::add_column_sums(&self.delta, rows, outputs, 1.0, &mut layer.grad_b);
            }
        }
    }

    fn apply_optimizer(&mut self, lr: f32) {
        let opt = self.config.optimizer;
        for layer in &mut self.layers {
            update(
                &opt,
                lr,
                &self.steps,
                &mut layer.wt,
                &layer.grad_wt,
                &mut layer.slot_w,
            );
            update(
                &opt,
                lr,
                &self.steps,
                &mut layer.biases,
                &layer.grad_b,
                &mut layer.slot_b,
            );
        }
    }
}

/// Rejects configurations that cannot train.
fn check_config(net: &Network, config: &TrainConfig) -> Result<(), TrainError> {
    net.validate().map_err(|_| TrainError::ShapeMismatch {
        what: "network layers",
        expected: 0,
        found: 0,
    })?;
    if config.batch_size == 0 {
        return Err(TrainError::ZeroBatch);
    }
    let output = net
        .layers
        .last()
        .map(|l| l.activation)
        .unwrap_or(Activation::Softmax);
    if !config.loss.fits(output) {
        return Err(TrainError::LossDoesNotFit {
            loss: config.loss,
            output,
        });
    }
    let lr = config.optimizer.learning_rate();
    if !(lr.is_finite() && lr > 0.0) {
        return Err(TrainError::BadHyperParameter("learning rate"));
    }
    if !(config.weight_decay.is_finite() && config.weight_decay >= 0.0) {
        return Err(TrainError::BadHyperParameter("weight decay"));
    }
    if !(config.lr_decay.is_finite() && config.lr_decay > 0.0) {
        return Err(TrainError::BadHyperParameter("learning-rate decay"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn samples_keep_only_the_sparse_inputs_and_give_back_dense_rows() {
        let pixels: Vec<u8> = vec![
            0, 255, 0, 51, /* */ 0, 0, 0, 0, /* */ 102, 0, 0, 255,
        ];
        let s = Samples::from_pixels(&pixels, &[3, 1, 4], 4).unwrap();
        let dense = super::super::input::input_from_pixels(&pixels);
        assert_eq!(s, Samples::new(dense.clone(), vec![3, 1, 4], 4).unwrap());
        assert_eq!(s.dense(), dense);
        assert_eq!(s.input(0), vec![0.0, 1.0, 0.0, 0.2]);
        assert_eq!(s.input(1), vec![0.0; 4]);
        assert_eq!(s.sparse().nonzeros(), 4);
        let picked = s.pick(&[2, 0]);
        assert_eq!(picked.labels, vec![4, 3]);
        assert_eq!(picked.input(0), s.input(2));
        assert_eq!(picked.input(1), s.input(0));
        assert_eq!(s.take(2), s.pick(&[0, 1]));
        assert_eq!(s.take(99), s);
        assert!(Samples::from_pixels(&pixels[1..], &[3, 1, 4], 4).is_err());
        assert!(Samples::from_pixels(&pixels, &[3, 1, 4], 0).is_err());
    }

    use super::*;

    /// Two Gaussian-ish blobs per class in 8 dimensions: easy to learn, fast to train.
    fn synthetic(count: usize, seed: u64) -> Samples {
        let mut rng = Rng::new(seed);
        let mut inputs = Vec::new();
        let mut labels = Vec::new();
        for _ in 0..count {
            let class = rng.below(3);
            for d in 0..8 {
                let centre = if d % 3 == class { 1.0 } else { 0.0 };
                let v: f32 = centre + rng.uniform(0.4);
                inputs.push(v.max(0.0));
            }
            labels.push(class as u8);
        }
        Samples::new(inputs, labels, 8).unwrap()
    }

    fn net(seed: u64) -> Network {
        Network::init(&[8, 12, 3], Activation::Relu, Activation::Softmax, seed).unwrap()
    }

    fn train_batches(config: TrainConfig, batches: usize, data: &Samples) -> (Trainer, Vec<f32>) {
        let mut t = Trainer::new(&net(1), config).unwrap();
        let losses = (0..batches)
            .map(|_| t.train_batch(data).unwrap().loss)
            .collect();
        (t, losses)
    }

    #[test]
    fn one_sgd_step_golden_values() {
        // 2 inputs → 2 softmax outputs, x = [1, 2], label 0, lr 0.1.
        let start = Network::new(vec![Dense {
            inputs: 2,
            outputs: 2,
            weights: vec![0.5, -1.0, 1.0, 1.0],
            biases: vec![0.0, 0.0],
            activation: Activation::Softmax,
        }])
        .unwrap();
        let data = Samples::new(vec![1.0, 2.0], vec![0], 2).unwrap();
        let mut t = Trainer::new(&start, TrainConfig::default()).unwrap();
        let r = t.train_batch(&data).unwrap();
        // z = [-1.5, 3]; p0 = 1/(1+e^4.5) = 0.0109869; loss = -ln p0 = 4.5110.
        assert!((r.loss - 4.511_015).abs() < 1e-4, "{}", r.loss);
        let after = t.network();
        let want_w = [0.598_901_3, -0.802_197_4, 0.901_098_7, 0.802_197_4];
        for (w, e) in after.layers[0].weights.iter().zip(want_w) {
            assert!((w - e).abs() < 1e-5, "{:?}", after.layers[0].weights);
        }
        assert!((after.layers[0].biases[0] - 0.098_901_3).abs() < 1e-5);
        assert!((after.layers[0].biases[1] + 0.098_901_3).abs() < 1e-5);
        assert!(r.epoch_finished && t.epoch() == 1);
        assert_eq!(r.correct, 0);
    }

    #[test]
    fn every_optimiser_drives_the_loss_down() {
        let data = synthetic(600, 3);
        for optimizer in [
            Optimizer::Sgd { lr: 0.1 },
            Optimizer::Momentum {
                lr: 0.05,
                momentum: 0.9,
            },
            Optimizer::adam(0.01),
        ] {
            let config = TrainConfig {
                batch_size: 20,
                optimizer,
                weight_decay: 1e-4,
                ..TrainConfig::default()
            };
            let (t, losses) = train_batches(config, 150, &data);
            let first: f32 = losses[..10].iter().sum::<f32>() / 10.0;
            let last: f32 = losses[140..].iter().sum::<f32>() / 10.0;
            assert!(last < 0.5 * first, "{optimizer:?}: {first} -> {last}");
            let acc = evaluate(&t.network(), &synthetic(300, 4)).accuracy();
            assert!(acc > 0.9, "{optimizer:?}: accuracy {acc}");
        }
    }

    #[test]
    fn same_seed_same_result_different_seed_different_result() {
        let data = synthetic(200, 5);
        let config = TrainConfig {
            batch_size: 16,
            optimizer: Optimizer::adam(0.01),
            ..TrainConfig::default()
        };
        let (a, la) = train_batches(config.clone(), 40, &data);
        let (b, lb) = train_batches(config.clone(), 40, &data);
        assert_eq!(la, lb);
        assert_eq!(a.network(), b.network());
        let (c, _) = train_batches(TrainConfig { seed: 2, ..config }, 40, &data);
        assert_ne!(a.network(), c.network());
    }

    #[test]
    fn layer_parameters_are_the_network_transposed() {
        let (t, _) = train_batches(TrainConfig::default(), 3, &synthetic(50, 2));
        let net = t.network();
        let params: Vec<(&[f32], &[f32])> = t.layer_parameters().collect();
        assert_eq!(params.len(), net.layers.len());
        for ((wt, b), layer) in params.into_iter().zip(&net.layers) {
            assert_eq!(wt, transposed_weights(layer).as_slice());
            assert_eq!(b, layer.biases.as_slice());
        }
    }

    #[test]
    fn pausing_and_resuming_changes_nothing() {
        let data = synthetic(100, 6);
        let test = synthetic(50, 7);
        let config = TrainConfig {
            batch_size: 8,
            optimizer: Optimizer::adam(0.01),
            ..TrainConfig::default()
        };
        let clock = || 0.0;
        let mut straight = Trainer::new(&net(1), config.clone()).unwrap();
        let mut events = Vec::new();
        let state = straight
            .run(&data, Some(&test), 3, &clock, &mut |p| {
                events.push(p.clone());
                Flow::Continue
            })
            .unwrap();
        assert_eq!(state, RunState::Finished);
        // 13 batches per epoch (100 / 8 rounded up) + 1 epoch report, 3 epochs.
        assert_eq!(events.len(), 3 * 14);
        let epochs: Vec<&EpochReport> = events
            .iter()
            .filter_map(|e| {
                if let Progress::Epoch(r) = e {
                    Some(r)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(
            epochs.iter().map(|e| e.epoch).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert!(epochs[2].test_accuracy.unwrap() > 0.8);

        let mut paused = Trainer::new(&net(1), config).unwrap();
        let mut seen = 0;
        let mut pauses = 0;
        loop {
            let state = paused
                .run(&data, Some(&test), 3, &clock, &mut |_| {
                    seen += 1;
                    if seen % 5 == 0 {
                        Flow::Pause
                    } else {
                        Flow::Continue
                    }
                })
                .unwrap();
            if state == RunState::Finished {
                break;
            }
            pauses += 1;
        }
        assert!(pauses >= 5);
        assert_eq!(seen, 3 * 14);
        assert_eq!(paused.network(), straight.network());
    }

    #[test]
    fn bad_configurations_and_data_are_explained() {
        let data = synthetic(10, 1);
        let sig = Network::init(&[8, 3], Activation::Relu, Activation::Sigmoid, 1).unwrap();
        let e = Trainer::new(&sig, TrainConfig::default()).unwrap_err();
        assert!(matches!(e, TrainError::LossDoesNotFit { .. }));
        assert!(e.to_string().contains("softmax"));
        let zero = TrainConfig {
            batch_size: 0,
            ..TrainConfig::default()
        };
        assert_eq!(
            Trainer::new(&net(1), zero).unwrap_err(),
            TrainError::ZeroBatch
        );
        let nan = TrainConfig {
            optimizer: Optimizer::Sgd { lr: f32::NAN },
            ..TrainConfig::default()
        };
        assert!(Trainer::new(&net(1), nan).is_err());
        let mut t = Trainer::new(&net(1), TrainConfig::default()).unwrap();
        let mut bad = data.clone();
        bad.labels[3] = 7;
        assert_eq!(
            t.train_batch(&bad).unwrap_err(),
            TrainError::LabelOutOfRange {
                index: 3,
                label: 7,
                classes: 3
            }
        );
        let wrong_dim = Samples::new(vec![0.0; 20], vec![0; 2], 10).unwrap();
        assert!(matches!(
            t.train_batch(&wrong_dim),
            Err(TrainError::ShapeMismatch { .. })
        ));
        assert!(Samples::new(vec![0.0; 5], vec![0; 2], 2).is_err());
        let empty = Samples::new(vec![], vec![], 8).unwrap();
        assert_eq!(t.train_batch(&empty).unwrap_err(), TrainError::EmptyData);
    }

    #[test]
    fn mse_training_also_learns() {
        let data = synthetic(600, 8);
        let n = Network::init(&[8, 12, 3], Activation::Tanh, Activation::Sigmoid, 2).unwrap();
        let config = TrainConfig {
            loss: Loss::MeanSquaredError,
            optimizer: Optimizer::Sgd { lr: 0.5 },
            ..TrainConfig::default()
        };
        let mut t = Trainer::new(&n, config).unwrap();
        for _ in 0..400 {
            t.train_batch(&data).unwrap();
        }
        assert!(evaluate(&t.network(), &synthetic(300, 9)).accuracy() > 0.9);
    }
}
