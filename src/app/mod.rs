//! The Leptos single-page app: router, layout, and where the site lives (base path).
//!
//! Adding a page: write `pages/<name>.rs`, declare it in `pages/mod.rs`, add its path to the route
//! table (`core::routes`) and its view to [`App`] below. Internal links: `<a href=link("/some/path")>`
//! (adds the base path, the router intercepts the click); programmatic:
//! `router::use_navigate()("/some/path", ..)` (the router adds the base).

pub mod components;
pub mod data;
pub mod keys;
pub mod pages;
pub mod perf;
pub mod router;

use leptos::prelude::*;

use crate::core::dataset::{DatasetName, Split};
use crate::core::links::{base_from_document_path, stats_path, with_base};
use crate::core::routes::PageKind;
use pages::digit::DigitPage;
use pages::grid::GridPage;
use pages::home::Home;
use pages::network::NetworkShell;
use pages::not_found::NotFound;
use pages::stats::StatsPage;
use router::{use_page, Router};

thread_local! {
    static BASE: String = document_base_path();
}

/// The path the site is served under, without trailing slash: "" at the root, "/mnist" when built
/// with `trunk build --public-url /mnist/` (read from `<base href>`, which trunk sets).
pub fn base_path() -> String {
    BASE.with(|b| b.clone())
}

/// An app path (starting with '/') as an `href` that works under the base path.
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

#[component]
pub fn App() -> impl IntoView {
    remove_boot_message();
    data::provide_data_cache();
    view! {
        <Router base=base_path()>
            <Header />
            <main id="main">
                <CurrentPage />
            </main>
            <Footer />
        </Router>
    }
}

/// The page the address shows; re-created only when the address shows another kind of page (a new
/// `?page=` or digit index updates the page in place).
#[component]
fn CurrentPage() -> impl IntoView {
    let page = use_page();
    move || match page.get() {
        PageKind::Home => view! { <Home /> }.into_any(),
        PageKind::Grid => view! { <GridPage /> }.into_any(),
        PageKind::Stats => view! { <StatsPage /> }.into_any(),
        PageKind::Digit => view! { <DigitPage /> }.into_any(),
        PageKind::Network => view! { <NetworkShell /> }.into_any(),
        PageKind::NotFound => view! { <NotFound /> }.into_any(),
    }
}

#[component]
fn Header() -> impl IntoView {
    let mnist = DatasetName::Mnist;
    view! {
        <header class="site-header">
            <a class="brand" href=link("/")>"mnist-viz"</a>
            <nav aria-label="Main">
                <a href=link("/")>"Home"</a>
                <a href=link(&format!("/data/{}/{}", mnist.id(), Split::Test.id()))>"Test set"</a>
                <a href=link(&format!("/data/{}/{}", mnist.id(), Split::Train.id()))>"Training set"</a>
                <a href=link(&stats_path(mnist, Split::Test))>"Statistics"</a>
                <a href=link("/network")>"Network"</a>
            </nav>
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
        </footer>
    }
}
