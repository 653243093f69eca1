//! Latent Lab's web app.
//!
//! `state` (the one State + Action reducer) and `protocol` (the typed messages between the page
//! and the inference worker) are plain Rust, tested natively. `web` (Yew components and the
//! worker client) and `worker` (burn inference) exist only on wasm32.

pub mod export;
pub mod pixels;
pub mod preprocess;
pub mod protocol;
pub mod sniff;
pub mod state;

#[cfg(target_arch = "wasm32")]
pub mod web;
#[cfg(target_arch = "wasm32")]
pub mod worker;

#[cfg(target_arch = "wasm32")]
unsafe extern "C" {
    /// Synthesised by wasm-ld: runs every static constructor (burn/cubecl register their
    /// kernels and types through `inventory`, which uses them).
    fn __wasm_call_ctors();
}

/// Bytes of this thread's wasm linear memory (page or worker). It only grows, so a leak shows
/// as growth; the soak benchmark reads it.
#[cfg(target_arch = "wasm32")]
pub fn wasm_memory_bytes() -> u32 {
    use wasm_bindgen::JsCast;
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map_or(0, |b| b.byte_length())
}

/// Run the static constructors, once, at start-up.
///
/// Why this exists: our wasm entry points are binaries, and when nothing in the program calls
/// `__wasm_call_ctors`, wasm-ld wraps *every* export in a `*.command_export` that re-runs all
/// constructors first. burn's constructors cost hundreds of milliseconds, so each JS→wasm call
/// (every event, every resolved promise) paid that again: ~20 s to the first image and ~10 s
/// per face encode in a profile. Referencing the symbol here makes wasm-ld drop the wrappers
/// (the behaviour documented by the `inventory` crate for wasm), so we must call it exactly once.
#[cfg(target_arch = "wasm32")]
pub fn run_static_constructors_once() {
    // SAFETY: called once, first thing in `main`, before any code reads what the constructors set up.
    unsafe { __wasm_call_ctors() }
}
