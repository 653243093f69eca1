//! Getting images in: a file, a drop, a paste or a bundled example is read, prepared the way the
//! model was trained (`image_input::preprocess`) and queued for encoding.

use crate::state::{Action, Photo};
use crate::web::browser;
use bundle::{Example, Manifest, ModelFiles};
use image_input::crop::Crop;
use image_input::preprocess::{InputKind, Rgba, prepare};
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use yew::Callback;

/// Read, preprocess and queue one image for encoding. Every failure becomes a notice; nothing
/// the user already has is touched.
pub async fn ingest(
    on_action: Callback<Action>,
    blob: web_sys::Blob,
    name: String,
    manifest: Rc<Manifest>,
    example: Option<&Example>,
) {
    let result = match browser::read_image(&blob, &name).await {
        Ok(rgba) => prepare_for(&rgba, &manifest, &name, example.is_some()).map(|action| {
            // A bundled example whose encoding the manifest holds needs no encoder.
            match (action, example.and_then(Example::encoding)) {
                (Action::Encode { name, input, .. }, Some((mu, logvar))) => {
                    Action::EncodeKnown { name, input, mu: mu.to_vec(), logvar: logvar.to_vec() }
                }
                (action, _) => action,
            }
        }),
        Err(e) => Err(e),
    };
    on_action.emit(result.unwrap_or_else(Action::Failed));
}

pub fn prepare_for(rgba: &Rgba, manifest: &Manifest, name: &str, example: bool) -> Result<Action, String> {
    let kind = InputKind::for_model(&manifest.image, &manifest.training.dataset);
    let prepared = prepare(rgba, &manifest.image, kind).map_err(|e| format!("{name}: {e}."))?;
    let input = worker_protocol::pixels::to_bytes(&prepared.pixels);
    let name = format!("{name} · {}", prepared.steps.join(" → "));
    Ok(match kind {
        // A user's face photo keeps its picture, so its crop can be moved (`state/crop.rs`).
        InputKind::Face if !example => {
            let photo = Rc::new(Photo { rgba: Rc::new(rgba.clone()), crop: Crop::default() });
            Action::EncodePhoto { name, input, pixels: prepared.pixels, photo }
        }
        _ => Action::Encode { name, input, pixels: prepared.pixels, example },
    })
}

/// Queue every file of a list (picker, drop, paste).
pub fn ingest_files(on_action: &Callback<Action>, files: Option<web_sys::FileList>, manifest: &Rc<Manifest>) {
    let Some(files) = files else { return };
    for i in 0..files.length() {
        if let Some(file) = files.get(i) {
            let name = file.name();
            spawn_local(ingest(on_action.clone(), file.into(), name, manifest.clone(), None));
        }
    }
}

/// Fetch and encode a bundle's example images.
pub fn load_examples(on_action: &Callback<Action>, manifest: &Rc<Manifest>) {
    for ex in manifest.examples.clone() {
        let (cb, m) = (on_action.clone(), manifest.clone());
        let url = ModelFiles::of(&manifest.name).file(&ex.file);
        let name = format!("example: {}", ex.label);
        spawn_local(async move {
            match browser::fetch_blob(&url).await {
                Ok(blob) => ingest(cb, blob, name, m, Some(&ex)).await,
                Err(e) => cb.emit(Action::Failed(e)),
            }
        });
    }
}
