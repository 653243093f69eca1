//! Putting decoded pixels on the page's canvas: the canvas component draws through it, and the
//! worker's reply draws the newest decode through it before the render that stores it.

use bundle::ImageShape;
use std::cell::RefCell;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};
use worker_protocol::pixels::to_rgba;

/// Draw decode `id` as soon as the worker's reply arrives, before the render that stores it, so
/// the canvas holds it whatever that render costs (its effects may wait for a later task). Only the
/// newest decode asked for, newer than what the canvas holds, and never under an overlay (the
/// canvas component draws that one).
pub fn draw_reply(id: u64, pixels: &[u8], shape: &ImageShape, micros: u32) {
    let Some((el, ctx)) = decoded_canvas() else { return };
    let drawn: u64 = el.get_attribute("data-drawn").and_then(|d| d.parse().ok()).unwrap_or(0);
    if id > drawn && el.get_attribute("data-overlay").as_deref() != Some("true") {
        draw_on(&ctx, pixels, shape, None);
        let _ = el.set_attribute("data-drawn", &id.to_string());
        let _ = el.set_attribute("data-drawn-overlay", "false");
        // The worker's time for what is on the canvas, read by the benchmark's slider loop.
        let _ = el.set_attribute("data-decode-us", &micros.to_string());
        if !el.has_attribute("data-first-drawn-ms") {
            let _ = el.set_attribute("data-first-drawn-ms", &format!("{:.1}", crate::web::browser::now_ms()));
        }
    }
}

/// Marks the canvas while a slider drag runs ahead of the reducer (`live_drag.rs`): until the
/// mark goes, what the canvas shows is newer than what the page's state says (tests wait on it).
pub fn mark_dragging(on: bool) {
    if let Some((el, _)) = decoded_canvas() {
        let _ =
            if on { el.set_attribute("data-dragging", "true") } else { el.remove_attribute("data-dragging") };
    }
}

thread_local! {
    /// The decoded canvas and its 2D context, kept while the canvas stays in the document: a
    /// reply looked both up again (`querySelector`, `getContext`) on every slider move, calls
    /// that showed in a sampled profile of a drag (bench/OPTIMISATION.md).
    static CANVAS: RefCell<Option<(HtmlCanvasElement, CanvasRenderingContext2d)>> = const { RefCell::new(None) };
}

/// The page's decoded canvas with its context; found again when the one kept has left the
/// document (the canvas component made a new one).
fn decoded_canvas() -> Option<(HtmlCanvasElement, CanvasRenderingContext2d)> {
    CANVAS.with(|kept| {
        let mut kept = kept.borrow_mut();
        if let Some((el, ctx)) = kept.as_ref().filter(|(el, _)| el.is_connected()) {
            return Some((el.clone(), ctx.clone()));
        }
        let el = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector("canvas[data-testid=decoded]").ok().flatten())
            .and_then(|e| e.dyn_into::<HtmlCanvasElement>().ok())?;
        let ctx = context_of(&el)?;
        *kept = Some((el.clone(), ctx.clone()));
        Some((el, ctx))
    })
}

fn context_of(el: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    el.get_context("2d").ok().flatten().and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
}

pub fn draw(el: &HtmlCanvasElement, pixels: &[u8], shape: &ImageShape, overlay: Option<&Vec<f32>>) {
    if let Some(ctx) = context_of(el) {
        draw_on(&ctx, pixels, shape, overlay);
    }
}

fn draw_on(ctx: &CanvasRenderingContext2d, pixels: &[u8], shape: &ImageShape, overlay: Option<&Vec<f32>>) {
    let mut rgba = to_rgba(pixels, shape.channels);
    if rgba.len() != shape.width * shape.height * 4 {
        return;
    }
    if let Some(change) = overlay {
        latent::sensitivity::blend(&mut rgba, change);
    }
    let data =
        ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), shape.width as u32, shape.height as u32);
    if let Ok(data) = data {
        let _ = ctx.put_image_data(&data, 0.0, 0.0);
    }
}
