//! Paste an image anywhere on the page: it is ingested like a dropped file.

use crate::web::handle::AppHandle;
use crate::web::io::ingest::ingest_files;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use yew::prelude::*;

#[hook]
pub fn use_paste(state: &AppHandle) {
    let s = &state.0;
    {
        let manifest = s.model.clone();
        let dispatcher = state.dispatcher();
        let on_action = Callback::from(move |a| dispatcher.dispatch(a));
        use_effect_with(s.model.as_ref().map(|m| m.name.clone()), move |_| {
            let listener = manifest.map(|m| {
                Closure::<dyn FnMut(web_sys::ClipboardEvent)>::new(move |e: web_sys::ClipboardEvent| {
                    if let Some(files) = e.clipboard_data().and_then(|d| d.files()).filter(|f| f.length() > 0)
                    {
                        e.prevent_default();
                        ingest_files(&on_action, Some(files), &m);
                    }
                })
            });
            if let (Some(l), Some(w)) = (&listener, web_sys::window()) {
                let _ = w.add_event_listener_with_callback("paste", l.as_ref().unchecked_ref());
            }
            move || {
                if let (Some(l), Some(w)) = (listener, web_sys::window()) {
                    let _ = w.remove_event_listener_with_callback("paste", l.as_ref().unchecked_ref());
                }
            }
        });
    }
}
