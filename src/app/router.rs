//! The client-side router: the URL is the state.
//!
//! [`Router`] reads the address, follows the browser's history (back and forward) and turns clicks
//! on the app's own links into history entries without reloading the page. Pages read their route
//! with [`use_params_map`] and [`use_query_map`] and move with [`use_navigate`]; [`use_page`] says
//! which page the address shows. Which page a path shows, and its named segments, is
//! `core::routes::match_path` (the route table, tested natively).
//!
//! Written for this app instead of using leptos_router: the app needs a handful of flat routes,
//! and leptos_router's generic route machinery cost about a tenth of the gzipped wasm.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlAnchorElement, MouseEvent};

use crate::core::routes::{app_path, match_path, parse_query, Matched, PageKind};

/// Named path segments (`:index`) or query parameters (`?page=`) of the current route.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParamsMap(Vec<(String, String)>);

impl ParamsMap {
    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<String> {
        self.get_str(key).map(str::to_string)
    }

    /// The value of `key`, if present, borrowed.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// How [`use_navigate`] moves: a new history entry (default) or replacing the current one, and
/// whether to scroll to the top (default yes, like following a link).
#[derive(Clone, Copy, Debug)]
pub struct NavigateOptions {
    pub replace: bool,
    pub scroll: bool,
}

impl Default for NavigateOptions {
    fn default() -> Self {
        NavigateOptions {
            replace: false,
            scroll: true,
        }
    }
}

/// The current address inside the app: the path without the base, and the `?query` (or "").
#[derive(Clone, Debug, PartialEq, Eq)]
struct Address {
    path: String,
    search: String,
}

#[derive(Clone, Copy)]
struct RouterContext {
    base: StoredValue<String>,
    address: RwSignal<Address>,
    /// The route of the address, matched once per navigation.
    matched: Memo<Matched>,
    page: Memo<PageKind>,
}

fn router() -> RouterContext {
    use_context::<RouterContext>().expect("pages are rendered inside <Router>")
}

/// Provides the route to everything inside it. `base` is the path the site is served under ("" at
/// the root, "/mnist" for a sub-path): links and history entries stay under it.
#[component]
pub fn Router(#[prop(into)] base: String, children: Children) -> impl IntoView {
    let address = RwSignal::new(read_address(&base));
    let matched = Memo::new(move |_| address.with(|a| match_path(&a.path)));
    let page = Memo::new(move |_| matched.with(|m| m.page));
    let context = RouterContext {
        base: StoredValue::new(base),
        address,
        matched,
        page,
    };
    provide_context(context);
    // Back/forward: the browser has already changed the address.
    let history = window_event_listener(ev::popstate, move |_| {
        address.set(read_address(&context.base.get_value()));
    });
    let clicks = window_event_listener(ev::click, move |event| follow_link(context, &event));
    on_cleanup(move || {
        history.remove();
        clicks.remove();
    });
    children()
}

/// The browser's current address, as a path inside the app under `base`.
fn read_address(base: &str) -> Address {
    let location = window().location();
    let pathname = location.pathname().unwrap_or_default();
    Address {
        path: app_path(base, &pathname).unwrap_or(&pathname).to_string(),
        search: location.search().unwrap_or_default(),
    }
}

/// A plain left click on a link to a page of this app: go there without reloading.
fn follow_link(context: RouterContext, event: &MouseEvent) {
    if event.default_prevented()
        || event.button() != 0
        || event.meta_key()
        || event.ctrl_key()
        || event.shift_key()
        || event.alt_key()
    {
        return;
    }
    let Some(anchor) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("a[href]").ok().flatten())
        .and_then(|e| e.dyn_into::<HtmlAnchorElement>().ok())
    else {
        return;
    };
    let opens_elsewhere = !matches!(anchor.target().as_str(), "" | "_self");
    if opens_elsewhere || anchor.has_attribute("download") {
        return;
    }
    let Ok(url) = web_sys::Url::new(&anchor.href()) else {
        return;
    };
    let here = window().location();
    if Some(url.origin()) != here.origin().ok() {
        return;
    }
    let base = context.base.get_value();
    let Some(path) = app_path(&base, &url.pathname()).map(str::to_string) else {
        return;
    };
    let search = url.search();
    let same_page =
        here.pathname().ok() == Some(url.pathname()) && here.search().ok() == Some(search.clone());
    if same_page && !url.hash().is_empty() {
        return; // a jump within the page: the browser does it
    }
    event.prevent_default();
    go(
        context,
        Address { path, search },
        NavigateOptions::default(),
    );
}

/// Records `to` in the history (pushed or replaced) and makes it the current route.
fn go(context: RouterContext, to: Address, options: NavigateOptions) {
    let full = format!(
        "{}{}{}",
        context.base.get_value().trim_end_matches('/'),
        to.path,
        to.search
    );
    let same = context.address.with_untracked(|a| *a == to);
    if let Ok(history) = window().history() {
        let _ = if options.replace || same {
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&full))
        } else {
            history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&full))
        };
    }
    if options.scroll {
        window().scroll_to_with_x_and_y(0.0, 0.0);
    }
    context.address.set(to);
}

/// Moves to an app path (with an optional `?query`, without the base): `navigate("/data/mnist/test?page=2", Default::default())`.
pub fn use_navigate() -> impl Fn(&str, NavigateOptions) + Clone + 'static {
    let context = router();
    move |to: &str, options: NavigateOptions| {
        let (path, query) = to.split_once('?').unwrap_or((to, ""));
        let search = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        go(
            context,
            Address {
                path: path.to_string(),
                search,
            },
            options,
        );
    }
}

/// Which page the current address shows.
pub fn use_page() -> Memo<PageKind> {
    router().page
}

/// The named path segments of the current route. The memo belongs to the page that asks for it:
/// once the address shows another page it keeps its last value, so a page being replaced never
/// re-renders with another page's parameters.
pub fn use_params_map() -> Memo<ParamsMap> {
    let context = router();
    own_page_memo(context, move |_| {
        context.matched.with(|m| {
            ParamsMap(
                m.params
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
            )
        })
    })
}

/// The query parameters (`?page=3&label=7`) of the current route, kept like [`use_params_map`].
pub fn use_query_map() -> Memo<ParamsMap> {
    let context = router();
    own_page_memo(context, |address| ParamsMap(parse_query(&address.search)))
}

fn own_page_memo(
    context: RouterContext,
    read: impl Fn(&Address) -> ParamsMap + Send + Sync + 'static,
) -> Memo<ParamsMap> {
    let mine = context.page.get_untracked();
    Memo::new(move |previous: Option<&ParamsMap>| {
        let address = context.address.get();
        match previous {
            Some(kept) if context.page.get() != mine => kept.clone(),
            _ => read(&address),
        }
    })
}

/// The current path inside the app (without the base), percent-encoded as in the address bar.
pub fn use_pathname() -> Memo<String> {
    let context = router();
    Memo::new(move |_| context.address.with(|a| a.path.clone()))
}
