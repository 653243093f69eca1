//! Traversals: each row sweeps one latent dimension (most informative first) from −3 to +3
//! with the others held at the current z, all decoded in one batch. For a 2-D model, the whole
//! learned manifold instead. Exports the grid as PNG and the sweep as a GIF.

use super::thumb::Thumb;
use crate::export;
use crate::state::{Action, MAX_TRAVERSAL_COLS, MAX_TRAVERSAL_ROWS, MIN_TRAVERSAL_COLS, TRAVERSAL_RANGE};
use crate::web::browser;
use crate::web::handle::PanelProps as Props;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[function_component(TraversalGrid)]
pub fn traversal_grid(props: &Props) -> Html {
    let s = &props.state.0;
    let m = &props.manifest;
    let manifold = m.latent_dim == 2;
    let (rows, cols) = (s.traversal.rows, s.traversal.cols);
    let dims: Vec<usize> = m.dims_by_kl().into_iter().take(rows).collect();
    let size = |rows: usize, cols: usize| {
        let cb = props.on_action.clone();
        move |e: InputEvent| {
            let v: usize = e.target_unchecked_into::<HtmlInputElement>().value().parse().unwrap_or(0);
            cb.emit(if rows == 0 {
                Action::TraversalSize { rows: v, cols }
            } else {
                Action::TraversalSize { rows, cols: v }
            })
        }
    };
    let values = latent::grid::linspace(-TRAVERSAL_RANGE, TRAVERSAL_RANGE, cols);
    let grid =
        s.grid.as_ref().filter(|g| g.images.len() == if manifold { cols * cols } else { dims.len() * cols });
    let export_png = {
        let (grid, shape, name, cb) =
            (grid.map(|g| g.images.clone()), m.image.clone(), m.name.clone(), props.on_action.clone());
        Callback::from(move |_| {
            let Some(images) = &grid else { return };
            let refs: Vec<&[u8]> = images.iter().map(Vec::as_slice).collect();
            let saved = export::compose(&refs, cols, &shape, export::SCALE / 2)
                .and_then(|p| export::png(&p))
                .and_then(|bytes| browser::download(&bytes, &format!("{name}-traversal.png"), "image/png"));
            if let Err(e) = saved {
                cb.emit(Action::Failed(e));
            }
        })
    };
    let export_gif = {
        let (grid, shape, name, cb) =
            (grid.map(|g| g.images.clone()), m.image.clone(), m.name.clone(), props.on_action.clone());
        Callback::from(move |_| {
            let Some(images) = &grid else { return };
            let saved = sweep_frames(images, cols, &shape)
                .and_then(|frames| export::gif(&frames, 25))
                .and_then(|bytes| browser::download(&bytes, &format!("{name}-traversal.gif"), "image/gif"));
            if let Err(e) = saved {
                cb.emit(Action::Failed(e));
            }
        })
    };
    let max_rows = MAX_TRAVERSAL_ROWS.min(m.latent_dim);
    html! {
        <section class="panel traversal-view" data-testid="traversal" aria-label="traversals">
            <h3>{ if manifold { "The learned 2-D manifold" } else { "Traversals: one dimension at a time" } }</h3>
            <div class="row">
                if !manifold {
                    <label>{ format!("{rows} dimensions ") }
                        <input type="range" data-testid="traversal-rows" min="1" max={max_rows.to_string()} value={rows.to_string()} oninput={size(0, cols)} />
                    </label>
                }
                <label>{ format!("{cols} steps ") }
                    <input type="range" data-testid="traversal-cols" min={MIN_TRAVERSAL_COLS.to_string()} max={MAX_TRAVERSAL_COLS.to_string()}
                        value={cols.to_string()} oninput={size(rows.max(1), 0)} />
                </label>
                <button data-testid="export-grid-png" onclick={export_png} disabled={grid.is_none()}>{ "Save grid (PNG)" }</button>
                <button data-testid="export-traversal-gif" onclick={export_gif} disabled={grid.is_none()}>{ "Save sweep (GIF)" }</button>
            </div>
            if let Some(g) = grid {
                <div class="grid" data-testid="traversal-grid" data-rows={(g.images.len() / cols).to_string()} data-cols={cols.to_string()}
                    style={format!("grid-template-columns: 7.5rem repeat({cols}, 1fr)")}>
                    <span></span>
                    { for values.iter().map(|v| html! { <span class="col-head">{ format!("{v:+.1}") }</span> }) }
                    { for g.images.chunks(cols).enumerate().map(|(r, row)| html! {
                        <>
                            <span class="row-head">{
                                if manifold { format!("z₁ = {:+.1}", values[cols - 1 - r]) }
                                else { dims.get(r).map(|&d| format!("latent {d} · KL {:.2}", m.kl_per_dim[d])).unwrap_or_default() }
                            }</span>
                            { for row.iter().enumerate().map(|(c, img)| html! {
                                <Thumb pixels={Rc::new(img.clone())} shape={m.image.clone()} testid={Some(AttrValue::from("traversal-cell"))}
                                    label={format!("row {}, value {:+.1}", r + 1, values[c])} />
                            }) }
                        </>
                    }) }
                </div>
            } else {
                <p class="hint" role="status">{ "Decoding the grid…" }</p>
            }
            <p class="hint">{
                if manifold {
                    "Columns sweep z₀ and rows z₁ over ±3 prior standard deviations. Because the KL term pulls every code towards N(0, I), the whole square is covered by training codes: every cell decodes to a plausible digit, and neighbours morph smoothly."
                } else {
                    "Each row holds every other dimension at the current z and sweeps one from −3 to +3 (prior standard deviations). Rows are ordered by KL: the top rows are the dimensions the model uses most; a dimension with KL ≈ 0 changes nothing, because the decoder learned to ignore it."
                }
            }</p>
        </section>
    }
}

/// One GIF frame per column: that column's images stacked, so the animation sweeps every row at once.
fn sweep_frames(
    images: &[Vec<u8>],
    cols: usize,
    shape: &bundle::ImageShape,
) -> Result<Vec<export::Picture>, String> {
    (0..cols)
        .map(|c| {
            let column: Vec<&[u8]> = images.iter().skip(c).step_by(cols).map(Vec::as_slice).collect();
            export::compose(&column, 1, shape, export::SCALE / 2)
        })
        .collect()
}
