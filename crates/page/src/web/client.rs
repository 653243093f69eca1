//! The page's end of the worker protocol.
//!
//! Written against web-sys rather than `gloo-worker` (which yew already brings in), because of
//! three things this bridge must do that gloo-worker's does not let it:
//! - messages posted by JavaScript: `worker_loader.js` reports a lost GPU device as a plain
//!   `{Lost: …}` object, before and outside the wasm. gloo-worker's wire format is its own
//!   Rust enum through its codec, which a script cannot write;
//! - the raw `Worker`: the device-loss test hook hands it to page scripts, and gloo-worker's
//!   bridge keeps it private;
//! - what waits for Ready: before the worker is ready only the newest decode is kept (loads
//!   all, in order); gloo-worker queues every message.
//!
//! Our side is the ~60 lines below; the worker's is `worker/src/lib.rs`.

use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};
use worker_protocol::{FromWorker, ToWorker, WorkerModule};

/// Messages wait here until the worker says it is ready to receive them.
#[derive(Default)]
struct Outbox {
    ready: bool,
    held: Vec<JsValue>,
}

/// Owns the worker and its message handlers; dropping it terminates the worker.
pub struct WorkerClient {
    worker: Worker,
    outbox: Rc<RefCell<Outbox>>,
    _onmessage: Closure<dyn FnMut(MessageEvent)>,
    _onerror: Closure<dyn FnMut(ErrorEvent)>,
}

impl WorkerClient {
    /// Start the worker. `on_message` receives every message, already decoded (one that does
    /// not decode arrives as `FromWorker::Failed`); `on_lost` hears when the worker cannot go
    /// on: its GPU device was lost, or it crashed.
    pub fn start(
        module: WorkerModule,
        on_message: impl Fn(FromWorker) + 'static,
        on_lost: impl Fn(String) + Clone + 'static,
    ) -> Result<Self, String> {
        // `?simd=baseline` runs the CPU module built without relaxed SIMD where the browser has
        // it (`worker_loader.js`): how a test, or anyone comparing, reaches the other build.
        let baseline = super::browser::query_param("simd").as_deref() == Some("baseline");
        let url = match (module, baseline) {
            (WorkerModule::Cpu, true) => format!("{}?baseline", module.loader_url()),
            _ => module.loader_url().to_string(),
        };
        let worker = Worker::new(&url).map_err(|e| format!("cannot start the inference worker: {e:?}"))?;
        let outbox = Rc::new(RefCell::new(Outbox::default()));
        let deliver = on_message;
        let lost = on_lost.clone();
        let (flush_to, flush_outbox) = (worker.clone(), outbox.clone());
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            match serde_wasm_bindgen::from_value(event.data()) {
                Ok(FromWorker::Ready) => {
                    let mut out = flush_outbox.borrow_mut();
                    out.ready = true;
                    for msg in out.held.drain(..) {
                        let _ = flush_to.post_message(&msg);
                    }
                }
                Ok(FromWorker::Lost { message }) => lost(message),
                Ok(msg) => deliver(msg),
                Err(e) => deliver(FromWorker::Failed {
                    id: None,
                    message: format!("the inference worker sent a malformed message: {e}"),
                }),
            }
        });
        let onerror = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            on_lost(format!("The inference worker stopped ({})", event.message()))
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        // Test hook: `?hooks=1` hands the worker to page scripts, so a browser test can tell
        // `worker_loader.js` to destroy the GPU device (a real device loss, on demand).
        if super::browser::query_param("hooks").as_deref() == Some("1")
            && let Some(window) = web_sys::window()
        {
            let _ = js_sys::Reflect::set(&window, &"latentLabWorker".into(), &worker);
        }
        Ok(WorkerClient { worker, outbox, _onmessage: onmessage, _onerror: onerror })
    }

    pub fn post(&self, msg: &ToWorker) -> Result<(), String> {
        let value = serde_wasm_bindgen::to_value(msg).map_err(|e| e.to_string())?;
        let mut out = self.outbox.borrow_mut();
        if !out.ready {
            // Before Ready only the newest decode matters; loads must all arrive, in order.
            if matches!(msg, ToWorker::Decode { .. }) {
                out.held.retain(|held| !is_decode(held));
            }
            out.held.push(value);
            return Ok(());
        }
        self.worker.post_message(&value).map_err(|e| format!("cannot reach the inference worker: {e:?}"))
    }
}

fn is_decode(value: &JsValue) -> bool {
    matches!(serde_wasm_bindgen::from_value::<ToWorker>(value.clone()), Ok(ToWorker::Decode { .. }))
}

impl Drop for WorkerClient {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
