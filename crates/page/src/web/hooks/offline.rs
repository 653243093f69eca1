//! Offline use: the service worker is registered once the first image is on screen, and each
//! model the user opens is handed to it to keep (`State::model_to_save` decides which).

use crate::state::Action;
use crate::web::handle::AppHandle;
use crate::web::io::offline;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

#[hook]
pub fn use_offline(state: &AppHandle) {
    let started = use_mut_ref(|| false);
    {
        let dispatcher = state.dispatcher();
        use_effect_with(state.0.image.is_some(), move |&shown| {
            if shown && !*started.borrow() {
                *started.borrow_mut() = true;
                spawn_local(offline::start(dispatcher));
            }
        });
    }
    let to_save = state.0.model_to_save();
    let dispatcher = state.dispatcher();
    use_effect_with(to_save.as_ref().map(|m| m.name.clone()), move |_| {
        if let Some(m) = to_save
            && offline::save_model(&m)
        {
            dispatcher.dispatch(Action::OfflineSaving(m.name.clone()));
        }
    });
}
