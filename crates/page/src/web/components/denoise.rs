//! Denoising: corrupt an input (Gaussian noise, a blanked square) and see what the model
//! reconstructs from it, beside the clean input's reconstruction.

use super::thumb::Thumb;
use crate::state::{Action, DENOISER, picture_mse};
use crate::web::handle::PanelProps as Props;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[function_component(DenoiseView)]
pub fn denoise_view(props: &Props) -> Html {
    let s = &props.state.0;
    let d = &s.denoise;
    let m = &props.manifest;
    let slider = |make: fn(f32) -> Action| {
        let cb = props.on_action.clone();
        Callback::from(move |e: InputEvent| {
            if let Ok(v) = e.target_unchecked_into::<HtmlInputElement>().value().parse() {
                cb.emit(make(v));
            }
        })
    };
    let on_source = {
        let cb = props.on_action.clone();
        Callback::from(move |e: Event| {
            if let Ok(k) = e.target_unchecked_into::<HtmlSelectElement>().value().parse() {
                cb.emit(Action::DenoiseSource(k));
            }
        })
    };
    let source = d.source.and_then(|k| s.item(k));
    // How far each reconstruction of the damaged input is from the clean input.
    let error = |recon: Option<&Rc<Vec<u8>>>| -> Option<f64> { picture_mse(recon?, &source?.input) };
    let figure = |pixels: Option<&Rc<Vec<u8>>>, caption: &str, testid: &'static str| {
        let mse = matches!(testid, "denoise-recon" | "denoise-dae-recon").then(|| error(pixels)).flatten();
        html! {
            <figure data-mse={mse.map(|e| format!("{e:.5}")).unwrap_or_default()} data-testid={format!("{testid}-figure")}>
                if let Some(p) = pixels {
                    <Thumb pixels={p.clone()} shape={m.image.clone()} label={caption.to_string()} testid={Some(AttrValue::from(testid))} class={classes!("big")} />
                } else {
                    <div class="thumb big empty" role="status">{ "…" }</div>
                }
                <figcaption>
                    { caption }
                    if let Some(e) = mse {
                        <br /><span class="meta">{ format!("error to the clean input {e:.4}") }</span>
                    }
                </figcaption>
            </figure>
        }
    };
    html! {
        <section class="panel denoise-view" data-testid="denoise" aria-label="denoising"
            data-noise={d.noise.to_string()} data-drop={d.drop.to_string()} data-done={d.recon.is_some().to_string()}>
            <h3>{ "Denoising: reconstruct a damaged input" }</h3>
            <div class="row">
                <label>{ "Image " }
                    <select data-testid="denoise-source" onchange={on_source}>
                        { for s.items().iter().map(|i| html! {
                            <option value={i.key.to_string()} selected={d.source == Some(i.key)}>{ i.name.split(" · ").next().unwrap_or_default().to_string() }</option>
                        }) }
                    </select>
                </label>
                <label>{ format!("noise σ = {:.2} ", d.noise) }
                    <input type="range" data-testid="denoise-noise" min="0" max="1" step="0.05" value={d.noise.to_string()} oninput={slider(Action::DenoiseNoise)} />
                </label>
                <label title="masking noise: pixels set to 0 at random, as a denoising autoencoder is trained">{ format!("drop {:.0}% of pixels ", d.drop * 100.0) }
                    <input type="range" data-testid="denoise-drop" min="0" max="0.9" step="0.05" value={d.drop.to_string()} oninput={slider(Action::DenoiseDrop)} />
                </label>
                <label>{ format!("blank square {:.0}% ", d.mask * 100.0) }
                    <input type="range" data-testid="denoise-mask" min="0" max="0.8" step="0.05" value={d.mask.to_string()} oninput={slider(Action::DenoiseMask)} />
                </label>
            </div>
            if source.is_some() {
                <div class="denoise-row">
                    { figure(source.map(|i| &i.input), "clean input", "denoise-clean") }
                    { figure(d.input.as_ref(), "corrupted input", "denoise-input") }
                    { figure(d.recon.as_ref(), &format!("{} from the corrupted input", m.name), "denoise-recon") }
                    if s.wants_denoiser() {
                        { figure(d.denoiser.recon.as_ref(), &format!("{DENOISER}, trained on masked inputs, from the same corrupted input"), "denoise-dae-recon") }
                    }
                    { figure(source.map(|i| &i.recon), "reconstruction of the clean input", "denoise-clean-recon") }
                </div>
            } else {
                <p class="hint">{ "Add an image to the gallery (or wait for the examples) to corrupt it here." }</p>
            }
            <p class="hint">{ "The encoder maps the damaged image to a code, and the decoder can only draw what codes of training images look like: noise the model never learned to draw is dropped, and part of a masked stroke is filled in. A VAE trained on clean images denoises as a side effect. A denoising autoencoder is trained on purpose: mnist-dae saw every training digit with half its pixels set to 0 and was scored against the clean digit, so it learned to fill in strokes; compare the two on the same damaged input with the pixels-dropped slider, the corruption it was trained on." }</p>
        </section>
    }
}
