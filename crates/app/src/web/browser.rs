//! Small wrappers over browser APIs that return readable errors instead of JsValues.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

pub async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let failed = |e: wasm_bindgen::JsValue| format!("could not download {url}: {e:?}");
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str(url)).await.map_err(failed)?.unchecked_into();
    if !response.ok() {
        return Err(format!("could not download {url}: HTTP {}", response.status()));
    }
    let text = JsFuture::from(response.text().map_err(failed)?).await.map_err(failed)?;
    text.as_string().ok_or_else(|| format!("{url} is not text"))
}

/// An absolute URL for a path relative to the page, for the worker (whose base differs).
pub fn absolute(path: &str) -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .and_then(|base| web_sys::Url::new_with_base(path, &base).ok())
        .map(|u| u.href())
        .unwrap_or_else(|| path.to_string())
}

pub fn location_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// A query parameter of the page's URL (`?backend=cpu`).
pub fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()?.get(name)
}

/// Replace the hash without adding a history entry per slider move.
pub fn replace_hash(hash: &str) {
    if let Some(w) = web_sys::window()
        && let Ok(history) = w.history()
    {
        let url = format!("#{hash}");
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// A standard normal sample (Box-Muller on Math.random): sampling needs no seed on the page.
pub fn normal() -> f32 {
    let u1 = js_sys::Math::random().max(1e-12);
    let u2 = js_sys::Math::random();
    ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
}
