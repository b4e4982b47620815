//! A fully connected (dense) layer: z = W·x + b, a = f(z).

use super::activation::Activation;
use super::rng::Rng;

/// One dense layer. `weights` is `outputs × inputs`, row-major: the weight from input k to
/// output j is `weights[j * inputs + k]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Dense {
    pub inputs: usize,
    pub outputs: usize,
    pub weights: Vec<f32>,
    pub biases: Vec<f32>,
    pub activation: Activation,
}

impl Dense {
    /// A layer with weights drawn from `rng` and zero biases: He-uniform
    /// (limit √(6/inputs)) for ReLU, Xavier/Glorot-uniform (limit √(6/(inputs+outputs)))
    /// otherwise. Weights are drawn row by row, so the result depends only on the seed.
    pub fn init(inputs: usize, outputs: usize, activation: Activation, rng: &mut Rng) -> Dense {
        let limit = init_limit(inputs, outputs, activation);
        let weights = (0..inputs * outputs).map(|_| rng.uniform(limit)).collect();
        Dense {
            inputs,
            outputs,
            weights,
            biases: vec![0.0; outputs],
            activation,
        }
    }

    /// The weights into output neuron `j` (length `inputs`).
    pub fn weights_into(&self, j: usize) -> &[f32] {
        &self.weights[j * self.inputs..(j + 1) * self.inputs]
    }

    /// z = W·x + b for one input `x` (length `inputs`); writes `outputs` values into `z`.
    pub fn pre_activation(&self, x: &[f32], z: &mut [f32]) {
        for (j, zj) in z.iter_mut().enumerate() {
            *zj = self.biases[j] + dot(self.weights_into(j), x);
        }
    }

    /// Number of trainable parameters (weights and biases).
    pub fn parameter_count(&self) -> usize {
        self.weights.len() + self.biases.len()
    }
}

/// Half-width of the uniform initialisation range for a layer.
pub fn init_limit(inputs: usize, outputs: usize, activation: Activation) -> f32 {
    match activation {
        Activation::Relu => (6.0 / inputs as f32).sqrt(),
        _ => (6.0 / (inputs + outputs) as f32).sqrt(),
    }
}

/// Dot product with 8 independent partial sums, so the compiler can vectorise it.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    acc.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_respects_limits_and_seed() {
        let a = Dense::init(784, 100, Activation::Relu, &mut Rng::new(1));
        let b = Dense::init(784, 100, Activation::Relu, &mut Rng::new(1));
        let c = Dense::init(784, 100, Activation::Relu, &mut Rng::new(2));
        assert_eq!(a, b);
        assert_ne!(a.weights, c.weights);
        let limit = init_limit(784, 100, Activation::Relu);
        assert!(a.weights.iter().all(|w| w.abs() <= limit));
        // He-uniform variance is limit²/3 = 2/inputs.
        let var: f32 = a.weights.iter().map(|w| w * w).sum::<f32>() / a.weights.len() as f32;
        assert!((var - 2.0 / 784.0).abs() < 0.1 * 2.0 / 784.0, "{var}");
        assert!(a.biases.iter().all(|&b| b == 0.0));
    }

    #[test]
    fn pre_activation_matches_hand_computation() {
        let l = Dense {
            inputs: 3,
            outputs: 2,
            weights: vec![1.0, 2.0, 3.0, -1.0, 0.5, 0.0],
            biases: vec![0.5, -1.0],
            activation: Activation::Relu,
        };
        let mut z = [0.0; 2];
        l.pre_activation(&[1.0, 1.0, 2.0], &mut z);
        assert_eq!(z, [9.5, -1.5]);
        assert_eq!(l.parameter_count(), 8);
    }

    #[test]
    fn dot_handles_tails() {
        let a: Vec<f32> = (0..19).map(|i| i as f32).collect();
        let b = vec![2.0f32; 19];
        assert_eq!(dot(&a, &b), 2.0 * (0..19).sum::<i32>() as f32);
    }
}
