//! The page's end of the worker protocol.

use crate::protocol::{FromWorker, ToWorker};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};

/// Owns the worker and its message handlers; dropping it terminates the worker.
pub struct WorkerClient {
    worker: Worker,
    _onmessage: Closure<dyn FnMut(MessageEvent)>,
    _onerror: Closure<dyn FnMut(ErrorEvent)>,
}

impl WorkerClient {
    /// Start the worker. `on_message` receives every message, already decoded; a message that
    /// does not decode, or a crash of the worker, arrives as `FromWorker::Failed`.
    pub fn start(on_message: impl Fn(FromWorker) + Clone + 'static) -> Result<Self, String> {
        let worker = Worker::new("./worker_loader.js")
            .map_err(|e| format!("cannot start the inference worker: {e:?}"))?;
        let deliver = on_message.clone();
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            deliver(serde_wasm_bindgen::from_value(event.data()).unwrap_or_else(|e| FromWorker::Failed {
                id: None,
                message: format!("the inference worker sent a malformed message: {e}"),
            }))
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
        Ok(WorkerClient { worker, _onmessage: onmessage, _onerror: onerror })
    }

    pub fn post(&self, msg: &ToWorker) -> Result<(), String> {
        let value = serde_wasm_bindgen::to_value(msg).map_err(|e| e.to_string())?;
        self.worker.post_message(&value).map_err(|e| format!("cannot reach the inference worker: {e:?}"))
    }
}

impl Drop for WorkerClient {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
