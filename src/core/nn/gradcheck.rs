//! Numerical gradient checks: back-propagation against central differences of an independent
//! f64 implementation of the loss, for every hidden activation × output activation × loss.

use super::activation::Activation;
use super::loss::Loss;
use super::network::Network;
use super::rng::Rng;
use super::train::{TrainConfig, Trainer};

/// Which parameter to nudge: (layer, is_bias, index, amount).
type Nudge = Option<(usize, bool, usize, f64)>;

/// Mean loss of a batch, in f64, straight from the definitions (plus λ/2·Σw²).
fn reference_loss(
    net: &Network,
    x: &[f32],
    labels: &[u8],
    loss: Loss,
    decay: f64,
    nudge: Nudge,
) -> f64 {
    let dim = net.input_size();
    let mut total = 0.0;
    for (r, &y) in labels.iter().enumerate() {
        let mut a: Vec<f64> = x[r * dim..(r + 1) * dim]
            .iter()
            .map(|&v| v as f64)
            .collect();
        let mut z = Vec::new();
        for (l, layer) in net.layers.iter().enumerate() {
            z = (0..layer.outputs)
                .map(|j| {
                    let mut s = layer.biases[j] as f64 + bump(nudge, l, true, j);
                    for (k, &ak) in a.iter().enumerate().take(layer.inputs) {
                        let w = layer.weights[j * layer.inputs + k] as f64
                            + bump(nudge, l, false, j * layer.inputs + k);
                        s += w * ak;
                    }
                    s
                })
                .collect();
            a = activate(layer.activation, &z);
        }
        total += match loss {
            Loss::SoftmaxCrossEntropy => {
                let max = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let lse = max + z.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
                lse - z[y as usize]
            }
            Loss::MeanSquaredError => {
                let n = a.len() as f64;
                a.iter()
                    .enumerate()
                    .map(|(j, v)| (v - if j == y as usize { 1.0 } else { 0.0 }).powi(2) / n)
                    .sum()
            }
        };
    }
    let mut penalty = 0.0;
    for (l, layer) in net.layers.iter().enumerate() {
        for (i, &w) in layer.weights.iter().enumerate() {
            penalty += (w as f64 + bump(nudge, l, false, i)).powi(2);
        }
    }
    total / labels.len() as f64 + 0.5 * decay * penalty
}

fn bump(nudge: Nudge, layer: usize, bias: bool, index: usize) -> f64 {
    match nudge {
        Some((l, b, i, h)) if l == layer && b == bias && i == index => h,
        _ => 0.0,
    }
}

fn activate(act: Activation, z: &[f64]) -> Vec<f64> {
    match act {
        Activation::Sigmoid => z.iter().map(|v| 1.0 / (1.0 + (-v).exp())).collect(),
        Activation::Tanh => z.iter().map(|v| v.tanh()).collect(),
        Activation::Relu => z.iter().map(|v| v.max(0.0)).collect(),
        Activation::Softmax => {
            let max = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = z.iter().map(|v| (v - max).exp()).collect();
            let s: f64 = e.iter().sum();
            e.iter().map(|v| v / s).collect()
        }
    }
}

/// Checks every weight and bias gradient of `sizes` with the given activations and loss.
fn check(
    sizes: &[usize],
    hidden: Activation,
    output: Activation,
    loss: Loss,
    decay: f32,
    seed: u64,
) {
    let mut net = Network::init(sizes, hidden, output, seed).unwrap();
    let mut rng = Rng::new(seed + 100);
    for layer in &mut net.layers {
        layer.biases.iter_mut().for_each(|b| *b = rng.uniform(0.3));
    }
    let rows = 4;
    // Inputs with some exact zeros, to exercise the kernels' zero skipping.
    let x: Vec<f32> = (0..rows * sizes[0])
        .map(|_| {
            if rng.next_f32() < 0.3 {
                0.0
            } else {
                rng.next_f32()
            }
        })
        .collect();
    let labels: Vec<u8> = (0..rows)
        .map(|_| rng.below(*sizes.last().unwrap()) as u8)
        .collect();
    let config = TrainConfig {
        loss,
        weight_decay: decay,
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(&net, config).unwrap();
    let (value, grads) = trainer.gradients(&x, &labels).unwrap();
    assert!(trainer.gradients(&x, &[200, 0, 0, 0]).is_err());
    let reference = reference_loss(&net, &x, &labels, loss, 0.0, None);
    assert!(
        (value as f64 - reference).abs() < 1e-4 * (1.0 + reference.abs()),
        "loss {value} vs {reference}"
    );
    let h = 1e-5;
    let label = format!("{sizes:?} {hidden:?}->{output:?} {loss:?} decay {decay}");
    for (l, (gw, gb)) in grads.iter().enumerate() {
        for (bias, g) in [(false, gw), (true, gb)] {
            for (i, &analytic) in g.iter().enumerate() {
                let plus =
                    reference_loss(&net, &x, &labels, loss, decay as f64, Some((l, bias, i, h)));
                let minus = reference_loss(
                    &net,
                    &x,
                    &labels,
                    loss,
                    decay as f64,
                    Some((l, bias, i, -h)),
                );
                let numeric = (plus - minus) / (2.0 * h);
                let err = (analytic as f64 - numeric).abs();
                assert!(
                    err < 1e-4 + 1e-3 * numeric.abs(),
                    "{label}: layer {l} {} {i}: backprop {analytic} vs numeric {numeric}",
                    if bias { "bias" } else { "weight" }
                );
            }
        }
    }
}

const HIDDEN: [Activation; 3] = [Activation::Sigmoid, Activation::Tanh, Activation::Relu];

#[test]
fn softmax_cross_entropy_with_every_hidden_activation() {
    for (i, hidden) in HIDDEN.into_iter().enumerate() {
        check(
            &[6, 5, 4],
            hidden,
            Activation::Softmax,
            Loss::SoftmaxCrossEntropy,
            0.0,
            i as u64,
        );
        check(
            &[7, 5, 4, 3],
            hidden,
            Activation::Softmax,
            Loss::SoftmaxCrossEntropy,
            0.0,
            10 + i as u64,
        );
    }
}

#[test]
fn mean_squared_error_with_every_activation_pair() {
    for (i, hidden) in HIDDEN.into_iter().enumerate() {
        for (j, output) in Activation::ALL.into_iter().enumerate() {
            check(
                &[6, 5, 4, 3],
                hidden,
                output,
                Loss::MeanSquaredError,
                0.0,
                (20 + 4 * i + j) as u64,
            );
        }
    }
}

#[test]
fn single_layer_networks_and_weight_decay() {
    check(
        &[5, 3],
        Activation::Relu,
        Activation::Softmax,
        Loss::SoftmaxCrossEntropy,
        0.0,
        40,
    );
    check(
        &[5, 3],
        Activation::Relu,
        Activation::Sigmoid,
        Loss::MeanSquaredError,
        0.0,
        41,
    );
    check(
        &[6, 5, 4],
        Activation::Tanh,
        Activation::Softmax,
        Loss::SoftmaxCrossEntropy,
        0.05,
        42,
    );
    check(
        &[6, 5, 4],
        Activation::Relu,
        Activation::Tanh,
        Loss::MeanSquaredError,
        0.1,
        43,
    );
}

#[test]
fn wide_layers_use_every_simd_block_size() {
    // 70 and 75 columns cover the 64-, 32-, 8-wide blocks and the scalar tail.
    check(
        &[9, 70, 75, 10],
        Activation::Tanh,
        Activation::Softmax,
        Loss::SoftmaxCrossEntropy,
        0.0,
        50,
    );
}
