//! Small wrappers over browser APIs that return readable errors instead of JsValues.

use image_input::preprocess::{MAX_FILE_BYTES, MAX_PIXELS, Rgba, WORKING_SIZE};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

fn download_failed(url: &str) -> impl Fn(gloo_net::Error) -> String + '_ {
    move |e| format!("could not download {url}: {e}")
}

/// A successful (2xx) response for `url`, or a readable error.
async fn fetch_ok(url: &str) -> Result<gloo_net::http::Response, String> {
    let response = gloo_net::http::Request::get(url).send().await.map_err(download_failed(url))?;
    if !response.ok() {
        return Err(format!("could not download {url}: HTTP {}", response.status()));
    }
    Ok(response)
}

pub async fn fetch_text(url: &str) -> Result<String, String> {
    fetch_ok(url).await?.text().await.map_err(download_failed(url))
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

/// Load the page again (into a new build, say): the view is in the link, so it comes back.
pub fn reload() -> Result<(), String> {
    web_sys::window().ok_or("no window")?.location().reload().map_err(|e| format!("{e:?}"))
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

/// A seed for `prior_sample::draw`, from Math.random's 53 bits.
pub fn seed() -> u64 {
    (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64
}

pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    fetch_ok(url).await?.binary().await.map_err(download_failed(url))
}

pub async fn fetch_blob(url: &str) -> Result<web_sys::Blob, String> {
    // gloo-net has no blob(); its response is web-sys's underneath.
    let response: web_sys::Response = fetch_ok(url).await?.into();
    let failed = |e| format!("could not download {url}: {e:?}");
    let blob = JsFuture::from(response.blob().map_err(failed)?).await.map_err(failed)?;
    Ok(blob.unchecked_into())
}

/// Decode an image file into RGBA no larger than `WORKING_SIZE` on its long side. Size limits
/// are checked before the browser decodes anything big.
pub async fn read_image(blob: &web_sys::Blob, name: &str) -> Result<Rgba, String> {
    let size = blob.size();

    if size > MAX_FILE_BYTES {
        return Err(format!(
            "{name} is {:.1} MB; files up to {:.0} MB are accepted. Try a smaller copy.",
            size / 1048576.0,
            MAX_FILE_BYTES / 1048576.0
        ));
    }
    // Look at the bytes first: a header that declares billions of pixels must be refused before
    // the browser's decoder tries to allocate them, and a cut-off file should say so.
    let bytes = gloo_file::futures::read_as_bytes(&gloo_file::Blob::from(blob.clone()))
        .await
        .map_err(|_| format!("{name} could not be read."))?;
    image_input::sniff::sniff(&bytes).map_err(|why| format!("{name} {why}."))?;
    let window = web_sys::window().ok_or("no window")?;
    let not_image =
        |_| format!("{name} could not be decoded as an image. Use a PNG, JPEG, GIF, WebP or BMP file.");
    let bitmap: web_sys::ImageBitmap =
        JsFuture::from(window.create_image_bitmap_with_blob(blob).map_err(not_image)?)
            .await
            .map_err(not_image)?
            .unchecked_into();
    let (w, h) = (bitmap.width(), bitmap.height());
    if f64::from(w) * f64::from(h) > MAX_PIXELS {
        bitmap.close();
        return Err(format!("{name} is {w}×{h} pixels; images up to 40 megapixels are accepted."));
    }
    let scale = (f64::from(WORKING_SIZE) / f64::from(w.max(h))).min(1.0);
    let (tw, th) =
        (((f64::from(w) * scale).round() as u32).max(1), ((f64::from(h) * scale).round() as u32).max(1));
    let canvas = new_canvas(tw, th)?;
    let ctx = context(&canvas)?;
    ctx.draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, f64::from(tw), f64::from(th))
        .map_err(|e| format!("{name} could not be drawn: {e:?}"))?;
    bitmap.close();
    let data = ctx.get_image_data(0.0, 0.0, f64::from(tw), f64::from(th)).map_err(|e| format!("{e:?}"))?;
    Ok(Rgba { width: tw as usize, height: th as usize, data: data.data().0 })
}

pub fn new_canvas(w: u32, h: u32) -> Result<HtmlCanvasElement, String> {
    let doc = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let canvas: HtmlCanvasElement =
        doc.create_element("canvas").map_err(|e| format!("{e:?}"))?.unchecked_into();
    canvas.set_width(w);
    canvas.set_height(h);
    Ok(canvas)
}

pub fn context(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, String> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
        .ok_or_else(|| "this browser gives no 2-D canvas".to_string())
}

/// Draw model pixels (grey or RGB bytes) onto a canvas of the image's own size.
pub fn put_pixels(canvas: &HtmlCanvasElement, pixels: &[u8], shape: &bundle::ImageShape) {
    let rgba = worker_protocol::pixels::to_rgba(pixels, shape.channels);
    if rgba.len() != shape.width * shape.height * 4 {
        return;
    }
    let data = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
        wasm_bindgen::Clamped(&rgba),
        shape.width as u32,
        shape.height as u32,
    );
    if let (Ok(ctx), Ok(data)) = (context(canvas), data) {
        let _ = ctx.put_image_data(&data, 0.0, 0.0);
    }
}

/// Draw a picture as read (RGBA at its own size) onto a canvas of that size.
/// A canvas's pixels as PNG bytes, composited on white (what is drawn may be partly
/// transparent, and a saved picture should look as it did on the page).
pub fn canvas_png(canvas: &HtmlCanvasElement) -> Result<Vec<u8>, String> {
    let ctx = context(canvas)?;
    let (w, h) = (canvas.width(), canvas.height());
    let data = ctx.get_image_data(0.0, 0.0, f64::from(w), f64::from(h)).map_err(|e| format!("{e:?}"))?;
    let rgb = data
        .data()
        .0
        .chunks_exact(4)
        .flat_map(|p| {
            let a = u16::from(p[3]);
            let over = |c: u8| ((u16::from(c) * a + 255 * (255 - a)) / 255) as u8;
            [over(p[0]), over(p[1]), over(p[2])]
        })
        .collect();
    crate::export::png(&crate::export::Picture { width: w as usize, height: h as usize, rgb })
}

pub fn put_rgba(canvas: &HtmlCanvasElement, img: &Rgba) {
    let data = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
        wasm_bindgen::Clamped(&img.data),
        img.width as u32,
        img.height as u32,
    );
    if let (Ok(ctx), Ok(data)) = (context(canvas), data) {
        let _ = ctx.put_image_data(&data, 0.0, 0.0);
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn load_stored(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

/// Remove a value (after it moved to IndexedDB).
pub fn forget(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// Hand `bytes` to the browser as a download named `name`. The link stays in the page (hidden,
/// testid `last-export`) until the next export, so scripts and tests can read what was saved.
pub fn download(bytes: &[u8], name: &str, mime: &str) -> Result<(), String> {
    let doc = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|e| format!("the browser refused the file: {e:?}"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
    if let Some(old) = doc.query_selector("[data-testid=last-export]").ok().flatten() {
        if let Some(href) = old.get_attribute("href") {
            let _ = web_sys::Url::revoke_object_url(&href);
        }
        old.remove();
    }
    let a: web_sys::HtmlElement = doc.create_element("a").map_err(|e| format!("{e:?}"))?.unchecked_into();
    let _ = a.set_attribute("href", &url);
    let _ = a.set_attribute("download", name);
    let _ = a.set_attribute("data-testid", "last-export");
    let _ = a.set_attribute("data-bytes", &bytes.len().to_string());
    let _ = a.set_attribute("hidden", "");
    if let Some(body) = doc.body() {
        let _ = body.append_child(&a);
    }
    a.click();
    Ok(())
}

/// Push a history entry (a new view or model), so Back returns to the previous one.
pub fn push_hash(hash: &str) {
    if let Some(w) = web_sys::window()
        && let Ok(history) = w.history()
    {
        let url = format!("#{hash}");
        let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Ask for fullscreen; refusal (no user gesture, an iframe) is not an error worth a notice.
pub fn toggle_fullscreen() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    if doc.fullscreen_element().is_some() {
        doc.exit_fullscreen();
    } else if let Some(root) = doc.document_element() {
        let _ = root.request_fullscreen();
    }
}

/// Whether the browser hands out a WebGPU adapter. `navigator.gpu` alone is not enough: without
/// a usable GPU (or, in headless Chromium, without `--enable-unsafe-webgpu`) it is there but
/// `requestAdapter()` answers null, and then the GPU worker module would be downloaded for
/// nothing. Through `Reflect`: web-sys's WebGPU types need an unstable cfg.
pub async fn has_webgpu_adapter() -> bool {
    use js_sys::{Function, Promise, Reflect};
    let Some(window) = web_sys::window() else { return false };
    let Ok(gpu) = Reflect::get(&window.navigator(), &"gpu".into()) else { return false };
    if gpu.is_undefined() || gpu.is_null() {
        return false;
    }
    let request =
        Reflect::get(&gpu, &"requestAdapter".into()).ok().and_then(|f| f.dyn_into::<Function>().ok());
    let Some(promise) = request.and_then(|f| f.call0(&gpu).ok()).and_then(|p| p.dyn_into::<Promise>().ok())
    else {
        return false;
    };
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok_and(|a| !a.is_null() && !a.is_undefined())
}

/// `performance.now()`: milliseconds since the page started, 0 where there is no clock.
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}
