//! The one way the page asks the worker to load a model, for the workbench and for the
//! comparison's companions alike.

use bundle::{Manifest, ModelFiles};
use worker_protocol::{BackendChoice, ToWorker};

/// `ToWorker::Load` for `manifest`: the manifest travels as JSON (the page has already parsed
/// and checked it), the weights as an absolute URL the worker fetches itself.
pub fn load_request(
    id: u64,
    manifest: &Manifest,
    backend: BackendChoice,
    companion: bool,
) -> Result<ToWorker, String> {
    let manifest_json = serde_json::to_string(manifest).map_err(|e| e.to_string())?;
    let weights_url = crate::web::browser::absolute(&ModelFiles::of(&manifest.name).weights());
    Ok(ToWorker::Load { id, manifest_json, weights_url, backend, companion })
}
