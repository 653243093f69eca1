//! A small synthesiser for melodies, on Web Audio: one triangle oscillator per note through a
//! gain envelope (a quick attack, a decay to a held level, a release at the note's end). No
//! sample files: nothing to download, and a triangle's few soft overtones keep each pitch clear
//! in a lecture hall's speakers.
//!
//! Every note of a phrase (or of an interpolation row) is scheduled at once on the audio clock,
//! so the sound keeps time by itself and the page's thread stays free for the sliders.
//!
//! With `?audio=offline` in the address (the browser tests) the same schedule is rendered into
//! an `OfflineAudioContext` instead of the speakers, and the samples are left on
//! `window.latentLabAudio` to be checked for the notes they should hold.

use js_sys::Float32Array;
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AudioContext, BaseAudioContext, OfflineAudioContext, OscillatorType};

/// Sixteenth notes at 120 beats a minute: a fiddle tune's lively but followable pace.
pub const BPM: f64 = 120.0;
pub const STEP_SECONDS: f64 = 60.0 / BPM / 4.0;
/// Offline renders' sample rate: enough for the highest note's (C6, 1 kHz) first overtones.
pub const OFFLINE_RATE: f32 = 22_050.0;
/// A short silence before the first note, so the audio clock has started when it sounds.
const LEAD_IN: f64 = 0.05;

thread_local! {
    /// The context now sounding; closing it stops every note scheduled on it.
    static PLAYING: RefCell<Option<AudioContext>> = const { RefCell::new(None) };
}

fn js(e: JsValue) -> String {
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

/// The notes of a phrase of tokens (shorter phrases are padded with rests).
fn notes(tokens: &[u8]) -> Vec<melody::grid::Note> {
    let mut m = [melody::grid::REST; melody::grid::STEPS];
    for (slot, t) in m.iter_mut().zip(tokens) {
        *slot = *t;
    }
    melody::grid::notes(&m)
}

pub fn frequency(pitch: u8) -> f32 {
    440.0 * 2f32.powf((f32::from(pitch) - 69.0) / 12.0)
}

/// Seconds the phrases take, one after the other.
pub fn duration(phrases: usize) -> f64 {
    LEAD_IN + phrases as f64 * melody::grid::STEPS as f64 * STEP_SECONDS + 0.2
}

/// Schedule each phrase after the one before, from `start` on the context's clock.
fn schedule(ctx: &BaseAudioContext, phrases: &[Vec<u8>], start: f64) -> Result<(), String> {
    for (k, tokens) in phrases.iter().enumerate() {
        let offset = start + LEAD_IN + (k * melody::grid::STEPS) as f64 * STEP_SECONDS;
        for n in notes(tokens) {
            let t0 = offset + n.start as f64 * STEP_SECONDS;
            // A hair short of the next onset, so repeated notes are heard as two.
            let t1 = t0 + n.len as f64 * STEP_SECONDS - 0.01;
            let osc = ctx.create_oscillator().map_err(js)?;
            osc.set_type(OscillatorType::Triangle);
            osc.frequency().set_value(frequency(n.pitch));
            let gain = ctx.create_gain().map_err(js)?;
            let g = gain.gain();
            g.set_value_at_time(0.0, t0).map_err(js)?;
            g.linear_ramp_to_value_at_time(0.3, t0 + 0.01).map_err(js)?;
            g.set_target_at_time(0.18, t0 + 0.01, 0.08).map_err(js)?;
            g.set_value_at_time(0.18, t1 - 0.02).map_err(js)?;
            g.linear_ramp_to_value_at_time(0.0, t1).map_err(js)?;
            osc.connect_with_audio_node(&gain).map_err(js)?;
            gain.connect_with_audio_node(&ctx.destination()).map_err(js)?;
            osc.start_with_when(t0).map_err(js)?;
            osc.stop_with_when(t1 + 0.01).map_err(js)?;
        }
    }
    Ok(())
}

/// Whether this page renders sound for the tests instead of playing it.
pub fn offline() -> bool {
    crate::web::browser::query_param("audio").as_deref() == Some("offline")
}

/// Play the phrases now, replacing whatever was sounding; returns how long they take.
pub async fn play(phrases: Vec<Vec<u8>>) -> Result<f64, String> {
    stop();
    if offline() {
        render(&phrases).await?;
        return Ok(duration(phrases.len()));
    }
    let ctx = AudioContext::new().map_err(js)?;
    schedule(&ctx, &phrases, ctx.current_time())?;
    PLAYING.with(|p| *p.borrow_mut() = Some(ctx));
    Ok(duration(phrases.len()))
}

/// Silence: close the context that is playing (its scheduled notes go with it).
pub fn stop() {
    if let Some(ctx) = PLAYING.with(|p| p.borrow_mut().take()) {
        let _ = ctx.close();
    }
}

/// Render the phrases offline and leave the samples on `window.latentLabAudio`.
async fn render(phrases: &[Vec<u8>]) -> Result<(), String> {
    let frames = (duration(phrases.len()) * f64::from(OFFLINE_RATE)).ceil() as u32;
    let ctx =
        OfflineAudioContext::new_with_number_of_channels_and_length_and_sample_rate(1, frames, OFFLINE_RATE)
            .map_err(js)?;
    schedule(&ctx, phrases, 0.0)?;
    let rendered = JsFuture::from(ctx.start_rendering().map_err(js)?).await.map_err(js)?;
    let buffer: web_sys::AudioBuffer =
        rendered.dyn_into().map_err(|_| "the render gave no audio buffer".to_string())?;
    let samples = buffer.get_channel_data(0).map_err(js)?;
    let array = Float32Array::from(samples.as_slice());
    let window = web_sys::window().ok_or("no window")?;
    js_sys::Reflect::set(&window, &"latentLabAudio".into(), &array).map_err(js)?;
    js_sys::Reflect::set(&window, &"latentLabAudioRate".into(), &f64::from(OFFLINE_RATE).into())
        .map_err(js)?;
    Ok(())
}
