//! Model picker (with opening a PyTorch model), backend badge and switch, sampling and reset.

use super::model_import::ModelImport;
use crate::export;
use crate::state::Action;
use crate::web::browser;
use crate::web::handle::AppHandle;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use worker_protocol::BackendChoice;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The reducer's handle: cloning and comparing it is a pointer copy, not a State copy.
    pub state: AppHandle,
    pub on_action: Callback<Action>,
    pub on_pick: Callback<String>,
    pub on_import: Callback<Vec<web_sys::File>>,
}

#[function_component(Toolbar)]
pub fn toolbar(props: &Props) -> Html {
    let s = &props.state.0;
    let current = s
        .loading
        .as_ref()
        .map(|l| l.manifest.name.clone())
        .or_else(|| s.model.as_ref().map(|m| m.name.clone()));
    // The picker shows the model that is loaded (or loading). A pick that fails leaves the
    // virtual DOM unchanged, so the element is told directly, or it would show the failed pick.
    let picker = use_node_ref();
    {
        let (picker, current) = (picker.clone(), current.clone());
        use_effect(move || {
            if let (Some(el), Some(name)) = (picker.cast::<HtmlSelectElement>(), current)
                && el.value() != name
            {
                el.set_value(&name);
            }
        });
    }
    let on_pick = {
        let cb = props.on_pick.clone();
        Callback::from(move |e: Event| cb.emit(e.target_unchecked_into::<HtmlSelectElement>().value()))
    };
    let on_backend = {
        let cb = props.on_action.clone();
        Callback::from(move |e: Event| {
            if let Some(choice) =
                BackendChoice::parse(&e.target_unchecked_into::<HtmlSelectElement>().value())
            {
                cb.emit(Action::ChooseBackend(choice));
            }
        })
    };
    let on_sample = {
        let cb = props.on_action.clone();
        let (dim, t, model) = (s.z.len(), s.temperature, s.model.clone());
        Callback::from(move |_| {
            cb.emit(Action::SetZ(crate::prior_sample::draw(model.as_deref(), dim, t, browser::seed())))
        })
    };
    let on_reset = {
        let cb = props.on_action.clone();
        Callback::from(move |_| cb.emit(Action::Reset))
    };
    let on_temperature = {
        let cb = props.on_action.clone();
        Callback::from(move |e: InputEvent| {
            if let Ok(t) = e.target_unchecked_into::<HtmlInputElement>().value().parse() {
                cb.emit(Action::SetTemperature(t));
            }
        })
    };
    let choice = |c: BackendChoice, label: &str| {
        let value = format!("{c:?}").to_lowercase();
        html! { <option value={value} selected={s.backend_choice == c}>{ label }</option> }
    };
    let busy = s.model.is_none();
    let on_present = {
        let (cb, on) = (props.on_action.clone(), s.present);
        Callback::from(move |_| cb.emit(Action::Present(!on)))
    };
    let on_help = {
        let (cb, on) = (props.on_action.clone(), s.help);
        Callback::from(move |_| cb.emit(Action::Help(!on)))
    };
    let on_export = {
        let cb = props.on_action.clone();
        let image = s.image.as_ref().map(|i| i.pixels.clone());
        let model = s.model.clone();
        // What is on screen is what is saved: with the overlay of what a slider moves, when shown.
        let overlay = s.sense_overlay().map(|o| o.change.clone());
        Callback::from(move |_| {
            let (Some(pixels), Some(m)) = (&image, &model) else { return };
            let shown = match &overlay {
                Some(change) => export::overlaid(pixels, &m.image, change),
                None => Ok((pixels.to_vec(), m.image.clone())),
            };
            let saved = shown
                .and_then(|(pixels, shape)| export::compose(&[pixels.as_slice()], 1, &shape, export::SCALE))
                .and_then(|p| export::png(&p))
                .and_then(|bytes| browser::download(&bytes, &format!("{}.png", m.name), "image/png"));
            if let Err(e) = saved {
                cb.emit(Action::Failed(e));
            }
        })
    };
    html! {
        <header class="toolbar">
            <h1>{ "Latent Lab" }</h1>
            <label>{ "Model " }
                <select ref={picker} data-testid="model-picker" onchange={on_pick} aria-label="model">
                    { for s.models.iter().map(|m| html! {
                        <option value={m.name.clone()} selected={current.as_deref() == Some(m.name.as_str())}
                            data-imported={m.imported.to_string()} title={m.description.clone()}
                            data-offline={(m.imported || s.offline.saved.contains(&m.name)).to_string()}>
                            { format!("{} ({}-D{}{})", m.name, m.latent_dim, if m.imported { ", imported" } else { "" },
                                if !s.offline.online && !m.imported && !s.offline.saved.contains(&m.name) { ", not saved offline" } else { "" }) }
                        </option>
                    }) }
                </select>
            </label>
            <ModelImport state={props.state.clone()} on_action={props.on_action.clone()} on_files={props.on_import.clone()} />
            <button data-testid="sample" onclick={on_sample} disabled={busy} title="z ~ N(0, T² I)">{ "Sample from the prior" }</button>
            <label class="temperature">{ format!("T = {:.1}", s.temperature) }
                <input type="range" data-testid="temperature" aria-label="temperature" min="0" max="2" step="0.1"
                    value={s.temperature.to_string()} oninput={on_temperature} />
            </label>
            <button data-testid="reset" onclick={on_reset} disabled={busy}>{ "Reset to origin" }</button>
            <button data-testid="export-png" onclick={on_export} disabled={s.image.is_none()} title="the decoded image, 8× larger">{ "Save image (PNG)" }</button>
            <span class="spacer"></span>
            if let Some(b) = s.offline_badge() {
                <span class={classes!("offline-badge", b.available.then_some("available"))} data-testid="offline-status"
                    data-available={b.available.to_string()} title={b.title.clone()} aria-label={b.title}>{ b.text }</span>
            }
            <button data-testid="present" class={classes!(s.present.then_some("on"))} onclick={on_present} title="large type for a lecture hall (P)">{ "Present" }</button>
            <button data-testid="help" onclick={on_help} title="keyboard shortcuts (?)" aria-label="keyboard shortcuts">{ "?" }</button>
            <span class="backend-group">
            <label>{ "Backend " }
                <select data-testid="backend-choice" onchange={on_backend} aria-label="backend">
                    { choice(BackendChoice::Auto, "auto (measure)") }
                    { choice(BackendChoice::Webgpu, "WebGPU") }
                    { choice(BackendChoice::Cpu, "CPU") }
                </select>
            </label>
            <span class="backend" data-testid="backend" title={s.backend_note.clone().unwrap_or_default()}>
                { s.backend.map_or("…", |b| b.as_str()) }
            </span>
            </span>
        </header>
    }
}
