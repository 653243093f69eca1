//! Downloads in the worker (the model's weight files), with progress as the bytes arrive.
//!
//! web-sys here, not gloo-net as in the page: progress needs the body stream's reader, which
//! gloo-net does not wrap (its response hands out the same `ReadableStream`), and the worker has
//! no gloo in its dependency graph (the page gets gloo through yew), so gloo-net would add the
//! `http` crate and gloo-utils to the module every visitor downloads first for one `fetch` call.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Download `url`, reporting (bytes so far, total if the server said) as chunks arrive, at most
/// about every 5%: a model on a slow link should show movement, not a frozen spinner.
pub async fn fetch_bytes(url: &str, on_progress: impl Fn(f64, Option<f64>)) -> Result<Vec<u8>, String> {
    use js_sys::{Function, Promise, Reflect, Uint8Array};
    let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let failed = |e: wasm_bindgen::JsValue| format!("could not download {url}: {e:?}");
    let response: web_sys::Response =
        JsFuture::from(scope.fetch_with_str(url)).await.map_err(failed)?.unchecked_into();
    if !response.ok() {
        return Err(format!("could not download {url}: HTTP {}", response.status()));
    }
    // The stream API through Reflect: it saves three web-sys features for four calls.
    let get = |obj: &wasm_bindgen::JsValue, key: &str| Reflect::get(obj, &key.into()).map_err(failed);
    let headers = get(&response, "headers")?;
    let header: Function = get(&headers, "get")?.dyn_into().map_err(failed)?;
    let total = header
        .call1(&headers, &"content-length".into())
        .ok()
        .and_then(|v| v.as_string())
        .and_then(|v| v.parse::<f64>().ok());
    let body = get(&response, "body")?;
    let reader =
        get(&body, "getReader")?.dyn_into::<Function>().map_err(failed)?.call0(&body).map_err(failed)?;
    let read: Function = get(&reader, "read")?.dyn_into().map_err(failed)?;
    let mut bytes = Vec::with_capacity(total.unwrap_or(0.0) as usize);
    let mut reported = 0.0;
    loop {
        let promise: Promise = read.call0(&reader).map_err(failed)?.dyn_into().map_err(failed)?;
        let chunk = JsFuture::from(promise).await.map_err(failed)?;
        if get(&chunk, "done")?.as_bool() == Some(true) {
            break;
        }
        let value: Uint8Array = get(&chunk, "value")?.dyn_into().map_err(failed)?;
        let start = bytes.len();
        bytes.resize(start + value.length() as usize, 0);
        value.copy_to(&mut bytes[start..]);
        let done = bytes.len() as f64;
        if done - reported >= total.unwrap_or(1_048_576.0) * 0.05 {
            on_progress(done, total);
            reported = done;
        }
    }
    on_progress(bytes.len() as f64, total);
    Ok(bytes)
}
