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
