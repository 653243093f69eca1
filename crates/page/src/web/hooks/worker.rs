//! The inference worker's life on the page. The browser is asked once whether it has a WebGPU
//! adapter; the module the backend choice then needs is started (the CPU-only one unless the
//! GPU one can be used or was asked for), replaced when lost (GPU device lost, crash: the
//! reducer has already queued the model's reload on the CPU) or when the choice needs the other
//! module. One callback posts to whichever worker is current; what is posted before the first
//! worker exists waits for it.

use crate::state::Action;
use crate::web::browser;
use crate::web::client::WorkerClient;
use crate::web::handle::{AppHandle, Dispatcher};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use worker_protocol::{ToWorker, WorkerModule};
use yew::prelude::*;

#[derive(Default)]
struct Current {
    client: Option<WorkerClient>,
    /// Messages posted while no worker runs yet (before the adapter is known).
    waiting: Vec<ToWorker>,
}

#[hook]
pub fn use_worker(state: &AppHandle) -> Callback<ToWorker> {
    let current = use_mut_ref(Current::default);
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            spawn_local(async move {
                dispatcher.dispatch(Action::AdapterProbed(browser::has_webgpu_adapter().await))
            })
        });
    }
    {
        let (dispatcher, current) = (state.dispatcher(), current.clone());
        use_effect_with((state.0.worker_epoch, state.0.worker_module()), move |(epoch, module)| {
            if let Some(module) = module {
                // Dropping the old client terminates its worker.
                current.borrow_mut().client.take();
                start_worker(&current, &dispatcher, *epoch, *module);
            }
        });
    }
    let dispatcher = state.dispatcher();
    Callback::from(move |msg: ToWorker| {
        let mut now = current.borrow_mut();
        match &now.client {
            Some(c) => {
                if let Err(e) = c.post(&msg) {
                    dispatcher.dispatch(Action::Failed(e));
                }
            }
            None => now.waiting.push(msg),
        }
    })
}

/// Start the inference worker of `epoch` and route what it says into the reducer.
fn start_worker(current: &Rc<RefCell<Current>>, dispatcher: &Dispatcher, epoch: u64, module: WorkerModule) {
    let (deliver, lose) = (dispatcher.clone(), dispatcher.clone());
    match WorkerClient::start(
        module,
        move |msg| deliver.dispatch(Action::Worker(msg)),
        move |message| lose.dispatch(Action::WorkerLost { epoch, message }),
    ) {
        Ok(client) => {
            let mut now = current.borrow_mut();
            for msg in std::mem::take(&mut now.waiting) {
                if let Err(e) = client.post(&msg) {
                    dispatcher.dispatch(Action::Failed(e));
                }
            }
            now.client = Some(client);
        }
        Err(e) => dispatcher.dispatch(Action::Failed(e)),
    }
}
