//! The page's end of the worker protocol.

use crate::protocol::{FromWorker, ToWorker};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};

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
    /// Start the worker. `on_message` receives every message, already decoded; a message that
    /// does not decode, or a crash of the worker, arrives as `FromWorker::Failed`.
    pub fn start(on_message: impl Fn(FromWorker) + Clone + 'static) -> Result<Self, String> {
        let worker = Worker::new("./worker_loader.js")
            .map_err(|e| format!("cannot start the inference worker: {e:?}"))?;
        let outbox = Rc::new(RefCell::new(Outbox::default()));
        let deliver = on_message.clone();
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
                Ok(msg) => deliver(msg),
                Err(e) => deliver(FromWorker::Failed {
                    id: None,
                    message: format!("the inference worker sent a malformed message: {e}"),
                }),
            }
        });
        let onerror = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            on_message(FromWorker::Failed {
                id: None,
                message: format!(
                    "the inference worker stopped: {}. Reload the page to restart it.",
                    event.message()
                ),
            })
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
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
