//! Offline use: registers the service worker (public/sw.js, stamped by scripts/post_build.sh)
//! and, when a new deploy's worker has installed beside the current one, shows a quiet notice,
//! "A new version is available — Reload". Reloading lets the new worker take over and reloads
//! the page once it has, so a page never runs a mix of old and new files.
//!
//! A browser without service workers, or one that refuses the registration (a private window,
//! a test browser that blocks them), simply has no offline copy: nothing is shown.

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RegistrationOptions, ServiceWorker, ServiceWorkerContainer, ServiceWorkerState};

use super::base_path;

/// The service worker's file, relative to the site.
const WORKER_FILE: &str = "sw.js";

/// The new version's worker, waiting for the page to let it take over.
#[derive(Clone, Copy)]
struct Update(RwSignal<Option<ServiceWorker>, LocalStorage>);

/// The browser's service worker container, when it has one (not in insecure contexts).
fn container() -> Option<ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    let has = js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).ok()?;
    has.then(|| navigator.service_worker())
}

/// Whether the page runs under a worker: only then is there an old version to replace.
fn controlled() -> bool {
    container().and_then(|c| c.controller()).is_some()
}

/// Registers the worker for the site's scope and watches for updates (once, in `App`).
fn register(update: Update) {
    let Some(container) = container() else {
        return;
    };
    let scope = format!("{}/", base_path());
    let options = RegistrationOptions::new();
    options.set_scope(&scope);
    let promise = container.register_with_options(&format!("{scope}{WORKER_FILE}"), &options);
    leptos::task::spawn_local(async move {
        // Refused, unsupported, or (in a browser that blocks workers) no registration at all:
        // no offline copy, nothing to say.
        let Some(registration) = JsFuture::from(promise)
            .await
            .ok()
            .and_then(|r| r.dyn_into::<web_sys::ServiceWorkerRegistration>().ok())
        else {
            return;
        };
        if let Some(waiting) = registration.waiting() {
            if controlled() {
                update.0.set(Some(waiting));
            }
        }
        let reg = registration.clone();
        let on_found = Closure::<dyn FnMut()>::new(move || {
            let Some(installing) = reg.installing() else {
                return;
            };
            let worker = installing.clone();
            let on_state = Closure::<dyn FnMut()>::new(move || {
                if worker.state() == ServiceWorkerState::Installed && controlled() {
                    let _ = update.0.try_set(Some(worker.clone()));
                }
            });
            installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
            on_state.forget(); // lives as long as that worker
        });
        registration.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
        on_found.forget(); // lives as long as the page
    });
}

/// Lets the waiting worker take over, then reloads the page under it.
fn apply(worker: &ServiceWorker) {
    let Some(container) = container() else {
        return;
    };
    let reload = Closure::<dyn FnMut()>::new(|| {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    });
    container.set_oncontrollerchange(Some(reload.as_ref().unchecked_ref()));
    reload.forget(); // the page is about to go
    let _ = worker.post_message(&JsValue::from_str("skip-waiting"));
}

/// Registers the service worker and shows the new-version notice when there is one.
#[component]
pub fn UpdateNotice() -> impl IntoView {
    let update = Update(RwSignal::new_local(None));
    register(update);
    move || {
        update.0.get().map(|worker| {
            view! {
                <div class="update-notice" role="status" data-testid="update-notice">
                    "A new version is available — "
                    <button type="button" on:click=move |_| apply(&worker)>"Reload"</button>
                </div>
            }
        })
    }
}
