//! The page's links and keys: the address bar follows what is on screen (Back and Forward open
//! what it said), and keyboard shortcuts drive the reducer. Hooks of the root component.

use crate::state::{Action, KeyCommand, View, key_command};
use crate::web::browser;
use crate::web::handle::AppHandle;
use crate::web::io::startup;
use gloo_events::{EventListener, EventListenerOptions};
use latent::UrlState;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// The shortest time between two rewrites of the address bar by slider moves.
const REPLACE_EVERY_MS: f64 = 150.0;

#[hook]
pub fn use_address_bar(state: &AppHandle) {
    let s = &state.0;
    // Keep the link in the address bar equal to what is on screen. A new model or view is a
    // new history entry (Back returns to it); slider moves only replace the current one.
    let written = use_mut_ref(|| None::<(Option<String>, View)>);
    // `history.replaceState` costs Chromium about 1.5 ms, a tenth of a frame, and a dragged
    // slider changes the link on every frame (bench/OPTIMISATION.md): replaced at most every
    // REPLACE_EVERY_MS while it changes, the newest link always written last.
    let last_replace = use_mut_ref(|| f64::NEG_INFINITY);
    let trailing = use_mut_ref(|| None::<(gloo_timers::callback::Timeout, String)>);
    {
        let link = s.model.as_ref().map(|_| s.link().encode());
        let place = (s.model_name().map(str::to_string), s.view);
        let (written, trailing) = (written.clone(), trailing.clone());
        use_effect_with(link, move |link| {
            if let Some(link) = link {
                let mut last = written.borrow_mut();
                let now = browser::now_ms();
                match last.as_ref() {
                    Some(prev) if *prev != place => {
                        // The entry being left gets its newest link first; the pending replace
                        // must not overwrite the new entry.
                        if let Some((_, pending)) = trailing.borrow_mut().take() {
                            browser::replace_hash(&pending);
                        }
                        browser::push_hash(link);
                        *last_replace.borrow_mut() = now;
                    }
                    _ if now - *last_replace.borrow() >= REPLACE_EVERY_MS => {
                        trailing.borrow_mut().take();
                        browser::replace_hash(link);
                        *last_replace.borrow_mut() = now;
                    }
                    _ => {
                        let (later, last_replace) = (link.clone(), last_replace.clone());
                        // Dropping the previous Timeout cancels it.
                        let timer = gloo_timers::callback::Timeout::new(REPLACE_EVERY_MS as u32, move || {
                            browser::replace_hash(&later);
                            *last_replace.borrow_mut() = browser::now_ms();
                        });
                        *trailing.borrow_mut() = Some((timer, link.clone()));
                    }
                }
                *last = Some(place);
            }
        });
    }
    // Back and forward: open what the restored link says.
    {
        let dispatcher = state.dispatcher();
        let current = s.model_name().map(str::to_string);
        let (written, trailing) = (written.clone(), trailing.clone());
        use_effect_with(current, move |current| {
            let current = current.clone();
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "popstate", move |_| {
                    // A pending replace holds the link of the entry just left.
                    trailing.borrow_mut().take();
                    match UrlState::decode(&browser::location_hash()) {
                        Ok(link) => {
                            let view = link.view.as_deref().and_then(View::parse).unwrap_or_default();
                            *written.borrow_mut() =
                                Some((link.model.clone().or_else(|| current.clone()), view));
                            if let Some(name) = link.model.clone().filter(|n| Some(n) != current.as_ref()) {
                                spawn_local(startup::load_manifest(dispatcher.clone(), name, link.z.clone()));
                            }
                            dispatcher.dispatch(Action::Link(link));
                        }
                        Err(e) => dispatcher.dispatch(Action::Failed(format!(
                            "This link could not be read: {e}. Nothing was changed."
                        ))),
                    }
                })
            });
            // Dropping the listener removes it.
            move || drop(listener)
        });
    }
}

#[hook]
pub fn use_shortcuts(state: &AppHandle) {
    // Keyboard shortcuts (see `state::keys`), except while typing in a field.
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            let options = EventListenerOptions::enable_prevent_default();
            let listener = web_sys::window().map(|w| {
                EventListener::new_with_options(&w, "keydown", options, move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else { return };
                    let typing = e
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"));
                    if typing || e.ctrl_key() || e.meta_key() || e.alt_key() {
                        return;
                    }
                    // A fresh handle per key: a handle keeps every state it was read at, and this
                    // listener lives as long as the page (holding an arrow key grew memory).
                    let state = state.clone();
                    let Some(command) = key_command(&e.key(), e.shift_key(), &state.0) else { return };
                    e.prevent_default();
                    let d = state.dispatcher();
                    match command {
                        KeyCommand::Do(action) => d.dispatch(action),
                        KeyCommand::Sample => {
                            let s = &state.0;
                            let (dim, t) = (s.z.len(), s.temperature);
                            let z = crate::prior_sample::draw(s.model.as_deref(), dim, t, browser::seed());
                            d.dispatch(Action::SetZ(z))
                        }
                        KeyCommand::PickModel(i) => {
                            if let Some(m) = state.0.models.get(i) {
                                spawn_local(startup::load_manifest(d, m.name.clone(), None));
                            }
                        }
                        KeyCommand::Fullscreen => browser::toggle_fullscreen(),
                    }
                })
            });
            move || drop(listener)
        });
    }
}
