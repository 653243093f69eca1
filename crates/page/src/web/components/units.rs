//! The code's units: a bar per unit for the current code (how many are on), and what each unit
//! draws alone. A sparse autoencoder draws a digit with a few of its many units; a plain
//! autoencoder or a VAE spreads every image over all of theirs.

use super::thumb::Thumb;
use crate::web::handle::PanelProps as Props;
use yew::prelude::*;

/// Pictures shown: the units that fire most often first (a 128-unit code would otherwise fill
/// the page with units that rarely draw anything).
const SHOWN: usize = 64;

#[function_component(UnitsView)]
pub fn units_view(props: &Props) -> Html {
    let s = &props.state.0;
    let m = &props.manifest;
    let Some(stats) = s.unit_stats() else { return html! {} };
    let on = latent::units::firing(&s.z, stats.relu);
    let count = on.iter().filter(|b| **b).count();
    let dim = m.latent_dim;
    let scale = s.z.iter().fold(1e-6f32, |a, v| a.max(v.abs()));
    let (w, h) = (600.0f32, 90.0f32);
    let bar_w = w / dim.max(1) as f32;
    let bars = s.z.iter().enumerate().map(|(i, v)| {
        let len = (v.abs() / scale) * (h / 2.0 - 2.0);
        let y = if *v >= 0.0 { h / 2.0 - len } else { h / 2.0 };
        let fill = if on.get(i).copied().unwrap_or(false) { "#e8590c" } else { "#adb5bd" };
        html! { <rect x={format!("{:.1}", i as f32 * bar_w)} y={format!("{y:.1}")} width={format!("{:.1}", (bar_w - 1.0).max(0.5))} height={format!("{:.1}", len.max(0.5))} fill={fill} /> }
    });
    let mut order: Vec<usize> = (0..dim).collect();
    if !stats.rate.is_empty() {
        order.sort_by(|a, b| stats.rate[*b].total_cmp(&stats.rate[*a]));
    }
    let pictures = s.units.pictures.clone();
    let what = if stats.relu {
        "This sparse autoencoder's code passes through a ReLU and pays for every unit that fires (an L1 penalty), so each image switches on a few units and leaves the rest at exactly 0."
    } else if m.architecture.is_variational() {
        "A VAE's code is dense: every dimension takes some value for every image (the unused ones sit near 0 whatever the image)."
    } else {
        "A plain autoencoder's code is dense: every unit takes some value for every image, so no unit means one thing."
    };
    let typical = stats
        .mean_on
        .map(|n| format!(" Over the test images, {n:.1} of {dim} units fire per image on average."))
        .unwrap_or_default();
    // A ReLU unit that is off for every input gets no gradient and stays off: worth saying, since
    // their pictures all look alike (nearly the decoder's output for a code of zeros).
    let dead_units = stats.rate.iter().filter(|r| **r == 0.0).count();
    let dead = if stats.relu && dead_units > 0 {
        format!(
            " {dead_units} units never fire on any test image: a ReLU unit that is off for every input gets no gradient and stays off (a dead unit)."
        )
    } else {
        String::new()
    };
    html! {
        <section class="panel units-view" data-testid="units" aria-label="code units"
            data-on={count.to_string()} data-units={dim.to_string()}
            data-mean-on={stats.mean_on.map(|n| format!("{n:.3}")).unwrap_or_default()}
            data-dead={dead_units.to_string()}
            data-pictures={pictures.as_ref().map_or(0, |p| p.len()).to_string()}>
            <h3>{ format!("Code units: {count} of {dim} on for the current code") }</h3>
            <p class="hint">{ what }{ typical }{ dead }</p>
            <svg class="unit-bars" viewBox={format!("0 0 {w} {h}")} width="100%" height={h.to_string()} role="img"
                aria-label={format!("the current code, one bar per unit: {count} of {dim} on")} data-testid="unit-bars">
                <line x1="0" x2={w.to_string()} y1={(h / 2.0).to_string()} y2={(h / 2.0).to_string()} stroke="#ccc" />
                { for bars }
            </svg>
            <h4>{ "What each unit draws alone" }</h4>
            <p class="hint">{ if stats.rate.is_empty() {
                "Each picture is the decoder's output for that unit at 1 and every other at 0.".to_string()
            } else {
                format!("Each picture is the decoder's output for that unit alone, at the value it takes when it fires; the {} units that fire most often first, outlined when they are on now.", SHOWN.min(dim))
            } }</p>
            if let Some(p) = pictures {
                <div class="unit-grid" data-testid="unit-grid">
                    { for order.iter().take(SHOWN).filter_map(|&i| p.get(i).map(|px| (i, px))).map(|(i, px)| {
                        let firing = on.get(i).copied().unwrap_or(false);
                        let rate = stats.rate.get(i).map(|r| format!(", fires for {:.0}% of test images", r * 100.0)).unwrap_or_default();
                        html! {
                            <figure class={classes!("unit", firing.then_some("on"))} data-unit={i.to_string()} title={format!("unit {i}{rate}")}>
                                <Thumb pixels={px.clone()} shape={m.image.clone()} label={format!("unit {i} alone")} />
                                <figcaption>{ i }</figcaption>
                            </figure>
                        }
                    }) }
                </div>
            } else {
                <p class="hint" role="status">{ "Decoding each unit alone…" }</p>
            }
        </section>
    }
}
