//! The decoded image: drawn at the model's resolution and scaled up by CSS with crisp pixels.

use crate::state::Image;
use crate::web::io::canvas_draw::draw;
use bundle::ImageShape;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub image: Option<Image>,
    pub shape: ImageShape,
    /// What the focused slider moves, per pixel (`state/sensitivity.rs`), drawn over the image.
    #[prop_or_default]
    pub overlay: Option<Rc<Vec<f32>>>,
}

#[function_component(DecodedCanvas)]
pub fn decoded_canvas(props: &Props) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        let image = props.image.clone();
        let shape = props.shape.clone();
        let overlay = props.overlay.clone();
        use_effect_with((image.as_ref().map(|i| i.id), shape.clone(), overlay.clone()), move |_| {
            if let (Some(image), Some(el)) = (image, canvas.cast::<HtmlCanvasElement>()) {
                // Drawn already, plain, when its reply arrived (`draw_reply`); drawn again when an
                // overlay goes on or comes off.
                let plain = el.get_attribute("data-drawn") == Some(image.id.to_string())
                    && el.get_attribute("data-drawn-overlay").as_deref() != Some("true");
                if !plain || overlay.is_some() {
                    draw(&el, &image.pixels, &shape, overlay.as_deref());
                }
                // Tests and scripts wait for this mark to know the canvas really holds image `id`.
                let _ = el.set_attribute("data-drawn", &image.id.to_string());
                let _ = el.set_attribute("data-drawn-overlay", &overlay.is_some().to_string());
                let _ = el.set_attribute("data-decode-us", &image.micros.to_string());
                // Cold start, as the benchmark reads it: ms from navigation to the first pixels.
                if !el.has_attribute("data-first-drawn-ms") {
                    let now = web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now());
                    let _ = el.set_attribute("data-first-drawn-ms", &format!("{now:.1}"));
                }
            }
        });
    }
    // Double-tap (or double-click, or Enter) fills the screen with the image, for a closer look
    // on a phone; the same again, or Escape, puts it back.
    let enlarged = use_state(|| false);
    let toggle = {
        let enlarged = enlarged.clone();
        Callback::from(move |_: MouseEvent| enlarged.set(!*enlarged))
    };
    // A double-tap by hand: two touches within 350 ms. Browsers turn a double-tap into
    // `dblclick` only sometimes (not when they wait for a zoom gesture), so touch is counted here.
    let last_tap = use_mut_ref(|| f64::NEG_INFINITY);
    let on_up = {
        let enlarged = enlarged.clone();
        Callback::from(move |e: PointerEvent| {
            if e.pointer_type() != "touch" {
                return;
            }
            let now = e.time_stamp();
            let mut last = last_tap.borrow_mut();
            if now - *last < 350.0 {
                enlarged.set(!*enlarged);
                *last = f64::NEG_INFINITY;
            } else {
                *last = now;
            }
        })
    };
    let on_double = {
        let toggle = toggle.clone();
        Callback::from(move |e: MouseEvent| {
            // Touch double-taps are counted by `on_up`; this is the mouse's double-click.
            if e.dyn_ref::<PointerEvent>().is_none_or(|p| p.pointer_type() != "touch") {
                toggle.emit(e)
            }
        })
    };
    let on_key = {
        let enlarged = enlarged.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Enter" => enlarged.set(!*enlarged),
            "Escape" => enlarged.set(false),
            _ => {}
        })
    };
    let label = if *enlarged {
        "decoded image, enlarged: double-tap or press Escape to put it back"
    } else {
        "decoded image: double-tap or press Enter to enlarge"
    };
    html! {
        <canvas ref={canvas} class={classes!("decoded", enlarged.then_some("enlarged"))} data-testid="decoded"
            aria-label={label} role="img" tabindex="0" ondblclick={on_double} onpointerup={on_up} onkeydown={on_key}
            data-enlarged={enlarged.to_string()} data-overlay={props.overlay.is_some().to_string()}
            width={props.shape.width.to_string()} height={props.shape.height.to_string()}
            data-shown={props.image.as_ref().map_or(0, |i| i.id).to_string()} />
    }
}
