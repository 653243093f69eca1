//! How good each attribute vector is: how well the projection z·v tells the codes with the
//! attribute from those without (ROC AUC), and how much any two vectors point the same way
//! (cosine), so a vector that drags another attribute along (glasses with dark skin) shows.

use crate::state::{Action, State, VectorQuality};
use crate::web::browser;
use yew::prelude::*;

/// A cosine at least this large (in size) is called out: the two vectors share a direction.
const LEANS: f32 = 0.3;

pub fn vector_quality(s: &State, on_action: &Callback<Action>) -> Html {
    let quality = s.vector_quality();
    if quality.is_empty() {
        return html! {};
    }
    let cosines = s.vector_cosines();
    let names: Vec<String> = quality.iter().map(|q| q.name.clone()).collect();
    let cos = |a: &str, b: &str| {
        cosines.iter().find(|(x, y, _)| (x == a && y == b) || (x == b && y == a)).map(|(_, _, c)| *c)
    };
    let leaning: Vec<&(String, String, f32)> = {
        let mut l: Vec<_> = cosines.iter().filter(|(_, _, c)| c.abs() >= LEANS).collect();
        l.sort_by(|a, b| b.2.abs().total_cmp(&a.2.abs()));
        l
    };
    let on_save = {
        let (quality, names, cosines, cb) =
            (quality.clone(), names.clone(), cosines.clone(), on_action.clone());
        let model = s.model_name().unwrap_or("model").to_string();
        Callback::from(move |_: MouseEvent| {
            let saved = chart(&quality, &names, &cosines)
                .and_then(|c| browser::canvas_png(&c))
                .and_then(|bytes| browser::download(&bytes, &format!("{model}-vectors.png"), "image/png"));
            if let Err(e) = saved {
                cb.emit(Action::Failed(e));
            }
        })
    };
    html! {
        <details class="vector-quality" data-testid="vector-quality">
            <summary>{ "How good is each vector?" }</summary>
            <p class="hint">{ "AUC: project every labelled code on the vector (z·v) and ask how often one with the attribute scores above one without. 1.0 separates them perfectly, 0.5 is a coin toss: adding a vector with a low AUC changes something, but not reliably that." }</p>
            <table>
                <thead><tr><th scope="col">{ "vector" }</th><th scope="col">{ "AUC" }</th><th scope="col">{ "scored on" }</th></tr></thead>
                <tbody>
                    { for quality.iter().map(|q| html! {
                        <tr data-testid="vector-auc" data-name={q.name.clone()}
                            data-auc={q.auc.map(|a| format!("{a:.4}")).unwrap_or_default()}>
                            <th scope="row">{ q.name.clone() }</th>
                            <td>{ q.auc.map(|a| format!("{a:.2}")).unwrap_or_else(|| "–".into()) }</td>
                            <td>{ q.basis.clone() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            if names.len() > 1 {
                <p class="hint">{ "Cosine between vectors: 0 means independent directions; near ±1, adding one also adds (or removes) the other." }</p>
                if leaning.is_empty() {
                    <p data-testid="vector-leans">{ format!("No two vectors share a direction (every |cosine| < {LEANS}).") }</p>
                } else {
                    <p data-testid="vector-leans">{ format!("Sharing a direction: {}.", leaning.iter().map(|(a, b, c)| format!("{a} and {b} ({c:+.2})")).collect::<Vec<_>>().join(", ")) }</p>
                }
                <div class="cosines">
                    <table data-testid="vector-cosines">
                        <thead><tr><th></th>{ for names.iter().map(|n| html! { <th scope="col">{ n.clone() }</th> }) }</tr></thead>
                        <tbody>
                            { for names.iter().map(|a| html! {
                                <tr><th scope="row">{ a.clone() }</th>
                                    { for names.iter().map(|b| {
                                        let c = if a == b { Some(1.0) } else { cos(a, b) };
                                        let strong = a != b && c.is_some_and(|c| c.abs() >= LEANS);
                                        html! { <td class={classes!(strong.then_some("leans"))}>{ c.map(|c| format!("{c:+.2}")).unwrap_or_else(|| "–".into()) }</td> }
                                    }) }
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            }
            <button data-testid="export-vectors-png" onclick={on_save}>{ "Save these figures (PNG)" }</button>
        </details>
    }
}

/// The AUCs as bars and the cosines as a coloured matrix, drawn for the PNG (a table's HTML has
/// no picture of its own to save).
fn chart(
    quality: &[VectorQuality],
    names: &[String],
    cosines: &[(String, String, f32)],
) -> Result<web_sys::HtmlCanvasElement, String> {
    const ROW: f64 = 24.0;
    const LEFT: f64 = 150.0;
    let n = names.len();
    let cell = if n > 1 { (360.0 / n as f64).clamp(22.0, 48.0) } else { 0.0 };
    let width = 560.0f64.max(LEFT + cell * n as f64 + 20.0);
    let matrix_top = 44.0 + ROW * quality.len() as f64 + 40.0;
    let height = if n > 1 { matrix_top + ROW + cell * n as f64 + 16.0 } else { matrix_top };
    let canvas = browser::new_canvas(width as u32, height as u32)?;
    let ctx = browser::context(&canvas)?;
    ctx.set_fill_style_str("#fff");
    ctx.fill_rect(0.0, 0.0, width, height);
    ctx.set_fill_style_str("#222");
    ctx.set_font("bold 15px system-ui, sans-serif");
    let _ = ctx.fill_text("AUC of z·v: codes with the attribute against without (0.5 = chance)", 10.0, 22.0);
    ctx.set_font("13px system-ui, sans-serif");
    let bar = width - LEFT - 60.0;
    for (i, q) in quality.iter().enumerate() {
        let y = 44.0 + ROW * i as f64;
        ctx.set_fill_style_str("#222");
        let _ = ctx.fill_text(&q.name, 10.0, y + 15.0);
        ctx.set_fill_style_str("#eee");
        ctx.fill_rect(LEFT, y + 3.0, bar, ROW - 8.0);
        if let Some(auc) = q.auc {
            // Bars start at chance: a vector that separates nothing has no bar.
            let t = ((auc - 0.5) / 0.5).clamp(0.0, 1.0);
            ctx.set_fill_style_str(if auc >= 0.9 {
                "#2f9e44"
            } else if auc >= 0.7 {
                "#f08c00"
            } else {
                "#c92a2a"
            });
            ctx.fill_rect(LEFT, y + 3.0, bar * t, ROW - 8.0);
        }
        ctx.set_fill_style_str("#222");
        let _ = ctx.fill_text(&q.auc.map_or("–".into(), |a| format!("{a:.2}")), LEFT + bar + 8.0, y + 15.0);
    }
    if n > 1 {
        ctx.set_font("bold 15px system-ui, sans-serif");
        let _ =
            ctx.fill_text("Cosine between vectors (red: same direction, blue: opposite)", 10.0, matrix_top);
        ctx.set_font("11px system-ui, sans-serif");
        let top = matrix_top + ROW;
        for (i, a) in names.iter().enumerate() {
            ctx.set_fill_style_str("#222");
            let _ = ctx.fill_text(a, 10.0, top + cell * i as f64 + cell / 2.0 + 4.0);
            for (j, b) in names.iter().enumerate() {
                let c = if i == j {
                    1.0
                } else {
                    cosines
                        .iter()
                        .find(|(x, y, _)| (x == a && y == b) || (x == b && y == a))
                        .map_or(0.0, |(_, _, c)| *c)
                };
                let t = (c.abs().min(1.0) * 200.0) as u8;
                let (r, g, bl) = if c >= 0.0 { (255, 255 - t, 255 - t) } else { (255 - t, 255 - t, 255) };
                ctx.set_fill_style_str(&format!("rgb({r},{g},{bl})"));
                let (x, y) = (LEFT + cell * j as f64, top + cell * i as f64);
                ctx.fill_rect(x, y, cell - 1.0, cell - 1.0);
                ctx.set_fill_style_str("#222");
                let _ = ctx.fill_text(&format!("{c:+.1}"), x + 3.0, y + cell / 2.0 + 4.0);
            }
        }
    }
    Ok(canvas)
}
