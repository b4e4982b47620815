//! mnist-viz: an MNIST browser and a from-scratch neural network, drawn in the browser.
//!
//! - [`core`]: pure Rust (no web, no Leptos), tested natively with `cargo test`.
//! - `app`: the Leptos single-page app (wasm32 only); thin views over `core`.

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod app;
