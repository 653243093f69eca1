//! The workbench's side of the worker protocol: each request id the reducer hands out becomes
//! one message (the lecture views' side is `lecture_requests`).

use crate::state::Action;
use crate::web::handle::AppHandle;
use crate::web::io::{ingest::load_examples, requests::load_request};
use std::cell::RefCell;
use std::rc::Rc;
use worker_protocol::{Lane, ToWorker};
use yew::prelude::*;

#[hook]
pub fn use_workbench_requests(state: &AppHandle, post: Callback<ToWorker>, posted_decode: Rc<RefCell<u64>>) {
    let s = &state.0;
    // A new load id means: send the model to the worker.
    {
        let loading = s.loading.clone();
        let choice = s.load_backend();
        let (post, dispatcher) = (post.clone(), state.dispatcher());
        use_effect_with(loading.as_ref().map(|l| l.id), move |_| {
            if let Some(l) = loading {
                match load_request(l.id, &l.manifest, choice, false, l.import) {
                    Ok(msg) => post.emit(msg),
                    Err(e) => dispatcher.dispatch(Action::Failed(e)),
                }
            }
        });
    }
    // A new decode id means: decode the current z, unless a slider already sent it.
    {
        let z = s.z.clone();
        let post = post.clone();
        use_effect_with(s.decode_id, move |id| {
            if *id > *posted_decode.borrow() {
                *posted_decode.borrow_mut() = *id;
                post.emit(ToWorker::Decode { id: *id, z });
            }
        });
    }
    // New encodes: send each once, in order.
    {
        // (worker epoch, newest id sent to it): a replacement worker gets every pending encode.
        let posted = use_mut_ref(|| (0u64, 0u64));
        let state = state.clone();
        let post = post.clone();
        let newest = s.encoding.iter().map(|p| p.id).max().unwrap_or(0);
        use_effect_with((newest, s.worker_epoch), move |(_, epoch)| {
            let mut sent = posted.borrow_mut();
            if sent.0 != *epoch {
                *sent = (*epoch, 0);
            }
            let pending = &state.0.encoding;
            for p in pending.iter().filter(|p| p.id > sent.1) {
                post.emit(match &p.known {
                    // Encoded already: only its reconstruction is needed.
                    Some(known) => ToWorker::DecodeMany {
                        id: p.id,
                        lane: Lane::Recon(p.id),
                        model: None,
                        zs: vec![known.0.clone()],
                    },
                    None => ToWorker::Encode { id: p.id, model: None, pixels: (*p.pixels).clone() },
                });
            }
            sent.1 = sent.1.max(pending.iter().map(|p| p.id).max().unwrap_or(0));
        });
    }
    // A new strip id means: decode the interpolation frames in one batch.
    {
        // The handle, not the codes: paths are computed only when a strip is asked for, not on
        // every slider move.
        let state = state.clone();
        let post = post.clone();
        use_effect_with(s.strip_id, move |id| {
            if let Some(zs) = state.0.strip_codes().filter(|_| *id > 0) {
                post.emit(ToWorker::DecodeMany { id: *id, lane: Lane::Strip, model: None, zs });
            }
        });
    }
    // The strip's round trips, for the drift curve under it.
    {
        let state = state.clone();
        let post = post.clone();
        use_effect_with(s.drift.strip.id, move |id| {
            if let Some(zs) = state.0.strip_codes().filter(|_| *id > 0) {
                post.emit(ToWorker::RoundTrip { id: *id, lane: Lane::Strip, model: None, zs });
            }
        });
    }
    // A new corners id means: decode the 4-corner grid in one batch.
    {
        let state = state.clone();
        let post = post.clone();
        use_effect_with(s.corners_id, move |id| {
            if let Some(zs) = state.0.corner_codes().filter(|_| *id > 0) {
                post.emit(ToWorker::DecodeMany { id: *id, lane: Lane::Corners, model: None, zs });
            }
        });
    }
    // A new sensitivity id means: decode the pair either side of z along the focused slider.
    {
        let state = state.clone();
        let post = post.clone();
        use_effect_with(s.sensitivity.id, move |id| {
            if let Some(zs) = state.0.sense_codes().filter(|_| *id > 0) {
                post.emit(ToWorker::DecodeMany { id: *id, lane: crate::state::SENSE_LANE, model: None, zs });
            }
        });
    }
    // A new profile id means: time the decoder's layers.
    {
        let post = post.clone();
        use_effect_with(s.profile_id, move |id| {
            if *id > 0 {
                post.emit(ToWorker::Profile { id: *id, runs: crate::state::PROFILE_RUNS });
            }
        });
    }
    // A newly shown model brings its example images, once.
    {
        let manifest = s.model.clone();
        let has_examples = s.items().iter().any(|i| i.example) || !s.encoding.is_empty();
        let dispatcher = state.dispatcher();
        use_effect_with(s.model.as_ref().map(|m| m.name.clone()), move |_| {
            if let (Some(m), false) = (manifest, has_examples) {
                load_examples(&Callback::from(move |a| dispatcher.dispatch(a)), &m);
            }
        });
    }
}
