//! Which compute backend the app runs on, and falling back when WebGPU is missing.

use e2e::{Mode, Page};
use std::time::Duration;

#[test]
fn webgpu_mode_runs_on_webgpu_when_asked() {
    let page = Page::open("backend-webgpu", Mode::WebGpu, "?backend=webgpu");
    page.wait_ready();
    assert_eq!(page.text("backend").as_deref(), Some("webgpu"));
    assert!(page.text("notice").is_none(), "unexpected notice: {:?}", page.text("notice"));
    page.finish();
}

#[test]
fn without_an_adapter_the_app_falls_back_to_cpu_and_says_so() {
    let page = Page::open("backend-fallback", Mode::Cpu, "?backend=webgpu");
    page.wait_ready();
    assert_eq!(page.text("backend").as_deref(), Some("cpu"));
    let notice = page.text("notice").expect("a notice about the fallback");
    assert!(notice.contains("WebGPU") && notice.contains("CPU"), "{notice}");
    page.finish();
}

/// `auto` with an adapter: the CPU module draws the first image, the GPU module is fetched only
/// after a model is on screen, measures WebGPU against the CPU in a second worker, and the faster
/// one ends up decoding.
#[test]
fn auto_draws_on_the_cpu_module_first_and_measures_webgpu_in_the_background() {
    let page = Page::open("backend-auto", Mode::WebGpu, "");
    page.wait_ready();
    let why = "document.querySelector('[data-testid=backend]').title";
    page.wait_for(
        "the WebGPU trial",
        &format!("{why}.includes('measured one decode')"),
        Duration::from_secs(120),
    );
    let note = page.eval(why).as_str().unwrap_or_default().to_string();
    let ms = |name: &str| -> f64 {
        let rest = &note[note.find(name).unwrap_or_else(|| panic!("{name} in {note}")) + name.len()..];
        rest.trim_start().split(' ').next().and_then(|t| t.parse().ok()).unwrap_or_else(|| panic!("{note}"))
    };
    let expected = if ms("WebGPU") < ms("CPU") { "webgpu" } else { "cpu" };
    page.wait_for(
        &format!("the faster backend ({note})"),
        &format!("document.querySelector('[data-testid=backend]').textContent === '{expected}'"),
        Duration::from_secs(60),
    );
    page.wait_settled();
    let id = page.latest();
    page.set_slider(0, 1.0);
    page.wait_new_image(id);

    let served: Vec<String> = page.served().into_iter().map(|s| s.target).collect();
    let first = |path: &str| {
        served
            .iter()
            .position(|t| t.starts_with(path))
            .unwrap_or_else(|| panic!("{path} never served: {served:?}"))
    };
    // Chromium validates wasm relaxed SIMD, so its CPU module is the relaxed build.
    let (cpu, decoder, gpu) =
        (first("/worker_relaxed_bg.wasm"), first("/models/mnist-vae/decoder"), first("/worker_gpu_bg.wasm"));
    assert!(cpu < decoder && decoder < gpu, "CPU module, then the model, then the GPU module: {served:?}");
    page.finish();
}

#[test]
fn switching_backend_keeps_the_latent_code() {
    let page = Page::open("backend-switch", Mode::WebGpu, "?backend=webgpu");
    page.wait_ready();
    let id = page.latest();
    page.set_slider(0, 1.5);
    page.wait_new_image(id);
    let before = page.slider_z();
    page.eval(
        "(() => { const s = document.querySelector('[data-testid=backend-choice]'); s.value = 'cpu'; s.dispatchEvent(new Event('change', { bubbles: true })); })()",
    );
    page.wait_for(
        "the CPU backend",
        "document.querySelector('[data-testid=backend]').textContent === 'cpu'",
        Duration::from_secs(60),
    );
    page.wait_settled();
    assert_eq!(page.slider_z(), before);
    page.finish();
}

/// A real device loss: the test hook makes `worker_loader.js` destroy the worker's GPUDevice.
/// The app must notice by itself, say so, move to the CPU, keep z and the gallery, and decode.
#[test]
fn a_lost_gpu_device_falls_back_to_cpu_keeping_everything() {
    let page = Page::open("backend-device-loss", Mode::WebGpu, "?backend=webgpu&hooks=1#m=mnist-vae");
    page.wait_ready();
    assert_eq!(page.text("backend").as_deref(), Some("webgpu"));
    let examples = e2e::native::manifest("mnist-vae").examples.len();
    let items = "document.querySelectorAll('[data-testid=gallery-item]').length";
    page.wait_for("the examples", &format!("{items} >= {examples}"), Duration::from_secs(90));
    let id = page.latest();
    page.set_slider(0, -1.25);
    page.wait_new_image(id);
    let z = page.slider_z();
    let gallery = page.eval(items);

    page.eval("window.latentLabWorker.postMessage('test:lose-gpu-device')");
    page.wait_for(
        "the switch to the CPU",
        "document.querySelector('[data-testid=backend]')?.textContent === 'cpu'",
        Duration::from_secs(60),
    );
    let notice = page.text("notice").expect("a notice about the lost device");
    assert!(notice.contains("GPU device was lost") && notice.contains("CPU"), "{notice}");
    page.wait_settled();
    assert_eq!(page.slider_z(), z, "the latent code survives the device loss");
    assert_eq!(page.eval(items), gallery, "the gallery survives the device loss");

    // And decoding goes on, now on the CPU.
    let id = page.latest();
    page.set_slider(1, 2.0);
    page.wait_new_image(id);
    page.finish();
}

/// The CPU module comes in two builds (`web/worker_loader.js`): Chromium validates wasm relaxed
/// SIMD and gets the fused multiply-add build; `?simd=baseline` runs the other, which every
/// browser with wasm SIMD can. Both draw the native decode of the same code. The worker fetches
/// its module before the model's weights; the service worker, registered after the first image,
/// may fetch a module later for offline use.
#[test]
fn both_cpu_builds_draw_the_native_decode() {
    for (query, module, other) in [
        ("", "/worker_relaxed_bg.wasm", "/worker_bg.wasm"),
        ("&simd=baseline", "/worker_bg.wasm", "/worker_relaxed_bg.wasm"),
    ] {
        let page = Page::open("cpu-builds", Mode::Cpu, &format!("?backend=cpu{query}#m=mnist-vae"));
        page.wait_ready();
        page.wait_settled();
        let dim = e2e::native::manifest("mnist-vae").dims_by_kl()[0];
        let id = page.latest();
        page.set_slider(dim, 1.75);
        page.wait_new_image(id);
        let z = page.slider_z();
        let expected = e2e::native::decode("mnist-vae", &z);
        let drawn: Vec<u8> = page.canvas_rgba().chunks_exact(4).map(|p| p[0]).collect();
        let worst = expected.iter().zip(&drawn).map(|(a, b)| a.abs_diff(*b)).max().unwrap_or(255);
        assert!(worst <= 3, "{module}: the canvas differs from the native decode by up to {worst}/255");
        let served: Vec<String> = page.served().into_iter().map(|s| s.target).collect();
        let at = |path: &str| served.iter().position(|t| t.starts_with(path));
        let weights = at("/models/mnist-vae/decoder").expect("the decoder's weights");
        assert!(at(module).is_some_and(|m| m < weights), "{module} before the weights: {served:?}");
        assert!(at(other).is_none_or(|o| o > weights), "{other} not for the worker: {served:?}");
        page.finish();
    }
}

/// The model card's layer table (what `cargo xtask bench` records as each layer's time): one
/// row per compiled step of faces-vae's decoder, then the output made into pixels, each timed
/// for one code and for 64, so the rows add up to what the worker spends on a decode.
#[test]
fn the_layer_table_times_each_compiled_step_and_the_pixels() {
    let page = Page::open("layer-table", Mode::Cpu, "?backend=cpu#m=faces-vae");
    page.wait_ready();
    page.wait_settled();
    page.eval(
        "(document.querySelector('details.layers').open = true,
            document.querySelector('[data-testid=profile-layers]').click())",
    );
    page.wait_for(
        "the layer timings",
        "!!document.querySelector('[data-testid=layer-profile]')",
        Duration::from_secs(300),
    );
    let rows = page.eval(
        "Array.from(document.querySelectorAll('[data-testid=layer-profile] tbody tr')).map(r =>
            Array.from(r.querySelectorAll('td')).slice(0, 4).map(c => c.textContent))",
    );
    let rows: Vec<Vec<String>> = serde_json::from_value(rows).expect("rows of text");
    let ops: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(ops.iter().filter(|op| **op == "conv_transpose2d").count(), 4, "{rows:?}");
    assert_eq!(
        (rows.last().unwrap()[0].as_str(), ops.last().copied()),
        ("pixels", Some("output")),
        "{rows:?}"
    );
    let ms = |r: &Vec<String>, col: usize| r[col].parse::<f64>().expect("milliseconds");
    for r in rows.iter().filter(|r| r[1] != "reshape") {
        assert!(ms(r, 2) > 0.0 && ms(r, 3) > 0.0, "every step takes time: {rows:?}");
    }
    let total: f64 = rows.iter().map(|r| ms(r, 3)).sum();
    let shown: f64 = page
        .eval("document.querySelector('[data-testid=layer-profile]').dataset.totalBatch")
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("a total");
    assert!(
        (total - shown).abs() < 0.01 * rows.len() as f64,
        "the caption's total is the rows': {total} vs {shown}"
    );
    page.screenshot_element("details.layers", "-panel");
    // On a phone the table stays within its panel and the screen.
    page.emulate_device(390, 844, true);
    let edges = page.eval(
        "(() => { const t = document.querySelector('[data-testid=layer-profile]').getBoundingClientRect();
            const p = document.querySelector('details.layers').getBoundingClientRect();
            return [t.left, t.right, p.left, p.right, window.innerWidth]; })()",
    );
    page.screenshot_element("details.layers", "-phone");
    let e: Vec<f64> = serde_json::from_value(edges).expect("edges");
    assert!(
        e[0] >= e[2] - 1.0 && e[1] <= e[3] + 1.0 && e[1] <= e[4],
        "the layer table overflows on a phone: {e:?}"
    );
    page.finish();
}
