//! The lecture views' side of the worker protocol: each request id the reducer hands out
//! becomes one message. Kept apart from `workbench_requests`, which does the same for the workbench.

use crate::state::{Action, COMPARE_MODELS, View};
use crate::web::browser;
use crate::web::handle::{AppHandle, Dispatcher};
use crate::web::io::requests::load_request;
use crate::web::io::startup;
use wasm_bindgen_futures::spawn_local;
use worker_protocol::{Lane, ToWorker};
use yew::prelude::*;

/// Prior samples the comparison shows, drawn once per visit (and again on request).
pub const COMPARE_SAMPLES: usize = 8;

/// Seeds of `n` prior samples (`State::compare_codes` draws them from the VAE's prior).
pub fn prior_samples(n: usize) -> Vec<u64> {
    (0..n).map(|_| browser::seed()).collect()
}

#[hook]
pub fn use_lecture_requests(state: &AppHandle, post: Callback<ToWorker>) {
    let s = &state.0;
    // The traversal grid: one batch per new grid id.
    {
        let (state, post) = (state.clone(), post.clone());
        use_effect_with(s.grid_id, move |id| {
            if let Some((zs, _)) = state.0.grid_codes().filter(|_| *id > 0) {
                post.emit(ToWorker::DecodeMany { id: *id, lane: Lane::Grid, model: None, zs });
            }
        });
    }
    // The map's thumbnail under the pointer.
    {
        let (state, post) = (state.clone(), post.clone());
        use_effect_with(s.hover_id, move |id| {
            if let Some(z) = state.0.hover_code().filter(|_| *id > 0) {
                post.emit(ToWorker::DecodeMany { id: *id, lane: Lane::Hover, model: None, zs: vec![z] });
            }
        });
    }
    // The units view: each unit alone, in one batch.
    {
        let (state, post) = (state.clone(), post.clone());
        use_effect_with(s.units.id, move |id| {
            if let Some(zs) = state.0.unit_codes().filter(|_| *id > 0) {
                post.emit(ToWorker::DecodeMany { id: *id, lane: Lane::Units, model: None, zs });
            }
        });
    }
    // The latent map's drift layer: a round trip per cell of the plane.
    {
        let (state, post) = (state.clone(), post.clone());
        use_effect_with(s.drift.plane.id, move |id| {
            if let Some(zs) = state.0.drift_plane_codes().filter(|_| *id > 0) {
                post.emit(ToWorker::RoundTrip { id: *id, lane: Lane::Plane, model: None, zs });
            }
        });
    }
    // The denoising view's corrupted input.
    {
        let (state, post) = (state.clone(), post.clone());
        use_effect_with(s.denoise.id, move |id| {
            if let Some(pixels) = state.0.denoise_pixels().filter(|_| *id > 0) {
                post.emit(ToWorker::Encode { id: *id, model: None, pixels });
            }
        });
    }
    // AE vs VAE: fetch both manifests and draw samples when the view first opens.
    {
        let dispatcher = state.dispatcher();
        let missing = s.compare.manifests.iter().any(Option::is_none);
        let no_samples = s.compare.sample_seeds.is_empty();
        use_effect_with(s.view == View::Compare, move |open| {
            if *open {
                if no_samples {
                    dispatcher.dispatch(Action::CompareSamples(prior_samples(COMPARE_SAMPLES)));
                }
                if missing {
                    spawn_local(fetch_companions(dispatcher));
                }
            }
        });
    }
    // The autoencoder family's manifests, for the table under the two sides.
    {
        // Keyed on the view opening with none here yet, not on the list: the list shrinks as
        // manifests arrive, and each shrink would fetch the rest again.
        let (dispatcher, wanted) = (state.dispatcher(), s.family_wanted());
        use_effect_with(s.view == View::Compare && s.compare.family.is_empty(), move |open| {
            for name in wanted.into_iter().filter(|_| *open) {
                let dispatcher = dispatcher.clone();
                spawn_local(async move {
                    // A member that cannot be read is left out of the table; the two sides above
                    // report their own failures.
                    if let Ok(m) = startup::fetch_manifest(&name).await {
                        dispatcher.dispatch(Action::FamilyManifest(Box::new(m)));
                    }
                });
            }
        });
    }
    use_compare_side(state, post.clone(), 0);
    use_compare_side(state, post.clone(), 1);
    super::denoiser_requests::use_denoiser_requests(state, post);
}

/// One side of the comparison: load it beside the current model once its manifest is here,
/// encode the pair with its encoder, and decode its batch.
#[hook]
fn use_compare_side(state: &AppHandle, post: Callback<ToWorker>, side: usize) {
    let s = &state.0;
    {
        let (state, post) = (state.clone(), post.clone());
        use_effect_with(s.compare.load_ids[side], move |id| {
            if let Some(m) = state.0.compare.manifests[side].as_ref().filter(|_| *id > 0) {
                match load_request(*id, m, state.0.load_backend(), true, false) {
                    Ok(msg) => post.emit(msg),
                    Err(e) => state.dispatch(Action::Failed(e)),
                }
            }
        });
    }
    {
        let (state, post) = (state.clone(), post.clone());
        use_effect_with(s.compare.encode_ids[side], move |ids| {
            let name = COMPARE_MODELS[side].to_string();
            if let Some(inputs) = state.0.compare_inputs().filter(|_| ids[0] > 0) {
                for (id, pixels) in ids.iter().zip(inputs) {
                    post.emit(ToWorker::Encode { id: *id, model: Some(name.clone()), pixels });
                }
            }
        });
    }
    {
        let (state, post) = (state.clone(), post.clone());
        use_effect_with(s.drift.compare[side].id, move |id| {
            if let Some(zs) = state.0.compare_codes(side).filter(|_| *id > 0) {
                let model = Some(COMPARE_MODELS[side].to_string());
                post.emit(ToWorker::RoundTrip { id: *id, lane: Lane::Compare(side as u8), model, zs });
            }
        });
    }
    let state = state.clone();
    use_effect_with(s.compare.decode_ids[side], move |id| {
        if let Some(zs) = state.0.compare_codes(side).filter(|_| *id > 0) {
            let model = Some(COMPARE_MODELS[side].to_string());
            post.emit(ToWorker::DecodeMany { id: *id, lane: Lane::Compare(side as u8), model, zs });
        }
    });
}

async fn fetch_companions(dispatcher: Dispatcher) {
    for (side, name) in COMPARE_MODELS.iter().enumerate() {
        match startup::fetch_manifest(name).await {
            Ok(manifest) => {
                dispatcher.dispatch(Action::CompanionManifest { side, manifest: Box::new(manifest) })
            }
            Err(e) => {
                return dispatcher.dispatch(Action::Failed(format!(
                    "The comparison needs {name}, which could not be opened: {e}."
                )));
            }
        }
    }
}
