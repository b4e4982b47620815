//! Entry point of the web app: mounts it, nothing else.

#[cfg(target_arch = "wasm32")]
fn main() {
    // Readable panics in the console for debug builds; the release build saves the formatting code.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(mnist_viz::app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("mnist-viz is a web app: run `trunk serve` (see README.md). Native tools: `cargo run --bin train`.");
}
