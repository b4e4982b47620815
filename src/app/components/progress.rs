//! The loading indicator of a split: bytes downloaded (or indeterminate), then decoding.

use leptos::prelude::*;

use crate::app::data::Progress;

/// "Downloading and decoding the MNIST test set: 1.2 of 1.6 MB" (each piece is decoded as it
/// arrives), then briefly "Decoding …" while the complete files are checked.
#[component]
pub fn LoadProgress(
    progress: RwSignal<Progress>,
    /// What is loading, e.g. "the MNIST test set".
    #[prop(into)]
    what: String,
) -> impl IntoView {
    let what = StoredValue::new(what);
    let text = move || describe(progress.get(), &what.get_value());
    let bar = move || match progress.get() {
        Progress::Downloading {
            loaded,
            total: Some(total),
        } if total > 0 => {
            view! { <progress max=total as f64 value=loaded.min(total) as f64></progress> }
                .into_any()
        }
        _ => view! { <progress></progress> }.into_any(),
    };
    view! {
        <div class="load-progress" role="status" aria-live="polite">
            {bar}
            <p>{text}</p>
        </div>
    }
}

fn describe(progress: Progress, what: &str) -> String {
    match progress {
        Progress::Waiting => format!("Requesting {what}…"),
        Progress::Downloading {
            loaded,
            total: Some(total),
        } => format!(
            "Downloading and decoding {what}: {} of {} MB",
            megabytes(loaded.min(total)),
            megabytes(total)
        ),
        Progress::Downloading {
            loaded,
            total: None,
        } => {
            format!("Downloading and decoding {what}: {} MB", megabytes(loaded))
        }
        Progress::Decoding => format!("Decoding {what}…"),
        Progress::Finished => format!("Preparing {what}…"),
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1_000_000.0)
}
