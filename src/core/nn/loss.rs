//! Loss functions and the gradient they send into the output layer.

use super::activation::Activation;

/// What training minimises, averaged over the batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// −ln(softmax(z)[label]); needs a softmax output layer. dL/dz = (a − onehot) / B.
    SoftmaxCrossEntropy,
    /// (1 / (B·n)) Σ (a − onehot)² over the batch and the n outputs; any output activation.
    MeanSquaredError,
}

impl Loss {
    /// Short name used on the command line: "ce" or "mse".
    pub fn name(self) -> &'static str {
        match self {
            Loss::SoftmaxCrossEntropy => "ce",
            Loss::MeanSquaredError => "mse",
        }
    }

    /// Inverse of [`Loss::name`].
    pub fn parse(s: &str) -> Option<Loss> {
        match s {
            "ce" => Some(Loss::SoftmaxCrossEntropy),
            "mse" => Some(Loss::MeanSquaredError),
            _ => None,
        }
    }

    /// Whether this loss can follow an output layer with this activation.
    pub fn fits(self, output: Activation) -> bool {
        match self {
            Loss::SoftmaxCrossEntropy => output == Activation::Softmax,
            Loss::MeanSquaredError => true,
        }
    }

    /// Mean loss of a batch, and dL/dz of the output layer written into `delta`.
    ///
    /// Shapes: `z`, `a`, `delta` are `labels.len() × width`; labels are `< width`.
    pub fn output_delta(
        self,
        activation: Activation,
        z: &[f32],
        a: &[f32],
        labels: &[u8],
        width: usize,
        delta: &mut [f32],
    ) -> f32 {
        let rows = labels.len();
        let mut total = 0.0f64;
        match self {
            Loss::SoftmaxCrossEntropy => {
                let scale = 1.0 / rows as f32;
                for (r, &y) in labels.iter().enumerate() {
                    let (ar, dr) = (
                        &a[r * width..(r + 1) * width],
                        &mut delta[r * width..(r + 1) * width],
                    );
                    total -= (ar[y as usize].max(1e-30) as f64).ln();
                    for (d, &p) in dr.iter_mut().zip(ar) {
                        *d = p * scale;
                    }
                    dr[y as usize] -= scale;
                }
            }
            Loss::MeanSquaredError => {
                let scale = 2.0 / (rows * width) as f32;
                for (r, &y) in labels.iter().enumerate() {
                    let span = r * width..(r + 1) * width;
                    let (zr, ar) = (&z[span.clone()], &a[span.clone()]);
                    let dr = &mut delta[span];
                    for (j, (d, &p)) in dr.iter_mut().zip(ar).enumerate() {
                        let diff = p - if j == y as usize { 1.0 } else { 0.0 };
                        total += (diff * diff) as f64 / width as f64;
                        *d = scale * diff;
                    }
                    activation.backward(zr, ar, dr);
                }
            }
        }
        (total / rows as f64) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_entropy_value_and_delta() {
        let a = [0.25f32, 0.75, 0.5, 0.5];
        let mut d = [0.0; 4];
        let l =
            Loss::SoftmaxCrossEntropy.output_delta(Activation::Softmax, &a, &a, &[1, 0], 2, &mut d);
        let want = (-(0.75f64.ln()) - 0.5f64.ln()) / 2.0;
        assert!((l as f64 - want).abs() < 1e-6);
        assert_eq!(d, [0.125, -0.125, -0.25, 0.25]);
    }

    #[test]
    fn mse_value_and_delta_with_identity_like_relu() {
        let z = [2.0f32, 0.5];
        let mut d = [0.0; 2];
        let l = Loss::MeanSquaredError.output_delta(Activation::Relu, &z, &z, &[0], 2, &mut d);
        assert!((l - (1.0 + 0.25) / 2.0).abs() < 1e-6);
        assert_eq!(d, [1.0, 0.5]);
    }

    #[test]
    fn names_and_fit() {
        assert_eq!(Loss::parse("ce"), Some(Loss::SoftmaxCrossEntropy));
        assert_eq!(
            Loss::parse(Loss::MeanSquaredError.name()),
            Some(Loss::MeanSquaredError)
        );
        assert!(!Loss::SoftmaxCrossEntropy.fits(Activation::Sigmoid));
        assert!(Loss::MeanSquaredError.fits(Activation::Softmax));
    }
}
