//! A lecture hall on phones: at phone sizes with touch, the decoded image stays on screen while
//! the sliders under it are dragged by a finger.

use e2e::{Mode, Page};

/// The share of the decoded image's box inside the viewport.
fn image_on_screen(page: &Page) -> f64 {
    page.eval(
        "(() => { const r = document.querySelector('[data-testid=decoded]').getBoundingClientRect();
            const w = Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0));
            const h = Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0));
            return (w * h) / (r.width * r.height); })()",
    )
    .as_f64()
    .unwrap_or(0.0)
}

/// Scroll the slider of the `nth` visible dimension into the middle of the screen and drag its
/// thumb by touch; returns (its value before, after, the image's share on screen while dragged).
fn drag_by_touch(page: &Page, nth: &str) -> (f64, f64, f64) {
    let at = page.eval(&format!(
        "(() => {{ const all = Array.from(document.querySelectorAll('[data-testid=latent-slider]')).filter(s => s.offsetParent);
            const s = all.at({nth}); s.scrollIntoView({{ block: 'center' }}); const r = s.getBoundingClientRect();
            return [r.left + r.width / 2, r.top + r.height / 2, r.width, Number(s.value), Number(s.dataset.dim)]; }})()"
    ));
    let v = |i: usize| at[i].as_f64().unwrap_or(f64::NAN);
    let (x, y, w, before, dim) = (v(0), v(1), v(2), v(3), v(4));
    std::thread::sleep(std::time::Duration::from_millis(300));
    let id = page.latest();
    page.touch_drag((x, y), (x + w * 0.35, y), 12);
    let during = image_on_screen(page);
    page.wait_new_image(id);
    let after = page
        .eval(&format!(
            "Number(document.querySelector('[data-testid=latent-slider][data-dim=\"{dim}\"]').value)"
        ))
        .as_f64()
        .unwrap_or(f64::NAN);
    (before, after, during)
}

#[test]
fn on_a_phone_the_image_stays_in_view_while_the_first_and_last_sliders_are_dragged_by_touch() {
    for (name, w, h) in [
        ("phone-portrait", 390, 844),
        ("phone-landscape", 844, 390),
        ("tablet-portrait", 820, 1180),
        ("tablet-landscape", 1180, 820),
    ] {
        let page = Page::open(name, Mode::Cpu, "?backend=cpu#m=faces-vae");
        page.emulate_device(w, h, true);
        page.wait_ready();
        page.wait_settled();
        for nth in ["0", "-1"] {
            let (before, after, during) = drag_by_touch(&page, nth);
            assert!(after > before + 0.1, "{name}: slider {nth} moved by touch ({before} → {after})");
            assert!(
                during >= 0.9,
                "{name}: only {:.0}% of the image on screen while slider {nth} is dragged",
                during * 100.0
            );
            assert!(image_on_screen(&page) >= 0.9, "{name}: the image after the drag");
        }
        // The 2-D pad: one touch drag moves its two dimensions.
        let dims = page
            .eval("document.querySelector('[data-testid=pad]').dataset.dims")
            .as_str()
            .unwrap_or_default()
            .to_string();
        let dims: Vec<usize> = dims.split(',').filter_map(|d| d.parse().ok()).collect();
        let r = page.eval("(() => { const p = document.querySelector('[data-testid=pad]'); p.scrollIntoView({ block: 'center' }); const r = p.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()");
        let v = |i: usize| r[i].as_f64().unwrap_or(f64::NAN);
        std::thread::sleep(std::time::Duration::from_millis(300));
        let z0 = page.slider_z();
        let id = page.latest();
        page.touch_drag((v(0) + v(2) * 0.5, v(1) + v(3) * 0.5), (v(0) + v(2) * 0.8, v(1) + v(3) * 0.25), 10);
        page.wait_new_image(id);
        let z1 = page.slider_z();
        let moved: Vec<usize> = (0..z0.len()).filter(|&d| (z1[d] - z0[d]).abs() > 0.05).collect();
        assert_eq!(
            moved,
            {
                let mut d = dims.clone();
                d.sort();
                d
            },
            "{name}: the pad's drag moves its two dimensions"
        );
        assert!(
            z1[dims[0]] > 0.5 && z1[dims[1]] > 0.5,
            "{name}: right and up are positive: {:?}",
            (z1[dims[0]], z1[dims[1]])
        );
        let wide = page.eval("document.documentElement.scrollWidth <= innerWidth").as_bool();
        assert_eq!(wide, Some(true), "{name}: nothing scrolls sideways");
        page.finish();
    }
}

/// The share of the viewport's shorter side the decoded image spans.
fn image_span(page: &Page) -> f64 {
    page.eval(
        "(() => { const r = document.querySelector('[data-testid=decoded]').getBoundingClientRect();
            return Math.min(r.width, r.height) / Math.min(innerWidth, innerHeight); })()",
    )
    .as_f64()
    .unwrap_or(0.0)
}

#[test]
fn on_a_phone_a_double_tap_enlarges_the_image_and_a_tap_on_the_map_previews_before_going_there() {
    let page = Page::open("phone-touch", Mode::Cpu, "?backend=cpu#m=mnist-vae");
    page.emulate_device(390, 844, true);
    page.wait_ready();
    page.wait_settled();
    let small = image_span(&page);
    assert!(small < 0.9, "the image leaves room for the sliders: {small}");
    let double_tap = |at: (f64, f64)| {
        page.tap(at, 1);
        std::thread::sleep(std::time::Duration::from_millis(120));
        page.tap(at, 1);
    };
    double_tap(page.centre_of("[data-testid=decoded]"));
    page.wait_for(
        "the enlarged image",
        "document.querySelector('[data-testid=decoded]').dataset.enlarged === 'true'",
        std::time::Duration::from_secs(10),
    );
    let big = image_span(&page);
    assert!(big > 0.93 && big > small + 0.05, "enlarged, it fills the screen: {big} (from {small})");
    page.screenshot("-enlarged");
    // Sliders still move it while enlarged, and a second double-tap puts it back.
    let id = page.latest();
    page.set_slider(0, 1.0);
    page.wait_new_image(id);
    double_tap(page.centre_of("[data-testid=decoded]"));
    page.wait_for(
        "the image back in place",
        "document.querySelector('[data-testid=decoded]').dataset.enlarged === 'false'",
        std::time::Duration::from_secs(10),
    );
    assert!((image_span(&page) - small).abs() < 0.02);

    // The latent map: a finger has no hover, so a tap previews the point and does not move z.
    page.eval("document.querySelector('[data-testid=view-tab][data-view=map]').click()");
    page.wait_for(
        "the map",
        "!!document.querySelector('[data-testid=map-surface]')",
        std::time::Duration::from_secs(30),
    );
    let z0 = page.slider_z();
    let cursor = || page.eval("document.querySelector('[data-testid=latent-map]').dataset.cursor");
    let cursor0 = cursor();
    let (x, y) = page.centre_of("[data-testid=map-surface]");
    page.tap((x + 40.0, y - 30.0), 1);
    page.wait_for("the preview under the finger", "!!document.querySelector('[data-testid=map-hover]') && !!document.querySelector('[data-testid=map-go]')", std::time::Duration::from_secs(30));
    assert_eq!(page.slider_z(), z0, "a tap only previews");
    let id = page.latest();
    // A plain button: headless Chromium's synthesized taps send pointerdown and pointerup but no
    // click (seen on the map's surface), so the button is clicked as a tap's click would.
    page.eval("document.querySelector('[data-testid=map-go]').click()");
    page.wait_new_image(id);
    assert_ne!(page.slider_z(), z0, "Go there moves z to the previewed point");
    assert_ne!(cursor(), cursor0, "the map's ring follows");
    page.finish();
}
