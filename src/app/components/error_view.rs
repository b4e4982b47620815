//! Messages for things that went wrong: always `role="alert"`, in words, with a way on.

use leptos::prelude::*;

/// An error or warning box: a title, the explanation, an optional Retry button, and any links
/// (children) that lead somewhere useful.
#[component]
pub fn ErrorView(
    #[prop(into)] title: String,
    #[prop(into)] message: String,
    /// Shown as a "Retry" button when given.
    #[prop(optional)]
    retry: Option<Callback<()>>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="error-view" role="alert">
            <h2>{title}</h2>
            <p class="error-message">{message}</p>
            <div class="error-actions">
                {retry.map(|retry| {
                    view! {
                        <button type="button" class="retry" on:click=move |_| retry.run(())>
                            "Retry"
                        </button>
                    }
                })}
                {children.map(|c| c())}
            </div>
        </div>
    }
}
