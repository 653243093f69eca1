//! What the user made (gallery, vectors) kept in this browser's IndexedDB: it holds far more
//! than localStorage's few MB, and writes off the main thread. One object store of strings.
//!
//! Every IndexedDB call is callback-based; each is wrapped in a Promise so the rest reads as
//! `async`. Failures (storage disabled, quota full) come back as readable messages.

use js_sys::{Function, Promise};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode};

const DB: &str = "latent-lab";
const STORE: &str = "kv";

/// Why a request failed, in words: a DOMException's name and message when there is one.
fn reason(e: &JsValue) -> String {
    let get = |k: &str| js_sys::Reflect::get(e, &k.into()).ok().and_then(|v| v.as_string());
    match (get("name"), get("message")) {
        (Some(n), _) if n == "QuotaExceededError" => {
            "the browser's storage for this page is full: delete some gallery items or export them".into()
        }
        (Some(n), Some(m)) => format!("{n}: {m}"),
        _ => format!("{e:?}"),
    }
}

/// A Promise and its two settling functions. `Promise::new` runs its executor at once, so both
/// are always there; the callbacks below own them.
fn promise() -> (Promise, Function, Function) {
    let mut settle = None;
    let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    let (resolve, reject) = settle.unwrap_or_else(|| (Function::new_no_args(""), Function::new_no_args("")));
    (promise, resolve, reject)
}

/// Resolve with the request's result on success, reject with its error.
///
/// The callbacks are `Closure`s dropped when this returns, not `once_into_js`: only one of the
/// two ever fires, and a `once_into_js` that is never called is never freed (every save and
/// every load would leak one, for as long as a lecture keeps the page open).
async fn request(req: &IdbRequest) -> Result<JsValue, String> {
    let (promise, resolve, reject) = promise();
    let (ok, failed) = (req.clone(), req.clone());
    let on_ok = Closure::<dyn FnMut()>::new(move || {
        let _ = resolve.call1(&JsValue::NULL, &ok.result().unwrap_or(JsValue::UNDEFINED));
    });
    let on_err = Closure::<dyn FnMut()>::new(move || {
        let error = failed.error().ok().flatten().map(JsValue::from).unwrap_or(JsValue::NULL);
        let _ = reject.call1(&JsValue::NULL, &error);
    });
    req.set_onsuccess(Some(on_ok.as_ref().unchecked_ref()));
    req.set_onerror(Some(on_err.as_ref().unchecked_ref()));
    let result = JsFuture::from(promise).await.map_err(|e| reason(&e));
    req.set_onsuccess(None);
    req.set_onerror(None);
    result
}

async fn open() -> Result<IdbDatabase, String> {
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or("this browser does not allow storage here")?;
    let req: IdbOpenDbRequest = factory.open_with_u32(DB, 1).map_err(|e| reason(&e))?;
    let upgrading = req.clone();
    // Fires (before success) only when the database is new; kept until the open settles.
    let on_upgrade = Closure::<dyn FnMut()>::new(move || {
        if let Ok(db) = upgrading.result().and_then(|r| r.dyn_into::<IdbDatabase>()) {
            let _ = db.create_object_store(STORE);
        }
    });
    req.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
    let db = request(&req).await;
    req.set_onupgradeneeded(None);
    Ok(db?.unchecked_into())
}

/// The string stored under `key`, if any.
pub async fn get(key: &str) -> Result<Option<String>, String> {
    Ok(get_value(key).await?.as_string())
}

/// Store `value` under `key`; resolves once the transaction is committed.
pub async fn put(key: &str, value: &str) -> Result<(), String> {
    put_value(key, &value.into()).await
}

/// Whatever is stored under `key` (undefined when nothing is): strings, and for imported
/// models objects holding a Blob, which IndexedDB keeps as it is (no copy through a string).
pub async fn get_value(key: &str) -> Result<JsValue, String> {
    let db = open().await?;
    let tx = db.transaction_with_str(STORE).map_err(|e| reason(&e))?;
    let store = tx.object_store(STORE).map_err(|e| reason(&e))?;
    let value = request(&store.get(&key.into()).map_err(|e| reason(&e))?).await;
    db.close();
    value
}

/// Store any structured-cloneable value under `key`; resolves once committed.
pub async fn put_value(key: &str, value: &JsValue) -> Result<(), String> {
    let db = open().await?;
    let tx =
        db.transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite).map_err(|e| reason(&e))?;
    let store = tx.object_store(STORE).map_err(|e| reason(&e))?;
    store.put_with_key(value, &key.into()).map_err(|e| reason(&e))?;
    let done = committed(&tx).await;
    db.close();
    done
}

/// Remove what is stored under `key`; resolves once committed.
pub async fn delete(key: &str) -> Result<(), String> {
    let db = open().await?;
    let tx =
        db.transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite).map_err(|e| reason(&e))?;
    let store = tx.object_store(STORE).map_err(|e| reason(&e))?;
    store.delete(&key.into()).map_err(|e| reason(&e))?;
    let done = committed(&tx).await;
    db.close();
    done
}

/// A write is only safe once its transaction completes; quota errors show up as an abort.
async fn committed(tx: &IdbTransaction) -> Result<(), String> {
    let (promise, resolve, reject) = promise();
    let on_ok = Closure::<dyn FnMut()>::new(move || {
        let _ = resolve.call0(&JsValue::NULL);
    });
    let failed = tx.clone();
    let on_fail = Closure::<dyn FnMut()>::new(move || {
        let error = failed.error().map(JsValue::from).unwrap_or(JsValue::NULL);
        let _ = reject.call1(&JsValue::NULL, &error);
    });
    tx.set_oncomplete(Some(on_ok.as_ref().unchecked_ref()));
    tx.set_onabort(Some(on_fail.as_ref().unchecked_ref()));
    let result = JsFuture::from(promise).await.map(|_| ()).map_err(|e| reason(&e));
    tx.set_oncomplete(None);
    tx.set_onabort(None);
    result
}
