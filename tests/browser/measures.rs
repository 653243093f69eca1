//! The views that measure the latent space, through the real page and the shipped models: the
//! holes in the prior (an autoencoder's codes leave most of the prior empty, a VAE's fill it),
//! posteriors as ellipses with the overlap of two, how good each attribute vector is, and what
//! a slider moves.

use crate::lecture::{attr, open};
use crate::workbench::LONG;
use e2e::{Page, native};

fn hole_share(page: &Page) -> f64 {
    page.wait_for(
        "the holes layer",
        "(document.querySelector('[data-testid=latent-map]')?.dataset.holeShare ?? '') !== '' && document.querySelector('[data-testid=latent-map]').dataset.holesFrom === 'test'",
        LONG,
    );
    attr(page, "latent-map", "data-hole-share").parse().expect("a share")
}

/// Red pixels (the holes' colour) on the map's canvas.
fn red_pixels(page: &Page) -> u64 {
    page.eval(
        "(() => { const c = document.querySelector('[data-testid=latent-map] canvas'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] > 150 && d[i + 1] < 60 && d[i + 2] < 60 && d[i + 3] > 100) n++; return n; })()",
    )
    .as_u64()
    .unwrap_or(0)
}

#[test]
fn the_autoencoders_codes_leave_holes_in_the_prior_where_the_vaes_do_not() {
    let ae = open("holes-ae", "m=mnist-ae&v=map&o=holes");
    let ae_share = hole_share(&ae);
    let ae_red = red_pixels(&ae);
    // The README's pictures (docs/measure-holes-*.png) come from here and the VAE's below.
    ae.screenshot_element("[data-testid=latent-map]", "-map");
    // A keyboard user reaches a hole with a button; the code there decodes.
    let id = ae.latest();
    ae.eval("document.querySelector('[data-testid=map-go-hole]').click()");
    ae.wait_new_image(id);
    assert!(ae.canvas_rgba().iter().any(|&v| v > 0), "the hole decodes to a picture");
    // The layer is in the link, and the map saves as a PNG of what is drawn.
    assert_eq!(ae.eval("location.hash.includes('o=holes')"), serde_json::Value::Bool(true));
    ae.eval("document.querySelector('[data-testid=export-map-png]').click()");
    let bytes = attr(&ae, "last-export", "data-bytes").parse::<u64>().unwrap_or(0);
    assert!(bytes > 5_000, "the map's PNG is {bytes} bytes");
    assert_eq!(attr(&ae, "last-export", "download"), "mnist-ae-map.png");
    ae.finish();

    let vae = open("holes-vae", "m=mnist-vae&v=map&o=holes");
    let vae_share = hole_share(&vae);
    let vae_red = red_pixels(&vae);
    vae.screenshot_element("[data-testid=latent-map]", "-map");
    assert!(ae_share > 0.4 && vae_share < 0.1, "holes: AE {ae_share}, VAE {vae_share}");
    assert!(
        ae_red > 20 * vae_red.max(1) || vae_red == 0 && ae_red > 1_000,
        "red pixels: AE {ae_red}, VAE {vae_red}"
    );
    // Back to the points: no holes drawn, nothing to share.
    vae.eval("document.querySelector('[data-testid=map-layer-points]').click()");
    vae.wait_for(
        "the points layer",
        "document.querySelector('[data-testid=latent-map]').dataset.layer === 'points'",
        LONG,
    );
    assert_eq!(red_pixels(&vae), 0);
    vae.finish();
}

#[test]
fn posteriors_are_ellipses_on_the_map_and_two_ends_overlap_by_a_number() {
    let page = open("ellipses", "m=mnist-vae&v=map&a=example%3A%201&b=example%3A%207");
    let examples = native::manifest("mnist-vae").examples.len();
    page.wait_for(
        "an ellipse per example and the ends' overlap",
        &format!(
            "Number(document.querySelector('[data-testid=latent-map]').dataset.ellipses) >= {examples}
             && !!document.querySelector('[data-testid=map-overlap]')?.dataset.overlap"
        ),
        LONG,
    );
    let different: f64 = attr(&page, "map-overlap", "data-overlap").parse().unwrap();
    page.screenshot_element("[data-testid=latent-map]", "-map");
    assert!((0.0..0.5).contains(&different), "a 1 and a 7 overlap by {different}");
    // The same example at both ends overlaps fully: B set to the 1 in the gallery (on the
    // workbench), then back to the map.
    page.eval("document.querySelector('[data-testid=view-tab][data-view=workbench]').click()");
    page.wait_for("the gallery", "!!document.querySelector('[data-testid=gallery-item]')", LONG);
    page.eval(
        "(() => { const it = Array.from(document.querySelectorAll('[data-testid=gallery-item]')).find(i => i.textContent.includes('example: 1'));
            it.querySelector('button[title=\"interpolate to here\"]').click(); })()",
    );
    page.eval("document.querySelector('[data-testid=view-tab][data-view=map]').click()");
    page.wait_for(
        "the overlap of an example with itself",
        "Number(document.querySelector('[data-testid=map-overlap]').dataset.overlap) > 0.999",
        LONG,
    );
    page.finish();
}

#[test]
fn the_glasses_vector_separates_faces_with_glasses_and_its_cosines_are_shown() {
    let page = open("vector-auc", "m=faces-vae");
    page.wait_for(
        "the vectors' AUCs on the test faces",
        "Array.from(document.querySelectorAll('[data-testid=vector-auc]')).some(r => r.dataset.name === 'glasses' && r.dataset.auc !== '')",
        LONG,
    );
    let auc = |name: &str| -> f64 {
        page.eval(&format!(
            "Number(Array.from(document.querySelectorAll('[data-testid=vector-auc]')).find(r => r.dataset.name === '{name}').dataset.auc)"
        ))
        .as_f64()
        .unwrap_or(0.0)
    };
    let glasses = auc("glasses");
    assert!(glasses > 0.9, "glasses AUC {glasses}");
    let rows =
        page.eval("document.querySelectorAll('[data-testid=vector-auc]').length").as_u64().unwrap_or(0);
    assert_eq!(rows as usize, native::manifest("faces-vae").vectors.len());
    // The cosine table has a cell for every pair, and the diagonal is 1.
    let cells =
        page.eval("document.querySelectorAll('[data-testid=vector-cosines] tbody td').length").as_u64();
    assert_eq!(cells, Some(rows * rows));
    page.eval("document.querySelector('[data-testid=vector-quality]').open = true");
    page.screenshot_element("[data-testid=vector-quality]", "-panel");
    // The figures save as a picture.
    page.eval("document.querySelector('[data-testid=export-vectors-png]').click()");
    assert_eq!(attr(&page, "last-export", "download"), "faces-vae-vectors.png");
    let bytes = attr(&page, "last-export", "data-bytes").parse::<u64>().unwrap_or(0);
    assert!(bytes > 2_000, "the vectors' PNG is {bytes} bytes");
    page.finish();
}

#[test]
fn a_focused_slider_shows_what_it_moves_and_an_unused_one_moves_nothing() {
    let page = open("sensitivity", "m=mnist-vae");
    let m = native::manifest("mnist-vae");
    let dims = m.dims_by_kl();
    let (top, unused) = (dims[0], *dims.last().unwrap());
    assert!(m.kl_per_dim[unused] < bundle::ACTIVE_KL, "mnist-vae has an unused dimension");
    page.eval("document.querySelector('[data-testid=sense-toggle]').click()");
    let sensed = |dim: usize| -> (f64, f64) {
        page.eval(&format!(
            // A headless tab has no window focus, so `focus()` moves the focus without firing the
            // event a user's click or Tab fires; the test fires it as they would.
            "(() => {{ const s = document.querySelector('[data-testid=latent-slider][data-dim=\"{dim}\"]'); s.focus(); s.dispatchEvent(new FocusEvent('focus')); }})()"
        ));
        page.wait_for(
            &format!("the overlay of latent {dim}"),
            &format!(
                "document.querySelector('[data-testid=sense-caption]')?.textContent.includes('latent {dim} ') && document.querySelector('[data-testid=decoded]').dataset.overlay === 'true'"
            ),
            LONG,
        );
        let n = |a: &str| attr(&page, "sense-caption", a).parse::<f64>().unwrap();
        (n("data-mean"), n("data-max"))
    };
    let (top_mean, top_max) = sensed(top);
    page.wait_for(
        "the overlay on the canvas",
        "document.querySelector('[data-testid=decoded]').dataset.drawnOverlay === 'true'",
        LONG,
    );
    let red = |rgba: &[u8]| rgba.chunks(4).filter(|p| p[0] > p[1].saturating_add(20)).count();
    assert!(red(&page.canvas_rgba()) > 0, "the top dimension's overlay puts red on the digit");
    page.screenshot_element("section.stage", "-stage");
    let (unused_mean, unused_max) = sensed(unused);
    assert!(
        top_max > 0.3 && top_mean > 20.0 * unused_mean,
        "top {top_mean}/{top_max}, unused {unused_mean}/{unused_max}"
    );
    assert!(unused_max < 0.05, "an unused dimension moves a pixel by {unused_max} per unit");
    // The overlay is drawn on the image; with no slider focused it goes away.
    page.eval(
        "(() => { const s = document.activeElement; s.blur(); s.dispatchEvent(new FocusEvent('blur')); })()",
    );
    page.wait_for(
        "the overlay to go",
        "document.querySelector('[data-testid=decoded]').dataset.overlay === 'false' && document.querySelector('[data-testid=decoded]').dataset.drawnOverlay === 'false'",
        LONG,
    );
    // The same image again, without the red (it is redrawn, not left as it was).
    assert_eq!(red(&page.canvas_rgba()), 0, "the overlay stayed on the image after it was turned off");
    page.finish();
}

/// The mean round-trip drift the map's drift layer measured over its plane.
fn plane_drift(model: &str) -> f64 {
    let page = open(&format!("drift-{model}"), &format!("m={model}&v=map&o=drift"));
    page.wait_for(
        "the drift layer",
        "(document.querySelector('[data-testid=latent-map]')?.dataset.meanDrift ?? '') !== ''",
        LONG,
    );
    let mean: f64 = attr(&page, "latent-map", "data-mean-drift").parse().expect("a mean drift");
    page.screenshot_element("[data-testid=latent-map]", "-map");
    assert!(
        page.eval("location.hash.includes('o=drift')").as_bool() == Some(true),
        "the layer is in the link"
    );
    assert!(attr(&page, "drift-caption", "class").contains("drift-caption"), "the caption gives the figures");
    page.finish();
    mean
}

#[test]
fn a_vae_code_drifts_less_on_a_round_trip_than_an_autoencoders() {
    // Over the map's plane: decode each cell's code, encode the picture, distance to the code.
    let (ae, vae) = (plane_drift("mnist-ae"), plane_drift("mnist-vae"));
    assert!(vae > 0.0 && vae < ae, "mean drift over the plane: AE {ae}, VAE {vae}");

    // Side by side, on the same prior samples.
    let page = open("drift-compare", "m=mnist-vae&v=compare");
    page.wait_for(
        "both sides' drift",
        "document.querySelectorAll('[data-testid=compare-drift]').length === 2",
        LONG,
    );
    let sides: Vec<f64> = page
        .eval("Array.from(document.querySelectorAll('[data-testid=compare-drift]')).map(d => Number(d.dataset.drift))")
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_f64()).collect())
        .unwrap_or_default();
    let names: Vec<String> = page
        .eval("Array.from(document.querySelectorAll('[data-testid=compare-side]')).map(s => s.dataset.model)")
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let at =
        |name: &str| names.iter().position(|n| n == name).map(|i| sides[i]).expect("a side for each model");
    assert_eq!(sides.len(), 2);
    assert!(at("mnist-vae") < at("mnist-ae"), "AE vs VAE drift: {names:?} {sides:?}");
    page.finish();
}

#[test]
fn the_interpolation_has_a_drift_curve() {
    let page = open("drift-strip", "m=mnist-vae&a=example%3A%201&b=example%3A%207");
    page.wait_for(
        "the strip's drift curve",
        "(document.querySelector('[data-testid=strip-drift]')?.dataset.drift ?? '') !== ''",
        LONG,
    );
    let frames =
        page.eval("Number(document.querySelector('[data-testid=interp-strip]').dataset.frames)").as_u64();
    let drift = attr(&page, "strip-drift", "data-drift");
    let values: Vec<f64> = drift.split(',').filter_map(|v| v.parse().ok()).collect();
    assert_eq!(Some(values.len() as u64), frames, "a drift per frame: {drift}");
    assert!(values.iter().all(|v| v.is_finite() && *v >= 0.0) && values.iter().any(|v| *v > 0.0), "{drift}");
    page.finish();
}
