//! Entry point of the training page's Web Worker: starts it, nothing else (src/worker.rs).
//! trunk builds it as index.html's `data-type="worker"` binary.

#[cfg(target_arch = "wasm32")]
fn main() {
    mnist_viz::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "train_worker is the web app's training Web Worker: trunk builds it (see README.md)."
    );
}
