//! The melody view: a sequence VAE's code on sliders, its decode as a piano roll that plays, the
//! model's card with its figures in words, and beside them the gallery, the interpolation row
//! and the ways in (keyboard, MIDI). Everything here reads `state.melody`; the image model's
//! state is left as it was.

use super::melody_gallery::MelodyGallery;
use super::melody_input::MelodyInput;
use super::piano_roll::PianoRoll;
use crate::state::{Action, MelodyAction, Playing, State};
use crate::web::browser;
use crate::web::handle::AppHandle;
use bundle::{ACTIVE_KL, MelodyManifest};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: AppHandle,
    pub on_action: Callback<Action>,
}

fn act(cb: &Callback<Action>, a: MelodyAction) -> Callback<MouseEvent> {
    let cb = cb.clone();
    Callback::from(move |_| cb.emit(Action::Melody(a.clone())))
}

/// The figures the trainer measured, in words a student reads at a glance.
fn figures(m: &MelodyManifest) -> Html {
    let get = |k: &str| m.metrics.get(k).copied();
    let pct = |v: f64| format!("{:.0}%", v * 100.0);
    html! {
        <ul class="melody-figures" data-testid="melody-figures">
            if let Some(v) = get("note_accuracy") {
                <li>{ format!("{} of the notes of tunes it never saw come back at the right step and pitch when encoded and decoded.", pct(v)) }</li>
            }
            if let (Some(p), Some(d)) = (get("prior_one_key"), get("data_one_key")) {
                <li>{ format!("{} of 10 random codes decode to a phrase in one key ({} of 1,000; the tunes themselves: {}).", (p * 10.0).round(), pct(p), pct(d)) }</li>
            }
        </ul>
    }
}

/// The VAE beside the plain sequence autoencoder, when both are shipped: the lesson of the image
/// models, heard (the AE reconstructs; only the VAE's random codes are melodies).
fn comparison(s: &State) -> Html {
    let lab = &s.melody;
    if lab.manifests.len() < 2 {
        return html! {};
    }
    let cell = |m: &MelodyManifest, k: &str| {
        m.metrics.get(k).map_or("–".to_string(), |v| format!("{:.0}%", v * 100.0))
    };
    html! {
        <table class="melody-compare" data-testid="melody-compare">
            <thead><tr><th scope="col">{ "model" }</th><th scope="col">{ "notes back" }</th><th scope="col">{ "random codes in one key" }</th></tr></thead>
            <tbody>
                { for lab.manifests.iter().map(|m| html! {
                    <tr data-model={m.name.clone()}>
                        <th scope="row">{ m.name.clone() }</th>
                        <td>{ cell(m, "note_accuracy") }</td>
                        <td>{ cell(m, "prior_one_key") }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

fn sliders(s: &State, m: &MelodyManifest, cb: &Callback<Action>) -> Html {
    let mut dims: Vec<usize> = (0..m.architecture.latent).collect();
    dims.sort_by(|a, b| m.kl_per_dim[*b].total_cmp(&m.kl_per_dim[*a]));
    let row = |d: usize| {
        let cb = cb.clone();
        let value = s.melody.z.get(d).copied().unwrap_or(0.0);
        let kl = m.kl_per_dim[d];
        let oninput = Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(value) = input.value().parse::<f32>() {
                cb.emit(Action::Melody(MelodyAction::SetLatent { dim: d, value }));
            }
        });
        html! {
            <label class={classes!("melody-slider", (m.architecture.variational && kl <= ACTIVE_KL).then_some("unused"))}>
                <span>{ if m.architecture.variational { format!("z{d} · KL {kl:.2}") } else { format!("z{d}") } }</span>
                <input type="range" min="-3" max="3" step="0.01" value={format!("{value}")} {oninput}
                    data-testid="melody-slider" data-dim={d.to_string()} aria-label={format!("latent dimension {d}")} />
            </label>
        }
    };
    html! { <div class="melody-sliders">{ for dims.into_iter().map(row) }</div> }
}

fn vectors(s: &State, m: &MelodyManifest, cb: &Callback<Action>) -> Html {
    if m.vectors.is_empty() {
        return html! {};
    }
    let on_vector = {
        let cb = cb.clone();
        Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            cb.emit(Action::Melody(MelodyAction::Vector(sel.value().parse::<usize>().ok())));
        })
    };
    let on_strength = {
        let cb = cb.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(v) = input.value().parse::<f32>() {
                cb.emit(Action::Melody(MelodyAction::Strength(v)));
            }
        })
    };
    let chosen = s.melody.vector;
    html! {
        <div class="melody-vectors">
            <label>{ "Attribute " }
                <select data-testid="melody-vector" onchange={on_vector}>
                    <option value="" selected={chosen.is_none()}>{ "none" }</option>
                    { for m.vectors.iter().enumerate().map(|(i, v)| html! {
                        <option value={i.to_string()} selected={chosen == Some(i)}>
                            { format!("{} ({} phrases with, {} without)", v.name,
                                v.support.map_or(0, |s| s[0]), v.support.map_or(0, |s| s[1])) }
                        </option>
                    }) }
                </select>
            </label>
            <label>{ "strength " }
                <input type="range" min="-3" max="3" step="0.05" value={format!("{}", s.melody.strength)}
                    disabled={chosen.is_none()} oninput={on_strength} data-testid="melody-strength" />
                <output>{ format!("{:+.2}", s.melody.strength) }</output>
            </label>
        </div>
    }
}

#[function_component(MelodyView)]
pub fn melody_view(props: &Props) -> Html {
    let s = &props.state.0;
    let lab = &s.melody;
    let cb = &props.on_action;
    let Some(m) = lab.model.clone() else {
        let text = match &lab.loading {
            Some((_, m)) => format!("loading {}…", m.name),
            None => "looking for melody models…".to_string(),
        };
        return html! { <section class="melody" data-testid="melody-view"><p role="status">{ text }</p></section> };
    };
    let on_pick = {
        let cb = cb.clone();
        Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            cb.emit(Action::Melody(MelodyAction::Choose(sel.value())));
        })
    };
    let playing = lab.playing;
    let tokens = lab.melody.as_ref().map(|(_, t)| t.clone()).unwrap_or_default();
    let settled = lab.melody.as_ref().is_some_and(|(id, _)| *id == lab.decode_id);
    html! {
        <section class="melody" data-testid="melody-view" data-model={m.name.clone()}
            data-settled={settled.to_string()} data-playing={playing.map(|p| format!("{p:?}")).unwrap_or_default()}>
            <div class="melody-head">
                <label>{ "Melody model " }
                    <select data-testid="melody-picker" onchange={on_pick}>
                        { for lab.entries.iter().map(|e| html! {
                            <option value={e.name.clone()} selected={e.name == m.name}>{ e.name.clone() }</option>
                        }) }
                    </select>
                </label>
                <p class="meta">{ format!("{} · {} latent dimensions · {} steps of a sixteenth · trained {} epochs on {}",
                    m.description, m.architecture.latent, m.architecture.steps, m.training.epochs, m.training.dataset) }</p>
                { figures(&m) }
                { comparison(s) }
            </div>
            <div class="melody-stage">
                <PianoRoll tokens={tokens} z={Some(lab.z.clone())} testid={AttrValue::Static("melody-roll")} />
                <div class="melody-controls">
                    if playing == Some(Playing::Current) {
                        <button data-testid="melody-stop" onclick={act(cb, MelodyAction::Stop)}>{ "■ Stop" }</button>
                    } else {
                        <button data-testid="melody-play" disabled={lab.melody.is_none()}
                            onclick={act(cb, MelodyAction::Play(Playing::Current))}>{ "▶ Play" }</button>
                    }
                    <button data-testid="melody-sample" title="a code drawn from the prior N(0, I)"
                        onclick={{ let cb = cb.clone(); Callback::from(move |_| cb.emit(Action::Melody(MelodyAction::Sample(browser::seed())))) }}>
                        { "Sample from the prior" }</button>
                    <button data-testid="melody-reset" onclick={act(cb, MelodyAction::Reset)}>{ "Reset" }</button>
                </div>
                { vectors(s, &m, cb) }
            </div>
            { sliders(s, &m, cb) }
            <MelodyGallery state={props.state.clone()} on_action={cb.clone()} />
            <MelodyInput state={props.state.clone()} on_action={cb.clone()} />
        </section>
    }
}
