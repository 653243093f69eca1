//! The one way the page asks the worker to load a model, for the workbench and for the
//! comparison's companions alike.

use bundle::{Manifest, ModelFiles};
use worker_protocol::{BackendChoice, LoadRequest, ToWorker};

/// `ToWorker::Load` for `manifest`: the manifest travels as JSON (the page has already parsed
/// and checked it), the weights as absolute URLs the worker fetches itself (the encoder's only
/// when something is encoded). An imported model's weights are a blob URL of the user's file
/// (`imports.rs`): the one being imported (`pending_import`) until it has loaded, then the kept one.
pub fn load_request(
    id: u64,
    manifest: &Manifest,
    backend: BackendChoice,
    companion: bool,
    pending_import: bool,
) -> Result<ToWorker, String> {
    let manifest_json = serde_json::to_string(manifest).map_err(|e| e.to_string())?;
    if manifest.architecture.is_imported() {
        let url = super::imports::weights_url(&manifest.name, pending_import).ok_or_else(|| {
            format!(
                "the files of the imported model {} are no longer in this browser: open them again",
                manifest.name
            )
        })?;
        return Ok(ToWorker::Load(LoadRequest {
            id,
            manifest_json,
            decoder_url: url,
            encoder_url: None,
            backend,
            companion,
        }));
    }
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
