//! A from-scratch neural network: dense layers, activations, losses, back-propagation,
//! optimisers, a pausable training loop, evaluation and a model file.
//!
//! Shapes: an input is `input_size()` f32 values (MNIST: pixel / 255, row-major 28×28, made by
//! [`input_from_pixels`]).
//! Batches are stored row-major, one sample per row (`count × width`).

pub mod activation;
pub mod eval;
pub mod input;
pub mod layer;
pub mod loss;
pub mod matrix;
pub mod model;
pub mod network;
pub mod optimizer;
pub mod rng;
pub mod train;

#[cfg(test)]
mod gradcheck;

pub use activation::Activation;
pub use eval::{evaluate, Evaluation};
pub use input::{input_from_pixels, pixel_input};
pub use layer::Dense;
pub use loss::Loss;
pub use model::ModelError;
pub use network::{argmax, Network, NetworkError, Trace};
pub use optimizer::Optimizer;
pub use rng::Rng;
pub use train::{
    BatchReport, EpochReport, Flow, Progress, RunState, Samples, TrainConfig, TrainError, Trainer,
};
