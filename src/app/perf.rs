//! Performance marks and measures (names fixed by docs/CONTRACTS.md), read by e2e tests and the bench.
//!
//! - `fetch:{dataset}/{split}`: [`Span`] around the download.
//! - `decode:{dataset}/{split}`: [`record_measure`] of the decoding work, which is done in pieces
//!   between the download's reads: it starts at the first piece and lasts the sum of the pieces.
//! - `first-grid-paint`: from time 0 to the first grid page painted.
//! - `grid-paint`: from a page flip (click, key or URL change) to its canvases painted.

use std::cell::Cell;

use wasm_bindgen::JsCast;
use web_sys::Performance;

/// Mark set when a page flip starts; `grid-paint` measures from it.
const FLIP_MARK: &str = "grid-flip";

thread_local! {
    static FIRST_GRID_PAINTED: Cell<bool> = const { Cell::new(false) };
    static FLIP_PENDING: Cell<bool> = const { Cell::new(false) };
}

/// The page's or, in the training worker, the worker's clock (both globals have `performance`).
fn performance() -> Option<Performance> {
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into().ok())
}

/// Milliseconds since time 0 (navigation start), 0 when unavailable.
pub fn now() -> f64 {
    performance().map(|p| p.now()).unwrap_or(0.0)
}

/// A measured piece of work: `Span::start("fetch:mnist/test")` … `span.end()`.
pub struct Span {
    name: String,
}

impl Span {
    pub fn start(name: &str) -> Span {
        if let Some(p) = performance() {
            let _ = p.mark(&start_mark(name));
        }
        Span {
            name: name.to_string(),
        }
    }

    /// Records the measure `name` from the start mark to now.
    pub fn end(self) {
        if let Some(p) = performance() {
            let _ = p.measure_with_start_mark(&self.name, &start_mark(&self.name));
        }
    }
}

/// Records the measure `name` from `start` (ms since time 0) lasting `duration` ms — for work
/// done in slices, `duration` is the sum of the slices, not the wall time from the first to the
/// last. (`performance.measure(name, { start, duration })`.)
pub fn record_measure(name: &str, start: f64, duration: f64) {
    let Some(p) = performance() else { return };
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"start".into(), &start.into());
    let _ = js_sys::Reflect::set(&options, &"duration".into(), &duration.into());
    let measure = js_sys::Reflect::get(&p, &"measure".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(measure) = measure {
        let _ = measure.call2(&p, &name.into(), &options);
    }
}

fn start_mark(name: &str) -> String {
    format!("{name}:start")
}

/// A page flip begins (click on a page link, arrow key, or the URL changed). Keeps the earliest
/// start while a flip is pending, so a click followed by the URL change counts from the click.
pub fn begin_flip() {
    if FLIP_PENDING.with(|p| p.replace(true)) {
        return;
    }
    if let Some(p) = performance() {
        let _ = p.mark(FLIP_MARK);
    }
}

/// The canvases of a grid page are painted: records `first-grid-paint` (from time 0) the first
/// time, `grid-paint` (from the flip) afterwards.
pub fn grid_painted() {
    let Some(p) = performance() else { return };
    let pending = FLIP_PENDING.with(|f| f.replace(false));
    if !FIRST_GRID_PAINTED.with(|f| f.replace(true)) {
        let _ = p.measure("first-grid-paint");
    } else if pending {
        let _ = p.measure_with_start_mark("grid-paint", FLIP_MARK);
    }
}
