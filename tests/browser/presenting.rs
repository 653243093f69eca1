//! Presenting and exporting through the real page: presentation mode, keyboard shortcuts, and
//! the PNG and GIF exports checked by decoding the files the browser would save. CPU path.

use crate::lecture::{LONG, attr, click, open};
use e2e::{Page, native};

fn press(page: &Page, key: &str) {
    page.eval(&format!(
        "document.body.dispatchEvent(new KeyboardEvent('keydown', {{ key: '{key}', bubbles: true }}))"
    ));
}

/// The bytes of the newest export, as the browser would save them.
fn last_export(page: &Page) -> (String, Vec<u8>) {
    page.wait_for("an export", "!!document.querySelector('[data-testid=last-export]')", LONG);
    let name = attr(page, "last-export", "download");
    let bytes = page.eval(
        "(async () => { const a = document.querySelector('[data-testid=last-export]');
            try { return Array.from(new Uint8Array(await (await fetch(a.href)).arrayBuffer())); } catch (e) { return String(e); } })()",
    );
    let bytes = bytes.as_array().unwrap_or_else(|| panic!("the export could not be read: {bytes}"));
    (name, bytes.iter().map(|b| b.as_u64().unwrap_or(0) as u8).collect())
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    let reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().expect("a valid PNG");
    (reader.info().width, reader.info().height)
}

/// (width, height, frames) of a GIF, decoding every frame.
fn gif_shape(bytes: &[u8]) -> (u16, u16, usize) {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut d = options.read_info(std::io::Cursor::new(bytes)).expect("a valid GIF");
    let mut frames = 0;
    while d.read_next_frame().expect("a readable frame").is_some() {
        frames += 1;
    }
    (d.width(), d.height(), frames)
}

#[test]
fn presentation_mode_and_keyboard_shortcuts() {
    let page = open("present", "m=mnist-vae");
    press(&page, "?");
    page.wait_for("the shortcut list", "!!document.querySelector('[data-testid=shortcuts]')", LONG);
    press(&page, "Escape");
    page.wait_for("the list to close", "!document.querySelector('[data-testid=shortcuts]')", LONG);
    let small = page
        .eval("document.querySelector('[data-testid=decoded]').getBoundingClientRect().width")
        .as_f64()
        .unwrap();
    press(&page, "p");
    page.wait_for(
        "presentation mode",
        "document.querySelector('[data-testid=app]').classList.contains('present')",
        LONG,
    );
    let large = page
        .eval("document.querySelector('[data-testid=decoded]').getBoundingClientRect().width")
        .as_f64()
        .unwrap();
    assert!(large > small * 1.4, "the image grew from {small} to {large}");
    assert!(page.eval("location.hash").as_str().unwrap().contains("p=1"));
    // Down selects the second dimension by KL; Right moves it by 0.1.
    let second = native::manifest("mnist-vae").dims_by_kl()[1];
    let id = page.latest();
    press(&page, "ArrowDown");
    press(&page, "ArrowRight");
    page.wait_new_image(id);
    assert!((page.slider_z()[second] - 0.1).abs() < 1e-4, "{:?}", page.slider_z());
    press(&page, "t");
    page.wait_for(
        "the traversal view",
        "document.querySelector('[data-testid=views]').dataset.view === 'traversal'",
        LONG,
    );
    let id = page.latest();
    press(&page, "r");
    page.wait_new_image(id);
    press(&page, "2");
    let second_model = page
        .eval("document.querySelectorAll('[data-testid=model-picker] option')[1].value")
        .as_str()
        .unwrap()
        .to_string();
    page.wait_for("the second model", &format!("document.querySelector('[data-testid=model-picker]').value === '{second_model}' && !document.querySelector('[data-testid=loading]')"), LONG);
    page.wait_settled();
    page.finish();
}

#[test]
fn exports_are_valid_files_of_the_right_size_and_frame_count() {
    let page = open("export", "m=mnist-vae&v=traversal");
    click(&page, "[data-testid=export-png]");
    let (name, bytes) = last_export(&page);
    assert_eq!((name.as_str(), png_size(&bytes)), ("mnist-vae.png", (224, 224)));
    page.wait_for(
        "the grid",
        "document.querySelector('[data-testid=traversal-grid]')?.dataset.rows === '6'",
        LONG,
    );
    click(&page, "[data-testid=export-grid-png]");
    page.wait_for(
        "the grid export",
        "document.querySelector('[data-testid=last-export]')?.download === 'mnist-vae-traversal.png'",
        LONG,
    );
    let (_, bytes) = last_export(&page);
    // 9 columns and 6 rows of 112-pixel cells with 4-pixel gaps.
    assert_eq!(png_size(&bytes), (9 * 112 + 8 * 4, 6 * 112 + 5 * 4));
    click(&page, "[data-testid=export-traversal-gif]");
    page.wait_for(
        "the sweep export",
        "document.querySelector('[data-testid=last-export]')?.download === 'mnist-vae-traversal.gif'",
        LONG,
    );
    let (_, bytes) = last_export(&page);
    assert_eq!(gif_shape(&bytes), (112, 6 * 112 + 5 * 4, 9), "one frame per column");
    // The interpolation strip: 5 frames there and 3 back.
    click(&page, "[data-testid=view-tab][data-view=workbench]");
    page.wait_for(
        "the examples",
        "document.querySelectorAll('[data-testid=gallery-item]').length >= 2",
        LONG,
    );
    page.eval("(() => { const keys = Array.from(document.querySelectorAll('[data-testid=gallery-item]')).map(i => i.dataset.key);
        for (const [id, v] of [['interp-a', keys[0]], ['interp-b', keys[1]]]) { const s = document.querySelector(`[data-testid=${id}]`); s.value = v; s.dispatchEvent(new Event('change', { bubbles: true })); }
        const f = document.querySelector('[data-testid=interp-frames]'); f.value = '5'; f.dispatchEvent(new Event('input', { bubbles: true })); })()");
    page.wait_for(
        "a 5-frame strip",
        "document.querySelector('[data-testid=interp-strip]')?.dataset.frames === '5'",
        LONG,
    );
    click(&page, "[data-testid=export-interp-gif]");
    page.wait_for(
        "the strip export",
        "document.querySelector('[data-testid=last-export]')?.download === 'mnist-vae-interpolation.gif'",
        LONG,
    );
    let (_, bytes) = last_export(&page);
    assert_eq!(gif_shape(&bytes), (224, 224, 8));
    page.finish();
}
