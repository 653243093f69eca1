//! The rest of the autoencoder family through the real page: the denoising autoencoder
//! (mnist-dae, trained with masking noise) beside the VAE on the same damaged input.

use crate::lecture::{LONG, open};
use crate::workbench::input;
use e2e::Page;
use e2e::scripts::PIXELS_OF;

/// A figure's error to the clean input, once its reconstruction is in.
fn error(page: &Page, testid: &str) -> f64 {
    page.wait_for(
        &format!("{testid}'s reconstruction"),
        &format!("(document.querySelector('[data-testid={testid}-figure]')?.dataset.mse ?? '') !== ''"),
        LONG,
    );
    page.eval(&format!("Number(document.querySelector('[data-testid={testid}-figure]').dataset.mse)"))
        .as_f64()
        .unwrap_or(f64::NAN)
}

#[test]
fn the_denoising_autoencoder_fills_in_a_masked_digit_better_than_the_vae() {
    let page = open("denoiser", "m=mnist-vae&v=denoise");
    page.wait_for(
        "the example 3",
        "Array.from(document.querySelectorAll('[data-testid=denoise-source] option')).some(o => o.text === 'example: 3')",
        LONG,
    );
    page.eval("(() => { const s = document.querySelector('[data-testid=denoise-source]'); s.value = Array.from(s.options).find(o => o.text === 'example: 3').value; s.dispatchEvent(new Event('change', { bubbles: true })); })()");
    // Half the pixels set to 0: the corruption mnist-dae was trained on.
    input(&page, "denoise-drop", "0.5");
    page.wait_for(
        "the masked input",
        "document.querySelector('[data-testid=denoise]').dataset.drop === '0.5'",
        LONG,
    );
    let (vae, dae) = (error(&page, "denoise-recon"), error(&page, "denoise-dae-recon"));
    assert!(dae.is_finite() && vae.is_finite(), "errors {vae} {dae}");
    assert!(dae < 0.8 * vae, "from half-masked pixels: mnist-dae's error {dae:.4}, mnist-vae's {vae:.4}");
    // The model on screen is still the VAE: the autoencoder came as a companion.
    assert_eq!(page.eval("location.hash.includes('m=mnist-vae')").as_bool(), Some(true));
    page.screenshot_element("[data-testid=denoise]", "-panel");
    page.finish();
}

/// The units view of `model` at its first example's code, once its pictures and test-code
/// figures are in: (units on per test image, units, pictures shown, units on now).
fn units(model: &str) -> (f64, u64, u64, u64) {
    let m = e2e::native::manifest(model);
    let (mu, _) = m.examples[0].encoding().expect("the example's code is in the manifest");
    let z: Vec<String> = mu.iter().map(|v| format!("{v:.4}")).collect();
    let page = open(&format!("units-{model}"), &format!("m={model}&v=units&z={}", z.join(",")));
    page.wait_for(
        "the units' pictures and figures",
        "(() => { const u = document.querySelector('[data-testid=units]'); return !!u && u.dataset.meanOn !== '' && Number(u.dataset.pictures) === Number(u.dataset.units); })()",
        LONG,
    );
    let n =
        |a: &str| page.eval(&format!("Number(document.querySelector('[data-testid=units]').dataset.{a})"));
    let shown =
        page.eval("document.querySelectorAll('[data-testid=unit-grid] .thumb').length").as_u64().unwrap_or(0);
    // Each unit draws something of its own: the pictures are not all one picture.
    let distinct = page
        .eval(&format!(
            "(async () => {{ {PIXELS_OF} const seen = new Set(); for (const c of document.querySelectorAll('[data-testid=unit-grid] .thumb')) seen.add(Array.from((await pixelsOf(c)).data.filter((_, i) => i % 4 === 0)).join()); return seen.size; }})()",
        ))
        .as_u64()
        .unwrap_or(0);
    assert!(distinct * 2 > shown, "{model}: {distinct} different pictures of {shown}");
    let figures = (
        n("meanOn").as_f64().unwrap_or(f64::NAN),
        n("units").as_u64().unwrap_or(0),
        shown,
        n("on").as_u64().unwrap_or(0),
    );
    page.screenshot_element("[data-testid=units]", "-panel");
    page.finish();
    figures
}

#[test]
fn the_sparse_autoencoder_switches_on_a_few_of_many_units_and_the_plain_one_all_of_its() {
    let (sparse_on, sparse_units, shown, now) = units("mnist-sae");
    assert_eq!(sparse_units, 128);
    assert_eq!(shown, 64, "the 64 units that fire most often are drawn");
    assert!(sparse_on < 0.25 * 128.0, "mnist-sae: {sparse_on} of 128 units on per test image");
    assert!(now > 0 && now < 32, "mnist-sae: {now} of 128 units on for an example digit");
    let (dense_on, dense_units, _, dense_now) = units("mnist-ae");
    assert!(dense_on > 0.9 * dense_units as f64, "mnist-ae: {dense_on} of {dense_units} on per test image");
    assert!(dense_now as f64 > 0.9 * dense_units as f64, "mnist-ae: {dense_now} on for an example digit");
}

#[test]
fn the_family_table_sets_each_autoencoder_beside_the_vae_with_its_figures() {
    let page = open("family", "m=mnist-vae&v=compare");
    page.wait_for(
        "the family's rows",
        "document.querySelectorAll('[data-testid=family-row]').length === 6",
        LONG,
    );
    let value = |model: &str, key: &str| -> f64 {
        page.eval(&format!(
            "Number(document.querySelector('[data-testid=family-row][data-model={model}] td[data-key={key}]').dataset.value)"
        ))
        .as_f64()
        .unwrap_or(f64::NAN)
    };
    let kinds = page.eval("Array.from(document.querySelectorAll('[data-testid=family-row]')).map(r => r.dataset.kind).join(',')");
    assert_eq!(kinds.as_str(), Some("plain AE,denoising AE,sparse AE,stacked AE,VAE,VAE (learned prior)"));
    // The denoising AE rebuilds half-masked digits best; only the VAE samples clear digits.
    let masked = |m: &str| value(m, "test_masked_recon_mse");
    assert!(masked("mnist-dae") < masked("mnist-ae") && masked("mnist-dae") < masked("mnist-vae"));
    let sampled = |m: &str| value(m, "prior_samples_confident_share");
    for ae in ["mnist-ae", "mnist-dae", "mnist-sae", "mnist-stacked"] {
        assert!(
            sampled("mnist-vae") > sampled(ae) + 0.1,
            "{ae}: {} against the VAE's {}",
            sampled(ae),
            sampled("mnist-vae")
        );
    }
    // The stacked AE's error after each greedy stage, then after fine-tuning, which improves on them.
    let stages: Vec<f64> = crate::lecture::attr(&page, "family-stages", "data-errors")
        .split(',')
        .filter_map(|v| v.parse().ok())
        .collect();
    assert_eq!(stages.len(), 4, "three greedy stages and the fine-tuned stack: {stages:?}");
    assert!(stages[3] < stages[2], "fine-tuning improves on the greedy stack: {stages:?}");
    page.screenshot_element("[data-testid=family]", "-table");
    page.finish();
}
