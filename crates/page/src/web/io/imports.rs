//! The files of models imported from PyTorch: read from what the user dropped or picked
//! (`crate::import` decides what they are), handed to the worker as a blob URL of the weights,
//! and kept in this browser's IndexedDB once the worker has built them. Nothing is uploaded.
//!
//! An import waits as *pending* until it has loaded; only then does it replace a kept model of
//! the same name, so a file that fails leaves the model the user had.

use crate::import::{ModelFiles, check_size, gather, manifest_of};
use crate::state::Action;
use crate::web::handle::Dispatcher;
use crate::web::store;
use bundle::IndexEntry;
use bundle::exported::Exported;
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The list of kept models (JSON of their index entries) and each one's files.
const LIST_KEY: &str = "latent-lab/v1/imports";
fn files_key(name: &str) -> String {
    format!("latent-lab/v1/import/{name}")
}

struct Files {
    graph_json: String,
    weights: web_sys::Blob,
    /// A blob URL of `weights`, which the worker fetches like any weights file.
    url: String,
}

#[derive(Default)]
struct Registry {
    kept: HashMap<String, Files>,
    pending: HashMap<String, Files>,
}

thread_local! {
    static REGISTRY: RefCell<Registry> = RefCell::new(Registry::default());
}

/// The weights URL of an imported model: the pending import's while it loads, else the kept one's.
pub fn weights_url(name: &str, pending: bool) -> Option<String> {
    REGISTRY.with_borrow(|r| {
        let from = if pending { r.pending.get(name).or(r.kept.get(name)) } else { r.kept.get(name) };
        from.map(|f| f.url.clone())
    })
}

/// The manifest of a kept model, when `name` is one (picked again in the picker or a link).
pub fn kept_manifest(name: &str) -> Option<Result<bundle::Manifest, String>> {
    REGISTRY.with_borrow_mut(|r| {
        // Picking a kept model abandons a failed import of the same name.
        r.pending.remove(name);
        let files = r.kept.get(name)?;
        Some(Exported::parse(&files.graph_json).map(|e| {
            let mut m = e.into_manifest();
            m.name = name.to_string();
            m
        }))
    })
}

/// Read the files the user gave, check them and start loading the model they hold. Every
/// refusal is a notice; nothing the user had changes.
pub async fn open_files(dispatcher: Dispatcher, files: Vec<web_sys::File>, models: Vec<IndexEntry>) {
    match read_and_register(files, &models).await {
        Ok(manifest) => dispatcher.dispatch(Action::ImportModel(Box::new(manifest))),
        Err(e) => dispatcher
            .dispatch(Action::Failed(format!("The model could not be opened: {e}. Nothing was changed."))),
    }
}

async fn read_and_register(
    files: Vec<web_sys::File>,
    models: &[IndexEntry],
) -> Result<bundle::Manifest, String> {
    let mut read = Vec::new();
    for file in files {
        let name = file.name();
        check_size(&name, file.size())?;
        let buffer =
            JsFuture::from(file.array_buffer()).await.map_err(|_| format!("{name} could not be read"))?;
        read.push((name, js_sys::Uint8Array::new(&buffer).to_vec()));
    }
    let files: ModelFiles = gather(read)?;
    let manifest = manifest_of(&files, models)?;
    let weights = blob(&files.weights)?;
    let url = web_sys::Url::create_object_url_with_blob(&weights).map_err(|e| format!("{e:?}"))?;
    let entry = Files { graph_json: files.graph_json, weights, url };
    REGISTRY.with_borrow_mut(|r| {
        if let Some(old) = r.pending.insert(manifest.name.clone(), entry) {
            let _ = web_sys::Url::revoke_object_url(&old.url);
        }
    });
    Ok(manifest)
}

fn blob(bytes: &[u8]) -> Result<web_sys::Blob, String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    web_sys::Blob::new_with_u8_array_sequence(&parts)
        .map_err(|e| format!("the browser refused the weights: {e:?}"))
}

/// The import of `name` loaded: it replaces any kept model of that name and is stored.
pub async fn keep(entry: IndexEntry) -> Result<(), String> {
    let stored = REGISTRY.with_borrow_mut(|r| {
        let files = r.pending.remove(&entry.name)?;
        if let Some(old) = r.kept.remove(&entry.name) {
            let _ = web_sys::Url::revoke_object_url(&old.url);
        }
        let value = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&value, &"graph".into(), &files.graph_json.as_str().into());
        let _ = js_sys::Reflect::set(&value, &"weights".into(), &files.weights);
        r.kept.insert(entry.name.clone(), files);
        Some(value)
    });
    let Some(value) = stored else { return Ok(()) };
    store::put_value(&files_key(&entry.name), &value).await?;
    let mut list = listed().await;
    list.retain(|e| e.name != entry.name);
    list.push(entry);
    store::put(LIST_KEY, &serde_json::to_string(&list).map_err(|e| e.to_string())?).await
}

/// The model `name` was removed: its files leave the registry and the storage.
pub async fn forget(name: &str) -> Result<(), String> {
    REGISTRY.with_borrow_mut(|r| {
        for files in [r.kept.remove(name), r.pending.remove(name)].into_iter().flatten() {
            let _ = web_sys::Url::revoke_object_url(&files.url);
        }
    });
    store::delete(&files_key(name)).await?;
    let mut list = listed().await;
    list.retain(|e| e.name != name);
    store::put(LIST_KEY, &serde_json::to_string(&list).map_err(|e| e.to_string())?).await
}

async fn listed() -> Vec<IndexEntry> {
    match store::get(LIST_KEY).await {
        Ok(Some(text)) => serde_json::from_str(&text).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The models kept in this browser, read back at start; one that cannot be read is left out
/// and named in the error list.
pub async fn restore() -> (Vec<IndexEntry>, Vec<String>) {
    let (mut entries, mut errors) = (Vec::new(), Vec::new());
    for entry in listed().await {
        match store::get_value(&files_key(&entry.name)).await.and_then(|v| files_of(&v)) {
            Ok(files) => {
                REGISTRY.with_borrow_mut(|r| r.kept.insert(entry.name.clone(), files));
                entries.push(entry);
            }
            Err(e) => errors.push(format!("{}: {e}", entry.name)),
        }
    }
    (entries, errors)
}

fn files_of(value: &JsValue) -> Result<Files, String> {
    let get = |k: &str| js_sys::Reflect::get(value, &k.into()).ok();
    let graph_json = get("graph").and_then(|g| g.as_string()).ok_or("its stored graph is missing")?;
    let weights: web_sys::Blob =
        get("weights").and_then(|w| w.dyn_into().ok()).ok_or("its stored weights are missing")?;
    let url = web_sys::Url::create_object_url_with_blob(&weights).map_err(|e| format!("{e:?}"))?;
    Ok(Files { graph_json, weights, url })
}
