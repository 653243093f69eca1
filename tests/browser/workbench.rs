//! Encoding images, the gallery, interpolation and latent vectors, through the real page.
//! These run on the CPU path (the WebGPU path shares every line above the worker).

use e2e::scripts::PIXELS_OF;
use e2e::{Mode, Page, native};
use std::time::Duration;

pub(crate) const LONG: Duration = Duration::from_secs(90);
/// Ten face encodes on two busy cores.
pub(crate) const FACE_ENCODES: Duration = Duration::from_secs(90);

pub(crate) fn open(name: &str, model: &str) -> Page {
    let page = Page::open(name, Mode::Cpu, &format!("?backend=cpu#m={model}"));
    page.wait_ready();
    page.wait_settled();
    page
}

/// Open a digit model and wait until all its bundled examples are in the gallery.
pub(crate) fn open_with_examples(name: &str, model: &str) -> Page {
    let page = open(name, model);
    let examples = native::manifest(model).examples.len();
    assert!(examples >= 8, "{model} ships {examples} examples");
    page.wait_for(
        "the bundled examples to be encoded",
        &format!("document.querySelectorAll('[data-testid=gallery-item]').length >= {examples}"),
        LONG,
    );
    page
}

pub(crate) fn count(page: &Page, testid: &str) -> u64 {
    page.eval(&format!("document.querySelectorAll('[data-testid={testid}]').length")).as_u64().unwrap_or(0)
}

/// Draw a dark "7" on white paper in a page canvas and hand it to the file input as a PNG,
/// exactly as a picked file arrives.
pub(crate) const UPLOAD_SEVEN: &str = "(async () => {
    const c = document.createElement('canvas'); c.width = 120; c.height = 160;
    const g = c.getContext('2d'); g.fillStyle = '#fff'; g.fillRect(0, 0, 120, 160);
    g.strokeStyle = '#111'; g.lineWidth = 14; g.beginPath();
    g.moveTo(20, 30); g.lineTo(100, 30); g.lineTo(50, 140); g.stroke();
    const blob = await new Promise(r => c.toBlob(r, 'image/png'));
    const dt = new DataTransfer(); dt.items.add(new File([blob], 'seven.png', { type: 'image/png' }));
    const input = document.querySelector('[data-testid=file-input]');
    input.files = dt.files; input.dispatchEvent(new Event('change', { bubbles: true }));
})()";

/// Mean of a gallery canvas's pixels (0..255), found by the item's name and the canvas's testid.
fn item_canvas_mean(page: &Page, name: &str, which: &str) -> f64 {
    page.eval(&format!(
        "(async () => {{ {PIXELS_OF} const it = Array.from(document.querySelectorAll('[data-testid=gallery-item]')).find(i => i.textContent.includes('{name}'));
            const c = it.querySelector('[data-testid={which}]'); const d = (await pixelsOf(c)).data;
            let s = 0; for (let i = 0; i < d.length; i += 4) s += d[i]; return s / (d.length / 4); }})()"
    ))
    .as_f64()
    .unwrap_or(-1.0)
}

pub(crate) fn select(page: &Page, testid: &str, value: &str) {
    page.eval(&format!(
        "(() => {{ const s = document.querySelector('[data-testid={testid}]'); s.value = '{value}'; s.dispatchEvent(new Event('change', {{ bubbles: true }})); }})()"
    ));
}

pub(crate) fn input(page: &Page, testid: &str, value: &str) {
    page.eval(&format!(
        "(() => {{ const s = document.querySelector('[data-testid={testid}]'); s.value = '{value}'; s.dispatchEvent(new Event('input', {{ bubbles: true }})); }})()"
    ));
}

fn item_keys(page: &Page) -> Vec<String> {
    page.eval("Array.from(document.querySelectorAll('[data-testid=gallery-item]')).map(i => i.dataset.key)")
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

#[test]
fn an_uploaded_png_becomes_a_gallery_item_and_sets_the_sliders() {
    let page = open_with_examples("upload", "mnist-vae");
    let before = count(&page, "gallery-item");
    page.eval(UPLOAD_SEVEN);
    page.wait_for(
        "the upload to be encoded",
        &format!("document.querySelectorAll('[data-testid=gallery-item]').length === {}", before + 1),
        LONG,
    );
    // White ink on black after inversion, and a reconstruction with ink in it.
    let input_mean = item_canvas_mean(&page, "seven.png", "item-input");
    let recon_mean = item_canvas_mean(&page, "seven.png", "item-recon");
    assert!(input_mean > 10.0 && input_mean < 120.0, "prepared input mean {input_mean}");
    assert!(recon_mean > 10.0, "reconstruction is empty ({recon_mean})");
    let steps = page.eval("Array.from(document.querySelectorAll('[data-testid=gallery-item]')).find(i => i.textContent.includes('seven.png')).querySelector('.item-name').title");
    assert!(steps.as_str().is_some_and(|s| s.contains("invert")), "steps shown: {steps}");
    // Clicking it sets the sliders to μ and shows σ on each slider.
    let id = page.latest();
    page.eval("Array.from(document.querySelectorAll('[data-testid=gallery-item]')).find(i => i.textContent.includes('seven.png')).querySelector('button.pair').click()");
    page.wait_new_image(id);
    assert!(page.slider_z().iter().any(|v| v.abs() > 0.1));
    assert_eq!(count(&page, "sigma-band") as usize, native::manifest("mnist-vae").latent_dim);
    page.finish();
}

#[test]
fn interpolation_gives_n_frames_whose_midpoint_differs_from_both_ends() {
    let page = open_with_examples("interpolate", "mnist-vae");
    let keys = item_keys(&page);
    select(&page, "interp-a", &keys[0]);
    select(&page, "interp-b", &keys[1]);
    input(&page, "interp-frames", "5");
    page.wait_for(
        "a 5-frame strip",
        "document.querySelector('[data-testid=interp-strip]')?.dataset.frames === '5'",
        LONG,
    );
    let frames = page.eval(&format!(
        "(async () => {{ {PIXELS_OF} return Promise.all(Array.from(document.querySelectorAll('[data-testid=interp-frame] .thumb')).map(async c => Array.from((await pixelsOf(c)).data).filter((_, i) => i % 4 === 0))); }})()",
    ));
    let frames: Vec<Vec<u8>> = frames
        .as_array()
        .expect("frames")
        .iter()
        .map(|f| f.as_array().expect("pixels").iter().map(|p| p.as_u64().unwrap_or(0) as u8).collect())
        .collect();
    assert_eq!(frames.len(), 5);
    let diff = |a: &[u8], b: &[u8]| a.iter().zip(b).filter(|(x, y)| x.abs_diff(**y) > 32).count();
    assert!(diff(&frames[2], &frames[0]) > 20 && diff(&frames[2], &frames[4]) > 20, "midpoint equals an end");
    assert_eq!(count(&page, "interp-frame") as usize, 5);
    // The scrubber moves the sliders along the path.
    let before = page.slider_z();
    let id = page.latest();
    input(&page, "interp-scrub", "0.5");
    page.wait_new_image(id);
    assert_ne!(page.slider_z(), before);
    select(&page, "interp-mode", "slerp");
    page.wait_for(
        "a spherical strip",
        "document.querySelector('[data-testid=interp-strip]')?.dataset.frames === '5'",
        LONG,
    );
    page.finish();
}

/// Select the first bundled face whose label lacks `attribute`, add the manifest's `attribute`
/// vector at strength 1.5, and return the change inside `band` (rows) and in the whole image.
fn vector_change_in_rows(attribute: &str, band: std::ops::Range<usize>) -> (u64, u64) {
    let page = open(attribute, "faces-vae");
    let m = native::manifest("faces-vae");
    let bare = m
        .examples
        .iter()
        .position(|e| !e.label.split(", ").any(|l| l == attribute))
        .unwrap_or_else(|| panic!("a bundled face without {attribute}"));
    let find = format!(
        "Array.from(document.querySelectorAll('[data-testid=gallery-item]')).find(i => i.textContent.includes('example: {}'))?.dataset.key",
        m.examples[bare].label
    );
    page.wait_for("the bare face's example item", &format!("!!{find}"), FACE_ENCODES);
    let key = page.eval(&find);
    let key = key.as_str().expect("the example's gallery item").to_string();
    let id = page.latest();
    page.eval(&format!(
        "document.querySelector('[data-testid=gallery-item][data-key=\"{key}\"] button.pair').click()"
    ));
    page.wait_new_image(id);
    let before = page.canvas_rgba();
    select(&page, "vector-choice", attribute);
    let id = page.latest();
    input(&page, "vector-strength", "1.5");
    page.wait_new_image(id);
    let after = page.canvas_rgba();
    page.finish();
    let rows: Vec<u64> = (0..64)
        .map(|y| (y * 64 * 4..(y + 1) * 64 * 4).map(|i| u64::from(before[i].abs_diff(after[i]))).sum())
        .collect();
    (rows[band].iter().sum(), rows.iter().sum())
}

#[test]
fn the_glasses_vector_changes_a_face_mostly_in_the_eye_band() {
    // The generator puts eyes between rows ~22 and ~36 (pose jitter included).
    let (band, total) = vector_change_in_rows("glasses", 18..42);
    assert!(total > 5_000, "the vector barely changed the image ({total})");
    assert!(band as f64 > 0.6 * total as f64, "only {band} of {total} of the change is in the eye band");
}

#[test]
fn the_smile_vector_changes_a_face_mostly_round_the_mouth() {
    // The mouth sits between rows ~36 and ~51 for every pose; the band is as tall as the eyes',
    // where uniform change would put 37.5%.
    let (band, total) = vector_change_in_rows("smile", 32..56);
    assert!(total > 3_000, "the vector barely changed the image ({total})");
    assert!(band as f64 > 0.5 * total as f64, "only {band} of {total} of the change is round the mouth");
}

#[test]
fn a_user_defined_vector_is_built_from_marked_items_and_applied() {
    let page = open_with_examples("user-vector", "mnist-vae");
    let keys = item_keys(&page);
    for (i, mark) in ["with", "with", "without", "without"].iter().enumerate() {
        page.eval(&format!(
            "(() => {{ const s = document.querySelector('[data-testid=gallery-item][data-key=\"{}\"] [data-testid=item-mark]'); s.value = '{mark}'; s.dispatchEvent(new Event('change', {{ bubbles: true }})); }})()",
            keys[i]
        ));
    }
    page.eval("(() => { const n = document.querySelector('[data-testid=vector-name]'); n.value = 'zero-one minus two-three'; document.querySelector('[data-testid=vector-save]').click(); })()");
    page.wait_for(
        "the saved vector",
        "document.querySelectorAll('[data-testid=custom-vector]').length === 1",
        LONG,
    );
    let z0 = page.slider_z();
    let id = page.latest();
    input(&page, "vector-strength", "2");
    page.wait_new_image(id);
    let z1 = page.slider_z();
    let moved = z0.iter().zip(&z1).filter(|(a, b)| (*a - *b).abs() > 0.05).count();
    assert!(moved > 3, "the vector moved only {moved} dimensions");
    assert!(page.text("notice").is_none(), "{:?}", page.text("notice"));
    page.finish();
}

#[test]
fn the_gallery_survives_a_reload() {
    let page = open_with_examples("reload", "mnist-vae");
    page.eval(UPLOAD_SEVEN);
    page.wait_for("the upload", "Array.from(document.querySelectorAll('[data-testid=gallery-item]')).some(i => i.textContent.includes('seven.png'))", LONG);
    page.eval("location.reload()");
    std::thread::sleep(Duration::from_millis(500));
    page.wait_ready();
    page.wait_for("the restored item", "Array.from(document.querySelectorAll('[data-testid=gallery-item]')).some(i => i.textContent.includes('seven.png'))", LONG);
    let items = page.eval("Array.from(document.querySelectorAll('[data-testid=gallery-item]')).filter(i => i.textContent.includes('seven.png')).length");
    assert_eq!(items.as_u64(), Some(1), "the item must come back once");
    assert!(item_canvas_mean(&page, "seven.png", "item-recon") > 10.0);
    // It is kept in IndexedDB (room for big galleries), not in localStorage.
    let stored = page.eval(
        "new Promise((ok, fail) => { const r = indexedDB.open('latent-lab', 1); r.onerror = () => fail(r.error);
            r.onsuccess = () => { const g = r.result.transaction('kv').objectStore('kv').get('latent-lab/v1/workbench');
                g.onsuccess = () => ok(String(g.result)); g.onerror = () => fail(g.error); }; })",
    );
    assert!(stored.as_str().is_some_and(|t| t.contains("seven.png")), "IndexedDB holds {stored}");
    assert!(page.eval("localStorage.getItem('latent-lab/v1/workbench')").is_null());
    page.finish();
}

#[test]
fn switching_models_changes_sliders_and_image_size() {
    let page = open_with_examples("model-switch", "mnist-vae");
    select(&page, "model-picker", "faces-vae");
    page.wait_for("faces-vae to load", "document.querySelector('[data-testid=decoded]').width === 64", LONG);
    page.wait_settled();
    assert_eq!(count(&page, "latent-slider") as usize, native::manifest("faces-vae").latent_dim);
    let rgba = page.canvas_rgba();
    assert_eq!(rgba.len(), 64 * 64 * 4);
    assert!(rgba.chunks_exact(4).any(|p| p[0] != p[2]), "a face decodes in colour");
    select(&page, "model-picker", "mnist-vae-2d");
    page.wait_for(
        "mnist-vae-2d to load",
        "document.querySelectorAll('[data-testid=latent-slider]').length === 2",
        LONG,
    );
    page.wait_settled();
    page.finish();
}

/// The page's wasm and a model's weights both report download progress while they arrive.
#[test]
fn downloads_show_their_progress() {
    let page = open("download-progress", "mnist-vae");
    // The trunk initializer (web/boot.js) counted the page's wasm in to the last byte.
    let boot = page.eval("window.latentLabBoot");
    let (current, total) = (boot["current"].as_f64(), boot["total"].as_f64());
    assert!(total.is_some_and(|t| t > 1e6), "the page's wasm is several MB: {boot}");
    assert_eq!(current, total, "{boot}");
    // Record every text the loading line shows while another model loads.
    page.eval(
        "(() => { window.seen = []; new MutationObserver(() => {
            const l = document.querySelector('[data-testid=loading]');
            if (l) window.seen.push([l.textContent, l.querySelector('progress')?.value ?? null]);
        }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true }); })()",
    );
    select(&page, "model-picker", "fashion-vae");
    page.wait_for(
        "fashion-vae to load",
        "!document.querySelector('[data-testid=loading]') && window.seen.length > 0",
        LONG,
    );
    let seen = page.eval("window.seen");
    let steps = seen.as_array().cloned().unwrap_or_default();
    let downloading: Vec<_> =
        steps.iter().filter(|s| s[0].as_str().is_some_and(|t| t.contains("downloading weights, "))).collect();
    assert!(!downloading.is_empty(), "no byte counts shown: {seen}");
    // The bar ends full, or the line goes straight on to building the model: the last byte
    // count and the next stage can arrive within one frame, and the page draws only the newer.
    let full = downloading.iter().any(|s| s[1].as_f64() == Some(1.0));
    let last_count =
        steps.iter().rposition(|s| s[0].as_str().is_some_and(|t| t.contains("downloading weights, ")));
    let built_next = last_count
        .and_then(|i| steps.get(i + 1))
        .is_some_and(|s| s[0].as_str().is_some_and(|t| t.contains("building the model")));
    assert!(full || built_next, "the download never finished on screen: {seen}");
    page.finish();
}

#[test]
fn a_camera_snapshot_becomes_a_gallery_item() {
    // Chromium's fake camera (a moving test pattern) and an automatic yes to the permission.
    let page = Page::open_with(
        "webcam",
        Mode::Cpu,
        "?backend=cpu#m=mnist-vae",
        &["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"],
    );
    page.wait_ready();
    page.eval("document.querySelector('[data-testid=webcam-open]').click()");
    page.wait_for(
        "the camera picture",
        "(document.querySelector('[data-testid=webcam-video]')?.videoWidth ?? 0) > 0",
        LONG,
    );
    page.eval("document.querySelector('[data-testid=webcam-snap]').click()");
    page.wait_for(
        "the snapshot's item",
        "Array.from(document.querySelectorAll('[data-testid=gallery-item]')).some(i => i.textContent.includes('camera 1'))",
        LONG,
    );
    page.eval("document.querySelector('[data-testid=webcam-close]').click()");
    page.wait_for("the camera to stop", "!document.querySelector('[data-testid=webcam-video]')", LONG);
    page.finish();
}

#[test]
fn a_refused_camera_is_a_notice_and_the_gallery_is_kept() {
    let page = open_with_examples("webcam-refused", "mnist-vae");
    let before = item_keys(&page);
    page.eval("document.querySelector('[data-testid=webcam-open]').click()");
    page.wait_for("a notice", "!!document.querySelector('[data-testid=notice]')", LONG);
    let notice = page.text("notice").unwrap_or_default();
    assert!(notice.contains("camera is not available"), "{notice}");
    assert_eq!(item_keys(&page), before);
    assert!(page.eval("!!document.querySelector('[data-testid=webcam-open]')").as_bool().unwrap_or(false));
    page.finish();
}

#[test]
fn the_gallery_exports_to_a_file_and_imports_into_a_fresh_browser() {
    let page = open_with_examples("gallery-export", "mnist-vae");
    let before = count(&page, "gallery-item");
    page.eval(UPLOAD_SEVEN);
    page.wait_for(
        "the upload",
        &format!("document.querySelectorAll('[data-testid=gallery-item]').length === {}", before + 1),
        LONG,
    );
    page.eval("document.querySelector('[data-testid=gallery-export]').click()");
    page.wait_for(
        "the export",
        "document.querySelector('[data-testid=last-export]')?.download === 'latent-lab-gallery.json'",
        LONG,
    );
    let text = page.eval("(async () => await (await fetch(document.querySelector('[data-testid=last-export]').href)).text())()");
    let text = text.as_str().expect("the exported text").to_string();
    assert!(text.contains("seven.png") && text.contains("latent-lab-gallery/1"));
    page.finish();

    let fresh = open_with_examples("gallery-import", "mnist-vae");
    let examples = count(&fresh, "gallery-item");
    // A file that is not ours is refused and changes nothing.
    let import = |page: &Page, name: &str, body: &str| {
        page.eval(&format!(
            "(() => {{ const dt = new DataTransfer(); dt.items.add(new File([{body:?}], '{name}', {{ type: 'application/json' }}));
                const i = document.querySelector('[data-testid=gallery-import]'); i.files = dt.files; i.dispatchEvent(new Event('change', {{ bubbles: true }})); }})()"
        ));
    };
    import(&fresh, "junk.json", "{\"hello\": 1}");
    fresh.wait_for("a notice", "!!document.querySelector('[data-testid=notice]')", LONG);
    assert!(fresh.text("notice").unwrap_or_default().contains("not a Latent Lab gallery file"));
    assert_eq!(count(&fresh, "gallery-item"), examples);
    import(&fresh, "gallery.json", &text);
    fresh.wait_for(
        "the imported item",
        "Array.from(document.querySelectorAll('[data-testid=gallery-item]')).some(i => i.textContent.includes('seven.png'))",
        LONG,
    );
    assert_eq!(count(&fresh, "gallery-item"), examples + 1);
    fresh.finish();
}
