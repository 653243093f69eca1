//! What the page fetches to start: the model index, the link in the address bar, and a
//! model's manifest. Every failure becomes a notice and a sensible default.

use crate::state::Action;
use crate::web::browser;
use crate::web::handle::Dispatcher;
use bundle::{INDEX_URL, IndexEntry, Manifest, ModelFiles};
use latent::UrlState;

pub use bundle::DEFAULT_MODEL;

/// Read the index and the link, then load the model they name.
pub async fn boot(dispatcher: Dispatcher) {
    let models: Vec<IndexEntry> = match browser::fetch_text(INDEX_URL)
        .await
        .and_then(|t| serde_json::from_str(&t).map_err(|e| format!("{INDEX_URL} is not valid: {e}")))
    {
        Ok(m) => m,
        Err(e) => return dispatcher.dispatch(Action::Failed(e)),
    };
    // Models imported earlier, kept in this browser, join the picker (and may be what a link names).
    let (kept, unreadable) = super::imports::restore().await;
    let mut models = models;
    models.extend(kept.into_iter().filter(|k| !models.iter().any(|m| m.name == k.name)).collect::<Vec<_>>());
    if !unreadable.is_empty() {
        dispatcher.dispatch(Action::Failed(format!(
            "Some imported models could not be read back from this browser's storage ({}); open their files again.",
            unreadable.join("; ")
        )));
    }
    dispatcher.dispatch(Action::IndexLoaded(models.clone()));
    let link = match UrlState::decode(&browser::location_hash()) {
        Ok(link) => link,
        Err(e) => {
            dispatcher.dispatch(Action::Failed(format!(
                "This link could not be read: {e}. Showing the default view."
            )));
            UrlState::default()
        }
    };
    // View, vector, ends and presentation mode wait in the reducer for the model to load.
    dispatcher.dispatch(Action::Link(link.clone()));
    let known = |name: &str| models.iter().any(|m| m.name == name);
    let fallback = if known(DEFAULT_MODEL) {
        Some(DEFAULT_MODEL.to_string())
    } else {
        models.first().map(|m| m.name.clone())
    };
    let (name, z) = match link.model {
        Some(name) if known(&name) => (Some(name), link.z),
        Some(name) => {
            dispatcher.dispatch(Action::Failed(format!(
                "The link names a model \"{name}\" that is not available here. Showing the default model."
            )));
            (fallback, None)
        }
        None => (fallback, None),
    };
    match name {
        Some(name) => load_manifest(dispatcher, name, z).await,
        None => dispatcher.dispatch(Action::Failed(format!("No models are installed in {INDEX_URL}."))),
    }
}

pub async fn fetch_manifest(name: &str) -> Result<Manifest, String> {
    if let Some(imported) = super::imports::kept_manifest(name) {
        return imported;
    }
    let manifest = browser::fetch_text(&ModelFiles::of(name).manifest())
        .await
        .and_then(|t| Manifest::parse(&t).map_err(|e| e.to_string()))?;
    // The weights are fetched by the manifest's name: a manifest copied into another folder
    // would silently load the other model's weights.
    if manifest.name != name {
        return Err(format!("its manifest says it is \"{}\", not \"{name}\"", manifest.name));
    }
    Ok(manifest)
}

pub async fn load_manifest(dispatcher: Dispatcher, name: String, z: Option<Vec<f32>>) {
    match fetch_manifest(&name).await {
        Ok(manifest) => dispatcher.dispatch(Action::ManifestLoaded { manifest: Box::new(manifest), z }),
        Err(error) => dispatcher.dispatch(Action::ModelUnavailable { name, error }),
    }
}
