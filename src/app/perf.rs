//! Performance marks and measures (names fixed by docs/CONTRACTS.md), read by e2e tests and the bench.
//!
//! - `fetch:{dataset}/{split}`: [`Span`] around the download.
//! - `decode:{dataset}/{split}`: [`record_measure`] of the decoding work, which is done in pieces
//!   between the download's reads: it starts at the first piece and lasts the sum of the pieces.
//! - [`GRID`] and [`NETWORK`] redraws: `first-grid-paint` / `network-first-paint` from time 0 to
//!   the first one on screen, `grid-paint` / `network-render` from a page flip or sample switch
//!   (click, key or URL change) to its redraw.

use std::cell::RefCell;
use std::thread::LocalKey;

use wasm_bindgen::JsCast;
use web_sys::Performance;

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

/// A measured redraw: `first` from time 0 to the first time it is done, then `each` from the
/// start of every change (a click, a key, a URL change) to its redraw.
pub struct Redraw {
    /// Measure of the first redraw, from time 0.
    pub first: &'static str,
    /// Measure of each later redraw, from its start mark.
    pub each: &'static str,
    /// Mark set when a change starts.
    pub mark: &'static str,
}

/// The digit grid: `first-grid-paint`, then `grid-paint` for every page flip.
pub const GRID: Redraw = Redraw {
    first: "first-grid-paint",
    each: "grid-paint",
    mark: "grid-flip",
};

/// The network graph: `network-first-paint`, then `network-render` for every sample switch.
pub const NETWORK: Redraw = Redraw {
    first: "network-first-paint",
    each: "network-render",
    mark: "network-switch",
};

thread_local! {
    /// Redraws (by `first`) already done once, and those with a change pending (by `mark`).
    static DONE_ONCE: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
    static PENDING: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
}

/// Adds `name` to `set`; false when it was there already.
fn insert(set: &'static LocalKey<RefCell<Vec<&'static str>>>, name: &'static str) -> bool {
    set.with_borrow_mut(|names| {
        let new = !names.contains(&name);
        if new {
            names.push(name);
        }
        new
    })
}

impl Redraw {
    /// A change begins. Keeps the earliest start while one is pending, so a click followed by
    /// the URL change counts from the click.
    pub fn begin(&self) {
        if !insert(&PENDING, self.mark) {
            return;
        }
        if let Some(p) = performance() {
            let _ = p.mark(self.mark);
        }
    }

    /// The redraw is on screen: records `first` the first time, `each` after a change.
    pub fn done(&self) {
        let Some(p) = performance() else { return };
        let pending = PENDING.with_borrow_mut(|names| {
            let was = names.contains(&self.mark);
            names.retain(|n| *n != self.mark);
            was
        });
        if insert(&DONE_ONCE, self.first) {
            let _ = p.measure(self.first);
        } else if pending {
            let _ = p.measure_with_start_mark(self.each, self.mark);
        }
    }
}
