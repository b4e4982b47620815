//! mnist-viz: an MNIST browser and a from-scratch neural network, drawn in the browser.
//!
//! - [`core`]: pure Rust (no web, no Leptos), tested natively with `cargo test`.
//! - `app`: the Leptos single-page app (wasm32 only); thin views over `core`.
//! - `worker`: the training page's Web Worker (wasm32 only), a second binary of this crate.

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod app;

/// The training Web Worker (its binary: src/bin/train_worker.rs).
#[cfg(target_arch = "wasm32")]
pub mod worker;
