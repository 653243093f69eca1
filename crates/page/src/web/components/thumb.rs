//! A small picture of model-resolution pixels (an input, a reconstruction, a frame).
//!
//! An `<img>` of the pixels as PNG, not a canvas: Chromium makes every 2-D canvas a compositor
//! layer of its own, and it layerises the whole page again on each frame of a slider drag. With
//! ten gallery items (twenty canvases) that was about a quarter of the browser's own work per
//! drag frame (bench/OPTIMISATION.md); an image is painted with the page and costs an unchanged
//! frame nothing. The PNG is made once per picture, by the browser's own encoder.

use crate::web::browser::{new_canvas, put_pixels};
use bundle::ImageShape;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub pixels: Rc<Vec<u8>>,
    pub shape: ImageShape,
    #[prop_or_default]
    pub label: AttrValue,
    #[prop_or_default]
    pub class: Classes,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
}

#[function_component(Thumb)]
pub fn thumb(props: &Props) -> Html {
    let src = use_memo((props.pixels.clone(), props.shape.clone()), |(pixels, shape)| {
        data_url(pixels, shape).map(AttrValue::from).unwrap_or_default()
    });
    html! {
        <img src={(*src).clone()} class={classes!("thumb", props.class.clone())} alt={props.label.clone()}
            title={props.label.clone()} data-testid={props.testid.clone()} draggable="false"
            width={props.shape.width.to_string()} height={props.shape.height.to_string()} />
    }
}

/// The pixels as a `data:image/png` URL, drawn on a canvas that never joins the page.
fn data_url(pixels: &[u8], shape: &ImageShape) -> Option<String> {
    let canvas = new_canvas(shape.width as u32, shape.height as u32).ok()?;
    put_pixels(&canvas, pixels, shape);
    canvas.to_data_url().ok()
}
