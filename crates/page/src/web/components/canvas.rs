//! The decoded image: drawn at the model's resolution and scaled up by CSS with crisp pixels.

use crate::state::Image;
use bundle::ImageShape;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};
use worker_protocol::pixels::to_rgba;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub image: Option<Image>,
    pub shape: ImageShape,
}

#[function_component(DecodedCanvas)]
pub fn decoded_canvas(props: &Props) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        let image = props.image.clone();
        let shape = props.shape.clone();
        use_effect_with((image.as_ref().map(|i| i.id), shape.clone()), move |_| {
            if let (Some(image), Some(el)) = (image, canvas.cast::<HtmlCanvasElement>()) {
                draw(&el, &image, &shape);
                // Pixels land after the render that set `data-shown`; tests and scripts wait
                // for this mark to know the canvas really holds image `id`.
                let _ = el.set_attribute("data-drawn", &image.id.to_string());
                // Cold start, as the benchmark reads it: ms from navigation to the first pixels.
                if !el.has_attribute("data-first-drawn-ms") {
                    let now = web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now());
                    let _ = el.set_attribute("data-first-drawn-ms", &format!("{now:.1}"));
                }
            }
        });
    }
    html! {
        <canvas ref={canvas} class="decoded" data-testid="decoded" aria-label="decoded image"
            width={props.shape.width.to_string()} height={props.shape.height.to_string()}
            data-shown={props.image.as_ref().map_or(0, |i| i.id).to_string()} />
    }
}

fn draw(el: &HtmlCanvasElement, image: &Image, shape: &ImageShape) {
    let rgba = to_rgba(&image.pixels, shape.channels);
    if rgba.len() != shape.width * shape.height * 4 {
        return;
    }
    let ctx = el.get_context("2d").ok().flatten().and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok());
    let data =
        ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), shape.width as u32, shape.height as u32);
    if let (Some(ctx), Ok(data)) = (ctx, data) {
        let _ = ctx.put_image_data(&data, 0.0, 0.0);
    }
}
