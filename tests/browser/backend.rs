//! Which compute backend the app runs on, and falling back when WebGPU is missing.

use e2e::{Mode, Page};

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

#[test]
fn auto_measures_both_backends_and_reports_the_choice() {
    let page = Page::open("backend-auto", Mode::WebGpu, "");
    page.wait_ready();
    let backend = page.text("backend").unwrap_or_default();
    assert!(backend == "webgpu" || backend == "cpu", "{backend}");
    let why = page.eval("document.querySelector('[data-testid=backend]').title");
    assert!(why.as_str().is_some_and(|w| w.contains("measured one decode")), "{why}");
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
        std::time::Duration::from_secs(60),
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
    page.wait_for("the examples", &format!("{items} >= {examples}"), std::time::Duration::from_secs(90));
    let id = page.latest();
    page.set_slider(0, -1.25);
    page.wait_new_image(id);
    let z = page.slider_z();
    let gallery = page.eval(items);

    page.eval("window.latentLabWorker.postMessage('test:lose-gpu-device')");
    page.wait_for(
        "the switch to the CPU",
        "document.querySelector('[data-testid=backend]')?.textContent === 'cpu'",
        std::time::Duration::from_secs(60),
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
