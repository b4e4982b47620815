//! `/draw`: draw a digit with the pointer; the app's model (the one chosen for the network view,
//! else the shipped one) reads it as you draw, and "See it in the network" opens the network
//! view with the drawing in the link (`/network?input=…`, `core::input_code`).
//!
//! The strokes live in a plain store (not a signal), a `core::draw::Sketch` that rasterises
//! each new point's segment as it comes: a pointer move adds a point and asks for one update at
//! the next animation frame, however many moves come before it. The update (measured as
//! `draw:update`) runs the remaining preprocessing steps and the network and paints the
//! pad and the four steps straight onto their canvases; only the prediction goes through a
//! signal. The pad shows the rasterised drawing itself, so what you see is what is read.

use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsValue;
use web_sys::{HtmlCanvasElement, PointerEvent};

use crate::app::api::Abort;
use crate::app::components::digit_canvas::paint_grey;
use crate::app::components::error_view::ErrorView;
use crate::app::models::{download_shipped, use_models};
use crate::app::{link, perf};
use crate::core::draw::{prediction_text, Drawing, Grey, Point, Sketch, FIELD};
use crate::core::format::percent;
use crate::core::input_code;
use crate::core::nn::{argmax, input_from_pixels, Network};
use crate::core::paths::subject_path;
use crate::core::url::Subject;

/// The performance measure of one update (preprocess, predict, paint).
const UPDATE_MEASURE: &str = "draw:update";
/// Captions of the four steps, in order.
const STEP_CAPTIONS: [&str; 4] = [
    "1. Your drawing",
    "2. Cropped to the ink",
    "3. Fitted into 20×20",
    "4. Centred in 28×28 (the input)",
];

/// What the page reads from the drawing.
#[derive(Clone, Debug, PartialEq)]
enum Reading {
    /// Nothing drawn (or no ink on the canvas).
    Empty,
    /// Something drawn; the ten probabilities once the model is in.
    Drawn(Option<Vec<f32>>),
}

/// The pad's state: every handle is `Copy`, so the event handlers and the frame callback share it.
#[derive(Clone, Copy)]
struct Pad {
    sketch: StoredValue<Sketch>,
    /// An update is asked for at the next animation frame.
    frame_pending: StoredValue<bool>,
    /// The pointer drawing the current stroke.
    pointer: StoredValue<Option<i32>>,
    /// Strokes drawn (for Undo and Clear).
    strokes: RwSignal<usize>,
    model: RwSignal<Option<Result<Arc<Network>, String>>>,
    /// Which model reads the drawing ("the shipped model" or a file name).
    model_name: RwSignal<String>,
    reading: RwSignal<Reading>,
    /// The network view's link to the centred input (None while nothing is drawn).
    to_network: RwSignal<Option<String>>,
    canvas: NodeRef<Canvas>,
    steps: [NodeRef<Canvas>; 4],
}

impl Pad {
    /// Asks for one update at the next animation frame (none if one is already asked for).
    fn schedule(self) {
        if self.frame_pending.try_get_value() != Some(false) {
            return;
        }
        self.frame_pending.set_value(true);
        request_animation_frame(move || self.update());
    }

    /// Preprocesses and predicts the drawing and paints it all; records `draw:update`.
    fn update(self) {
        if self
            .frame_pending
            .try_update_value(|p| *p = false)
            .is_none()
        {
            return; // the page is gone
        }
        let start = perf::now();
        let Some(steps) = self.sketch.try_with_value(Sketch::steps) else {
            return;
        };
        let network = self
            .model
            .try_with_untracked(|m| m.as_ref().and_then(|r| r.as_ref().ok()).cloned())
            .flatten();
        let probabilities = steps
            .as_ref()
            .and_then(|s| network.map(|n| n.output(&input_from_pixels(&s.centred.pixels))));
        let _ = self.paint(
            steps
                .as_ref()
                .map(|s| [&s.drawing, &s.drawing, &s.cropped, &s.fitted, &s.centred]),
        );
        perf::record_measure(UPDATE_MEASURE, start, perf::now() - start);
        let (reading, to_network) = match steps {
            None => (Reading::Empty, None),
            Some(s) => {
                let code = input_code::encode(&s.centred.pixels);
                let path = subject_path(None, None, &Subject::Drawing(code));
                (Reading::Drawn(probabilities), Some(link(&path)))
            }
        };
        let _ = self.reading.try_set(reading);
        if self.to_network.try_with_untracked(|t| *t != to_network) == Some(true) {
            let _ = self.to_network.try_set(to_network);
        }
    }

    /// Paints the pad and the four steps (pad, drawing, cropped, fitted, centred), or blanks.
    fn paint(self, images: Option<[&Grey; 5]>) -> Result<(), JsValue> {
        let blank_pad = Drawing::new();
        let blank_pad = Grey::blank(blank_pad.width, blank_pad.height);
        let blank_step = Grey::blank(FIELD, FIELD);
        let images = images.unwrap_or([
            &blank_pad,
            &blank_step,
            &blank_step,
            &blank_step,
            &blank_step,
        ]);
        let canvases = std::iter::once(self.canvas).chain(self.steps);
        for (canvas, image) in canvases.zip(images) {
            if let Some(canvas) = canvas.get_untracked() {
                show(&canvas, image)?;
            }
        }
        Ok(())
    }

    /// Where a pointer event is, in the drawing's canvas pixels.
    fn point(self, event: &PointerEvent) -> Option<Point> {
        let canvas = self.canvas.get_untracked()?;
        let rect = canvas.get_bounding_client_rect();
        if rect.width() <= 0.0 || rect.height() <= 0.0 {
            return None;
        }
        let (w, h) = (canvas.width() as f64, canvas.height() as f64);
        Some(Point {
            x: ((event.client_x() as f64 - rect.left()) * w / rect.width()) as f32,
            y: ((event.client_y() as f64 - rect.top()) * h / rect.height()) as f32,
        })
    }

    fn down(self, event: PointerEvent) {
        // The main button of a mouse; any contact of a pen or a finger.
        if event.pointer_type() == "mouse" && event.button() != 0 {
            return;
        }
        let Some(point) = self.point(&event) else {
            return;
        };
        event.prevent_default();
        if let Some(canvas) = self.canvas.get_untracked() {
            let _ = canvas.set_pointer_capture(event.pointer_id());
        }
        self.pointer.set_value(Some(event.pointer_id()));
        self.sketch.update_value(|s| s.start_stroke(point));
        self.strokes.update(|n| *n += 1);
        self.schedule();
    }

    fn moved(self, event: PointerEvent) {
        if self.pointer.get_value() != Some(event.pointer_id()) {
            return;
        }
        let Some(point) = self.point(&event) else {
            return;
        };
        self.sketch.update_value(|s| s.extend_stroke(point));
        self.schedule();
    }

    fn up(self, event: PointerEvent) {
        if self.pointer.get_value() == Some(event.pointer_id()) {
            self.pointer.set_value(None);
        }
    }

    fn undo(self) {
        self.pointer.set_value(None);
        self.sketch.update_value(|s| {
            s.undo();
        });
        self.strokes
            .set(self.sketch.with_value(|s| s.drawing().strokes.len()));
        self.schedule();
    }

    fn clear(self) {
        self.pointer.set_value(None);
        self.sketch.update_value(Sketch::clear);
        self.strokes.set(0);
        self.schedule();
    }
}

/// Paints `image` onto `canvas`, sized to the image (CSS sets the size on screen).
fn show(canvas: &HtmlCanvasElement, image: &Grey) -> Result<(), JsValue> {
    let (w, h) = (image.width as u32, image.height as u32);
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    paint_grey(canvas, &image.pixels, image.height, image.width)
}

#[component]
pub fn DrawPage() -> impl IntoView {
    let pad = Pad {
        sketch: StoredValue::new(Sketch::new(Drawing::new())),
        frame_pending: StoredValue::new(false),
        pointer: StoredValue::new(None),
        strokes: RwSignal::new(0),
        model: RwSignal::new(None),
        model_name: RwSignal::new(String::new()),
        reading: RwSignal::new(Reading::Empty),
        to_network: RwSignal::new(None),
        canvas: NodeRef::new(),
        steps: [
            NodeRef::new(),
            NodeRef::new(),
            NodeRef::new(),
            NodeRef::new(),
        ],
    };
    // The app's chosen model, else the shipped one (downloaded; again on Retry). The download
    // stops if the user leaves.
    let models = use_models();
    let attempt = RwSignal::new(0u32);
    let abort = StoredValue::new_local(Abort::new());
    on_cleanup(move || abort.with_value(Abort::abort));
    Effect::new(move |_| {
        attempt.track();
        pad.model.set(None);
        let signal = Abort::new();
        abort.set_value(signal.clone());
        leptos::task::spawn_local(async move {
            let (name, loaded) = match models.for_network(false).await {
                Ok(Some(chosen)) => (chosen.name, Ok(chosen.network)),
                _ => (
                    "the shipped model".to_string(),
                    download_shipped(&signal).await.map(Arc::new),
                ),
            };
            let _ = pad.model_name.try_set(name);
            let _ = pad.model.try_set(Some(loaded));
        });
    });
    // Paint the blank pad once it is on the page; read the drawing again when the model arrives.
    Effect::new(move |_| {
        pad.canvas.get();
        pad.model.with(|_| ());
        pad.schedule();
    });

    let model_error = move || {
        pad.model.with(|m| match m {
            Some(Err(e)) => Some(view! {
                <ErrorView
                    title="The model could not be loaded"
                    message=e.clone()
                    retry=Callback::new(move |_| attempt.update(|n| *n += 1))
                />
            }),
            _ => None,
        })
    };
    let prediction = move || match pad.reading.get() {
        Reading::Empty => "Draw a digit… (nothing drawn, nothing to read)".into(),
        Reading::Drawn(Some(p)) => {
            prediction_text(&p).unwrap_or_else(|| "The model gave no answer".into())
        }
        Reading::Drawn(None) => match pad.model.with(|m| m.as_ref().map(Result::is_ok)) {
            Some(false) => "No model to read the drawing with".into(),
            _ => "Loading the model…".to_string(),
        },
    };
    let bars = move || {
        let Reading::Drawn(Some(p)) = pad.reading.get() else {
            return None;
        };
        let best = argmax(&p);
        let rows = p
            .iter()
            .enumerate()
            .map(|(digit, &q)| {
                let width = format!("{:.1}%", (q * 100.0).clamp(0.0, 100.0));
                view! {
                    <li class:best=best == Some(digit) data-digit=digit>
                        <span class="bar-digit">{digit}</span>
                        <span class="bar-track" aria-hidden="true">
                            <span class="bar-fill" style:width=width></span>
                        </span>
                        <span class="bar-value">{percent(q)}</span>
                    </li>
                }
            })
            .collect_view();
        Some(view! {
            <ol class="draw-bars" data-testid="draw-probabilities" aria-label="Probability of each digit">
                {rows}
            </ol>
        })
    };
    let steps = pad
        .steps
        .iter()
        .zip(STEP_CAPTIONS)
        .map(|(&node, caption)| {
            view! {
                <figure class="draw-step">
                    <canvas node_ref=node class="digit-canvas" width=FIELD height=FIELD role="img" aria-label=caption></canvas>
                    <figcaption>{caption}</figcaption>
                </figure>
            }
        })
        .collect_view();

    view! {
        <section class="page draw">
            <h1>"Draw a digit"</h1>
            <p id="draw-help" class="hint">
                "Draw one digit, 0 to 9, large, in the square with a mouse, a pen or a finger: the "
                "network trained on MNIST reads it as you draw. Drawing needs a pointer; from the "
                "keyboard you can use the Undo and Clear buttons."
            </p>
            {model_error}
            <div class="draw-layout">
                <div class="draw-pad">
                    <canvas
                        node_ref=pad.canvas
                        class="draw-canvas"
                        data-testid="draw-canvas"
                        width=Drawing::new().width
                        height=Drawing::new().height
                        role="img"
                        aria-label="Drawing pad"
                        aria-describedby="draw-help"
                        on:pointerdown=move |e| pad.down(e)
                        on:pointermove=move |e| pad.moved(e)
                        on:pointerup=move |e| pad.up(e)
                        on:pointercancel=move |e| pad.up(e)
                        on:lostpointercapture=move |e| pad.up(e)
                    ></canvas>
                    <div class="draw-buttons">
                        <button
                            type="button"
                            data-testid="draw-undo"
                            disabled=move || pad.strokes.get() == 0
                            on:click=move |_| pad.undo()
                        >
                            "Undo"
                        </button>
                        <button
                            type="button"
                            data-testid="draw-clear"
                            disabled=move || pad.strokes.get() == 0
                            on:click=move |_| pad.clear()
                        >
                            "Clear"
                        </button>
                    </div>
                </div>
                <div class="draw-reading">
                    <h2>"The network reads"</h2>
                    <p class="draw-prediction" data-testid="draw-prediction" aria-live="polite">
                        {prediction}
                    </p>
                    {bars}
                    <p class="draw-model" data-testid="draw-model">
                        {move || {
                            let name = pad.model_name.get();
                            (!name.is_empty()).then(|| format!("Read by {name}."))
                        }}
                    </p>
                    {move || match pad.to_network.get() {
                        Some(href) => view! {
                            <a class="button-link" href=href data-testid="draw-to-network">
                                "See it in the network →"
                            </a>
                        }
                        .into_any(),
                        None => view! {
                            <p class="hint">"Draw a digit to follow it through the network."</p>
                        }
                        .into_any(),
                    }}
                </div>
            </div>
            <h2>"How the drawing becomes the network's input"</h2>
            <p class="hint">
                "As for the MNIST digits: cropped to the ink, scaled to fit 20×20 pixels keeping "
                "its proportions (grey levels by area averaging), then placed in 28×28 with its "
                "centre of mass at the centre."
            </p>
            <div class="draw-steps" data-testid="preprocess-steps">{steps}</div>
        </section>
    }
}
