//! Any path the router does not know.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::app::components::error_view::ErrorView;
use crate::app::link;

#[component]
pub fn NotFound() -> impl IntoView {
    let location = use_location();
    let message = move || {
        format!(
            "There is no page at “{}”. It may have moved, or the address has a typo.",
            location.pathname.get()
        )
    };
    view! {
        <section class="page not-found">
            {move || {
                view! {
                    <ErrorView title="Page not found" message=message()>
                        <a href=link("/")>"Go to the home page"</a>
                    </ErrorView>
                }
            }}
        </section>
    }
}
