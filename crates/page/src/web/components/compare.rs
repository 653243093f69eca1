//! AE vs VAE: a plain autoencoder and a VAE of the same shape, trained on the same digits,
//! decoding the same codes side by side: the current z, samples from the prior, and the path
//! between two encoded images.

use super::thumb::Thumb;
use crate::state::{Action, COMPARE_FRAMES, COMPARE_MODELS};
use crate::web::handle::PanelProps as Props;
use crate::web::hooks::lecture_requests::{COMPARE_SAMPLES, prior_samples};
use std::rc::Rc;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[function_component(CompareView)]
pub fn compare_view(props: &Props) -> Html {
    let s = &props.state.0;
    let c = &s.compare;
    let on_sample = {
        let cb = props.on_action.clone();
        Callback::from(move |_| cb.emit(Action::CompareSamples(prior_samples(COMPARE_SAMPLES))))
    };
    let items = s.items();
    let pair_picker = |end: usize| {
        let cb = props.on_action.clone();
        let pair = c.pair;
        let onchange = Callback::from(move |e: Event| {
            let key: Option<u64> = e.target_unchecked_into::<HtmlSelectElement>().value().parse().ok();
            let mut p = pair.unwrap_or([0, 0]);
            if let Some(k) = key {
                p[end] = k;
            }
            cb.emit(Action::ComparePair(Some(p)));
        });
        html! {
            <select aria-label={if end == 0 { "first image" } else { "second image" }} data-testid={format!("compare-end-{end}")} {onchange}>
                { for items.iter().map(|i| html! {
                    <option value={i.key.to_string()} selected={c.pair.map(|p| p[end]) == Some(i.key)}>{ i.name.split(" · ").next().unwrap_or_default().to_string() }</option>
                }) }
            </select>
        }
    };
    let same_images = props.manifest.image
        == c.manifests[1].as_ref().map_or(props.manifest.image.clone(), |m| m.image.clone());
    html! {
        <section class="panel compare-view" data-testid="compare" aria-label="autoencoder against VAE">
            <h3>{ "Plain autoencoder vs VAE, same codes" }</h3>
            <div class="row">
                <button data-testid="compare-resample" onclick={on_sample}>{ "New samples from the prior" }</button>
                if same_images && items.len() >= 2 {
                    { "Interpolate between " }{ pair_picker(0) }{ " and " }{ pair_picker(1) }
                }
            </div>
            <div class="compare-sides">
                { for (0..2).map(|side| view_side(s, side, same_images)) }
            </div>
            <p class="hint">{ "Both models have 32 latent dimensions and were trained on the same digits; only the loss differs. The autoencoder is trained to reconstruct, nothing more, so its codes sit wherever was convenient, with gaps between them: a random point usually lands in a gap and decodes to a smudge. The VAE's KL term pulls q(z|x) onto the prior, so the prior's samples land where codes were trained and decode to digits, and the path between two codes stays among digits too. The samples here are drawn from the VAE's prior and given to both models; a VAE that learned its prior (a mixture of Gaussians, trained with it) says so on its card. The share of prior samples a digit classifier labels with ≥ 90% confidence was measured at training time (shown under each name)." }</p>
            { super::family::family_table(s) }
        </section>
    }
}

fn view_side(s: &crate::state::State, side: usize, same_images: bool) -> Html {
    let c = &s.compare;
    let name = COMPARE_MODELS[side];
    let Some(m) = c.manifests[side].as_ref() else {
        return html! { <div class="compare-side" role="status">{ format!("Loading {name}…") }</div> };
    };
    let confident = m
        .metrics
        .get("prior_samples_confident_share")
        .map(|v| format!("{:.1}% of prior samples look like a digit", v * 100.0));
    let images = c.images[side].as_ref().filter(|i| i.len() > c.sample_seeds.len());
    let thumb = |img: &Vec<u8>, label: String, testid: &'static str, class: Option<&'static str>| {
        html! {
            <Thumb pixels={Rc::new(img.clone())} shape={m.image.clone()} label={label} testid={Some(AttrValue::from(testid))} class={classes!(class)} />
        }
    };
    html! {
        <div class="compare-side" data-testid="compare-side" data-model={name} data-ready={images.is_some().to_string()}>
            <h4>{ if side == 0 { "Autoencoder" } else { "VAE" } }<span class="meta">{ format!(" {name}") }</span></h4>
            if let Some(text) = confident { <p class="meta">{ text }</p> }
            { drift(s, side) }
            if let Some(images) = images {
                <div class="compare-row"><span class="label">{ "current z" }</span>{ thumb(&images[0], "the current z".into(), "compare-current", None) }</div>
                <div class="compare-row"><span class="label">{ "z ~ the VAE's prior" }</span>
                    { for images[1..1 + c.sample_seeds.len()].iter().enumerate().map(|(i, img)| thumb(img, format!("prior sample {}", i + 1), "compare-sample", None)) }
                </div>
                if images.len() == 1 + c.sample_seeds.len() + COMPARE_FRAMES {
                    <div class="compare-row"><span class="label">{ "A → B" }</span>
                        { for images[1 + c.sample_seeds.len()..].iter().enumerate().map(|(i, img)| {
                            let mid = i == COMPARE_FRAMES / 2;
                            thumb(img, if mid { "the midpoint".into() } else { format!("frame {}", i + 1) }, if mid { "compare-mid" } else { "compare-frame" }, mid.then_some("mid"))
                        }) }
                    </div>
                } else if !same_images {
                    <p class="hint">{ "Open an MNIST model to interpolate between its example digits here." }</p>
                }
            } else {
                <p class="hint" role="status">{ "Decoding…" }</p>
            }
        </div>
    }
}

/// The side's mean round-trip drift over the codes it shows: decode, encode, distance to z.
fn drift(s: &crate::state::State, side: usize) -> Html {
    let Some(d) = s.drift.compare[side].values.as_ref().filter(|d| !d.is_empty()) else {
        return html! {};
    };
    let mean = d.iter().sum::<f32>() / d.len() as f32;
    html! {
        <p class="meta" data-testid="compare-drift" data-drift={format!("{mean:.4}")}
            title="each code shown here is decoded, the picture encoded again; this is how far μ lands from the code, on average">
            { format!("round trip drifts {mean:.2} on average over these {} codes", d.len()) }
        </p>
    }
}
