//! Latent arithmetic: attribute vectors with a strength slider, class-to-class vectors, the
//! user's own vectors (mean of items marked "with" minus "without"), and the analogy a − b + c.

use super::vector_quality::vector_quality;
use crate::state::{Action, VectorChoice};
use crate::web::handle::AppHandle;
use bundle::Manifest;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The reducer's handle: cloning and comparing it is a pointer copy, not a State copy.
    pub state: AppHandle,
    pub manifest: Rc<Manifest>,
    pub on_action: Callback<Action>,
}

fn value_of(e: &Event) -> String {
    e.target_unchecked_into::<HtmlSelectElement>().value()
}

#[function_component(Vectors)]
pub fn vectors(props: &Props) -> Html {
    let (s, m, cb) = (&props.state.0, &props.manifest, props.on_action.clone());
    let named = s.named_vectors();
    let classes = !m.label_means.is_empty();
    let on_choose = {
        let cb = cb.clone();
        Callback::from(move |e: Event| {
            let v = value_of(&e);
            cb.emit(Action::ChooseVector((!v.is_empty()).then_some(VectorChoice::Named(v))));
        })
    };
    let class_pick = |to: bool| {
        let cb = cb.clone();
        let current = match &s.vector {
            Some(VectorChoice::Classes { from, to: t }) => Some(if to { *t } else { *from }),
            _ => None,
        };
        let other = match &s.vector {
            Some(VectorChoice::Classes { from, to: t }) => {
                if to {
                    *from
                } else {
                    *t
                }
            }
            _ => {
                if to {
                    0
                } else {
                    1
                }
            }
        };
        let onchange = Callback::from(move |e: Event| {
            if let Ok(k) = value_of(&e).parse::<usize>() {
                let (from, t) = if to { (other, k) } else { (k, other) };
                cb.emit(Action::ChooseVector(Some(VectorChoice::Classes { from, to: t })));
            }
        });
        html! {
            <select aria-label={if to { "to class" } else { "from class" }} {onchange}>
                <option value="" selected={current.is_none()}>{ "…" }</option>
                { for m.label_names.iter().enumerate().map(|(k, n)| html! {
                    <option value={k.to_string()} selected={current == Some(k)}>{ n.clone() }</option>
                }) }
            </select>
        }
    };
    let on_strength = {
        let cb = cb.clone();
        Callback::from(move |e: InputEvent| {
            if let Ok(v) = e.target_unchecked_into::<HtmlInputElement>().value().parse() {
                cb.emit(Action::SetStrength(v));
            }
        })
    };
    let name_ref = use_node_ref();
    let on_save = {
        let (cb, name_ref) = (cb.clone(), name_ref.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(input) = name_ref.cast::<HtmlInputElement>() {
                cb.emit(Action::SaveVector(input.value()));
                input.set_value("");
            }
        })
    };
    let picks = use_state(|| [None::<u64>; 3]);
    let items = s.items();
    let analogy_pick = |slot: usize, label: &'static str| {
        let handle = picks.clone();
        let onchange = Callback::from(move |e: Event| {
            let mut p = *handle;
            p[slot] = value_of(&e).parse().ok();
            handle.set(p);
        });
        html! {
            <select aria-label={label} data-testid={format!("analogy-{slot}")} {onchange}>
                <option value="">{ label }</option>
                { for items.iter().map(|i| html! {
                    <option value={i.key.to_string()} selected={picks[slot] == Some(i.key)}>{ i.name.split(" · ").next().unwrap_or_default().to_string() }</option>
                }) }
            </select>
        }
    };
    let on_analogy = {
        let (cb, picks) = (cb.clone(), picks.clone());
        Callback::from(move |_: MouseEvent| {
            if let [Some(a), Some(b), Some(c)] = *picks {
                cb.emit(Action::Analogy([a, b, c]));
            }
        })
    };
    let chosen = s.vector.as_ref().map(|c| c.label(&m.label_names));
    let custom: Vec<_> = s.custom_vectors.iter().filter(|v| v.model == m.name).collect();
    html! {
        <section class="vectors panel" data-testid="attribute" aria-label="latent vectors">
            <h3>{ "Latent arithmetic" }</h3>
            <div class="row">
                if !named.is_empty() {
                    <label>{ "Vector " }
                        <select data-testid="vector-choice" aria-label="vector" onchange={on_choose}>
                            <option value="" selected={!matches!(s.vector, Some(VectorChoice::Named(_)))}>{ "choose…" }</option>
                            { for named.iter().map(|(n, _)| html! {
                                <option value={n.clone()} selected={s.vector == Some(VectorChoice::Named(n.clone()))}>{ n.clone() }</option>
                            }) }
                        </select>
                    </label>
                }
                if classes {
                    <span>{ "or class " }{ class_pick(false) }{ " → " }{ class_pick(true) }</span>
                }
            </div>
            <div class="row">
                <label class="strength">{ format!("strength {:+.1}", s.strength) }
                    <input type="range" data-testid="vector-strength" aria-label="vector strength" min="-3" max="3" step="0.1"
                        value={s.strength.to_string()} oninput={on_strength} disabled={s.vector.is_none()}
                        onfocus={{ let cb = cb.clone(); Callback::from(move |_: FocusEvent| cb.emit(Action::Sense(Some(crate::state::SenseTarget::Vector)))) }}
                        onblur={{ let cb = cb.clone(); Callback::from(move |_: FocusEvent| cb.emit(Action::Sense(None))) }} />
                </label>
                <span class="meta">{ chosen.map(|c| format!("z ← z + strength · v({c})")).unwrap_or_else(|| "choose a vector to add it to the current code".into()) }</span>
            </div>
            <details>
                <summary>{ "Make your own vector" }</summary>
                <p class="hint">{ "Mark gallery items \"with\" and \"without\" a feature; the vector is mean(μ with) − mean(μ without), computed here in the browser." }</p>
                <div class="row">
                    <input ref={name_ref} type="text" data-testid="vector-name" aria-label="new vector name" placeholder="name, e.g. thick strokes" maxlength="40" />
                    <button data-testid="vector-save" onclick={on_save}>{ "Save vector" }</button>
                </div>
                <ul class="custom">
                    { for custom.iter().map(|v| {
                        let (cb, name) = (cb.clone(), v.name.clone());
                        html! { <li data-testid="custom-vector">{ format!("{} (from {} with, {} without) ", v.name, v.support[0], v.support[1]) }
                            <button aria-label={format!("delete vector {}", v.name)} onclick={Callback::from(move |_: MouseEvent| cb.emit(Action::DeleteVector(name.clone())))}>{ "×" }</button></li> }
                    }) }
                </ul>
            </details>
            { vector_quality(s, &cb) }
            <details>
                <summary>{ "Analogy a − b + c" }</summary>
                <div class="row">
                    { analogy_pick(0, "a") }{ " − " }{ analogy_pick(1, "b") }{ " + " }{ analogy_pick(2, "c") }
                    <button data-testid="analogy-go" onclick={on_analogy} disabled={picks.iter().any(Option::is_none)}>{ "Show" }</button>
                </div>
            </details>
        </section>
    }
}
