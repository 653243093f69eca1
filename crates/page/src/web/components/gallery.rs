//! The gallery of encoded items: input as the model sees it, its reconstruction, and q(z|x) as
//! μ ± σ, with the ways to add more (`crate::web::io::ingest` does the reading).

use super::crop::CropEditor;
use super::thumb::Thumb;
use super::webcam::Webcam;
use crate::state::{Action, GalleryItem, Mark, State, describe_ood, is_unusual};
use crate::web::handle::PanelProps as Props;
use crate::web::io::ingest::ingest_files;
use bundle::Manifest;
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[function_component(Gallery)]
pub fn gallery(props: &Props) -> Html {
    let s = &props.state.0;
    let on_files = {
        let (cb, m) = (props.on_action.clone(), props.manifest.clone());
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            ingest_files(&cb, input.files(), &m);
            // Let the same file be chosen again.
            input.set_value("");
        })
    };
    let on_export = {
        let (state, cb) = (props.state.clone(), props.on_action.clone());
        Callback::from(move |_: MouseEvent| {
            if let Err(e) = crate::web::hooks::persist::export_file(&state.0) {
                cb.emit(Action::Failed(format!("The gallery could not be exported: {e}.")));
            }
        })
    };
    let on_import = {
        let cb = props.on_action.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                spawn_local(crate::web::hooks::persist::import_file(file, cb.clone()));
            }
            input.set_value("");
        })
    };
    let items = s.items();
    html! {
        <section class="gallery panel" aria-label="gallery">
            <h3>{ "Your images" }</h3>
            <p class="hint">{ "Choose files, drop them anywhere on the page, paste an image, or take a camera snapshot. Each is prepared the way the model was trained (shown under it), encoded to q(z|x), and decoded back." }</p>
            <div class="row">
                <label class="file-button">{ "Add images…" }
                    <input type="file" accept="image/*" multiple=true data-testid="file-input" onchange={on_files} />
                </label>
                <Webcam manifest={props.manifest.clone()} on_action={props.on_action.clone()} />
                <span class="spacer"></span>
                <button data-testid="gallery-export" onclick={on_export} title="your images and vectors, of every model, as one file">{ "Export gallery" }</button>
                <label class="file-button" title="add the items and vectors of an exported file">{ "Import…" }
                    <input type="file" accept=".json,application/json" data-testid="gallery-import" onchange={on_import} />
                </label>
            </div>
            if !s.encoding.is_empty() {
                <span class="meta" role="status">{ format!(" encoding {}…", s.encoding.len()) }</span>
            }
            { crop_editor(s, &props.manifest, &props.on_action) }
            <div class="items">
                { for items.iter().map(|item| view_item(item, s, &props.manifest, &props.on_action)) }
            </div>
        </section>
    }
}

/// The crop square of the photo item being adjusted, when there is one.
fn crop_editor(s: &State, m: &std::rc::Rc<Manifest>, on_action: &Callback<Action>) -> Html {
    let Some(item) = s.cropping.and_then(|k| s.item(k)) else { return html! {} };
    let Some(photo) = item.photo.clone() else { return html! {} };
    let name = item.name.split_once(" · ").map_or(item.name.as_str(), |(n, _)| n).to_string();
    html! {
        <CropEditor item={item.key} name={name} photo={photo} manifest={m.clone()} on_action={on_action.clone()} />
    }
}

/// How unusual the item is for this model (`state/ood.rs`), with what that means on hover.
fn ood_badge(item: &GalleryItem, m: &Manifest) -> Html {
    let Some(p) = item.ood_percentile else { return html! {} };
    let unusual = is_unusual(p);
    let text =
        if unusual { format!("unlike its training data ({p:.1}%)") } else { format!("rarity {p:.0}%") };
    html! {
        <div class={classes!("item-ood", unusual.then_some("unusual"))} data-testid="item-ood"
            data-percentile={format!("{p:.2}")} title={describe_ood(p, m)}>{ text }</div>
    }
}

fn view_item(item: &GalleryItem, s: &State, m: &Manifest, on_action: &Callback<Action>) -> Html {
    let key = item.key;
    let emit = |a: Action| {
        let cb = on_action.clone();
        Callback::from(move |_: MouseEvent| cb.emit(a.clone()))
    };
    let on_mark = {
        let cb = on_action.clone();
        Callback::from(move |e: Event| {
            let mark = match e.target_unchecked_into::<HtmlSelectElement>().value().as_str() {
                "with" => Mark::With,
                "without" => Mark::Without,
                _ => Mark::None,
            };
            cb.emit(Action::MarkItem(key, mark));
        })
    };
    let selected = s.selected == Some(key);
    // μ in full for scripts and tests (`data-mu`), on the selected item only: formatting every
    // item's code on every render would cost a slider drag its frames.
    let (short, steps) = item.name.split_once(" · ").unwrap_or((item.name.as_str(), ""));
    html! {
        <div class={classes!("item", selected.then_some("selected"))} data-testid="gallery-item" data-key={key.to_string()}
            data-mu={selected.then(|| item.mu.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(","))}>
            <button class="pair" onclick={emit(Action::Select(key))} title="set the sliders to μ of this image">
                <Thumb pixels={item.input.clone()} shape={m.image.clone()} label="input as the model sees it" testid={Some(AttrValue::from("item-input"))} />
                <Thumb pixels={item.recon.clone()} shape={m.image.clone()} label="reconstruction: decode of μ" testid={Some(AttrValue::from("item-recon"))} />
            </button>
            <div class="item-name" title={steps.to_string()}>{ short }</div>
            { ood_badge(item, m) }
            { mu_sigma(item, m) }
            <div class="item-tools">
                <button onclick={emit(Action::SetEnd { b: false, key: Some(key) })} title="interpolate from here" class={classes!((s.interp.a == Some(key)).then_some("on"))}>{ "A" }</button>
                <button onclick={emit(Action::SetEnd { b: true, key: Some(key) })} title="interpolate to here" class={classes!((s.interp.b == Some(key)).then_some("on"))}>{ "B" }</button>
                <select aria-label="mark for a vector" data-testid="item-mark" onchange={on_mark}>
                    <option value="none" selected={item.mark == Mark::None}>{ "—" }</option>
                    <option value="with" selected={item.mark == Mark::With}>{ "with" }</option>
                    <option value="without" selected={item.mark == Mark::Without}>{ "without" }</option>
                </select>
                if item.photo.is_some() {
                    <button onclick={emit(Action::EditCrop(Some(key)))} data-testid="item-crop" title="move or size the square this photo is cut at"
                        class={classes!((s.cropping == Some(key)).then_some("on"))}>{ "crop" }</button>
                }
                <button onclick={emit(Action::Delete(key))} aria-label="delete" data-testid="item-delete" title="delete">{ "×" }</button>
            </div>
        </div>
    }
}

/// μ as dots and ±σ as bars, one column per dimension, most informative first.
fn mu_sigma(item: &GalleryItem, m: &Manifest) -> Html {
    let dims = m.dims_by_kl();
    let (w, h) = (120.0, 36.0);
    let step = w / dims.len().max(1) as f32;
    let y = |v: f32| (h / 2.0 - v.clamp(-3.0, 3.0) * h / 6.0).to_string();
    html! {
        <svg class="musigma" viewBox={format!("0 0 {w} {h}")} role="img"
             aria-label={format!("μ and σ of {} dimensions", dims.len())}>
            <line x1="0" x2={w.to_string()} y1={(h / 2.0).to_string()} y2={(h / 2.0).to_string()} class="axis" />
            { for dims.iter().enumerate().map(|(i, &d)| {
                let x = (i as f32 + 0.5) * step;
                let (mu, sd) = (item.mu.get(d).copied().unwrap_or(0.0), item.sigma.get(d).copied().unwrap_or(0.0));
                html! { <g>
                    <line x1={x.to_string()} x2={x.to_string()} y1={y(mu - sd)} y2={y(mu + sd)} class="sd" />
                    <circle cx={x.to_string()} cy={y(mu)} r="1.3" class="mu" />
                </g> }
            }) }
        </svg>
    }
}
