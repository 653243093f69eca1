//! The inference worker: owns the model and the compute device, answers [`ToWorker`] messages.
//!
//! Loads run in the order asked; decodes are coalesced to the newest one, so a burst of slider
//! moves costs one decode per frame the device can deliver, never a backlog.

//!
//! Two modules are built from it: `worker` (burn's CPU backend alone, the one every page starts
//! first when there is no GPU to use, a fraction of the download) and `worker_gpu` (the `webgpu`
//! feature: WebGPU, measured against the CPU as ever). The page fetches the second only when the
//! browser offers a WebGPU adapter.
//!
//! Everything here exists on wasm32 only; natively the crate is empty (so `cargo test
//! --workspace` and clippy still see it).

#[cfg(target_arch = "wasm32")]
mod decoding;
#[cfg(target_arch = "wasm32")]
mod devices;
#[cfg(target_arch = "wasm32")]
mod engine;
#[cfg(target_arch = "wasm32")]
mod fetch;
#[cfg(target_arch = "wasm32")]
mod melodies;

/// What both binaries run: the static constructors, then the message loop.
pub fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        run_static_constructors_once();
        start();
    }
}

#[cfg(target_arch = "wasm32")]
use {
    std::cell::RefCell,
    std::rc::Rc,
    wasm_bindgen::JsCast,
    wasm_bindgen::prelude::*,
    web_sys::{DedicatedWorkerGlobalScope, MessageEvent},
    worker_protocol::{FromWorker, ToWorker},
};

#[cfg(target_arch = "wasm32")]
unsafe extern "C" {
    /// Synthesised by wasm-ld: runs every static constructor (burn/cubecl register their
    /// kernels and types through `inventory`, which uses them).
    fn __wasm_call_ctors();
}

/// Run the static constructors, once, at start-up.
///
/// Why this exists: the worker modules are binaries, and when nothing in the program calls
/// `__wasm_call_ctors`, wasm-ld wraps *every* export in a `*.command_export` that re-runs all
/// constructors first. burn's constructors cost hundreds of milliseconds, so each JS→wasm call
/// (every message, every resolved promise) paid that again: ~20 s to the first image and ~10 s
/// per face encode in a profile. Referencing the symbol here makes wasm-ld drop the wrappers
/// (the behaviour documented by the `inventory` crate for wasm), so we must call it exactly once.
#[cfg(target_arch = "wasm32")]
fn run_static_constructors_once() {
    // SAFETY: called once, first thing in `main`, before any code reads what the constructors set up.
    unsafe { __wasm_call_ctors() }
}

#[cfg(target_arch = "wasm32")]
fn start() {
    console_error_panic_hook::set_once();
    let engine = Rc::new(RefCell::new(engine::Engine::default()));
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        match serde_wasm_bindgen::from_value::<ToWorker>(event.data()) {
            Ok(msg) => engine::Engine::push(&engine, msg),
            Err(e) => post(&FromWorker::Failed {
                id: None,
                message: format!("the worker got a malformed message: {e}"),
            }),
        }
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    onmessage.forget();
    post(&FromWorker::Ready);
}

#[cfg(target_arch = "wasm32")]
/// Send a message to the page. Serialisation of our own types cannot fail in practice; if it
/// ever did there is nobody to tell but the console.
pub(crate) fn post(msg: &FromWorker) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    match serde_wasm_bindgen::to_value(msg) {
        Ok(v) => {
            if let Err(e) = scope.post_message(&v) {
                web_sys::console::error_2(&"posting to the page failed".into(), &e);
            }
        }
        Err(e) => web_sys::console::error_1(&format!("cannot serialise a worker message: {e}").into()),
    }
}

#[cfg(target_arch = "wasm32")]
use worker_protocol::memory::wasm_memory_bytes;

#[cfg(target_arch = "wasm32")]
pub(crate) fn now_ms() -> f64 {
    let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    scope.performance().map(|p| p.now()).unwrap_or(0.0)
}
