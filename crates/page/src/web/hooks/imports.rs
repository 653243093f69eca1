//! Imported models in this browser's storage: kept once the worker has built one, forgotten when
//! the user removes it (and when it was the current model, the default model takes its place).

use crate::state::{Action, ImportEvent};
use crate::web::handle::AppHandle;
use crate::web::io::{imports, startup};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

#[hook]
pub fn use_import_storage(state: &AppHandle) {
    let state = state.clone();
    use_effect_with(state.0.imports.rev, move |_| {
        let dispatcher = state.dispatcher();
        match state.0.imports.last.clone() {
            Some(ImportEvent::Keep(name)) => {
                let Some(entry) = state.0.models.iter().find(|m| m.name == name).cloned() else { return };
                spawn_local(async move {
                    if let Err(e) = imports::keep(entry).await {
                        dispatcher.dispatch(Action::Failed(format!(
                            "{name} is open, but could not be kept in this browser ({e}): open its files again after a reload."
                        )));
                    }
                });
            }
            Some(ImportEvent::Forget(name)) => {
                let was_current = state.0.model_name() == Some(name.as_str());
                spawn_local(async move {
                    if let Err(e) = imports::forget(&name).await {
                        dispatcher.dispatch(Action::Failed(format!(
                            "{name} could not be removed from storage: {e}"
                        )));
                    }
                    if was_current {
                        startup::load_manifest(dispatcher, startup::DEFAULT_MODEL.to_string(), None).await;
                    }
                });
            }
            None => {}
        }
    });
}
