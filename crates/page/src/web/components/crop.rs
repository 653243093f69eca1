//! The crop square of a face photo: drag it, size it (wheel, slider, + and −), or move it with
//! the arrow keys; the prepared input beside it follows the hand, and letting go encodes the
//! new cut (`Action::Recrop`).

use super::thumb::Thumb;
use crate::state::{Action, Photo};
use crate::web::browser;
use bundle::Manifest;
use image_input::crop::{Crop, MAX_SIDE, MIN_SIDE};
use image_input::preprocess::prepare_face;
use std::rc::Rc;
use web_sys::{HtmlCanvasElement, HtmlElement, HtmlInputElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The gallery item's key.
    pub item: u64,
    pub name: AttrValue,
    pub photo: Rc<Photo>,
    pub manifest: Rc<Manifest>,
    pub on_action: Callback<Action>,
}

/// Arrow keys move by this many short sides (ten times as far with Shift).
const KEY_STEP: f32 = 0.02;
/// + and − size by this factor.
const KEY_ZOOM: f32 = 1.05;

/// The square's place over the picture, as CSS percentages of the picture's box.
fn square_style(crop: Crop, w: usize, h: usize) -> String {
    let (left, top, side) = crop.in_pixels(w, h);
    let pct = |v: f32, of: usize| v / of.max(1) as f32 * 100.0;
    format!(
        "left:{:.3}%;top:{:.3}%;width:{:.3}%;height:{:.3}%",
        pct(left, w),
        pct(top, h),
        pct(side, w),
        pct(side, h)
    )
}

#[function_component(CropEditor)]
pub fn crop_editor(props: &Props) -> Html {
    let photo = props.photo.clone();
    let (w, h) = (photo.rgba.width, photo.rgba.height);
    // The square while the hand moves it (drawn from `shown`; `live` is what the next event
    // starts from, since events can arrive faster than renders); the reducer's copy changes
    // when it is let go.
    let shown = use_state(|| photo.crop);
    let live = use_mut_ref(|| photo.crop);
    {
        let (shown, live) = (shown.clone(), live.clone());
        use_effect_with(photo.crop, move |c| {
            *live.borrow_mut() = *c;
            shown.set(*c);
        });
    }
    let set = {
        let (shown, live) = (shown.clone(), live.clone());
        move |c: Crop| {
            *live.borrow_mut() = c;
            shown.set(c);
        }
    };
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        use_effect_with(photo.rgba.clone(), move |rgba| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                browser::put_rgba(&c, rgba);
            }
        });
    }
    let commit = {
        let (cb, key) = (props.on_action.clone(), props.item);
        Callback::from(move |c: Crop| cb.emit(Action::Recrop { key, crop: c }))
    };
    // Pointer drags: the last position, in the picture's short sides.
    let drag = use_mut_ref(|| None::<(f32, f32)>);
    let frame = use_node_ref();
    let to_short_sides = {
        let frame = frame.clone();
        move |e: &PointerEvent| -> Option<(f32, f32)> {
            let el = frame.cast::<HtmlElement>()?;
            let r = el.get_bounding_client_rect();
            let short_px = (r.width().min(r.height()) as f32).max(1.0);
            Some((e.client_x() as f32 / short_px, e.client_y() as f32 / short_px))
        }
    };
    let down = {
        let (drag, to) = (drag.clone(), to_short_sides.clone());
        Callback::from(move |e: PointerEvent| {
            if let Some(target) = e.target_dyn_into::<web_sys::Element>() {
                let _ = target.set_pointer_capture(e.pointer_id());
            }
            *drag.borrow_mut() = to(&e);
        })
    };
    let moved = {
        let (drag, to, live, set) = (drag.clone(), to_short_sides.clone(), live.clone(), set.clone());
        Callback::from(move |e: PointerEvent| {
            let Some(from) = *drag.borrow() else { return };
            let Some(now) = to(&e) else { return };
            e.prevent_default();
            let next = live.borrow().moved(now.0 - from.0, now.1 - from.1, w, h);
            set(next);
            *drag.borrow_mut() = Some(now);
        })
    };
    let up = {
        let (drag, live, commit) = (drag.clone(), live.clone(), commit.clone());
        Callback::from(move |_: PointerEvent| {
            if drag.borrow_mut().take().is_some() {
                commit.emit(*live.borrow());
            }
        })
    };
    // Every change by key, wheel or slider is committed at once (each is one step, not a drag).
    let step_to = {
        let (set, commit) = (set.clone(), commit.clone());
        move |next: Crop| {
            set(next);
            commit.emit(next);
        }
    };
    let on_key = {
        let (live, step_to) = (live.clone(), step_to.clone());
        Callback::from(move |e: KeyboardEvent| {
            let step = if e.shift_key() { KEY_STEP * 10.0 } else { KEY_STEP };
            let now = *live.borrow();
            let next = match e.key().as_str() {
                "ArrowLeft" => now.moved(-step, 0.0, w, h),
                "ArrowRight" => now.moved(step, 0.0, w, h),
                "ArrowUp" => now.moved(0.0, -step, w, h),
                "ArrowDown" => now.moved(0.0, step, w, h),
                "+" | "=" => now.zoomed(1.0 / KEY_ZOOM),
                "-" | "_" => now.zoomed(KEY_ZOOM),
                "0" => Crop::default(),
                _ => return,
            };
            // The page's own shortcuts (arrows move a latent dimension) must not see these.
            e.prevent_default();
            e.stop_propagation();
            step_to(next);
        })
    };
    let on_wheel = {
        let (live, step_to) = (live.clone(), step_to.clone());
        Callback::from(move |e: WheelEvent| {
            let next = live.borrow().zoomed(1.1f32.powf(e.delta_y() as f32 / 100.0));
            step_to(next);
        })
    };
    let on_size = {
        let (live, step_to) = (live.clone(), step_to.clone());
        Callback::from(move |e: Event| {
            let v: f32 = e.target_unchecked_into::<HtmlInputElement>().value().parse().unwrap_or(1.0);
            let next = Crop { side: v, ..*live.borrow() }.zoomed(1.0);
            step_to(next);
        })
    };
    let close = {
        let cb = props.on_action.clone();
        Callback::from(move |_: MouseEvent| cb.emit(Action::EditCrop(None)))
    };
    let reset = Callback::from(move |_: MouseEvent| step_to(Crop::default()));
    let m = &props.manifest;
    // What the model will be given, recomputed as the square moves (a 64×64 resize: cheap).
    let preview = prepare_face(&photo.rgba, &m.image, *shown)
        .map(|p| Rc::new(worker_protocol::pixels::to_bytes(&p.pixels)))
        .unwrap_or_default();
    html! {
        <section class="crop-editor" data-testid="crop-editor" aria-label={format!("crop of {}", props.name)}>
            <p class="hint">{ "Put the square round the face as the model's drawn faces are framed: head and shoulders, centred. Drag it, size it with the wheel, the slider or + and −; arrow keys move it (Shift: faster), 0 resets." }</p>
            <div class="crop-row">
                <div ref={frame} class="crop-frame" tabindex="0" data-testid="crop-frame" onkeydown={on_key} onwheel={on_wheel}
                    role="group" aria-label="crop square: arrow keys move it, + and − size it"
                    style={format!("aspect-ratio:{w}/{h}")}>
                    <canvas ref={canvas} width={w.to_string()} height={h.to_string()} />
                    <div class="crop-square" data-testid="crop-square" style={square_style(*shown, w, h)}
                        onpointerdown={down} onpointermove={moved} onpointerup={up.clone()} onpointercancel={up} />
                </div>
                <div class="crop-preview">
                    <Thumb pixels={preview} shape={m.image.clone()} label="the model's input from this square" testid={Some(AttrValue::from("crop-preview"))} class={classes!("large")} />
                    <label>{ "size " }
                        <input type="range" data-testid="crop-size" min={MIN_SIDE.to_string()} max={MAX_SIDE.to_string()} step="0.01"
                            value={shown.side.to_string()} onchange={on_size} />
                    </label>
                    <div class="row">
                        <button onclick={reset}>{ "Reset" }</button>
                        <button data-testid="crop-done" onclick={close}>{ "Done" }</button>
                    </div>
                </div>
            </div>
        </section>
    }
}
