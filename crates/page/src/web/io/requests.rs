//! The one way the page asks the worker to load a model, for the workbench and for the
//! comparison's companions alike.

use bundle::{Manifest, ModelFiles};
use worker_protocol::{BackendChoice, LoadRequest, ToWorker};

/// `ToWorker::Load` for `manifest`: the manifest travels as JSON (the page has already parsed
/// and checked it), the weights as absolute URLs the worker fetches itself (the encoder's only
/// when something is encoded).
pub fn load_request(
    id: u64,
    manifest: &Manifest,
    backend: BackendChoice,
    companion: bool,
) -> Result<ToWorker, String> {
    let manifest_json = serde_json::to_string(manifest).map_err(|e| e.to_string())?;
    let files = ModelFiles::of(&manifest.name);
    let url = |file: &str| crate::web::browser::absolute(&files.file(file));
    let (decoder, encoder) = manifest.weight_files();
    Ok(ToWorker::Load(LoadRequest {
        id,
        manifest_json,
        decoder_url: url(decoder),
        encoder_url: encoder.map(url),
        backend,
        companion,
    }))
}
