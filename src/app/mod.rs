//! The Leptos single-page app: the route table, the layout, and where the site lives (base path).
//!
//! Adding a page: write `pages/<name>.rs`, declare it in `pages/mod.rs` and add its `<Route>` to
//! [`App`] below (that table is the only place that says which path shows which page). Internal
//! links: `<A href=link("/some/path")>` (or a plain `<a>`; [`link`] adds the base path, the router
//! intercepts the click); programmatic: `leptos_router::hooks::use_navigate()("/some/path", ..)`
//! (the router adds the base itself).

pub mod api;
pub mod components;
pub mod data;
pub mod dom;
pub mod keys;
pub mod local;
pub mod models;
pub mod offline;
pub mod pages;
pub mod perf;
pub mod storage;
pub mod trainer;

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes, A};
use leptos_router::path;
use wasm_bindgen::JsCast;

use crate::core::dataset::{DatasetName, Split};
use crate::core::paths::{base_from_document_path, grid_path, stats_path, with_base};
use components::theme_toggle::ThemeToggle;
use pages::digit::DigitPage;
use pages::draw::DrawPage;
use pages::grid::GridPage;
use pages::home::Home;
use pages::local::{LocalGridPage, LocalItemPage, LocalListPage};
use pages::network::{NetworkPage, NetworkPlace};
use pages::not_found::NotFound;
use pages::stats::StatsPage;
use pages::train::TrainPage;

thread_local! {
    static BASE: String = document_base_path();
}

/// The path the site is served under, without trailing slash: "" at the root, "/mnist" when built
/// with `trunk build --public-url /mnist/` (read from `<base href>`, which trunk sets).
pub fn base_path() -> String {
    BASE.with(|b| b.clone())
}

/// An app path (starting with '/') as an `href` that works under the base path. `<A>` leaves
/// absolute paths as they are, so every internal `href` goes through this.
pub fn link(path: &str) -> String {
    BASE.with(|b| with_base(b, path))
}

fn document_base_path() -> String {
    let base_uri = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten());
    let path = base_uri
        .and_then(|uri| web_sys::Url::new(&uri).ok())
        .map(|url| url.pathname())
        .unwrap_or_default();
    base_from_document_path(&path)
}

/// Removes the "Loading…" text that index.html shows until the app is mounted.
fn remove_boot_message() {
    if let Some(boot) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        boot.remove();
    }
}

/// The app: header, the page the address names, footer.
///
/// The router's base is the site's path without its trailing slash ("/mnist", or "" at the
/// root): leptos_router compares it as a prefix of the address, so "/mnist/" would leave the
/// address "/mnist" (no slash) to the browser.
#[component]
pub fn App() -> impl IntoView {
    remove_boot_message();
    data::provide_data_cache();
    models::provide_models();
    view! {
        <Router base=base_path()>
            <SkipLink />
            <Header />
            <main id="main" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home />
                    // Before the built-in sets' routes, which would take "local" for a dataset.
                    <Route path=path!("/data/local") view=LocalListPage />
                    <Route path=path!("/data/local/:name") view=LocalGridPage />
                    <Route path=path!("/data/local/:name/:index") view=LocalItemPage />
                    <Route path=path!("/data/:dataset/:split") view=GridPage />
                    <Route path=path!("/data/:dataset/:split/stats") view=StatsPage />
                    <Route path=path!("/data/:dataset/:split/:index") view=DigitPage />
                    <ParentRoute path=path!("/network") view=NetworkPage>
                        <Route path=path!("") view=NetworkPlace />
                        <Route path=path!("/layer/:layer") view=NetworkPlace />
                        <Route path=path!("/layer/:layer/neuron/:neuron") view=NetworkPlace />
                    </ParentRoute>
                    <Route path=path!("/train") view=TrainPage />
                    <Route path=path!("/draw") view=DrawPage />
                </Routes>
            </main>
            <Footer />
            <offline::UpdateNotice />
        </Router>
    }
}

/// The first focusable element: moves the focus to the page's content, past the header.
///
/// The click is handled on the link, before the router's window listener sees it: under
/// `<base href="/mnist/">` a plain `href="#main"` would lead to the home page, not to this
/// page's content. `main` takes the focus (`tabindex="-1"`, no outline: theme.css).
#[component]
fn SkipLink() -> impl IntoView {
    let skip = |ev: leptos::ev::MouseEvent| {
        let main = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("main"))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(main) = main {
            ev.prevent_default();
            let _ = main.focus();
            main.scroll_into_view();
        }
    };
    view! {
        <a class="skip-link" href="#main" on:click=skip>
            "Skip to content"
        </a>
    }
}

#[component]
fn Header() -> impl IntoView {
    let mnist = DatasetName::Mnist;
    view! {
        <header class="site-header">
            <a class="brand" href=link("/")>"mnist-viz"</a>
            <nav aria-label="Main">
                <A href=link("/") exact=true>"Home"</A>
                <A href=link(&grid_path(mnist, Split::Test, 1, None)) exact=true>"Test set"</A>
                <A href=link(&grid_path(mnist, Split::Train, 1, None)) exact=true>"Training set"</A>
                <A href=link(&stats_path(mnist, Split::Test))>"Statistics"</A>
                <A href=link("/network")>"Network"</A>
                <A href=link("/train")>"Train"</A>
                <A href=link("/draw")>"Draw"</A>
                <A href=link(crate::core::local::LIST_PATH)>"Your data"</A>
            </nav>
            <ThemeToggle />
        </header>
    }
}

#[component]
fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <p>
                "Data: the MNIST database of handwritten digits by Yann LeCun, Corinna Cortes and "
                "Christopher J. C. Burges, used under "
                <a href="https://creativecommons.org/licenses/by-sa/3.0/" rel="external">
                    "CC BY-SA 3.0"
                </a> "."
            </p>
            <p data-testid="fashion-credit">
                "Fashion-MNIST by Zalando Research (Han Xiao, Kashif Rasul, Roland Vollgraf), "
                "Copyright 2017 Zalando SE, used under the "
                <a href="https://opensource.org/license/mit" rel="external">"MIT licence"</a> "."
            </p>
        </footer>
    }
}
