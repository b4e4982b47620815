//! The header's theme switch: a toggle button, pressed when the dark theme shows.
//!
//! Two themes and the system's as the default: until the reader presses it the page follows
//! `prefers-color-scheme` (CSS); pressing flips the theme shown and remembers the choice in
//! localStorage, unless it equals the system's theme (then the page follows the system again,
//! so there is always a way back to "system" without a third state). index.html applies a stored
//! choice before the first paint (no flash); the storage and `data-theme` live in `theme.js`.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/app/theme.js")]
extern "C" {
    fn theme_is_dark() -> bool;
    fn theme_set_dark(dark: bool);
    fn theme_watch_system(callback: &Closure<dyn FnMut()>);
}

#[component]
pub fn ThemeToggle() -> impl IntoView {
    let dark = RwSignal::new(theme_is_dark());
    // The system's theme can change while the page is open (and the page follows it when no
    // choice is stored): keep the pressed state true to what shows. The app shell lives as long
    // as the page, so the closure is leaked once.
    let watch = Closure::<dyn FnMut()>::new(move || dark.set(theme_is_dark()));
    theme_watch_system(&watch);
    watch.forget();
    let toggle = move |_| {
        let next = !dark.get_untracked();
        theme_set_dark(next);
        dark.set(next);
    };
    view! {
        <button
            type="button"
            class="theme-toggle"
            data-testid="theme-toggle"
            aria-pressed=move || dark.get().to_string()
            on:click=toggle
        >
            <span class="theme-icon" aria-hidden="true"></span>
            "Dark theme"
        </button>
    }
}
