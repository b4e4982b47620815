//! Helpers shared by the wasm bench suites (`tests/wasm_*_bench.rs`).

/// The page's clock (`performance.now()`), in milliseconds.
pub fn now_ms() -> f64 {
    web_sys::window()
        .expect("a browser window")
        .performance()
        .expect("performance")
        .now()
}
