//! A small canvas showing model-resolution pixels (an input, a reconstruction, a frame).

use crate::web::browser::put_pixels;
use bundle::ImageShape;
use std::rc::Rc;
use web_sys::HtmlCanvasElement;
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
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        use_effect_with((props.pixels.clone(), props.shape.clone()), move |(pixels, shape)| {
            if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
                put_pixels(&el, pixels, shape);
            }
        });
    }
    html! {
        <canvas ref={canvas} class={classes!("thumb", props.class.clone())} aria-label={props.label.clone()}
            title={props.label.clone()} data-testid={props.testid.clone()}
            width={props.shape.width.to_string()} height={props.shape.height.to_string()} />
    }
}
