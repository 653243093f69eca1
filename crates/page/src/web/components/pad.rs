//! A 2-D pad: drag a point to move the two most informative dimensions at once (a thumb on a
//! phone, a mouse on a desktop), or nudge it with the arrow keys. The two sliders follow.

use crate::state::Action;
use bundle::Manifest;
use std::rc::Rc;
use yew::prelude::*;

/// ±3 standard deviations of the prior, as the sliders.
const RANGE: f32 = 3.0;
const SIDE: f64 = 180.0;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub manifest: Rc<Manifest>,
    pub z: Rc<Vec<f32>>,
    pub on_action: Callback<Action>,
}

#[function_component(Pad)]
pub fn pad(props: &Props) -> Html {
    let dims = props.manifest.dims_by_kl();
    let (Some(&a), Some(&b)) = (dims.first(), dims.get(1)) else { return html! {} };
    let dragging = use_mut_ref(|| false);
    let z = props.z.clone();
    let at = |v: f32| f64::from((v + RANGE) / (2.0 * RANGE)) * SIDE;
    let (x, y) = (at(z.get(a).copied().unwrap_or(0.0)), SIDE - at(z.get(b).copied().unwrap_or(0.0)));
    // Set both coordinates in one step: one decode per move, not two.
    let set = {
        let (cb, z) = (props.on_action.clone(), z.clone());
        move |va: f32, vb: f32| {
            let mut next = (*z).clone();
            if a < next.len() && b < next.len() {
                next[a] = va.clamp(-RANGE, RANGE);
                next[b] = vb.clamp(-RANGE, RANGE);
                cb.emit(Action::SetZ(next));
            }
        }
    };
    let from_event = move |e: &PointerEvent| {
        let to = |px: f64| ((px / SIDE) as f32 * 2.0 - 1.0) * RANGE;
        (to(f64::from(e.offset_x())), to(SIDE - f64::from(e.offset_y())))
    };
    let on_down = {
        let (set, dragging) = (set.clone(), dragging.clone());
        Callback::from(move |e: PointerEvent| {
            *dragging.borrow_mut() = true;
            if let Some(t) = e.target_dyn_into::<web_sys::Element>() {
                let _ = t.set_pointer_capture(e.pointer_id());
            }
            let (va, vb) = from_event(&e);
            set(va, vb);
        })
    };
    let on_move = {
        let (set, dragging) = (set.clone(), dragging.clone());
        Callback::from(move |e: PointerEvent| {
            if *dragging.borrow() {
                let (va, vb) = from_event(&e);
                set(va, vb);
            }
        })
    };
    let on_up = {
        let dragging = dragging.clone();
        Callback::from(move |_: PointerEvent| *dragging.borrow_mut() = false)
    };
    let on_key = {
        let (set, z) = (set.clone(), z.clone());
        Callback::from(move |e: KeyboardEvent| {
            let step = if e.shift_key() { 0.5 } else { 0.1 };
            let (da, db) = match e.key().as_str() {
                "ArrowLeft" => (-step, 0.0),
                "ArrowRight" => (step, 0.0),
                "ArrowUp" => (0.0, step),
                "ArrowDown" => (0.0, -step),
                _ => return,
            };
            // The page's own arrow-key shortcuts must not move a slider as well.
            e.prevent_default();
            e.stop_propagation();
            set(z.get(a).copied().unwrap_or(0.0) + da, z.get(b).copied().unwrap_or(0.0) + db);
        })
    };
    let label = format!("2-D pad: latent {a} left–right, latent {b} up–down");
    html! {
        <figure class="pad" aria-label={label.clone()}>
            <svg viewBox={format!("0 0 {SIDE} {SIDE}")} width={SIDE.to_string()} height={SIDE.to_string()} tabindex="0" role="slider"
                aria-label={label} aria-valuetext={format!("latent {a} {:+.2}, latent {b} {:+.2}", z.get(a).copied().unwrap_or(0.0), z.get(b).copied().unwrap_or(0.0))}
                data-testid="pad" data-dims={format!("{a},{b}")}
                onpointerdown={on_down} onpointermove={on_move} onpointerup={on_up.clone()} onpointercancel={on_up} onkeydown={on_key}>
                <line x1={(SIDE / 2.0).to_string()} y1="0" x2={(SIDE / 2.0).to_string()} y2={SIDE.to_string()} class="axis" />
                <line x1="0" y1={(SIDE / 2.0).to_string()} x2={SIDE.to_string()} y2={(SIDE / 2.0).to_string()} class="axis" />
                <circle cx={x.to_string()} cy={y.to_string()} r="9" class="point" />
            </svg>
            <figcaption>{ format!("drag: latent {a} ↔, latent {b} ↕") }</figcaption>
        </figure>
    }
}
