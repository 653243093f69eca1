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
    let (cpu, decoder, gpu) =
        (first("/worker_bg.wasm"), first("/models/mnist-vae/decoder"), first("/worker_gpu_bg.wasm"));
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
