//! What the latent map draws besides its points: the holes in the prior (`crate::holes`), each
//! gallery item's posterior as its 2σ ellipse, the overlap of the interpolation's two ends, and
//! the map saved as a PNG. Drawn on the map's canvas, so the PNG is what is on screen.

use super::latent_map::{SIDE, to_px};
use crate::holes::HolesPicture;
use crate::state::{Action, ItemEllipse, MapLayer, State};
use crate::web::browser;
use latent::posterior::Gaussian2;
use wasm_bindgen::JsValue;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

/// The layer picker: radio buttons, so the arrow keys move between layers.
pub fn layer_picker(current: MapLayer, on_action: &Callback<Action>) -> Html {
    html! {
        <fieldset class="map-layers" data-testid="map-layers">
            <legend>{ "Draw" }</legend>
            { for MapLayer::ALL.into_iter().map(|layer| {
                let cb = on_action.clone();
                let onchange = Callback::from(move |_: Event| cb.emit(Action::MapLayer(layer)));
                html! {
                    <label>
                        <input type="radio" name="map-layer" value={layer.key()} checked={current == layer}
                            data-testid={format!("map-layer-{}", layer.key())} {onchange} />
                        { layer.title() }
                    </label>
                }
            }) }
        </fieldset>
    }
}

/// The aggregate posterior and its holes, stretched over the whole canvas (the picture's grid
/// spans the map's bounds).
pub fn draw_holes(ctx: &CanvasRenderingContext2d, pic: &HolesPicture) {
    let Ok(cells) = browser::new_canvas(pic.grid.cols as u32, pic.grid.rows as u32) else { return };
    browser::put_rgba(
        &cells,
        &image_input::preprocess::Rgba {
            width: pic.grid.cols,
            height: pic.grid.rows,
            data: pic.rgba.clone(),
        },
    );
    // Cells are drawn as blocks: a smoothed hole edge would look like data.
    ctx.set_image_smoothing_enabled(false);
    let _ = ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&cells, 0.0, 0.0, SIDE, SIDE);
}

/// The prior N(0, I) on the plane, as dashed rings at one and two standard deviations.
pub fn draw_prior(ctx: &CanvasRenderingContext2d, b: [f32; 4], prior: &Gaussian2) {
    let ring = latent::posterior::ellipse(prior, 1.0);
    ctx.set_stroke_style_str("#333");
    ctx.set_line_width(1.5);
    let dash = js_sys::Array::of2(&JsValue::from(6.0), &JsValue::from(4.0));
    let _ = ctx.set_line_dash(&dash);
    for k in [1.0f32, 2.0] {
        let scaled = latent::posterior::Ellipse { radii: [ring.radii[0] * k, ring.radii[1] * k], ..ring };
        trace_ellipse(ctx, b, &scaled);
        ctx.stroke();
    }
    let _ = ctx.set_line_dash(&js_sys::Array::new());
}

/// Each gallery item's 2σ ellipse; the interpolation's ends thicker and lettered.
pub fn draw_ellipses(ctx: &CanvasRenderingContext2d, b: [f32; 4], ellipses: &[ItemEllipse]) {
    for e in ellipses {
        let end = e.end.is_some();
        ctx.set_stroke_style_str(if end { "#e8590c" } else { "rgba(40, 40, 40, 0.55)" });
        ctx.set_line_width(if end { 2.5 } else { 1.0 });
        trace_ellipse(ctx, b, &e.ellipse);
        ctx.stroke();
        if let Some(letter) = e.end {
            let (x, y) = to_px(b, e.ellipse.centre);
            ctx.set_fill_style_str("#e8590c");
            ctx.set_font("bold 14px system-ui, sans-serif");
            let _ = ctx.fill_text(&letter.to_string(), x + 6.0, y - 6.0);
        }
    }
}

/// The path of an ellipse given in map coordinates. The map's axes are scaled differently, so
/// the ellipse is traced in map units under the map's transform and stroked after it, which
/// keeps the line width in pixels.
fn trace_ellipse(ctx: &CanvasRenderingContext2d, b: [f32; 4], e: &latent::posterior::Ellipse) {
    let (x, y) = to_px(b, e.centre);
    let (sx, sy) = (SIDE / f64::from(b[2]), SIDE / f64::from(b[3]));
    ctx.save();
    let _ = ctx.translate(x, y);
    let _ = ctx.scale(sx, -sy);
    ctx.begin_path();
    let (rx, ry) = (f64::from(e.radii[0].max(1e-4)), f64::from(e.radii[1].max(1e-4)));
    let _ = ctx.ellipse(0.0, 0.0, rx, ry, f64::from(e.angle), 0.0, std::f64::consts::TAU);
    ctx.restore();
}

/// What the holes layer says, with a way there that needs no pointer.
pub fn holes_caption(
    pic: &HolesPicture,
    test_set: bool,
    components: usize,
    on_action: &Callback<Action>,
) -> Html {
    let whose = if test_set {
        format!("{components} test images")
    } else {
        format!("your {components} images (this model ships no test codes)")
    };
    let share = (pic.share * 100.0).round();
    let go = pic.deepest.map(|p| {
        let cb = on_action.clone();
        html! {
            <button data-testid="map-go-hole" onclick={Callback::from(move |_: MouseEvent| cb.emit(Action::MapClick(p)))}>
                { "Decode the deepest hole" }
            </button>
        }
    });
    html! {
        <div class="holes-caption" data-testid="holes-caption">
            <p>
                <strong>{ format!("{share}% of the prior's mass inside its 2σ ring lies in holes.") }</strong>
                { format!(" Blue: where the posteriors q(z|x) of {whose} put their mass (their mixture, the aggregate posterior). Dashed: the prior at 1σ and 2σ (N(0, I), or the overall spread of the mixture a model learned as its prior; its holes are measured against the mixture itself). Red: the prior expects codes there, but the data has less than a tenth of the prior's density, so a sampled z that lands there decodes to something the model never learned. Click a red cell to see it.") }
            </p>
            { for go }
        </div>
    }
}

/// The drift layer: each cell of the plane coloured by how far its code lands from itself
/// after a round trip (the grid spans the map's bounds, as the canvas does).
pub fn draw_drift(ctx: &CanvasRenderingContext2d, drift: &[f32]) {
    let n = crate::state::DRIFT_CELLS;
    if drift.len() != n * n {
        return;
    }
    let Ok(cells) = browser::new_canvas(n as u32, n as u32) else { return };
    let max = drift.iter().copied().fold(0.0f32, f32::max);
    browser::put_rgba(
        &cells,
        &image_input::preprocess::Rgba { width: n, height: n, data: latent::heat::rgba(drift, max) },
    );
    ctx.set_image_smoothing_enabled(false);
    let _ = ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&cells, 0.0, 0.0, SIDE, SIDE);
}

/// What the drift layer says.
pub fn drift_caption(s: &State, drift: Option<&Vec<f32>>) -> Html {
    let encodes = s.model.as_ref().is_some_and(|m| m.architecture.has_encoder());
    let Some(d) = drift.filter(|d| !d.is_empty()) else {
        let text = if encodes {
            "Decoding and encoding the plane, cell by cell…"
        } else {
            "This model came without an encoder: nothing to round-trip."
        };
        return html! { <p class="hint" data-testid="drift-caption">{ text }</p> };
    };
    let mean = d.iter().sum::<f32>() / d.len() as f32;
    let max = d.iter().copied().fold(0.0f32, f32::max);
    html! {
        <p class="drift-caption" data-testid="drift-caption">
            <strong>{ format!("Mean round-trip drift {mean:.2} (largest {max:.2}).") }</strong>
            { " Each cell's code is decoded, the picture encoded again, and the colour is how far μ lands from where it started (yellow: farthest). Where decoder and encoder agree, a code comes back to itself; a VAE is trained so they agree wherever its prior draws codes, a plain autoencoder only near its training images." }
        </p>
    }
}

/// How much the interpolation ends' posteriors overlap, in words.
pub fn overlap_readout(s: &State) -> Html {
    let Some(bc) = s.ends_overlap() else {
        return html! { <p class="hint" data-testid="map-overlap">{ "Pick interpolation ends A and B in the gallery to see how much their posteriors overlap." }</p> };
    };
    let words = if bc > 0.5 {
        "they could be the same image"
    } else if bc > 0.05 {
        "some codes are likely under both"
    } else {
        "almost no code is likely under both"
    };
    html! {
        <p class="readout" data-testid="map-overlap" data-overlap={format!("{bc:.4}")}>
            { format!("Overlap of A and B's posteriors: {bc:.2} ({words}; 1 is the same posterior, 0 none in common). The ellipses are each image's q(z|x) at 2σ on this plane.") }
        </p>
    }
}

/// The map's canvas as a PNG: what is drawn is what is saved.
pub fn save_png(canvas: &HtmlCanvasElement, name: &str) -> Result<(), String> {
    let bytes = browser::canvas_png(canvas)?;
    browser::download(&bytes, &format!("{name}-map.png"), "image/png")
}
