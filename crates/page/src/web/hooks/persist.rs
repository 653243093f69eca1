//! Keeping what the user made across reloads (IndexedDB, see `web::store`), and taking it away
//! as one file and back.

use crate::state::{Action, CustomVector, GalleryItem};
use crate::web::handle::{AppHandle, Dispatcher};
use crate::web::{browser, store};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// The key of the gallery and vectors in IndexedDB (and in localStorage, where versions before
/// IndexedDB kept them; they are moved over once).
const STORAGE_KEY: &str = "latent-lab/v1/workbench";
/// Marks an exported file as ours, with its layout's version.
const FILE_FORMAT: &str = "latent-lab-gallery/1";

#[derive(serde::Serialize, serde::Deserialize, Default)]
pub struct Saved {
    #[serde(default)]
    format: String,
    gallery: Vec<GalleryItem>,
    vectors: Vec<CustomVector>,
}

impl Saved {
    fn of(state: &crate::state::State) -> Saved {
        Saved {
            format: FILE_FORMAT.into(),
            gallery: state.gallery.iter().filter(|g| !g.example).cloned().collect(),
            vectors: state.custom_vectors.clone(),
        }
    }
}

/// Restore at start, then save whenever the reducer says user-made things changed. Saving waits
/// for the restore: writing first would replace the stored gallery with an empty one.
#[hook]
pub fn use_persistence(state: &AppHandle) {
    let restored = use_mut_ref(|| false);
    {
        let (dispatcher, restored) = (state.dispatcher(), restored.clone());
        use_effect_with((), move |_| spawn_local(restore(dispatcher, restored)));
    }
    let state = state.clone();
    use_effect_with(state.0.saved_rev, move |rev| {
        if *rev > 0 && *restored.borrow() {
            // Serialised here, not on every render: the gallery is copied only when it changed.
            let text = serde_json::to_string(&Saved::of(&state.0));
            let dispatcher = state.dispatcher();
            spawn_local(async move {
                let stored = match text {
                    Ok(text) => store::put(STORAGE_KEY, &text).await,
                    Err(e) => Err(e.to_string()),
                };
                if stored.is_ok() {
                    // A copy left by a version that used localStorage is now superseded.
                    browser::forget(STORAGE_KEY);
                }
                if let Err(e) = stored {
                    dispatcher.dispatch(Action::Failed(format!(
                        "Could not save your gallery: {e}. It stays on this page until you close it; export it to keep it."
                    )));
                }
            });
        }
    });
}

async fn restore(dispatcher: Dispatcher, restored: Rc<RefCell<bool>>) {
    let text = match store::get(STORAGE_KEY).await {
        Ok(Some(text)) => Some(text),
        // Nothing in IndexedDB yet: an older version may have left it in localStorage.
        Ok(None) => browser::load_stored(STORAGE_KEY),
        Err(e) => {
            dispatcher.dispatch(Action::Failed(format!(
                "Saved galleries cannot be read here ({e}); what you add now lasts until the page closes."
            )));
            None
        }
    };
    *restored.borrow_mut() = true;
    if let Some(text) = text {
        match serde_json::from_str::<Saved>(&text) {
            Ok(saved) => {
                dispatcher.dispatch(Action::Restore { gallery: saved.gallery, vectors: saved.vectors })
            }
            Err(e) => dispatcher.dispatch(Action::Failed(format!(
                "Your saved gallery could not be read ({e}); starting with an empty one."
            ))),
        }
    }
}

/// Download the gallery and vectors as one JSON file.
pub fn export_file(state: &crate::state::State) -> Result<(), String> {
    let text = serde_json::to_string(&Saved::of(state)).map_err(|e| e.to_string())?;
    browser::download(text.as_bytes(), "latent-lab-gallery.json", "application/json")
}

/// Read a file made by `export_file` and add its items and vectors to what is here.
pub async fn import_file(file: web_sys::File, on_action: Callback<Action>) {
    let name = file.name();
    let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
        Ok(t) => t.as_string().unwrap_or_default(),
        Err(_) => return on_action.emit(Action::Failed(format!("{name} could not be read."))),
    };
    match serde_json::from_str::<Saved>(&text) {
        Ok(saved) if saved.format == FILE_FORMAT => {
            on_action.emit(Action::Restore { gallery: saved.gallery, vectors: saved.vectors })
        }
        Ok(_) | Err(_) => on_action.emit(Action::Failed(format!(
            "{name} is not a Latent Lab gallery file (export one with \"Export gallery\"). Nothing was changed."
        ))),
    }
}
