//! The service worker (`web/sw.js`) as the page sees it: registered after the first image (so
//! caching the page never competes with it), its messages turned into actions, the model on
//! screen handed to it to keep, and a waiting update applied when the user asks.

use crate::state::Action;
use crate::web::browser;
use crate::web::handle::Dispatcher;
use bundle::Manifest;
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState};

const SCRIPT: &str = "sw.js";

thread_local! {
    static REGISTRATION: RefCell<Option<ServiceWorkerRegistration>> = const { RefCell::new(None) };
    /// The user asked for the waiting build: the next change of controller reloads the page.
    static RELOAD_ON_CHANGE: Cell<bool> = const { Cell::new(false) };
}

/// What `sw.js` posts to the page.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
enum FromServiceWorker {
    SavedModels { names: Vec<String> },
    ModelSaved { name: String },
    ModelNotSaved { name: String, reason: String },
}

/// What the page posts to `sw.js`.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
enum ToServiceWorker<'a> {
    SavedModels,
    SaveModel { name: &'a str, files: Vec<String> },
    SkipWaiting,
}

fn container() -> Option<ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    // Absent outside a secure context (and in some private modes): calling into it would throw.
    let present = js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false);
    present.then(|| navigator.service_worker())
}

fn post(to: &ServiceWorker, message: &ToServiceWorker) {
    if let Ok(value) = serde_wasm_bindgen::to_value(message) {
        let _ = to.post_message(&value);
    }
}

fn listen(target: &web_sys::EventTarget, event: &str, f: impl Fn(web_sys::Event) + 'static) {
    let closure = Closure::<dyn Fn(web_sys::Event)>::new(f);
    let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    // The page lives as long as these listeners: nothing to remove them for.
    closure.forget();
}

/// Follow the network, and register the service worker (once per page).
pub async fn start(dispatcher: Dispatcher) {
    let Some(window) = web_sys::window() else { return };
    dispatcher.dispatch(Action::Connectivity(window.navigator().on_line()));
    for (event, online) in [("online", true), ("offline", false)] {
        let d = dispatcher.clone();
        listen(&window, event, move |_| {
            d.dispatch(Action::Connectivity(online));
            // Back online is a good moment to look for a newer build.
            if online {
                check_for_update();
            }
        });
    }
    let Some(container) = container() else { return };
    {
        let d = dispatcher.clone();
        listen(&container, "message", move |e| {
            let Some(e) = e.dyn_ref::<web_sys::MessageEvent>() else { return };
            match serde_wasm_bindgen::from_value(e.data()) {
                Ok(FromServiceWorker::SavedModels { names }) => d.dispatch(Action::OfflineSaved(names)),
                Ok(FromServiceWorker::ModelSaved { name }) => d.dispatch(Action::OfflineSaved(vec![name])),
                Ok(FromServiceWorker::ModelNotSaved { name, reason }) => {
                    d.dispatch(Action::OfflineNotSaved { name, reason })
                }
                Err(_) => {}
            }
        });
    }
    {
        let d = dispatcher.clone();
        let c = container.clone();
        listen(&container, "controllerchange", move |_| {
            if RELOAD_ON_CHANGE.get() {
                let _ = browser::reload();
            } else if let Some(controller) = c.controller() {
                // The first visit: the new service worker has claimed this page.
                d.dispatch(Action::OfflineReady);
                post(&controller, &ToServiceWorker::SavedModels);
            }
        });
    }
    // A page the service worker already controls (every visit after the first) asks at once
    // which models are saved: offline, `register` below waits for the browser's failed check
    // for a newer script, seconds in which the picker would call every model unsaved.
    let asked = match container.controller() {
        Some(controller) => {
            dispatcher.dispatch(Action::OfflineReady);
            post(&controller, &ToServiceWorker::SavedModels);
            true
        }
        None => false,
    };
    let registration = match JsFuture::from(container.register(SCRIPT)).await {
        Ok(r) => r.unchecked_into::<ServiceWorkerRegistration>(),
        Err(e) => {
            // The page works as before; only offline use is missing, so this is not a notice.
            web_sys::console::warn_2(&"Latent Lab: no offline use, the service worker failed:".into(), &e);
            return;
        }
    };
    if !asked && let Some(controller) = container.controller() {
        dispatcher.dispatch(Action::OfflineReady);
        post(&controller, &ToServiceWorker::SavedModels);
    }
    watch_updates(&registration, &container, dispatcher);
    REGISTRATION.with(|r| *r.borrow_mut() = Some(registration));
}

/// A newer build shows up as a second service worker that installs and then waits while this
/// page runs the old one. On a first visit there is no controller, so an installed worker is
/// not an update.
fn watch_updates(
    registration: &ServiceWorkerRegistration,
    container: &ServiceWorkerContainer,
    d: Dispatcher,
) {
    if registration.waiting().is_some() && container.controller().is_some() {
        d.dispatch(Action::UpdateReady);
    }
    let (r, c) = (registration.clone(), container.clone());
    listen(registration, "updatefound", move |_| {
        let Some(installing) = r.installing() else { return };
        let (d, c, worker) = (d.clone(), c.clone(), installing.clone());
        listen(&installing, "statechange", move |_| {
            if worker.state() == ServiceWorkerState::Installed && c.controller().is_some() {
                d.dispatch(Action::UpdateReady);
            }
        });
    });
}

fn check_for_update() {
    REGISTRATION.with(|r| {
        if let Some(r) = r.borrow().as_ref()
            && let Ok(p) = r.update()
        {
            // A failed check (offline again) just means no update yet.
            wasm_bindgen_futures::spawn_local(async move {
                let _ = JsFuture::from(p).await;
            });
        }
    });
}

/// Ask the service worker to keep every file of `manifest` (the encoder and examples too, so
/// encoding works offline, not only the first image).
pub fn save_model(manifest: &Manifest) -> bool {
    let Some(controller) = container().and_then(|c| c.controller()) else { return false };
    let files = manifest.files().iter().map(|f| browser::absolute(f)).collect();
    post(&controller, &ToServiceWorker::SaveModel { name: &manifest.name, files });
    true
}

/// Switch to the waiting build: it takes over, and the page reloads into it (the view is in the
/// link, the gallery in IndexedDB, so nothing is lost).
pub fn apply_update() {
    let waiting = REGISTRATION.with(|r| r.borrow().as_ref().and_then(|r| r.waiting()));
    match waiting {
        Some(w) => {
            RELOAD_ON_CHANGE.set(true);
            post(&w, &ToServiceWorker::SkipWaiting);
        }
        None => {
            let _ = browser::reload();
        }
    }
}
