//! The sliders drive the decoder, in both modes (`?backend=webgpu` exercises the GPU path where
//! it exists; without an adapter the same page runs on the CPU).

use e2e::{Mode, Page, native};

const MODEL: &str = "mnist-vae";

fn open(name: &str, mode: Mode) -> Page {
    let tag = match mode {
        Mode::WebGpu => "webgpu",
        Mode::Cpu => "cpu",
    };
    let page = Page::open(&format!("{name}-{tag}"), mode, &format!("?backend=webgpu#m={MODEL}"));
    page.wait_ready();
    page.wait_settled();
    page
}

fn one_slider_per_latent_dimension(mode: Mode) {
    let page = open("slider-count", mode);
    let count = page.eval("document.querySelectorAll('[data-testid=latent-slider]').length");
    assert_eq!(count.as_u64(), Some(native::manifest(MODEL).latent_dim as u64));
    let label = page.eval("document.querySelector('[data-testid=latent-slider]').getAttribute('aria-label')");
    assert!(label.as_str().is_some_and(|l| l.starts_with("latent ")), "{label}");
    page.finish();
}

fn moving_a_slider_changes_the_canvas(mode: Mode) {
    let page = open("slider-moves", mode);
    let before = page.canvas_rgba();
    let dim = native::manifest(MODEL).dims_by_kl()[0];
    page.set_slider(dim, 2.5);
    page.wait_settled();
    let after = page.canvas_rgba();
    let changed = before.iter().zip(&after).filter(|(a, b)| a.abs_diff(**b) > 16).count();
    assert!(changed > 40, "only {changed} channel values changed");
    page.finish();
}

/// 200 moves as fast as events can be dispatched; the final image must be the decode of the
/// final code, checked against a native decode of the same weights.
fn a_burst_of_moves_ends_on_the_final_decode(mode: Mode) {
    let page = open("slider-burst", mode);
    let dims = native::manifest(MODEL).latent_dim;
    page.eval(&format!(
        "(async () => {{
            const sliders = Array.from(document.querySelectorAll('[data-testid=latent-slider]'));
            let seed = 7;
            const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
            for (let i = 0; i < 200; i++) {{
                const s = sliders[Math.floor(rand() * {dims})];
                s.value = (rand() * 6 - 3).toFixed(2);
                s.dispatchEvent(new Event('input', {{ bubbles: true }}));
                if (i % 4 == 0) await new Promise(r => setTimeout(r, 0));
            }}
        }})()"
    ));
    page.wait_settled();
    let z = page.slider_z();
    assert_eq!(z.len(), dims);
    assert!(z.iter().any(|v| v.abs() > 0.5), "the burst did not move the sliders: {z:?}");
    let expected = native::decode(MODEL, &z);
    let drawn: Vec<u8> = page.canvas_rgba().chunks_exact(4).map(|p| p[0]).collect();
    let worst = expected.iter().zip(&drawn).map(|(a, b)| a.abs_diff(*b)).max().unwrap_or(255);
    assert!(worst <= 3, "canvas differs from the native decode of the final z by up to {worst}/255");
    page.finish();
}

fn sampling_changes_the_image(mode: Mode) {
    let page = open("sample", mode);
    let before = page.canvas_rgba();
    page.eval("document.querySelector('[data-testid=sample]').click()");
    page.wait_settled();
    assert!(page.slider_z().iter().any(|v| *v != 0.0), "sampling left z at the origin");
    assert_ne!(page.canvas_rgba(), before);
    page.eval("document.querySelector('[data-testid=reset]').click()");
    page.wait_settled();
    assert!(page.slider_z().iter().all(|v| *v == 0.0));
    assert_eq!(page.canvas_rgba(), before, "reset did not return to the origin's image");
    page.finish();
}

/// Switching to the 2-D model rebuilds the sliders and decodes with the new weights, on either
/// backend; the canvas then equals the native decode of the new model at the origin.
fn switching_models_decodes_with_the_new_model(mode: Mode) {
    let page = open("model-switch", mode);
    let backend = page.text("backend");
    page.eval(
        "(() => { const s = document.querySelector('[data-testid=model-picker]'); s.value = 'mnist-vae-2d'; s.dispatchEvent(new Event('change', { bubbles: true })); })()",
    );
    page.wait_for(
        "mnist-vae-2d to load",
        "document.querySelectorAll('[data-testid=latent-slider]').length === 2",
        std::time::Duration::from_secs(90),
    );
    page.wait_settled();
    assert_eq!(page.text("backend"), backend, "a model switch keeps the backend");
    let expected = native::decode("mnist-vae-2d", &[0.0, 0.0]);
    let drawn: Vec<u8> = page.canvas_rgba().chunks_exact(4).map(|p| p[0]).collect();
    let worst = expected.iter().zip(&drawn).map(|(a, b)| a.abs_diff(*b)).max().unwrap_or(255);
    assert!(worst <= 3, "canvas differs from the native decode of mnist-vae-2d by up to {worst}/255");
    page.finish();
}

macro_rules! both_modes {
    ($($name:ident),*) => {
        mod webgpu { use super::*; $( #[test] fn $name() { super::$name(Mode::WebGpu) } )* }
        mod cpu { use super::*; $( #[test] fn $name() { super::$name(Mode::Cpu) } )* }
    };
}

both_modes!(
    one_slider_per_latent_dimension,
    moving_a_slider_changes_the_canvas,
    a_burst_of_moves_ends_on_the_final_decode,
    sampling_changes_the_image,
    switching_models_decodes_with_the_new_model
);

/// The worst channel difference between the canvas and the native decode of `z`.
fn worst_against_native(page: &Page, z: &[f32]) -> u8 {
    let expected = native::decode(MODEL, z);
    let drawn: Vec<u8> = page.canvas_rgba().chunks_exact(4).map(|p| p[0]).collect();
    expected.iter().zip(&drawn).map(|(a, b)| a.abs_diff(*b)).max().unwrap_or(255)
}

/// A drag runs ahead of the page's state (`live_drag.rs`): each move is decoded and drawn
/// before the page re-renders anything but the slider, and when the hand rests the rest of the
/// page (the link, the newest decode id) catches up with the same code.
#[test]
fn a_dragged_slider_is_drawn_at_once_and_the_page_catches_up_when_the_hand_rests() {
    let page = open("slider-live", Mode::Cpu);
    let dim = native::manifest(MODEL).dims_by_kl()[0];
    let (latest, link) = (page.latest(), page.eval("location.hash"));
    let during = page.eval(&format!(
        "(async () => {{
            const s = document.querySelector('[data-testid=latent-slider][data-dim=\"{dim}\"]');
            const canvas = document.querySelector('[data-testid=decoded]');
            const app = document.querySelector('[data-testid=app]');
            for (const v of ['0.50', '1.25', '2.25']) {{
                const before = Number(canvas.dataset.drawn);
                s.value = v;
                s.dispatchEvent(new Event('input', {{ bubbles: true }}));
                while (Number(canvas.dataset.drawn) <= before) await new Promise(r => setTimeout(r, 1));
            }}
            // The newest move's image, asked after the last move: wait for it to be drawn.
            await new Promise(r => setTimeout(r, 20));
            return {{ dragging: canvas.dataset.dragging ?? null, latest: app.dataset.latest,
                      value: s.closest('label').querySelector('[data-testid=latent-value]').textContent }};
        }})()"
    ));
    assert_eq!(during["dragging"], "true", "{during}");
    assert_eq!(
        during["latest"].as_str(),
        Some(latest.to_string().as_str()),
        "the reducer waits for the hand: {during}"
    );
    assert_eq!(during["value"], "+2.25", "the moved slider shows the hand's value: {during}");
    let mut z = vec![0.0; native::manifest(MODEL).latent_dim];
    z[dim] = 2.25;
    let worst = worst_against_native(&page, &z);
    assert!(worst <= 3, "mid-drag canvas differs from the native decode by up to {worst}/255");
    page.wait_settled();
    assert!(page.latest() > latest, "the page's state caught up");
    assert_ne!(page.eval("location.hash"), link, "the link follows the dragged code");
    assert_eq!(page.slider_z(), z);
    let worst = worst_against_native(&page, &z);
    assert!(worst <= 3, "settled canvas differs from the native decode by up to {worst}/255");
    // Below zero the value reads with a minus sign (U+2212), as wide as the plus.
    let id = page.latest();
    page.set_slider(dim, -1.5);
    page.wait_new_image(id);
    let shown = page.eval(&format!(
        "document.querySelector('[data-testid=latent-slider][data-dim=\"{dim}\"]').closest('label').querySelector('[data-testid=latent-value]').textContent"
    ));
    assert_eq!(shown, "\u{2212}1.50");
    page.finish();
}

/// Anything done mid-drag acts on the dragged code: Reset straight after a move leaves the
/// origin, not the move applied late over it.
#[test]
fn an_action_during_a_drag_comes_after_the_moves() {
    let page = open("slider-live-reset", Mode::Cpu);
    let origin = page.canvas_rgba();
    let dim = native::manifest(MODEL).dims_by_kl()[0];
    page.eval(&format!(
        "(() => {{
            const s = document.querySelector('[data-testid=latent-slider][data-dim=\"{dim}\"]');
            s.value = '2.50';
            s.dispatchEvent(new Event('input', {{ bubbles: true }}));
            document.querySelector('[data-testid=reset]').click();
        }})()"
    ));
    // Past the hand-over's timer, so a late move would have landed by now.
    std::thread::sleep(std::time::Duration::from_millis(400));
    page.wait_settled();
    assert!(page.slider_z().iter().all(|v| *v == 0.0), "{:?}", page.slider_z());
    assert_eq!(page.canvas_rgba(), origin, "the origin's image");
    page.finish();
}
