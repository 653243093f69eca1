//! The inference worker's life on the page. The CPU-only module starts at once and draws the
//! first image; the GPU module replaces it only when the backend choice asks for WebGPU or the
//! background trial (`state/gpu_trial.rs`) found WebGPU faster here. A worker is also replaced
//! when lost (GPU device lost, crash: the reducer has already queued the model's reload on the
//! CPU). One callback posts to whichever worker is current; what is posted before the first
//! worker exists waits for it.

use crate::state::Action;
use crate::web::browser;
use crate::web::client::WorkerClient;
use crate::web::handle::{AppHandle, Dispatcher};
use crate::web::io::canvas_draw::draw_reply;
use crate::web::io::requests::load_request;
use bundle::Manifest;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use worker_protocol::{BackendChoice, FromWorker, ToWorker, WorkerModule};
use yew::prelude::*;

#[derive(Default)]
struct Current {
    client: Option<WorkerClient>,
    /// Messages posted while no worker runs yet.
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
        let (handle, current) = (state.clone(), current.clone());
        use_effect_with((state.0.worker_epoch, state.0.worker_module()), move |(epoch, module)| {
            // Dropping the old client terminates its worker.
            current.borrow_mut().client.take();
            start_worker(&current, &handle, *epoch, *module);
        });
    }
    {
        let (dispatcher, trial) = (state.dispatcher(), use_mut_ref(|| None::<WorkerClient>));
        use_effect_with(state.0.gpu_trial_request(), move |request| {
            if let Some(manifest) = request {
                start_gpu_trial(&trial, &dispatcher, manifest);
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
fn start_worker(current: &Rc<RefCell<Current>>, handle: &AppHandle, epoch: u64, module: WorkerModule) {
    let dispatcher = &handle.dispatcher();
    let (deliver, lose, handle) = (dispatcher.clone(), dispatcher.clone(), handle.clone());
    match WorkerClient::start(
        module,
        move |msg| {
            let latest = handle.clone();
            let s = &latest.0;
            // The newest decode goes on the canvas before the render that stores it. A dragged
            // slider's decodes (`live_drag.rs`) go only there: the reducer hears of the drag when
            // the hand rests.
            if let FromWorker::Decoded { id, pixels, micros, .. } = &msg {
                let live = latest.live().try_borrow_mut().ok().and_then(|mut l| l.answer(*id));
                if let Some(newest) = live {
                    if let (true, Some(m)) = (newest, &s.model) {
                        draw_reply(*id, pixels, &m.image, *micros);
                    }
                    return;
                }
                if let (true, Some(m)) = (*id == s.decode_id, &s.model) {
                    draw_reply(*id, pixels, &m.image, *micros);
                }
            }
            // A reply the reducer would drop costs no render.
            if s.heeds(&msg) {
                deliver.dispatch(Action::Worker(msg))
            }
        },
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

/// The background trial: a throwaway GPU-module worker loads the model with `auto`, which times
/// one decode on WebGPU and one on its CPU backend; its answer is the verdict, then it is
/// terminated. Nothing it does reaches the gallery or the image on screen.
fn start_gpu_trial(trial: &Rc<RefCell<Option<WorkerClient>>>, dispatcher: &Dispatcher, manifest: &Manifest) {
    dispatcher.dispatch(Action::GpuTrialStarted);
    let verdict = {
        let (dispatcher, trial) = (dispatcher.clone(), trial.clone());
        move |winner, note: String| {
            dispatcher.dispatch(Action::GpuTrialDone { winner, note });
            // Not from inside the worker's own message handler: the client owns that closure.
            let trial = trial.clone();
            spawn_local(async move { drop(trial.borrow_mut().take()) });
        }
    };
    let on_lost = verdict.clone();
    let client = WorkerClient::start(
        WorkerModule::Gpu,
        move |msg| match msg {
            FromWorker::Loaded { backend, note, .. } => {
                verdict(Some(backend), note.unwrap_or_else(|| "WebGPU measured".into()))
            }
            FromWorker::Failed { message, .. } => {
                verdict(None, format!("the WebGPU trial failed: {message}"))
            }
            _ => {}
        },
        move |message| on_lost(None, format!("the WebGPU trial stopped: {message}")),
    );
    let outcome = client.and_then(|c| {
        // The id is the trial's own: the reducer never sees this worker's replies.
        c.post(&load_request(0, manifest, BackendChoice::Auto, false, false)?)?;
        Ok(c)
    });
    match outcome {
        Ok(c) => *trial.borrow_mut() = Some(c),
        Err(e) => dispatcher.dispatch(Action::GpuTrialDone { winner: None, note: e }),
    }
}
