//! One slider per latent dimension, most informative (highest KL) first; dimensions the model
//! does not use (KL ≈ 0: posterior collapsed to the prior) are greyed and grouped at the end.

use bundle::{ACTIVE_KL, Manifest};
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// ±3 standard deviations of the N(0, 1) prior.
const RANGE: f32 = 3.0;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub manifest: Rc<bundle::Manifest>,
    pub z: Rc<Vec<f32>>,
    /// Changes whenever the page's state sets the code (its newest decode id): a slider the hand
    /// moved ahead of the state then shows the state's value again.
    pub generation: u64,
    pub on_change: Callback<(usize, f32)>,
    /// σ of the selected gallery item, drawn as a band around each slider's value.
    #[prop_or_default]
    pub sigma: Option<Rc<Vec<f32>>>,
    /// The dimension the arrow keys move, highlighted.
    #[prop_or_default]
    pub focused: Option<usize>,
    /// Whether the decoded image shows what the focused slider moves, and the page's actions
    /// (the toggle, and which slider has the focus).
    #[prop_or_default]
    pub sensing: bool,
    #[prop_or_default]
    pub on_action: Option<Callback<crate::state::Action>>,
}

#[function_component(Sliders)]
pub fn sliders(props: &Props) -> Html {
    let m: &Manifest = &props.manifest;
    let (active, inactive): (Vec<usize>, Vec<usize>) =
        m.dims_by_kl().into_iter().partition(|&d| m.kl_per_dim[d] > ACTIVE_KL);
    let row = |d: usize, active: bool| {
        html! {
            <SliderRow key={d} dim={d} value={props.z.get(d).copied().unwrap_or(0.0)} generation={props.generation}
                sigma={props.sigma.as_ref().and_then(|s| s.get(d).copied())}
                kl={m.kl_per_dim[d]} {active} focused={props.focused == Some(d)}
                on_change={props.on_change.clone()} on_action={props.on_action.clone()} />
        }
    };
    let toggle = props.on_action.clone().map(|cb| {
        let on = props.sensing;
        html! {
            <label class="sense-toggle" title="while a slider has the focus, red on the image marks the pixels it changes, by how much per unit">
                <input type="checkbox" data-testid="sense-toggle" checked={on}
                    onchange={Callback::from(move |_: Event| cb.emit(crate::state::Action::SenseOverlay(!on)))} />
                { "Show what a slider moves" }
            </label>
        }
    });
    html! {
        <section class="sliders" aria-label="latent dimensions">
            <h3>{ format!("Latent code: {} of {} dimensions in use", active.len(), m.latent_dim) }</h3>
            { for toggle }
            <div class="slider-grid">{ for active.iter().map(|&d| row(d, true)) }</div>
            if !inactive.is_empty() {
                <details class="inactive">
                    <summary>{ format!("{} inactive dimensions (KL < {ACTIVE_KL} nats: the decoder ignores them)", inactive.len()) }</summary>
                    <div class="slider-grid">{ for inactive.iter().map(|&d| row(d, false)) }</div>
                </details>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct RowProps {
    dim: usize,
    value: f32,
    generation: u64,
    sigma: Option<f32>,
    kl: f32,
    active: bool,
    focused: bool,
    on_change: Callback<(usize, f32)>,
    on_action: Option<Callback<crate::state::Action>>,
}

/// One slider, a component of its own so that a move renders only the slider that moved (its
/// callbacks are made once by the root): rendering all of them on every input was a large part
/// of a dragged slider's frame (bench/OPTIMISATION.md).
#[function_component(SliderRow)]
fn slider_row(props: &RowProps) -> Html {
    use crate::state::{Action, SenseTarget};
    let RowProps { dim, sigma, kl, active, focused, .. } = *props;
    // While a drag runs ahead of the reducer (`live_drag.rs`) the row shows the hand's value;
    // once the reducer has a newer value than the one the drag began from, that one.
    let dragged = use_state_eq(|| None::<(f32, f32)>);
    let value = match *dragged {
        Some((from, v)) if from == props.value => v,
        _ => props.value,
    };
    let input = use_node_ref();
    {
        // The state set the code (the drag handed over, a key, Reset): forget the hand's value,
        // and put the state's on the input, which keeps what the hand left when the state's
        // value is the one it last rendered (Reset straight after a drag).
        let (dragged, input, value) = (dragged.clone(), input.clone(), props.value);
        use_effect_with(props.generation, move |_| {
            dragged.set(None);
            if let Some(el) = input.cast::<HtmlInputElement>() {
                el.set_value(&format!("{value:.2}"));
            }
        });
    }
    let (on_change, on_action) = (&props.on_change, props.on_action.as_ref());
    let sense = |target: Option<SenseTarget>| {
        let cb = on_action.cloned();
        Callback::from(move |_: FocusEvent| {
            if let Some(cb) = &cb {
                cb.emit(Action::Sense(target.clone()))
            }
        })
    };
    let (onfocus, onblur) = (sense(Some(SenseTarget::Dim(dim))), sense(None));
    let (cb, shown, from) = (on_change.clone(), dragged.clone(), props.value);
    // `input` fires continuously while dragging, so the image follows the hand.
    let oninput = Callback::from(move |e: InputEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        if let Ok(v) = input.value().parse::<f32>() {
            shown.set(Some((from, v)));
            cb.emit((dim, v));
        }
    });
    let label = format!("latent {dim}");
    html! {
        <label class={classes!("slider", (!active).then_some("inactive"), focused.then_some("focused"))}>
            <span class="name">{ &label }</span>
            <span class="track">
                if let Some(sd) = sigma {
                    <span class="band" data-testid="sigma-band" title={format!("σ = {sd:.2}")} style={band_style(value, sd)}></span>
                }
                <input ref={input} type="range" data-testid="latent-slider" data-dim={dim.to_string()} aria-label={label.clone()}
                    min={(-RANGE).to_string()} max={RANGE.to_string()} step="0.01" value={format!("{value:.2}")} {oninput} {onfocus} {onblur} />
            </span>
            // The text in a span of its own, sized by the style sheet: a grid cell cannot bound a
            // layout in Chromium, so the new value on every move laid out the whole page.
            <span class="value" data-testid="latent-value"><span class="value-text">{ signed(value) }</span></span>
            <span class="kl" title="mean KL on the test set, nats">{ format!("KL {kl:.2}") }</span>
        </label>
    }
}

/// A slider's value with its sign, the minus as U+2212: as wide as the plus in the page's
/// fonts, where a hyphen is narrower, and a value text that changed width as it crossed zero
/// made Chromium layerise the page again (bench/OPTIMISATION.md). Screen readers say "minus".
fn signed(value: f32) -> String {
    format!("{value:+.2}").replacen('-', "\u{2212}", 1)
}

/// `left`/`width` of the ±σ band in percent of the slider's track.
fn band_style(value: f32, sd: f32) -> String {
    let pct = |v: f32| ((v + RANGE) / (2.0 * RANGE)).clamp(0.0, 1.0) * 100.0;
    let (lo, hi) = (pct(value - sd), pct(value + sd));
    format!("left: {lo:.1}%; width: {:.1}%", (hi - lo).max(0.5))
}
