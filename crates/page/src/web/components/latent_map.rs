//! The latent map: the test set's encodings projected on their two principal directions,
//! coloured by label. The current z is a live cursor; hovering decodes the point under the
//! pointer; clicking moves z there. The readout classifies z by its neighbours.

use super::map_layers;
use super::thumb::Thumb;
use crate::state::{Action, MapLayer};
use crate::web::browser;
use crate::web::handle::PanelProps as Props;
use bundle::{Manifest, MapProjection};
use yew::prelude::*;

/// Side of the map in CSS pixels (and canvas pixels: points are dots, not images).
pub(super) const SIDE: f64 = 420.0;
/// Neighbours that vote on the readout's label.
const K: usize = 15;
/// Ten colours that stay apart for most kinds of colour vision (Tableau 10).
const PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
    "#bab0ac",
];

use crate::state::map_bounds as bounds;

/// Map point → pixel (y grows upwards on the map, downwards on screen).
pub(super) fn to_px(b: [f32; 4], p: [f32; 2]) -> (f64, f64) {
    (f64::from((p[0] - b[0]) / b[2]) * SIDE, f64::from(1.0 - (p[1] - b[1]) / b[3]) * SIDE)
}

fn from_px(b: [f32; 4], x: f64, y: f64) -> [f32; 2] {
    [b[0] + (x / SIDE) as f32 * b[2], b[1] + (1.0 - (y / SIDE) as f32) * b[3]]
}

/// Names of the map's labels: classes, or for faces the attribute the points are coloured by.
pub fn legend(m: &Manifest) -> Vec<String> {
    if m.map.is_none() {
        // The map of the user's own images (`State::refresh_items_map`): one colour.
        vec!["your images".into()]
    } else if m.architecture.is_imported() {
        // The exporter colours each example by its first label, an index into the label names.
        m.label_names.clone()
    } else if m.label_means.is_empty() {
        let attr = m.label_names.first().cloned().unwrap_or_else(|| "label".into());
        vec![format!("no {attr}"), attr]
    } else {
        m.label_names.clone()
    }
}

#[function_component(LatentMap)]
pub fn latent_map(props: &Props) -> Html {
    let s = &props.state.0;
    let canvas = use_node_ref();
    let m = &props.manifest;
    // The holes layer's picture, computed once per model, posteriors and layer (a mixture of
    // a thousand posteriors over a 64×64 grid is too much for every render).
    let posteriors = (s.map_layer == MapLayer::Holes).then(|| s.plane_posteriors()).flatten();
    let items: Vec<u64> = s.items().iter().map(|i| i.key).collect();
    let holes = {
        let (posteriors, map, learned) = (posteriors.clone(), s.map().cloned(), m.prior.clone());
        let key =
            (m.name.clone(), posteriors.as_ref().map(|p| (p.test_set, p.components.len())), items.clone());
        use_memo(key, move |_| {
            let (p, map) = (posteriors?, map?);
            // The model's own prior: a learned mixture is what its samples come from.
            let prior = latent::plane_prior::PlanePrior::new(
                latent::prior::Prior::of(learned.as_ref()),
                &map.projection,
            );
            let bounds = crate::holes::with_prior(bounds(&map), &prior.overall());
            crate::holes::picture(&p.components, &prior, bounds)
        })
    };
    let ellipses = s.item_ellipses();
    let drift = s.drift.plane.values.clone().filter(|_| s.map_layer == MapLayer::Drift);
    {
        let (canvas, map, own) = (canvas.clone(), s.map().cloned(), m.map.is_none());
        let (holes, ellipses, drift) = (holes.clone(), ellipses.clone(), drift.clone());
        // Redrawn when the model, the gallery's own map, the layer or the items change.
        let fitted = s.items_map.as_ref().map(|(sig, _)| *sig);
        use_effect_with(
            (m.name.clone(), fitted, holes.clone(), ellipses.clone(), drift.clone()),
            move |_| {
                if let (Some(el), Some(map)) = (canvas.cast::<web_sys::HtmlCanvasElement>(), map) {
                    let layer = Layer { holes: holes.as_ref().as_ref(), drift: drift.as_deref() };
                    draw(&el, &map, layer, &ellipses, if own { 7.0 } else { 3.0 });
                }
            },
        );
    }
    let Some(map) = s.map().cloned() else {
        return html! {
            <section class="panel" data-testid="latent-map"><p class="hint">{ "This model came without a latent map: encode three or more images and they are mapped here (the two principal directions of their codes)." }</p></section>
        };
    };
    let b = holes.as_ref().as_ref().map_or_else(|| bounds(&map), |h| h.grid.bounds);
    let at = move |e: &PointerEvent| from_px(b, f64::from(e.offset_x()), f64::from(e.offset_y()));
    // A finger has no hover: on touch, a tap previews the point (as hovering does with a mouse)
    // and the preview's "Go there" button moves z, as a click does with a mouse.
    let touching = use_mut_ref(|| false);
    let on_down = {
        let touching = touching.clone();
        Callback::from(move |e: PointerEvent| *touching.borrow_mut() = e.pointer_type() == "touch")
    };
    let on_move = {
        let cb = props.on_action.clone();
        Callback::from(move |e: PointerEvent| {
            if e.pointer_type() != "touch" {
                cb.emit(Action::Hover(Some(at(&e))))
            }
        })
    };
    let on_leave = {
        let cb = props.on_action.clone();
        Callback::from(move |e: PointerEvent| {
            if e.pointer_type() != "touch" {
                cb.emit(Action::Hover(None))
            }
        })
    };
    // A tap ends in `pointerup`; browsers do not always follow a touch with `click`.
    let on_up = {
        let cb = props.on_action.clone();
        Callback::from(move |e: PointerEvent| {
            if e.pointer_type() == "touch" {
                cb.emit(Action::Hover(Some(at(&e))))
            }
        })
    };
    let on_click = {
        let (cb, touching) = (props.on_action.clone(), touching.clone());
        Callback::from(move |e: MouseEvent| {
            let p = from_px(b, f64::from(e.offset_x()), f64::from(e.offset_y()));
            // After a touch, `on_up` has shown the preview already.
            if !*touching.borrow() {
                cb.emit(Action::MapClick(p))
            }
        })
    };
    let on_go = {
        let (cb, hover) = (props.on_action.clone(), s.hover);
        Callback::from(move |_: MouseEvent| {
            if let Some(p) = hover {
                cb.emit(Action::MapClick(p))
            }
        })
    };
    let here = map.projection.project(&s.z);
    let (cx, cy) = to_px(b, here);
    let names = legend(m);
    // No map came with the model: the points are the gallery's own codes.
    let own = m.map.is_none();
    let name = |l: usize| names.get(l).cloned().unwrap_or_else(|| l.to_string());
    let votes = latent::grid::nearest_label(&map.points, here, K);
    let on_save = {
        let (canvas, name, cb) = (canvas.clone(), m.name.clone(), props.on_action.clone());
        Callback::from(move |_: MouseEvent| {
            let saved = canvas
                .cast::<web_sys::HtmlCanvasElement>()
                .ok_or_else(|| "the map is not on screen".to_string())
                .and_then(|c| map_layers::save_png(&c, &name));
            if let Err(e) = saved {
                cb.emit(Action::Failed(e));
            }
        })
    };
    let holes_caption = holes
        .as_ref()
        .as_ref()
        .zip(posteriors.as_ref())
        .map(|(h, p)| map_layers::holes_caption(h, p.test_set, p.components.len(), &props.on_action));
    let waiting_for_holes = s.map_layer == MapLayer::Holes && holes_caption.is_none();
    let drift_caption =
        (s.map_layer == MapLayer::Drift).then(|| map_layers::drift_caption(s, drift.as_deref()));
    let by_mean = latent::grid::nearest_mean(&s.z, &m.label_means);
    html! {
        <section class="panel map-view" data-testid="latent-map" aria-label="latent map"
            data-bounds={format!("{},{},{},{}", b[0], b[1], b[2], b[3])}
            data-layer={s.map_layer.key()}
            data-hole-share={holes.as_ref().as_ref().map(|h| format!("{:.4}", h.share)).unwrap_or_default()}
            data-holes-from={posteriors.as_ref().map(|p| if p.test_set { "test" } else { "gallery" }).unwrap_or_default()}
            data-ellipses={ellipses.len().to_string()}
            data-mean-drift={drift.as_ref().map(|d| format!("{:.4}", d.iter().sum::<f32>() / d.len().max(1) as f32)).unwrap_or_default()}
            data-cursor={format!("{:.4},{:.4}", here[0], here[1])}>
            <h3>{ if own { "Latent map: where your images land" } else { "Latent map: where the test set lands" } }</h3>
            <div class="map-row">
                <div class="map" style={format!("width:{SIDE}px;height:{SIDE}px")}>
                    <canvas ref={canvas} width={SIDE.to_string()} height={SIDE.to_string()} />
                    <svg viewBox={format!("0 0 {SIDE} {SIDE}")} onpointerdown={on_down} onpointerup={on_up} onpointermove={on_move} onpointerleave={on_leave} onclick={on_click}
                        data-testid="map-surface">
                        if let Some((hx, hy)) = s.hover.map(|p| to_px(b, p)) {
                            <circle class="hover" cx={hx.to_string()} cy={hy.to_string()} r="5" />
                        }
                        <g class="cursor" data-testid="map-cursor">
                            <circle cx={cx.clamp(0.0, SIDE).to_string()} cy={cy.clamp(0.0, SIDE).to_string()} r="9" />
                            <circle cx={cx.clamp(0.0, SIDE).to_string()} cy={cy.clamp(0.0, SIDE).to_string()} r="2" />
                        </g>
                    </svg>
                </div>
                <div class="map-side">
                    { map_layers::layer_picker(s.map_layer, &props.on_action) }
                    { for holes_caption }
                    { for drift_caption }
                    if waiting_for_holes {
                        <p class="hint" data-testid="holes-caption">{ if m.codes.is_some() { "Reading the test set's posteriors…" } else { "This model ships no test codes: encode three or more images and the holes are measured on yours." } }</p>
                    }
                    <ul class="legend" data-testid="map-legend">
                        { for names.iter().enumerate().map(|(i, n)| html! {
                            <li><span class="swatch" style={format!("background:{}", PALETTE[i % PALETTE.len()])}></span>{ n }</li>
                        }) }
                    </ul>
                    <p class="readout" data-testid="map-readout"
                        data-neighbours={votes.map(|v| v.0.to_string()).unwrap_or_default()}
                        data-mean={by_mean.map(|l| l.to_string()).unwrap_or_default()}>
                        if let Some(l) = by_mean {
                            { format!("Nearest class mean in all {} dimensions: {}. ", m.latent_dim, name(l)) }
                        }
                        if let Some((l, n)) = votes.filter(|_| !own) {
                            { format!("On the map, {n} of the {K} nearest test images are {}.", name(l)) }
                        }
                    </p>
                    { map_layers::overlap_readout(s) }
                    <button data-testid="export-map-png" onclick={on_save}>{ "Save map (PNG)" }</button>
                    if let Some(img) = &s.hover_image {
                        <figure class="hover-thumb">
                            <Thumb pixels={img.clone()} shape={m.image.clone()} label="decoded at the pointer" testid={Some(AttrValue::from("map-hover"))} />
                            <figcaption>{ "decoded at the pointer; click to go there" }</figcaption>
                            <button data-testid="map-go" onclick={on_go}>{ "Go there" }</button>
                        </figure>
                    }
                </div>
            </div>
            <p class="hint">{ "Each dot is one test image's μ, projected on the two directions along which the codes vary most (PCA). Labels were never shown to the encoder, yet they cluster: that is why a classifier on z works. The ring is the current z; it follows the sliders. A point you click is on this plane, with the other directions at the data's mean, so it decodes to a typical image for that spot." }</p>
        </section>
    }
}

/// What is drawn under the points, when a layer other than the points alone is on.
struct Layer<'a> {
    holes: Option<&'a crate::holes::HolesPicture>,
    drift: Option<&'a Vec<f32>>,
}

/// The canvas: the holes or drift layer when one is on (the points faint above it), else the
/// points, then every gallery item's posterior.
fn draw(
    el: &web_sys::HtmlCanvasElement,
    map: &MapProjection,
    layer: Layer,
    ellipses: &[crate::state::ItemEllipse],
    dot: f64,
) {
    let Ok(ctx) = browser::context(el) else { return };
    ctx.clear_rect(0.0, 0.0, SIDE, SIDE);
    if let Some(d) = layer.drift {
        map_layers::draw_drift(&ctx, d);
    }
    let b = match layer.holes {
        Some(h) => {
            map_layers::draw_holes(&ctx, h);
            map_layers::draw_prior(&ctx, h.grid.bounds, &h.prior);
            draw_points(&ctx, map, h.grid.bounds, 2.0, 0.25);
            h.grid.bounds
        }
        None => {
            let b = bounds(map);
            draw_points(
                &ctx,
                map,
                b,
                if layer.drift.is_some() { 2.0 } else { dot },
                if layer.drift.is_some() { 0.35 } else { 0.7 },
            );
            b
        }
    };
    map_layers::draw_ellipses(&ctx, b, ellipses);
}

fn draw_points(
    ctx: &web_sys::CanvasRenderingContext2d,
    map: &MapProjection,
    b: [f32; 4],
    dot: f64,
    alpha: f64,
) {
    ctx.set_global_alpha(alpha);
    for p in &map.points {
        let (x, y) = to_px(b, [p[0], p[1]]);
        ctx.set_fill_style_str(PALETTE[(p[2].max(0.0) as usize) % PALETTE.len()]);
        ctx.fill_rect(x - dot / 2.0, y - dot / 2.0, dot, dot);
    }
    ctx.set_global_alpha(1.0);
}
