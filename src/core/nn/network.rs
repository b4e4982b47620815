//! A stack of dense layers: single-input traces for drawing, batched passes for evaluation.

use std::fmt;

use super::activation::Activation;
use super::layer::Dense;
use super::matrix;
use super::rng::Rng;

/// A feed-forward network: `layers[0]` reads the input, the last layer produces the output.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    pub layers: Vec<Dense>,
}

/// Everything one forward pass computed, for drawing.
/// `a[0]` is the input; `a[l]` (l ≥ 1) is the output of `layers[l-1]` and `z[l-1]` its
/// pre-activation, so `z.len() == layers.len()` and `a.len() == layers.len() + 1`.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    pub z: Vec<Vec<f32>>,
    pub a: Vec<Vec<f32>>,
}

/// Why a set of layers does not form a usable network.
#[derive(Clone, Debug, PartialEq)]
pub enum NetworkError {
    /// No layers at all.
    Empty,
    /// A layer size is zero.
    ZeroSize { layer: usize },
    /// `layers[layer]` expects a different number of inputs than the previous layer gives.
    Mismatch {
        layer: usize,
        expected: usize,
        found: usize,
    },
    /// A weight or bias vector has the wrong length for its layer.
    WrongParameterCount { layer: usize },
    /// Softmax somewhere else than on the output layer.
    SoftmaxNotLast { layer: usize },
    /// Fewer than two sizes given to [`Network::init`].
    TooFewSizes,
}

impl fmt::Display for NetworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetworkError::Empty => write!(f, "the network has no layers"),
            NetworkError::ZeroSize { layer } => write!(f, "layer {} has a size of zero", layer + 1),
            NetworkError::Mismatch {
                layer,
                expected,
                found,
            } => write!(
                f,
                "layer {} takes {found} inputs but the layer before it gives {expected}",
                layer + 1
            ),
            NetworkError::WrongParameterCount { layer } => write!(
                f,
                "layer {} has a weight or bias count that does not match its size",
                layer + 1
            ),
            NetworkError::SoftmaxNotLast { layer } => write!(
                f,
                "layer {} uses softmax, which is only allowed on the output layer",
                layer + 1
            ),
            NetworkError::TooFewSizes => {
                write!(f, "a network needs at least an input and an output size")
            }
        }
    }
}

impl std::error::Error for NetworkError {}

impl Network {
    /// A network from layers, checked for consistency (chained sizes, parameter counts,
    /// softmax only last).
    pub fn new(layers: Vec<Dense>) -> Result<Network, NetworkError> {
        let net = Network { layers };
        net.validate()?;
        Ok(net)
    }

    /// A freshly initialised network with the given layer sizes (`[784, 100, 10]`): `hidden`
    /// after every hidden layer, `output` after the last. Weights come from a SplitMix64
    /// stream seeded with `seed`, layer by layer, so the same seed gives the same network on
    /// every platform.
    pub fn init(
        sizes: &[usize],
        hidden: Activation,
        output: Activation,
        seed: u64,
    ) -> Result<Network, NetworkError> {
        if sizes.len() < 2 {
            return Err(NetworkError::TooFewSizes);
        }
        let mut rng = Rng::new(seed);
        let last = sizes.len() - 2;
        let layers = sizes
            .windows(2)
            .enumerate()
            .map(|(l, w)| {
                let act = if l == last { output } else { hidden };
                Dense::init(w[0], w[1], act, &mut rng)
            })
            .collect();
        Network::new(layers)
    }

    /// Checks the invariants [`Network::new`] promises.
    pub fn validate(&self) -> Result<(), NetworkError> {
        if self.layers.is_empty() {
            return Err(NetworkError::Empty);
        }
        for (l, layer) in self.layers.iter().enumerate() {
            if layer.inputs == 0 || layer.outputs == 0 {
                return Err(NetworkError::ZeroSize { layer: l });
            }
            if l > 0 && self.layers[l - 1].outputs != layer.inputs {
                return Err(NetworkError::Mismatch {
                    layer: l,
                    expected: self.layers[l - 1].outputs,
                    found: layer.inputs,
                });
            }
            if layer.weights.len() != layer.inputs * layer.outputs
                || layer.biases.len() != layer.outputs
            {
                return Err(NetworkError::WrongParameterCount { layer: l });
            }
            if layer.activation == Activation::Softmax && l + 1 != self.layers.len() {
                return Err(NetworkError::SoftmaxNotLast { layer: l });
            }
        }
        Ok(())
    }

    /// Layer widths from input to output, e.g. `[784, 256, 128, 10]`.
    pub fn sizes(&self) -> Vec<usize> {
        let mut s = Vec::with_capacity(self.layers.len() + 1);
        s.push(self.layers.first().map_or(0, |l| l.inputs));
        s.extend(self.layers.iter().map(|l| l.outputs));
        s
    }

    /// Number of inputs the network reads.
    pub fn input_size(&self) -> usize {
        self.layers.first().map_or(0, |l| l.inputs)
    }

    /// Number of outputs (classes).
    pub fn output_size(&self) -> usize {
        self.layers.last().map_or(0, |l| l.outputs)
    }

    /// Total number of weights and biases.
    pub fn parameter_count(&self) -> usize {
        self.layers.iter().map(Dense::parameter_count).sum()
    }

    /// Forward pass of one input (length `input_size()`), keeping every layer's z and a.
    /// A shorter input is padded with zeros and a longer one truncated, so it never panics.
    /// A network whose layers do not fit together (see [`Network::validate`]) gives a trace
    /// with the input only.
    pub fn forward_trace(&self, x: &[f32]) -> Trace {
        let mut input = vec![0.0f32; self.input_size()];
        let n = input.len().min(x.len());
        input[..n].copy_from_slice(&x[..n]);
        let mut z = Vec::with_capacity(self.layers.len());
        let mut a = Vec::with_capacity(self.layers.len() + 1);
        a.push(input);
        if self.validate().is_err() {
            return Trace { z, a };
        }
        for layer in &self.layers {
            let mut zl = vec![0.0f32; layer.outputs];
            layer.pre_activation(a.last().expect("input pushed"), &mut zl);
            let mut al = vec![0.0f32; layer.outputs];
            layer.activation.apply(&zl, &mut al);
            z.push(zl);
            a.push(al);
        }
        Trace { z, a }
    }

    /// The network's output for one input.
    pub fn output(&self, x: &[f32]) -> Vec<f32> {
        self.forward_trace(x).a.pop().unwrap_or_default()
    }

    /// The predicted class for one input: [`argmax`] of the output (`None` when no output is
    /// finite).
    pub fn predict(&self, x: &[f32]) -> Option<usize> {
        argmax(&self.output(x))
    }

    /// Outputs for `count` inputs stored back to back in `x` (`count × input_size()`),
    /// returned as `count × output_size()`. Uses the blocked kernels.
    pub fn forward_batch(&self, x: &[f32], count: usize) -> Vec<f32> {
        let dim = self.input_size();
        if dim == 0 {
            return Vec::new();
        }
        let count = count.min(x.len() / dim);
        self.forward_sparse(&matrix::Csr::from_dense(&x[..count * dim], count, dim))
    }

    /// Outputs for the rows of a sparse input matrix (`rows × input_size()`), as
    /// `rows × output_size()`. Hidden activations are re-listed sparsely for the next layer.
    /// An invalid network or an input of the wrong width gives an empty result.
    pub fn forward_sparse(&self, input: &matrix::Csr) -> Vec<f32> {
        self.forward_layers(input).pop().unwrap_or_default()
    }

    /// The activations of every layer for `count` inputs stored back to back in `x`: element
    /// `l` is `count × layers[l].outputs` (drawn layer `l + 1`), the last one equal to
    /// [`Network::forward_batch`]. Empty for an invalid network or input.
    pub fn forward_batch_layers(&self, x: &[f32], count: usize) -> Vec<Vec<f32>> {
        let dim = self.input_size();
        if dim == 0 {
            return Vec::new();
        }
        let count = count.min(x.len() / dim);
        self.forward_layers(&matrix::Csr::from_dense(&x[..count * dim], count, dim))
    }

    /// Every layer's output for the rows of a sparse input matrix: element `l` is the output
    /// of `layers[l]` as `rows × layers[l].outputs` (the last one is [`Network::forward_sparse`]).
    /// An invalid network or an input of the wrong width gives no layers.
    pub fn forward_layers(&self, input: &matrix::Csr) -> Vec<Vec<f32>> {
        if input.cols() != self.input_size() || self.validate().is_err() {
            return Vec::new();
        }
        let count = input.rows();
        let mut outputs: Vec<Vec<f32>> = Vec::with_capacity(self.layers.len());
        let mut sparse = matrix::Csr::default();
        for (l, layer) in self.layers.iter().enumerate() {
            if let Some(previous) = outputs.last() {
                sparse.reset(layer.inputs);
                for row in previous.chunks_exact(layer.inputs) {
                    sparse.push_dense_row(row);
                }
            }
            let a = if l == 0 { input } else { &sparse };
            let mut next = bias_rows(&layer.biases, count);
            matrix::gemm_csr(
                a,
                &transposed_weights(layer),
                layer.outputs,
                1.0,
                &mut next,
                true,
            );
            layer
                .activation
                .apply_rows_in_place(&mut next, layer.outputs);
            outputs.push(next);
        }
        outputs
    }

    /// Predicted class ([`argmax`]) for each row of a sparse input matrix.
    pub fn predict_sparse(&self, input: &matrix::Csr) -> Vec<Option<usize>> {
        let outputs = self.output_size();
        self.forward_sparse(input)
            .chunks_exact(outputs)
            .map(argmax)
            .collect()
    }

    /// Predicted class ([`argmax`]) for each of `count` inputs, processed in blocks of 1000.
    pub fn predict_batch(&self, x: &[f32], count: usize) -> Vec<Option<usize>> {
        const BLOCK: usize = 1000;
        let (inputs, outputs) = (self.input_size(), self.output_size().max(1));
        let count = count.min(x.len() / inputs.max(1));
        let mut out = Vec::with_capacity(count);
        let mut start = 0;
        while start < count {
            let rows = BLOCK.min(count - start);
            let y = self.forward_batch(&x[start * inputs..(start + rows) * inputs], rows);
            out.extend(y.chunks_exact(outputs).map(argmax));
            start += rows;
        }
        out
    }
}

/// The layer's weights as `inputs × outputs` (the layout the batched kernels multiply by).
pub fn transposed_weights(layer: &Dense) -> Vec<f32> {
    let mut wt = vec![0.0f32; layer.weights.len()];
    matrix::transpose(&layer.weights, layer.outputs, layer.inputs, &mut wt);
    wt
}

/// `count` copies of `biases`, back to back.
pub fn bias_rows(biases: &[f32], count: usize) -> Vec<f32> {
    let mut m = Vec::with_capacity(biases.len() * count);
    for _ in 0..count {
        m.extend_from_slice(biases);
    }
    m
}

/// The predicted class of an output: the index of its largest finite value, the first one on
/// ties. NaN and ±∞ are skipped (a broken output names no class), so an empty output, or one
/// with no finite value (all NaN, say), gives `None`. The one argmax of the project: the
/// trainer, the evaluation and the app's prediction all use it.
pub fn argmax(v: &[f32]) -> Option<usize> {
    let mut best: Option<(usize, f32)> = None;
    for (i, &x) in v.iter().enumerate() {
        if x.is_finite() && best.is_none_or(|(_, b)| x > b) {
            best = Some((i, x));
        }
    }
    best.map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2-3-2 network with hand-picked weights.
    pub(crate) fn tiny() -> Network {
        Network::new(vec![
            Dense {
                inputs: 2,
                outputs: 3,
                weights: vec![0.5, -1.0, 1.0, 1.0, -0.5, 0.25],
                biases: vec![0.0, 0.1, -0.2],
                activation: Activation::Relu,
            },
            Dense {
                inputs: 3,
                outputs: 2,
                weights: vec![1.0, 0.0, -1.0, 0.5, 0.5, 0.5],
                biases: vec![0.0, 0.0],
                activation: Activation::Softmax,
            },
        ])
        .unwrap()
    }

    #[test]
    fn trace_golden_values() {
        let t = tiny().forward_trace(&[1.0, 2.0]);
        assert_eq!(t.a[0], vec![1.0, 2.0]);
        // z1 = [0.5-2, 1+2+0.1, -0.5+0.5-0.2] = [-1.5, 3.1, -0.2]; a1 = relu.
        assert_eq!(t.z[0], vec![-1.5, 3.1, -0.2]);
        assert_eq!(t.a[1], vec![0.0, 3.1, 0.0]);
        // z2 = [0, 1.55]; softmax = [1/(1+e^1.55), e^1.55/(1+e^1.55)].
        assert_eq!(t.z[1], vec![0.0, 1.55]);
        let p1 = 1.0 / (1.0 + 1.55f32.exp());
        assert!((t.a[2][0] - p1).abs() < 1e-6 && (t.a[2][1] - (1.0 - p1)).abs() < 1e-6);
        assert_eq!(tiny().predict(&[1.0, 2.0]), Some(1));
        assert_eq!(tiny().sizes(), vec![2, 3, 2]);
    }

    #[test]
    fn argmax_is_the_first_largest_finite_value() {
        assert_eq!(argmax(&[0.1, 0.7, 0.2]), Some(1));
        assert_eq!(argmax(&[-3.0, -1.0, -2.0]), Some(1));
        // Ties: the first.
        assert_eq!(argmax(&[0.5, 0.5]), Some(0));
        assert_eq!(argmax(&[0.2, 0.9, 0.9]), Some(1));
        // NaN and infinities name no class, wherever they are.
        assert_eq!(argmax(&[f32::NAN, 0.1]), Some(1));
        assert_eq!(argmax(&[0.1, f32::NAN, 0.3]), Some(2));
        assert_eq!(argmax(&[f32::INFINITY, 0.1, f32::NEG_INFINITY]), Some(1));
        assert_eq!(argmax(&[f32::NEG_INFINITY, -f32::MAX]), Some(1));
        // Nothing finite: no prediction.
        assert_eq!(argmax(&[]), None);
        assert_eq!(argmax(&[f32::NAN, f32::NAN]), None);
        assert_eq!(argmax(&[f32::INFINITY]), None);
    }

    #[test]
    fn a_network_with_nan_weights_predicts_nothing() {
        let mut net = tiny();
        net.layers[1].biases[0] = f32::NAN;
        // Softmax spreads the NaN over every output.
        assert_eq!(net.predict(&[1.0, 2.0]), None);
        assert_eq!(
            net.predict_batch(&[1.0, 2.0, 1.0, 2.0], 2),
            vec![None, None]
        );
    }

    #[test]
    fn batch_forward_matches_single_traces() {
        let net =
            Network::init(&[784, 30, 20, 10], Activation::Tanh, Activation::Softmax, 9).unwrap();
        let mut rng = Rng::new(1);
        let x: Vec<f32> = (0..5 * 784).map(|_| rng.next_f32()).collect();
        let batch = net.forward_batch(&x, 5);
        for i in 0..5 {
            let single = net.output(&x[i * 784..(i + 1) * 784]);
            for (a, b) in single.iter().zip(&batch[i * 10..(i + 1) * 10]) {
                assert!((a - b).abs() < 1e-5);
            }
        }
        let preds = net.predict_batch(&x, 5);
        assert_eq!(preds[3], net.predict(&x[3 * 784..4 * 784]));
        let layers = net.forward_layers(&matrix::Csr::from_dense(&x, 5, 784));
        assert_eq!(layers.len(), 3);
        assert_eq!(layers[2], batch);
        let trace = net.forward_trace(&x[784..2 * 784]);
        for (a, b) in trace.a[1].iter().zip(&layers[0][30..60]) {
            assert!((a - b).abs() < 1e-5);
        }
        // Every layer of the batch, against each sample's trace.
        let layers = net.forward_batch_layers(&x, 5);
        assert_eq!(layers.len(), 3);
        assert_eq!(layers[2], batch);
        for i in 0..5 {
            let t = net.forward_trace(&x[i * 784..(i + 1) * 784]);
            for (l, out) in layers.iter().enumerate() {
                let w = t.a[l + 1].len();
                assert_eq!(out.len(), 5 * w);
                for (a, b) in t.a[l + 1].iter().zip(&out[i * w..(i + 1) * w]) {
                    assert!((a - b).abs() < 1e-5, "layer {l} sample {i}: {a} vs {b}");
                }
            }
        }
        // Too short for one input: no rows in any layer.
        let none = net.forward_batch_layers(&x[..100], 1);
        assert!(none.len() == 3 && none.iter().all(Vec::is_empty));
        assert!(Network { layers: vec![] }
            .forward_batch_layers(&x, 5)
            .is_empty());
    }

    #[test]
    fn init_is_seeded_and_shaped() {
        let a =
            Network::init(&[784, 16, 16, 10], Activation::Relu, Activation::Softmax, 3).unwrap();
        let b =
            Network::init(&[784, 16, 16, 10], Activation::Relu, Activation::Softmax, 3).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.sizes(), vec![784, 16, 16, 10]);
        assert_eq!(a.layers[2].activation, Activation::Softmax);
        assert_eq!(
            a.parameter_count(),
            784 * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10
        );
        // Golden values: SplitMix64 + uniform init use only exact arithmetic, so these bits are
        // the same natively and in wasm32; any change to the PRNG or the init shows here.
        assert_eq!(a.layers[0].weights[0], -6.763211e-2);
        assert_eq!(a.layers[1].weights[5], 3.90767e-1);
        assert_eq!(a.layers[2].weights[159], 3.2197788e-1);
    }

    #[test]
    fn invalid_layer_stacks_are_rejected() {
        let mut n = tiny();
        n.layers[1].inputs = 4;
        n.layers[1].weights = vec![0.0; 8];
        assert!(matches!(
            n.validate(),
            Err(NetworkError::Mismatch { layer: 1, .. })
        ));
        let mut n = tiny();
        n.layers[0].activation = Activation::Softmax;
        assert_eq!(n.validate(), Err(NetworkError::SoftmaxNotLast { layer: 0 }));
        let mut n = tiny();
        n.layers[0].biases.pop();
        assert_eq!(
            n.validate(),
            Err(NetworkError::WrongParameterCount { layer: 0 })
        );
        assert_eq!(Network::new(vec![]), Err(NetworkError::Empty));
        assert!(Network::init(&[3], Activation::Relu, Activation::Softmax, 0).is_err());
        assert!(!NetworkError::Empty.to_string().is_empty());
    }

    #[test]
    fn short_inputs_do_not_panic() {
        let t = tiny().forward_trace(&[1.0]);
        assert_eq!(t.a[0], vec![1.0, 0.0]);
        assert_eq!(tiny().predict_batch(&[1.0, 2.0, 3.0], 5).len(), 1);
        assert!(tiny()
            .forward_sparse(&matrix::Csr::from_dense(&[1.0; 3], 1, 3))
            .is_empty());
        let mut broken = tiny();
        broken.layers[1].weights.pop();
        assert_eq!(broken.forward_trace(&[1.0, 2.0]).a.len(), 1);
        assert!(broken.predict_batch(&[1.0, 2.0], 1).is_empty());
        assert_eq!(
            Network { layers: vec![] }.predict_batch(&[1.0], 1),
            Vec::<Option<usize>>::new()
        );
    }
}
