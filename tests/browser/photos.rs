//! Real photos in: the out-of-distribution badge and notice on every gallery item, the crop
//! square that prepares a face photo, and the face check (trained by `train photos`, saved in
//! tests/fixtures) judging what the page draws back from a real photo.

use super::workbench::{FACE_ENCODES, LONG, count, input, open, open_with_examples, select};
use e2e::Page;
use e2e::scripts::PIXELS_OF;

/// Percentiles shown on the gallery's badges, with whether each is marked unusual, by item name.
fn ood_badges(page: &Page) -> Vec<(String, f64, bool)> {
    let rows = page.eval(
        "Array.from(document.querySelectorAll('[data-testid=gallery-item]')).map(i => {
            const b = i.querySelector('[data-testid=item-ood]');
            return [i.querySelector('.item-name').textContent, b ? Number(b.dataset.percentile) : -1, !!b && b.classList.contains('unusual')];
        })",
    );
    rows.as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    (
                        r[0].as_str().unwrap_or_default().to_string(),
                        r[1].as_f64().unwrap_or(-1.0),
                        r[2] == true,
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_bundled_digits_are_scored_and_none_is_called_unlike_what_the_model_learned() {
    let page = open_with_examples("ood-examples", "mnist-vae");
    let examples = ood_badges(&page);
    assert!(
        examples.iter().all(|(_, p, unusual)| *p >= 0.0 && !unusual),
        "every example is scored, none unusual: {examples:?}"
    );
    assert!(page.text("notice").is_none(), "{:?}", page.text("notice"));
    page.finish();
}

#[test]
fn a_real_face_photo_is_unlike_the_drawn_faces_and_says_so_but_is_added() {
    let page = open("ood-photo", "faces-vae");
    let before = count(&page, "gallery-item");
    let photo =
        std::fs::read(e2e::workspace().join("tests/fixtures/photos/lfw-001.png")).expect("an LFW face");
    super::robustness::upload(&page, "lfw-001.png", &photo);
    page.wait_for(
        "the photo to be encoded",
        &format!("document.querySelectorAll('[data-testid=gallery-item]').length === {}", before + 1),
        FACE_ENCODES,
    );
    let badges = ood_badges(&page);
    let notice = page.text("notice").unwrap_or_default();
    assert!(
        notice.contains("lfw-001.png is unlike the drawn faces faces-vae learned")
            && notice.contains("closest face it can draw"),
        "notice {notice:?}, badges {badges:?}"
    );
    let (_, p, unusual) =
        badges.iter().find(|(n, ..)| n.contains("lfw-001.png")).expect("the photo joins the gallery");
    assert!(*unusual && *p > 99.5, "the photo's badge: {p} unusual {unusual}");
    // The drawn examples are not.
    assert!(badges.iter().filter(|(n, ..)| n.starts_with("example")).all(|(_, _, u)| !u), "{badges:?}");
    page.finish();
}

/// The bytes of a canvas in the gallery item named `name` (`which`: item-input, item-recon).
fn item_canvas_bytes(page: &Page, name: &str, which: &str) -> String {
    page.eval(&format!(
        "(async () => {{ {PIXELS_OF} const it = Array.from(document.querySelectorAll('[data-testid=gallery-item]')).find(i => i.textContent.includes('{name}'));
            const c = it.querySelector('[data-testid={which}]'); return Array.from((await pixelsOf(c)).data).join(','); }})()"
    ))
    .as_str()
    .unwrap_or_default()
    .to_string()
}

#[test]
fn a_face_photo_s_crop_moves_by_pointer_and_by_keyboard_and_changes_the_prepared_input() {
    let page = open("crop", "faces-vae");
    let photo =
        std::fs::read(e2e::workspace().join("tests/fixtures/photos/lfw-000.png")).expect("an LFW face");
    let before = count(&page, "gallery-item");
    super::robustness::upload(&page, "lfw-000.png", &photo);
    page.wait_for(
        "the photo to be encoded",
        &format!("document.querySelectorAll('[data-testid=gallery-item]').length === {}", before + 1),
        FACE_ENCODES,
    );
    let find = "Array.from(document.querySelectorAll('[data-testid=gallery-item]')).find(i => i.textContent.includes('lfw-000.png'))";
    page.eval(&format!("{find}.querySelector('[data-testid=item-crop]').click()"));
    page.wait_for("the crop editor", "!!document.querySelector('[data-testid=crop-editor]')", LONG);
    // The README's picture of the crop square (docs/screenshot-crop.png).
    page.screenshot_element("section.gallery", "-editor");
    let (input0, recon0) = (
        item_canvas_bytes(&page, "lfw-000.png", "item-input"),
        item_canvas_bytes(&page, "lfw-000.png", "item-recon"),
    );

    // Zoom out with the keyboard: the 25×25 face becomes a smaller face in a flat frame.
    page.eval("(() => { const f = document.querySelector('[data-testid=crop-frame]'); f.focus();
        for (let i = 0; i < 8; i++) f.dispatchEvent(new KeyboardEvent('keydown', { key: '-', bubbles: true })); })()");
    page.wait_for(
        "the keyboard's crop to reach the item's input",
        &format!("(async () => {{ {PIXELS_OF} const c = {find}.querySelector('[data-testid=item-input]'); return Array.from((await pixelsOf(c)).data).join(',') !== '{input0}'; }})()"),
        LONG,
    );
    let steps = page.eval(&format!("{find}.querySelector('.item-name').title"));
    assert!(steps.as_str().is_some_and(|s| s.contains("edges filled")), "steps after zooming out: {steps}");
    page.wait_for(
        "the new cut to be encoded",
        &format!("(async () => {{ {PIXELS_OF} const c = {find}.querySelector('[data-testid=item-recon]'); return Array.from((await pixelsOf(c)).data).join(',') !== '{recon0}'; }})()"),
        FACE_ENCODES,
    );
    assert_eq!(count(&page, "gallery-item"), before + 1, "re-encoded in place");

    // Drag the square right by a quarter of the frame with the pointer.
    let input1 = item_canvas_bytes(&page, "lfw-000.png", "item-input");
    page.eval("(() => { const sq = document.querySelector('[data-testid=crop-square]'); const r = sq.getBoundingClientRect();
        const f = document.querySelector('[data-testid=crop-frame]').getBoundingClientRect();
        const x = r.left + r.width / 2, y = r.top + r.height / 2, o = { bubbles: true, pointerId: 1, isPrimary: true, button: 0 };
        sq.dispatchEvent(new PointerEvent('pointerdown', { ...o, clientX: x, clientY: y, buttons: 1 }));
        sq.dispatchEvent(new PointerEvent('pointermove', { ...o, clientX: x + f.width / 4, clientY: y, buttons: 1 }));
        sq.dispatchEvent(new PointerEvent('pointerup', { ...o, clientX: x + f.width / 4, clientY: y })); })()");
    page.wait_for(
        "the dragged crop to reach the item's input",
        &format!("(async () => {{ {PIXELS_OF} const c = {find}.querySelector('[data-testid=item-input]'); return Array.from((await pixelsOf(c)).data).join(',') !== '{input1}'; }})()"),
        LONG,
    );
    let steps = page.eval(&format!("{find}.querySelector('.item-name').title"));
    assert!(steps.as_str().is_some_and(|s| s.contains("crop ")), "steps after the drag: {steps}");
    page.finish();
}

/// A gallery canvas's RGBA bytes as RGB values in 0..1, with its width.
fn item_canvas_rgb(page: &Page, name: &str, which: &str) -> (Vec<f32>, usize) {
    let bytes: Vec<u8> =
        item_canvas_bytes(page, name, which).split(',').filter_map(|v| v.parse().ok()).collect();
    let width = page
        .eval(&format!(
            "Array.from(document.querySelectorAll('[data-testid=gallery-item]')).find(i => i.textContent.includes('{name}')).querySelector('[data-testid={which}]').naturalWidth"
        ))
        .as_u64()
        .unwrap_or(0) as usize;
    let rgb = bytes.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).map(|b| f32::from(b) / 255.0).collect();
    (rgb, width)
}

/// Upload a committed photo to `page` and wait until it is a gallery item.
fn upload_photo(page: &Page, file: &str) {
    let before = count(page, "gallery-item");
    let photo =
        std::fs::read(e2e::workspace().join("tests/fixtures/photos").join(file)).expect("a fixture photo");
    super::robustness::upload(page, file, &photo);
    page.wait_for(
        "the photo to be encoded",
        &format!("document.querySelectorAll('[data-testid=gallery-item]').length === {}", before + 1),
        FACE_ENCODES,
    );
}

#[test]
fn real_face_photos_come_back_as_faces_the_face_check_accepts() {
    let device = burn::prelude::Device::flex();
    let check_bytes = std::fs::read(e2e::workspace().join(train::photos::FACE_CHECK_FILE))
        .expect("`train photos --save-check` saved the face check");
    let check = train::photos::load_face_check(check_bytes, &device).expect("the face check loads");
    let page = open("photo-face-check", "faces-vae");
    for file in ["lfw-000.png", "lfw-001.png"] {
        upload_photo(&page, file);
        let (input, iw) = item_canvas_rgb(&page, file, "item-input");
        let (recon, rw) = item_canvas_rgb(&page, file, "item-recon");
        assert_eq!(
            (iw, rw, recon.len()),
            (64, 64, 64 * 64 * 3),
            "{file}: the canvases hold the model's pixels"
        );
        // The photo itself is grey; the face check was trained on drawn faces only.
        assert!(input.chunks_exact(3).all(|p| p[0] == p[1] && p[1] == p[2]), "{file} is prepared grey");
        let verdict = train::photos::is_face(&check, &recon, &device);
        assert_eq!(verdict, vec![true], "the face check takes {file}'s reconstruction for a face");
    }
    // The check is no rubber stamp: the photo as it came in is not a drawn face.
    let (photo, _) = item_canvas_rgb(&page, "lfw-000.png", "item-input");
    let p = check.probabilities(&photo, 64 * 64 * 3, &device);
    assert!(p[0][1] < 0.5, "the grey photo itself: p(face) {}", p[0][1]);

    // The likeness on the big image, then glasses on it: the change is mostly in the eye band
    // (rows 18 to 42 of 64, as `workbench::the_glasses_vector_…` measures on drawn faces).
    let id = page.latest();
    page.eval("Array.from(document.querySelectorAll('[data-testid=gallery-item]')).find(i => i.textContent.includes('lfw-001.png')).querySelector('button.pair').click()");
    page.wait_new_image(id);
    let likeness = page.canvas_rgba();
    let id = page.latest();
    select(&page, "vector-choice", "glasses");
    input(&page, "vector-strength", "1");
    page.wait_new_image(id);
    let with_glasses = page.canvas_rgba();
    let rows: Vec<u64> = (0..64)
        .map(|y| (y * 256..(y + 1) * 256).map(|i| u64::from(likeness[i].abs_diff(with_glasses[i]))).sum())
        .collect();
    let (band, all) = (rows[18..42].iter().sum::<u64>(), rows.iter().sum::<u64>());
    assert!(all > 5_000 && band as f64 > 0.6 * all as f64, "glasses change {band} of {all} in the eye band");
    page.finish();
}

#[test]
fn a_photo_of_a_cat_is_unlike_the_digits_mnist_vae_learned_and_is_still_added() {
    let page = open_with_examples("ood-cat", "mnist-vae");
    let before = count(&page, "gallery-item");
    let cat = data::lfw::cat_photo_png().expect("set-up fetches the scikit-image wheel");
    super::robustness::upload(&page, "chelsea.png", &cat);
    page.wait_for(
        "the cat to be encoded",
        &format!("document.querySelectorAll('[data-testid=gallery-item]').length === {}", before + 1),
        LONG,
    );
    let notice = page.text("notice").unwrap_or_default();
    let badges = ood_badges(&page);
    assert!(notice.contains("chelsea.png is unlike"), "notice {notice:?}, badges {badges:?}");
    let (_, p, unusual) =
        badges.iter().find(|(n, ..)| n.contains("chelsea")).expect("the cat is in the gallery");
    assert!(*unusual && *p > 99.5, "the cat's badge: {p} unusual {unusual}");
    assert!(badges.iter().filter(|(n, ..)| !n.contains("chelsea")).all(|(_, _, u)| !u), "{badges:?}");
    page.finish();
}
