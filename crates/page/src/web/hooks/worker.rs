//! The inference worker's life on the page: started once, replaced when lost (GPU device lost,
//! crash: the reducer has already queued the model's reload on the CPU, which the new worker
//! then gets), and one callback that posts to whichever worker is current.

use crate::state::Action;
use crate::web::client::WorkerClient;
use crate::web::handle::{AppHandle, Dispatcher};
use std::cell::RefCell;
use std::rc::Rc;
use worker_protocol::ToWorker;
use yew::prelude::*;

#[hook]
pub fn use_worker(state: &AppHandle) -> Callback<ToWorker> {
    let client = use_mut_ref(|| None::<WorkerClient>);
    {
        let (dispatcher, client) = (state.dispatcher(), client.clone());
        use_effect_with(state.0.worker_epoch, move |epoch| {
            // Dropping the old client terminates its worker.
            client.borrow_mut().take();
            start_worker(&client, &dispatcher, *epoch);
        });
    }
    let dispatcher = state.dispatcher();
    Callback::from(move |msg: ToWorker| {
        if let Some(c) = client.borrow().as_ref()
            && let Err(e) = c.post(&msg)
        {
            dispatcher.dispatch(Action::Failed(e));
        }
    })
}

/// Start the inference worker of `epoch` and route what it says into the reducer.
fn start_worker(client: &Rc<RefCell<Option<WorkerClient>>>, dispatcher: &Dispatcher, epoch: u64) {
    let (deliver, lose) = (dispatcher.clone(), dispatcher.clone());
    match WorkerClient::start(
        move |msg| deliver.dispatch(Action::Worker(msg)),
        move |message| lose.dispatch(Action::WorkerLost { epoch, message }),
    ) {
        Ok(c) => *client.borrow_mut() = Some(c),
        Err(e) => dispatcher.dispatch(Action::Failed(e)),
    }
}
