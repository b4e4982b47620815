//! Parameter updates: SGD, SGD with momentum, Adam.

/// How gradients change the parameters. `lr` is the learning rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Optimizer {
    /// p ← p − lr·g
    Sgd { lr: f32 },
    /// v ← μ·v + g; p ← p − lr·v
    Momentum { lr: f32, momentum: f32 },
    /// Adam with bias correction: m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g²,
    /// p ← p − lr·m̂ / (√v̂ + ε).
    Adam {
        lr: f32,
        beta1: f32,
        beta2: f32,
        eps: f32,
    },
}

impl Optimizer {
    /// Adam with the usual constants (β1 0.9, β2 0.999, ε 1e-8).
    pub fn adam(lr: f32) -> Optimizer {
        Optimizer::Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
    }

    /// The base learning rate.
    pub fn learning_rate(&self) -> f32 {
        match *self {
            Optimizer::Sgd { lr } | Optimizer::Momentum { lr, .. } | Optimizer::Adam { lr, .. } => {
                lr
            }
        }
    }

    /// Short description, e.g. "adam lr 0.001".
    pub fn describe(&self) -> String {
        match *self {
            Optimizer::Sgd { lr } => format!("sgd lr {lr}"),
            Optimizer::Momentum { lr, momentum } => format!("momentum {momentum} lr {lr}"),
            Optimizer::Adam {
                lr, beta1, beta2, ..
            } => format!("adam lr {lr} β1 {beta1} β2 {beta2}"),
        }
    }
}

/// Per-tensor optimiser memory (momentum velocity, or Adam's first and second moments).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Slot {
    pub first: Vec<f32>,
    pub second: Vec<f32>,
}

/// Step counters shared by all tensors (Adam's bias correction).
#[derive(Clone, Debug, PartialEq)]
pub struct StepState {
    pub steps: u64,
    beta1_power: f64,
    beta2_power: f64,
}

impl Default for StepState {
    fn default() -> Self {
        StepState {
            steps: 0,
            beta1_power: 1.0,
            beta2_power: 1.0,
        }
    }
}

impl StepState {
    /// Advances to the next step (call once per batch, before the tensor updates).
    pub fn advance(&mut self, opt: &Optimizer) {
        self.steps += 1;
        if let Optimizer::Adam { beta1, beta2, .. } = *opt {
            self.beta1_power *= beta1 as f64;
            self.beta2_power *= beta2 as f64;
        }
    }
}

/// Updates `params` from `grads` (same length) with learning rate `lr`.
pub fn update(
    opt: &Optimizer,
    lr: f32,
    state: &StepState,
    params: &mut [f32],
    grads: &[f32],
    slot: &mut Slot,
) {
    match *opt {
        Optimizer::Sgd { .. } => {
            for (p, g) in params.iter_mut().zip(grads) {
                *p -= lr * g;
            }
        }
        Optimizer::Momentum { momentum, .. } => {
            slot.first.resize(params.len(), 0.0);
            for ((p, g), v) in params.iter_mut().zip(grads).zip(&mut slot.first) {
                *v = momentum * *v + g;
                *p -= lr * *v;
            }
        }
        Optimizer::Adam {
            beta1, beta2, eps, ..
        } => {
            slot.first.resize(params.len(), 0.0);
            slot.second.resize(params.len(), 0.0);
            let c1 = (1.0 / (1.0 - state.beta1_power)) as f32;
            let c2 = (1.0 / (1.0 - state.beta2_power)) as f32;
            for (((p, &g), m), v) in params
                .iter_mut()
                .zip(grads)
                .zip(&mut slot.first)
                .zip(&mut slot.second)
            {
                *m = beta1 * *m + (1.0 - beta1) * g;
                *v = beta2 * *v + (1.0 - beta2) * g * g;
                *p -= lr * (*m * c1) / ((*v * c2).sqrt() + eps);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Minimises f(p) = (p − 3)² from p = 0; every optimiser must get close.
    fn minimise(opt: Optimizer, steps: usize) -> f32 {
        let mut p = [0.0f32];
        let mut slot = Slot::default();
        let mut state = StepState::default();
        for _ in 0..steps {
            state.advance(&opt);
            let g = [2.0 * (p[0] - 3.0)];
            update(&opt, opt.learning_rate(), &state, &mut p, &g, &mut slot);
        }
        p[0]
    }

    #[test]
    fn all_optimisers_reach_the_minimum() {
        assert!((minimise(Optimizer::Sgd { lr: 0.1 }, 100) - 3.0).abs() < 1e-3);
        assert!(
            (minimise(
                Optimizer::Momentum {
                    lr: 0.05,
                    momentum: 0.9
                },
                300
            ) - 3.0)
                .abs()
                < 1e-2
        );
        assert!((minimise(Optimizer::adam(0.1), 500) - 3.0).abs() < 1e-2);
    }

    #[test]
    fn first_adam_step_has_size_lr() {
        // With bias correction the first step is lr·sign(g).
        let opt = Optimizer::adam(0.01);
        let mut state = StepState::default();
        state.advance(&opt);
        let mut p = [1.0f32, 1.0];
        update(
            &opt,
            0.01,
            &state,
            &mut p,
            &[5.0, -0.001],
            &mut Slot::default(),
        );
        assert!(
            (p[0] - 0.99).abs() < 1e-5 && (p[1] - 1.01).abs() < 1e-4,
            "{p:?}"
        );
    }

    #[test]
    fn momentum_accumulates_velocity() {
        let opt = Optimizer::Momentum {
            lr: 1.0,
            momentum: 0.5,
        };
        let (mut p, mut slot, state) = ([0.0f32], Slot::default(), StepState::default());
        update(&opt, 1.0, &state, &mut p, &[1.0], &mut slot);
        update(&opt, 1.0, &state, &mut p, &[1.0], &mut slot);
        assert_eq!(p[0], -1.0 - 1.5);
    }
}
