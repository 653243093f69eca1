//! The inference worker: owns the model and the compute device, answers [`ToWorker`] messages.
//!
//! Loads run in the order asked; decodes are coalesced to the newest one, so a burst of slider
//! moves costs one decode per frame the device can deliver, never a backlog.

mod devices;
mod engine;

use crate::protocol::{FromWorker, ToWorker};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

pub fn start() {
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

pub(crate) use crate::wasm_memory_bytes;

pub(crate) fn now_ms() -> f64 {
    let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    scope.performance().map(|p| p.now()).unwrap_or(0.0)
}
