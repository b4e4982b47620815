//! Any path the route table does not know (the `<Routes fallback>`).

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::app::components::error_view::ErrorView;
use crate::app::link;
use crate::core::url::percent_decode;

#[component]
pub fn NotFound() -> impl IntoView {
    let pathname = use_location().pathname;
    let message = move || {
        format!(
            "There is no page at “{}”. It may have moved, or the address has a typo.",
            percent_decode(&pathname.get())
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
