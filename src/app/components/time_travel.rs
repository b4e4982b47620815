//! Time travel on `/train`: a scrubber over the snapshots the worker holds, and the requests
//! that bring the weights of the moment chosen (or, at "now", the live weights about once a
//! second) to the page. What is shown of them: the charts' cursor, the confusion matrix of
//! that moment and the first-layer heatmaps ([`super::weight_tiles`]).

use leptos::prelude::*;

use crate::app::pages::train::RunState;
use crate::app::perf::now;
use crate::core::training::page::{scrub_label, scrub_position, scrub_step};
use crate::core::training::{Command, EvalSet, WeightsFor};

/// Milliseconds between two requests for the live weights while training.
const LIVE_EVERY_MS: f64 = 1000.0;

/// Asks for the weights of `travel` (the current ones for `None`), and for a past moment also
/// its confusion matrix of the test set (one pass over it in the worker).
fn request(run: RunState, travel: Option<u64>, with_matrix: bool) {
    run.send(Command::Snapshot {
        step: travel.unwrap_or(u64::MAX),
        purpose: WeightsFor::Show,
    });
    if let (Some(step), true) = (travel, with_matrix) {
        run.send(Command::Evaluate {
            set: EvalSet::Test,
            step: Some(step),
        });
    }
}

/// Keeps the shown weights live at "now": asks for them at most every [`LIVE_EVERY_MS`] while
/// reports come, and once more when training stops.
pub fn follow_live_weights(run: RunState) {
    let last = StoredValue::new(f64::NEG_INFINITY);
    Effect::new(move |_| {
        let step = run.history.with(|h| h.latest.step);
        let running = run.is_running();
        if !run.has_run() || run.travel.get_untracked().is_some() {
            return;
        }
        let t = now();
        let shown = run
            .shown
            .with_untracked(|s| s.as_ref().map(|w| w.meta.step));
        let due = t - last.get_value() >= LIVE_EVERY_MS || (!running && shown != Some(step));
        if due {
            last.set_value(t);
            request(run, None, false);
        }
    });
}

/// The scrubber: one stop per snapshot, the last stop is "now".
#[component]
pub fn TimeTravel() -> impl IntoView {
    let run = expect_context::<RunState>();
    let snapshots = run.snapshots;
    let position = Memo::new(move |_| snapshots.with(|s| scrub_position(s, run.travel.get())));
    let label = move || {
        let now_step = run.history.with(|h| h.latest.step);
        snapshots.with(|s| scrub_label(s, run.travel.get(), now_step))
    };
    let go = move |value: String, with_matrix: bool| {
        let Ok(i) = value.parse::<usize>() else {
            return;
        };
        let travel = snapshots.with_untracked(|s| scrub_step(s, i));
        if travel != run.travel.get_untracked() || with_matrix {
            run.travel.set(travel);
            run.past_confusion.set(None);
            request(run, travel, with_matrix);
        }
    };
    view! {
        <div class="time-travel">
            <label for="snapshot-scrubber">"Time travel"</label>
            <input
                id="snapshot-scrubber"
                type="range"
                data-testid="snapshot-scrubber"
                min="0"
                max=move || snapshots.with(Vec::len)
                step="1"
                prop:value=move || position.get().to_string()
                prop:disabled=move || snapshots.with(Vec::is_empty)
                aria-valuetext=label
                // Moving: the weights (cheap); letting go: also the matrix (a pass over the test set).
                on:input=move |e| go(event_target_value(&e), false)
                on:change=move |e| go(event_target_value(&e), true)
            />
            <span class="scrub-label" data-testid="scrub-label">{label}</span>
            <Show when=move || run.travel.with(Option::is_some)>
                <button type="button" data-testid="scrub-now" on:click=move |_| {
                    run.travel.set(None);
                    run.past_confusion.set(None);
                    request(run, None, false);
                }>
                    "Back to now"
                </button>
            </Show>
        </div>
    }
}
