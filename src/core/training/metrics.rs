//! What the training page plots: the data points a [`super::TrainingRun`] collects, and the
//! per-layer measurements (norms, update ratio, dead ReLUs, activation histograms) on a fixed
//! probe batch.

use serde::{Deserialize, Serialize};

use crate::core::nn::Activation;

/// Bins of every activation histogram.
pub const HISTOGRAM_BINS: usize = 32;

/// The training loss of one batch (before its update).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LossPoint {
    /// Optimiser step (1-based: the first batch is step 1).
    pub step: u64,
    #[serde(with = "nan_as_null")]
    pub loss: f32,
    /// Bias-corrected EMA of the losses so far ([`super::chart::Ema`], β = `RunOptions::smoothing`).
    #[serde(with = "nan_as_null")]
    pub smoothed: f32,
}

/// Accuracy on the fixed test subset after a step (the frequent test estimate).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EstimatePoint {
    pub step: u64,
    pub accuracy: f32,
}

/// The end of an epoch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochPoint {
    /// Epochs completed (1-based).
    pub epoch: usize,
    pub step: u64,
    /// Mean of the epoch's batch losses.
    #[serde(with = "nan_as_null")]
    pub mean_loss: f32,
    /// The epoch's running accuracy on the training samples (each counted when its batch was
    /// trained, before the update: no extra pass) and the accuracy on the whole test set after
    /// the epoch.
    pub train_accuracy: f32,
    pub test_accuracy: f32,
    /// The learning rate the epoch trained with.
    pub learning_rate: f32,
}

/// One layer measured on the probe batch after a step. Its histogram travels outside serde
/// (see [`Metrics::histograms`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerPoint {
    pub step: u64,
    /// Index into the network's layers (0 = first hidden layer).
    pub layer: usize,
    /// ‖W‖ (Frobenius norm of the weights, biases excluded).
    #[serde(with = "nan_as_null")]
    pub weight_norm: f32,
    /// ‖∂L/∂W‖ on the probe batch at the current weights (weight decay included).
    #[serde(with = "nan_as_null")]
    pub gradient_norm: f32,
    /// ‖W_after − W_before‖ / ‖W_before‖ for this step's update.
    #[serde(with = "nan_as_null")]
    pub update_ratio: f32,
    /// Fraction of the layer's units that are 0 for every probe sample; `None` unless ReLU.
    pub dead_fraction: Option<f32>,
    /// The histogram's fixed range: bin `k` of `HISTOGRAM_BINS` covers
    /// `lo + k·(hi − lo)/BINS ..`, values outside go to the first or last bin.
    pub histogram_range: (f32, f32),
}

/// Everything new since the last report, plus where the run stands. The histograms are the one
/// big array: they are skipped by serde and travel as a transferred `Float32Array`
/// (see `protocol::Report::take_buffers`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Steps taken and epochs completed so far, of `epochs`.
    pub step: u64,
    pub epoch: usize,
    pub epochs: usize,
    /// Batches done in the current epoch, of `batches_per_epoch`.
    pub batch: usize,
    pub batches_per_epoch: usize,
    /// The current learning rate.
    pub learning_rate: f32,
    pub losses: Vec<LossPoint>,
    pub estimates: Vec<EstimatePoint>,
    pub epochs_done: Vec<EpochPoint>,
    pub layers: Vec<LayerPoint>,
    /// Training throughput since the previous report; `None` on the first report.
    pub samples_per_sec: Option<f64>,
    /// Seconds left in this epoch and in the run at that throughput.
    pub eta_epoch_seconds: Option<f64>,
    pub eta_run_seconds: Option<f64>,
    /// The worker's WebAssembly memory in bytes, as the browser reports it (the length of its
    /// `WebAssembly.Memory` buffer; set by the worker, `None` natively).
    #[serde(default)]
    pub memory_bytes: Option<u64>,
    /// `layers.len() × HISTOGRAM_BINS` counts (exact integers as f32), in the order of `layers`.
    #[serde(skip)]
    pub histograms: Vec<f32>,
}

/// Serde for values a diverging run makes non-finite (loss, norms): written as `null` (JSON has
/// no NaN or infinity), read back as NaN.
mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f32, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() {
            s.serialize_f32(*v)
        } else {
            s.serialize_none()
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f32, D::Error> {
        Ok(Option::<f32>::deserialize(d)?.unwrap_or(f32::NAN))
    }
}

/// The fixed range of an activation's histogram: ReLU [0, 8], tanh [−1, 1], sigmoid and
/// softmax [0, 1].
pub fn histogram_range(activation: Activation) -> (f32, f32) {
    match activation {
        Activation::Relu => (0.0, 8.0),
        Activation::Tanh => (-1.0, 1.0),
        Activation::Sigmoid | Activation::Softmax => (0.0, 1.0),
    }
}

/// Counts of `values` in `bins` equal bins over `[lo, hi]`; values below or above go to the
/// first or last bin, NaN is not counted.
pub fn histogram(values: &[f32], (lo, hi): (f32, f32), bins: usize) -> Vec<f32> {
    let mut counts = vec![0.0f32; bins];
    let scale = bins as f32 / (hi - lo);
    for &v in values.iter().filter(|v| !v.is_nan()) {
        let k = ((v - lo) * scale).floor().clamp(0.0, (bins - 1) as f32) as usize;
        counts[k] += 1.0;
    }
    counts
}

/// Fraction of the `width` columns of a `rows × width` activation matrix that are ≤ 0 in
/// every row (dead ReLU units); 0 for no rows.
pub fn dead_fraction(activations: &[f32], width: usize) -> f32 {
    if width == 0 || activations.len() < width {
        return 0.0;
    }
    let mut alive = vec![false; width];
    for row in activations.chunks_exact(width) {
        for (a, &v) in alive.iter_mut().zip(row) {
            *a |= v > 0.0;
        }
    }
    alive.iter().filter(|&&a| !a).count() as f32 / width as f32
}

/// Euclidean norm ‖v‖, summed in f64.
pub fn norm(v: &[f32]) -> f64 {
    v.iter()
        .map(|&x| (x as f64) * (x as f64))
        .sum::<f64>()
        .sqrt()
}

/// ‖a − b‖, summed in f64.
pub fn distance(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| (x as f64 - y as f64).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// `count` indices spread evenly over `0..len` (all of them if `count ≥ len`): a fixed subset
/// that samples the whole set, not just its beginning.
pub fn evenly_spaced(len: usize, count: usize) -> Vec<u32> {
    let count = count.min(len);
    (0..count).map(|i| (i * len / count) as u32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_bins_and_edges() {
        let h = histogram(
            &[0.0, 0.1, 0.5, 0.99, 1.0, 7.0, -3.0, f32::NAN],
            (0.0, 1.0),
            4,
        );
        // [0, .25): 0, 0.1, -3 | [.25, .5): - | [.5, .75): 0.5 | [.75, 1]: .99, 1, 7.
        assert_eq!(h, vec![3.0, 0.0, 1.0, 3.0]);
        assert_eq!(histogram(&[], (-1.0, 1.0), 3), vec![0.0; 3]);
        assert_eq!(histogram_range(Activation::Tanh), (-1.0, 1.0));
    }

    #[test]
    fn dead_units_are_zero_for_every_row() {
        // 3 rows × 4 units: unit 1 is always 0, unit 3 always negative, unit 2 alive once.
        let a = [
            1.0, 0.0, 0.0, -1.0, 2.0, 0.0, 0.0, -2.0, 0.0, 0.0, 0.5, -0.1,
        ];
        assert_eq!(dead_fraction(&a, 4), 0.5);
        assert_eq!(dead_fraction(&[], 4), 0.0);
        assert_eq!(dead_fraction(&[0.0; 8], 4), 1.0);
    }

    #[test]
    fn norms_and_subsets() {
        assert_eq!(norm(&[3.0, 4.0]), 5.0);
        assert_eq!(distance(&[1.0, 1.0], &[4.0, 5.0]), 5.0);
        assert_eq!(evenly_spaced(10, 4), vec![0, 2, 5, 7]);
        assert_eq!(evenly_spaced(3, 10), vec![0, 1, 2]);
        assert!(evenly_spaced(0, 10).is_empty());
    }
}
