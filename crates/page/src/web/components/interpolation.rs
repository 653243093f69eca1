//! Travel between two encodings: a strip of decoded frames (one batched request), a scrubber
//! that moves the current z along the path, play/pause, linear or spherical.

use super::thumb::Thumb;
use crate::export;
use crate::state::{Action, MAX_FRAMES, MIN_FRAMES};
use crate::web::browser;
use crate::web::handle::PanelProps as Props;
use latent::Mode;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[function_component(Interpolation)]
pub fn interpolation(props: &Props) -> Html {
    let s = &props.state.0;
    let cb = props.on_action.clone();
    let items = s.items();
    let end_picker = |b: bool| {
        let cb = cb.clone();
        let current = if b { s.interp.b } else { s.interp.a };
        let onchange = Callback::from(move |e: Event| {
            let key = e.target_unchecked_into::<HtmlSelectElement>().value().parse().ok();
            cb.emit(Action::SetEnd { b, key });
        });
        html! {
            <select aria-label={if b { "end B" } else { "end A" }} data-testid={if b { "interp-b" } else { "interp-a" }} {onchange}>
                <option value="" selected={current.is_none()}>{ "choose an image" }</option>
                { for items.iter().map(|i| html! {
                    <option value={i.key.to_string()} selected={current == Some(i.key)}>
                        { i.name.split(" · ").next().unwrap_or_default().to_string() }
                    </option>
                }) }
            </select>
        }
    };
    let corner_picker = |d: bool| {
        let cb = cb.clone();
        let current = if d { s.interp.d } else { s.interp.c };
        let onchange = Callback::from(move |e: Event| {
            let key = e.target_unchecked_into::<HtmlSelectElement>().value().parse().ok();
            cb.emit(Action::SetCorner { d, key });
        });
        html! {
            <select aria-label={if d { "corner D" } else { "corner C" }} data-testid={if d { "interp-d" } else { "interp-c" }} {onchange}>
                <option value="" selected={current.is_none()}>{ "choose an image" }</option>
                { for items.iter().map(|i| html! {
                    <option value={i.key.to_string()} selected={current == Some(i.key)}>{ i.name.split(" · ").next().unwrap_or_default().to_string() }</option>
                }) }
            </select>
        }
    };
    let side = s.corner_side();
    let on_mode = {
        let cb = cb.clone();
        Callback::from(move |e: Event| {
            let mode = match e.target_unchecked_into::<HtmlSelectElement>().value().as_str() {
                "slerp" => Mode::Spherical,
                _ => Mode::Linear,
            };
            cb.emit(Action::InterpMode(mode));
        })
    };
    let on_frames = {
        let cb = cb.clone();
        Callback::from(move |e: InputEvent| {
            if let Ok(n) = e.target_unchecked_into::<HtmlInputElement>().value().parse() {
                cb.emit(Action::InterpFrames(n));
            }
        })
    };
    let on_scrub = {
        let cb = cb.clone();
        Callback::from(move |e: InputEvent| {
            if let Ok(t) = e.target_unchecked_into::<HtmlInputElement>().value().parse() {
                cb.emit(Action::Scrub(t));
            }
        })
    };
    let playing = s.interp.playing;
    let on_play = {
        let cb = cb.clone();
        Callback::from(move |_: MouseEvent| cb.emit(Action::Play(!playing)))
    };
    let on_mid = {
        let cb = cb.clone();
        Callback::from(move |_: MouseEvent| cb.emit(Action::Scrub(0.5)))
    };
    let ready = s.strip_codes().is_some();
    let on_gif = {
        let cb = cb.clone();
        let (strip, shape, name) = (
            s.strip.as_ref().map(|st| st.images.clone()),
            props.manifest.image.clone(),
            props.manifest.name.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let Some(images) = &strip else { return };
            // There and back again, so the loop has no jump.
            let order = (0..images.len()).chain((1..images.len().saturating_sub(1)).rev());
            let saved = order
                .map(|i| export::compose(&[images[i].as_slice()], 1, &shape, export::SCALE))
                .collect::<Result<Vec<_>, _>>()
                .and_then(|frames| export::gif(&frames, 12))
                .and_then(|bytes| {
                    browser::download(&bytes, &format!("{name}-interpolation.gif"), "image/gif")
                });
            if let Err(e) = saved {
                cb.emit(Action::Failed(e));
            }
        })
    };
    let n = s.interp.frames;
    // With an odd count one frame is the midpoint; with an even count it falls between two.
    let mid = |i: usize| if n % 2 == 1 { 2 * i + 1 == n } else { 2 * i + 2 == n || 2 * i == n };
    html! {
        <section class="interpolation panel" data-testid="interpolation" aria-label="interpolation">
            <h3>{ "Interpolate" }</h3>
            <div class="row">
                { "A " }{ end_picker(false) }{ " B " }{ end_picker(true) }
                <select aria-label="interpolation mode" data-testid="interp-mode" onchange={on_mode}>
                    <option value="lerp" selected={s.interp.mode == Mode::Linear}>{ "linear (lerp)" }</option>
                    <option value="slerp" selected={s.interp.mode == Mode::Spherical}>{ "spherical (slerp)" }</option>
                </select>
                <label>{ format!("{n} frames ") }
                    <input type="range" aria-label="frames" data-testid="interp-frames" min={MIN_FRAMES.to_string()}
                        max={MAX_FRAMES.to_string()} step="1" value={n.to_string()} oninput={on_frames} />
                </label>
            </div>
            if !ready {
                <p class="hint">{ "Pick two images (A and B in the gallery, or here) to see the path between their codes." }</p>
            }
            if let (true, Some(strip)) = (ready, &s.strip) {
                <div class="strip" data-testid="interp-strip" data-frames={strip.images.len().to_string()}>
                    { for strip.images.iter().enumerate().map(|(i, img)| html! {
                        <div class={classes!("frame", mid(i).then_some("mid"))} data-testid="interp-frame">
                            <Thumb pixels={Rc::new(img.clone())} shape={props.manifest.image.clone()}
                                label={format!("frame {}", i + 1)} />
                        </div>
                    }) }
                </div>
                { drift_curve(s.drift.strip.values.as_deref()) }
                <p class="hint">{ "The outlined frame(s) mark the midpoint. In a VAE the midpoint is a plausible image; in a plain autoencoder it often is not: the path crosses a gap no training image was encoded to. Spherical paths keep |z| near where the prior puts its mass." }</p>
            }
            <div class="row">
                <button data-testid="interp-play" onclick={on_play} disabled={!ready}>{ if playing { "Pause" } else { "Play" } }</button>
                <input type="range" class="scrubber" aria-label="position between A and B" data-testid="interp-scrub"
                    min="0" max="1" step="0.01" value={s.interp.t.to_string()} oninput={on_scrub} disabled={!ready} />
                <span class="value">{ format!("t = {:.2}", s.interp.t) }</span>
                <button onclick={on_mid} disabled={!ready}>{ "Go to midpoint" }</button>
                <button data-testid="export-interp-gif" onclick={on_gif} disabled={!ready || s.strip.is_none()}>{ "Save (GIF)" }</button>
            </div>
            <details class="corners" open={s.interp.c.is_some() || s.interp.d.is_some()}>
                <summary>{ "4-corner grid" }</summary>
                <div class="row">{ "A and B along the top, " }{ corner_picker(false) }{ " and " }{ corner_picker(true) }{ " along the bottom" }</div>
                if let (true, Some(grid)) = (s.corner_codes().is_some(), &s.corners) {
                    <div class="corner-grid" data-testid="corner-grid" data-side={side.to_string()}
                        style={format!("grid-template-columns: repeat({side}, 1fr)")}>
                        { for grid.images.iter().enumerate().map(|(i, img)| html! {
                            <Thumb pixels={Rc::new(img.clone())} shape={props.manifest.image.clone()} label={format!("row {}, column {}", i / side + 1, i % side + 1)} />
                        }) }
                    </div>
                    <p class="hint">{ "Bilinear in z: each row interpolates between its left and right edge, each edge between its two corners." }</p>
                }
            </details>
        </section>
    }
}

/// The strip's round-trip drift as a curve under its frames: each frame's code decoded, the
/// picture encoded again, and how far μ lands from the code. A bump in the middle is the path
/// crossing a region the encoder never mapped back.
fn drift_curve(drift: Option<&Vec<f32>>) -> Html {
    let Some(d) = drift.filter(|d| d.len() >= 2) else { return html! {} };
    let (w, h) = (300.0f32, 48.0f32);
    let max = d.iter().copied().fold(0.0f32, f32::max).max(1e-3);
    let points: Vec<String> = d
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!("{:.1},{:.1}", i as f32 / (d.len() - 1) as f32 * w, h - 4.0 - v / max * (h - 8.0))
        })
        .collect();
    let mean = d.iter().sum::<f32>() / d.len() as f32;
    html! {
        <figure class="drift-curve" data-testid="strip-drift" data-drift={d.iter().map(|v| format!("{v:.4}")).collect::<Vec<_>>().join(",")}>
            <svg viewBox={format!("0 0 {w} {h}")} width={w.to_string()} height={h.to_string()} role="img"
                aria-label={format!("round-trip drift along the path, mean {mean:.2}, largest {max:.2}")}>
                <polyline points={points.join(" ")} fill="none" stroke="#e8590c" stroke-width="2" />
            </svg>
            <figcaption>{ format!("Round-trip drift along the path (decode, encode, distance to the code): mean {mean:.2}, largest {max:.2}.") }</figcaption>
        </figure>
    }
}
