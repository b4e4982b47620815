//! Page-wide keyboard shortcuts: ← / PageUp go back, → / PageDown go forward.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};

/// Which way a key moves, if it is one of ours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Back,
    Forward,
}

fn step_of(key: &str) -> Option<Step> {
    match key {
        "ArrowLeft" | "PageUp" => Some(Step::Back),
        "ArrowRight" | "PageDown" => Some(Step::Forward),
        _ => None,
    }
}

/// True when the key press belongs to something else: a modifier is held or a text field has focus.
fn is_for_someone_else(ev: &KeyboardEvent) -> bool {
    let modified = ev.alt_key() || ev.ctrl_key() || ev.meta_key() || ev.shift_key();
    let typing = ev
        .target()
        .and_then(|t| t.dyn_into::<HtmlElement>().ok())
        .map(|el| {
            let tag = el.tag_name();
            tag == "INPUT" || tag == "TEXTAREA" || tag == "SELECT" || el.is_content_editable()
        })
        .unwrap_or(false);
    modified || typing
}

/// Calls `on_step` for the arrow / page keys while the calling component lives.
pub fn use_step_keys(on_step: impl Fn(Step) -> bool + 'static) {
    let handle = window_event_listener(ev::keydown, move |ev: KeyboardEvent| {
        if ev.default_prevented() || is_for_someone_else(&ev) {
            return;
        }
        if let Some(step) = step_of(&ev.key()) {
            if on_step(step) {
                ev.prevent_default();
            }
        }
    });
    on_cleanup(move || handle.remove());
}
