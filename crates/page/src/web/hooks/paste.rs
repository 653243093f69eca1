//! Paste an image anywhere on the page: it is ingested like a dropped file.

use crate::web::handle::AppHandle;
use crate::web::io::ingest::ingest_files;
use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[hook]
pub fn use_paste(state: &AppHandle) {
    let manifest = state.0.model.clone();
    let dispatcher = state.dispatcher();
    let on_action = Callback::from(move |a| dispatcher.dispatch(a));
    use_effect_with(state.0.model.as_ref().map(|m| m.name.clone()), move |_| {
        let window = web_sys::window();
        let listener = manifest.zip(window).map(|(m, w)| {
            // Not passive: a pasted image must not also land in whatever has focus.
            EventListener::new_with_options(
                &w,
                "paste",
                EventListenerOptions::enable_prevent_default(),
                move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::ClipboardEvent>() else { return };
                    if let Some(files) = e.clipboard_data().and_then(|d| d.files()).filter(|f| f.length() > 0)
                    {
                        e.prevent_default();
                        ingest_files(&on_action, Some(files), &m);
                    }
                },
            )
        });
        // Dropping the listener removes it.
        move || drop(listener)
    });
}
