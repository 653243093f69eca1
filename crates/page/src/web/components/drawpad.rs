//! Draw a digit with mouse, finger or pen (pointer events cover all three) and encode it.

use crate::state::Action;
use crate::web::browser;
use crate::web::io::ingest::prepare_for;
use bundle::Manifest;
use image_input::preprocess::Rgba;
use std::rc::Rc;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

const SIZE: u32 = 280;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub manifest: Rc<Manifest>,
    pub on_action: Callback<Action>,
}

fn point(e: &PointerEvent, c: &HtmlCanvasElement) -> (f64, f64) {
    let r = c.get_bounding_client_rect();
    let sx = f64::from(SIZE) / r.width().max(1.0);
    let sy = f64::from(SIZE) / r.height().max(1.0);
    ((f64::from(e.client_x()) - r.left()) * sx, (f64::from(e.client_y()) - r.top()) * sy)
}

fn clear(c: &HtmlCanvasElement) {
    if let Ok(ctx) = browser::context(c) {
        ctx.set_fill_style_str("#000");
        ctx.fill_rect(0.0, 0.0, f64::from(SIZE), f64::from(SIZE));
    }
}

#[function_component(DrawPad)]
pub fn draw_pad(props: &Props) -> Html {
    let canvas = use_node_ref();
    let last = use_mut_ref(|| None::<(f64, f64)>);
    let count = use_mut_ref(|| 0u32);
    {
        let canvas = canvas.clone();
        use_effect_with((), move |_| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                clear(&c);
            }
        });
    }
    let down = {
        let (canvas, last) = (canvas.clone(), last.clone());
        Callback::from(move |e: PointerEvent| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                let _ = c.set_pointer_capture(e.pointer_id());
                *last.borrow_mut() = Some(point(&e, &c));
            }
        })
    };
    let moved = {
        let (canvas, last) = (canvas.clone(), last.clone());
        Callback::from(move |e: PointerEvent| {
            let Some(c) = canvas.cast::<HtmlCanvasElement>() else { return };
            let Some(from) = *last.borrow() else { return };
            e.prevent_default();
            let to = point(&e, &c);
            if let Ok(ctx) = browser::context(&c) {
                ctx.set_stroke_style_str("#fff");
                // Pens report pressure; a mouse reports 0.5 while pressed.
                ctx.set_line_width(14.0 + 16.0 * f64::from(e.pressure()));
                ctx.set_line_cap("round");
                ctx.begin_path();
                ctx.move_to(from.0, from.1);
                ctx.line_to(to.0, to.1);
                ctx.stroke();
            }
            *last.borrow_mut() = Some(to);
        })
    };
    let up = {
        let last = last.clone();
        Callback::from(move |_: PointerEvent| *last.borrow_mut() = None)
    };
    let on_clear = {
        let canvas = canvas.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                clear(&c);
            }
        })
    };
    let on_encode = {
        let (canvas, m, cb) = (canvas.clone(), props.manifest.clone(), props.on_action.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(c) = canvas.cast::<HtmlCanvasElement>() else { return };
            let Ok(ctx) = browser::context(&c) else { return };
            let Ok(data) = ctx.get_image_data(0.0, 0.0, f64::from(SIZE), f64::from(SIZE)) else { return };
            let rgba = Rgba { width: SIZE as usize, height: SIZE as usize, data: data.data().0 };
            *count.borrow_mut() += 1;
            let name = format!("drawing {}", count.borrow());
            cb.emit(prepare_for(&rgba, &m, &name, false).unwrap_or_else(Action::Failed));
        })
    };
    html! {
        <section class="drawpad panel" aria-label="draw a digit">
            <h3>{ "Draw" }</h3>
            <canvas ref={canvas} data-testid="drawpad" width={SIZE.to_string()} height={SIZE.to_string()}
                onpointerdown={down} onpointermove={moved} onpointerup={up.clone()} onpointerleave={up} />
            <div class="row">
                <button data-testid="drawpad-encode" onclick={on_encode}>{ "Encode drawing" }</button>
                <button onclick={on_clear}>{ "Clear" }</button>
            </div>
        </section>
    }
}
