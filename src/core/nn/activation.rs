//! Activation functions, applied in place to rows of pre-activations, and their backward step.

/// The non-linearity after a dense layer. `Softmax` is only allowed on the output layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Activation {
    Sigmoid,
    Tanh,
    Relu,
    Softmax,
}

impl Activation {
    /// Every activation, in file-code order.
    pub const ALL: [Activation; 4] = [
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::Softmax,
    ];

    /// Short lower-case name ("relu"), as used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::Softmax => "softmax",
        }
    }

    /// Parses a name produced by [`Activation::name`].
    pub fn parse(s: &str) -> Option<Activation> {
        Activation::ALL.into_iter().find(|a| a.name() == s)
    }

    /// The byte stored in model files.
    pub fn code(self) -> u8 {
        match self {
            Activation::Sigmoid => 0,
            Activation::Tanh => 1,
            Activation::Relu => 2,
            Activation::Softmax => 3,
        }
    }

    /// Inverse of [`Activation::code`].
    pub fn from_code(c: u8) -> Option<Activation> {
        Activation::ALL.get(c as usize).copied()
    }

    /// a = f(z) for one row (softmax normalises over the whole row).
    pub fn apply(self, z: &[f32], a: &mut [f32]) {
        match self {
            Activation::Sigmoid => {
                for (a, &z) in a.iter_mut().zip(z) {
                    *a = sigmoid(z);
                }
            }
            Activation::Tanh => {
                for (a, &z) in a.iter_mut().zip(z) {
                    *a = libm::tanhf(z);
                }
            }
            Activation::Relu => {
                for (a, &z) in a.iter_mut().zip(z) {
                    *a = z.max(0.0);
                }
            }
            Activation::Softmax => softmax(z, a),
        }
    }

    /// Applies the activation to every row of a `rows × width` matrix in place.
    pub fn apply_rows_in_place(self, m: &mut [f32], width: usize) {
        for row in m.chunks_exact_mut(width) {
            match self {
                Activation::Relu => row.iter_mut().for_each(|v| *v = v.max(0.0)),
                Activation::Sigmoid => row.iter_mut().for_each(|v| *v = sigmoid(*v)),
                Activation::Tanh => row.iter_mut().for_each(|v| *v = libm::tanhf(*v)),
                Activation::Softmax => softmax_in_place(row),
            }
        }
    }

    /// Turns dL/da into dL/dz for one row, given the row's z and a = f(z).
    /// `grad` holds dL/da on entry and dL/dz on exit.
    pub fn backward(self, z: &[f32], a: &[f32], grad: &mut [f32]) {
        match self {
            Activation::Sigmoid => {
                for (g, &a) in grad.iter_mut().zip(a) {
                    *g *= a * (1.0 - a);
                }
            }
            Activation::Tanh => {
                for (g, &a) in grad.iter_mut().zip(a) {
                    *g *= 1.0 - a * a;
                }
            }
            Activation::Relu => {
                for (g, &z) in grad.iter_mut().zip(z) {
                    if z <= 0.0 {
                        *g = 0.0;
                    }
                }
            }
            Activation::Softmax => {
                // Jacobian-vector product: dz_i = a_i (g_i - Σ_j g_j a_j).
                let dot: f32 = grad.iter().zip(a).map(|(g, a)| g * a).sum();
                for (g, &a) in grad.iter_mut().zip(a) {
                    *g = a * (*g - dot);
                }
            }
        }
    }
}

/// The logistic function 1 / (1 + e^-z).
pub fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + libm::expf(-z))
}

/// Numerically stable softmax of one row.
pub fn softmax(z: &[f32], a: &mut [f32]) {
    a.copy_from_slice(z);
    softmax_in_place(a);
}

/// Numerically stable softmax, in place (the maximum is subtracted first).
pub fn softmax_in_place(v: &mut [f32]) {
    let max = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for x in v.iter_mut() {
        *x = libm::expf(*x - max);
        sum += *x;
    }
    for x in v.iter_mut() {
        *x /= sum;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_at_known_points() {
        let z = [-1.0f32, 0.0, 2.0];
        let mut a = [0.0f32; 3];
        Activation::Relu.apply(&z, &mut a);
        assert_eq!(a, [0.0, 0.0, 2.0]);
        Activation::Sigmoid.apply(&z, &mut a);
        assert!((a[1] - 0.5).abs() < 1e-7);
        assert!((a[0] - 0.268_941_43).abs() < 1e-6);
        Activation::Tanh.apply(&z, &mut a);
        assert!((a[2] - 0.964_027_6).abs() < 1e-6);
        Activation::Softmax.apply(&z, &mut a);
        assert!((a.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(a[2] > a[1] && a[1] > a[0]);
    }

    #[test]
    fn softmax_survives_huge_inputs() {
        let mut v = [1000.0f32, 1000.0, -1000.0];
        softmax_in_place(&mut v);
        assert!((v[0] - 0.5).abs() < 1e-6 && v[2] == 0.0);
    }

    #[test]
    fn names_and_codes_round_trip() {
        for a in Activation::ALL {
            assert_eq!(Activation::parse(a.name()), Some(a));
            assert_eq!(Activation::from_code(a.code()), Some(a));
        }
        assert_eq!(Activation::from_code(9), None);
        assert_eq!(Activation::parse("gelu"), None);
    }
}
