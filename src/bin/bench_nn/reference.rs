//! A deliberately naive trainer in f64 — dense loops straight from the textbook formulas, no
//! sparsity, no transposed layouts, no SIMD, no threads — used to check the fast [`Trainer`]
//! (tests compare parameters after hundreds of steps) and by `bench_nn` to show what B1's
//! maths gives independently of the fast kernels.
//!
//! Only mini-batch SGD with softmax cross-entropy and ReLU/sigmoid/tanh hidden layers:
//! for a batch of B samples, `a_0 = x`, `z_l = W_l a_{l-1} + b_l`, `a_l = f(z_l)`,
//! `δ_L = (softmax(z_L) − onehot(y)) / B`, `δ_{l-1} = (W_lᵀ δ_l) ⊙ f'(z_{l-1})`,
//! `W_l −= lr Σ_batch δ_l a_{l-1}ᵀ`, `b_l −= lr Σ_batch δ_l`.
//! The samples are visited in the same order as the fast trainer: a Fisher–Yates shuffle
//! from `Rng::new(seed)` at the start of every epoch; the last batch of an epoch may be short.
//!
//! It lives with `bench_nn`, its only user outside tests, so the app and the library do not
//! carry it; its tests (here) run with `cargo test --workspace` as `bench_nn`'s unit tests.
//!
//! [`Trainer`]: mnist_viz::core::nn::Trainer

use mnist_viz::core::nn::{Activation, Dense, Network, Rng, Samples};

/// One layer in f64: `w` is `outputs × inputs` row-major (like [`Dense`]).
#[derive(Clone, Debug)]
pub struct RefLayer {
    pub inputs: usize,
    pub outputs: usize,
    pub w: Vec<f64>,
    pub b: Vec<f64>,
    pub activation: Activation,
}

/// The naive f64 SGD trainer.
#[derive(Clone, Debug)]
pub struct ReferenceSgd {
    pub layers: Vec<RefLayer>,
    lr: f64,
    batch_size: usize,
    rng: Rng,
    order: Vec<usize>,
    position: usize,
}

impl ReferenceSgd {
    /// Starts from `net`'s weights (widened to f64); `seed` drives the per-epoch shuffles.
    pub fn new(net: &Network, lr: f64, batch_size: usize, seed: u64) -> ReferenceSgd {
        let layers = net
            .layers
            .iter()
            .map(|l| RefLayer {
                inputs: l.inputs,
                outputs: l.outputs,
                w: l.weights.iter().map(|&v| v as f64).collect(),
                b: l.biases.iter().map(|&v| v as f64).collect(),
                activation: l.activation,
            })
            .collect();
        ReferenceSgd {
            layers,
            lr,
            batch_size: batch_size.max(1),
            rng: Rng::new(seed),
            order: Vec::new(),
            position: 0,
        }
    }

    /// One SGD step on the next mini-batch; returns the batch's mean loss and whether it
    /// finished an epoch.
    pub fn step(&mut self, data: &Samples) -> (f64, bool) {
        if self.position == 0 {
            let mut order: Vec<u32> = (0..data.len() as u32).collect();
            self.rng.shuffle(&mut order);
            self.order = order.into_iter().map(|i| i as usize).collect();
        }
        let end = (self.position + self.batch_size).min(data.len());
        let batch: Vec<usize> = self.order[self.position..end].to_vec();
        let loss = self.sgd_step(data, &batch);
        self.position = if end == data.len() { 0 } else { end };
        (loss, self.position == 0)
    }

    /// Gradient of the mean batch loss by back-propagation, then `θ −= lr·∇θ`.
    fn sgd_step(&mut self, data: &Samples, batch: &[usize]) -> f64 {
        let scale = 1.0 / batch.len() as f64;
        let mut gw: Vec<Vec<f64>> = self.layers.iter().map(|l| vec![0.0; l.w.len()]).collect();
        let mut gb: Vec<Vec<f64>> = self.layers.iter().map(|l| vec![0.0; l.b.len()]).collect();
        let mut loss = 0.0;
        for &i in batch {
            let x: Vec<f64> = data.input(i).iter().map(|&v| v as f64).collect();
            let (zs, acts) = self.forward(&x);
            let y = data.labels[i] as usize;
            let out = acts.last().expect("output");
            loss -= out[y].max(1e-300).ln();
            // δ_L = (a − onehot) / B
            let mut delta: Vec<f64> = out.iter().map(|&p| p * scale).collect();
            delta[y] -= scale;
            for l in (0..self.layers.len()).rev() {
                let layer = &self.layers[l];
                let input = &acts[l];
                for j in 0..layer.outputs {
                    gb[l][j] += delta[j];
                    for k in 0..layer.inputs {
                        gw[l][j * layer.inputs + k] += delta[j] * input[k];
                    }
                }
                if l > 0 {
                    let below = self.layers[l - 1].activation;
                    let mut prev = vec![0.0; layer.inputs];
                    for (k, p) in prev.iter_mut().enumerate() {
                        let back: f64 = (0..layer.outputs)
                            .map(|j| layer.w[j * layer.inputs + k] * delta[j])
                            .sum();
                        *p = back * derivative(below, zs[l - 1][k], acts[l][k]);
                    }
                    delta = prev;
                }
            }
        }
        for (l, layer) in self.layers.iter_mut().enumerate() {
            for (w, g) in layer.w.iter_mut().zip(&gw[l]) {
                *w -= self.lr * g;
            }
            for (b, g) in layer.b.iter_mut().zip(&gb[l]) {
                *b -= self.lr * g;
            }
        }
        loss * scale
    }

    /// Pre-activations `zs[l]` and activations `acts[l]` (`acts[0] = x`) of one input.
    fn forward(&self, x: &[f64]) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
        let mut zs = Vec::new();
        let mut acts = vec![x.to_vec()];
        for layer in &self.layers {
            let a = acts.last().expect("input");
            let z: Vec<f64> = (0..layer.outputs)
                .map(|j| {
                    let row = &layer.w[j * layer.inputs..(j + 1) * layer.inputs];
                    layer.b[j] + row.iter().zip(a).map(|(w, v)| w * v).sum::<f64>()
                })
                .collect();
            acts.push(activate(layer.activation, &z));
            zs.push(z);
        }
        (zs, acts)
    }

    /// The current weights rounded to f32.
    pub fn network(&self) -> Network {
        Network {
            layers: self
                .layers
                .iter()
                .map(|l| Dense {
                    inputs: l.inputs,
                    outputs: l.outputs,
                    weights: l.w.iter().map(|&v| v as f32).collect(),
                    biases: l.b.iter().map(|&v| v as f32).collect(),
                    activation: l.activation,
                })
                .collect(),
        }
    }
}

/// f(z) for a whole layer (softmax needs the whole vector).
fn activate(f: Activation, z: &[f64]) -> Vec<f64> {
    match f {
        Activation::Relu => z.iter().map(|&v| v.max(0.0)).collect(),
        Activation::Sigmoid => z.iter().map(|&v| 1.0 / (1.0 + (-v).exp())).collect(),
        Activation::Tanh => z.iter().map(|&v| v.tanh()).collect(),
        Activation::Softmax => {
            let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = z.iter().map(|&v| (v - max).exp()).collect();
            let sum: f64 = e.iter().sum();
            e.iter().map(|v| v / sum).collect()
        }
    }
}

/// f'(z) of a hidden activation, given z and a = f(z).
fn derivative(f: Activation, z: f64, a: f64) -> f64 {
    match f {
        Activation::Relu => {
            if z > 0.0 {
                1.0
            } else {
                0.0
            }
        }
        Activation::Sigmoid => a * (1.0 - a),
        Activation::Tanh => 1.0 - a * a,
        Activation::Softmax => 1.0, // never a hidden activation (the trainer refuses it)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mnist_viz::core::nn::{Optimizer, TrainConfig, Trainer};

    /// `count` samples of `dim` non-negative inputs, about 70 % of them exactly zero (like
    /// MNIST pixels), 10 classes, each class lighting up its own band of inputs.
    fn sparse_samples(count: usize, dim: usize, seed: u64) -> Samples {
        let mut rng = Rng::new(seed);
        let mut inputs = Vec::with_capacity(count * dim);
        let mut labels = Vec::with_capacity(count);
        for _ in 0..count {
            let class = rng.below(10);
            for d in 0..dim {
                let in_band = d * 10 / dim == class;
                let keep = if in_band { 0.8 } else { 0.25 };
                let v = if rng.next_f32() < keep {
                    rng.next_f32()
                } else {
                    0.0
                };
                inputs.push(v);
            }
            labels.push(class as u8);
        }
        Samples::new(inputs, labels, dim).unwrap()
    }

    fn largest_difference(a: &Network, b: &Network) -> f32 {
        a.layers
            .iter()
            .zip(&b.layers)
            .flat_map(|(x, y)| {
                x.weights
                    .iter()
                    .zip(&y.weights)
                    .chain(x.biases.iter().zip(&y.biases))
            })
            .map(|(p, q)| (p - q).abs())
            .fold(0.0, f32::max)
    }

    /// The fast trainer (sparse kernels, fused SGD update, AVX2/simd128 when present) and the
    /// naive f64 trainer, from the same weights over the same shuffled batches — including
    /// short last batches and several reshuffles — end with the same parameters.
    fn fast_and_reference_agree(sizes: &[usize], hidden: Activation, batch: usize) {
        let data = sparse_samples(1000, sizes[0], 11);
        let net = Network::init(sizes, hidden, Activation::Softmax, 5).unwrap();
        let config = TrainConfig {
            batch_size: batch,
            optimizer: Optimizer::Sgd { lr: 0.1 },
            ..TrainConfig::default()
        };
        let mut fast = Trainer::new(&net, config).unwrap();
        let mut naive = ReferenceSgd::new(&net, 0.1, batch, 1);
        let mut epochs = 0;
        for step in 0..300 {
            let f = fast.train_batch(&data).unwrap();
            let (loss, finished) = naive.step(&data);
            assert_eq!(f.epoch_finished, finished, "step {step}");
            assert!((f.loss as f64 - loss).abs() < 1e-4, "step {step}");
            epochs += finished as usize;
        }
        assert!(epochs >= 5, "the run must cross several reshuffles");
        let moved = largest_difference(&net, &naive.network());
        assert!(moved > 0.05, "training must move the weights ({moved})");
        let diff = largest_difference(&fast.network(), &naive.network());
        eprintln!("{sizes:?} batch {batch}: largest parameter difference {diff:e}");
        assert!(diff < 1e-4, "fast and reference weights differ by {diff}");
    }

    #[test]
    fn fast_trainer_matches_naive_f64_reference_relu() {
        // 1000 samples, batch 32: every epoch ends with a batch of 8.
        fast_and_reference_agree(&[120, 40, 10], Activation::Relu, 32);
    }

    #[test]
    fn fast_trainer_matches_naive_f64_reference_deeper_and_odd_batch() {
        fast_and_reference_agree(&[90, 25, 15, 10], Activation::Relu, 29);
        fast_and_reference_agree(&[90, 20, 10], Activation::Tanh, 64);
    }

    #[test]
    fn reference_learns_and_its_gradient_step_lowers_the_loss() {
        let data = sparse_samples(640, 50, 3);
        let net = Network::init(&[50, 20, 10], Activation::Relu, Activation::Softmax, 2).unwrap();
        let mut r = ReferenceSgd::new(&net, 0.1, 640, 1);
        let (first, _) = r.step(&data);
        let (second, _) = r.step(&data);
        assert!(second < first, "{first} -> {second}");
    }
}
