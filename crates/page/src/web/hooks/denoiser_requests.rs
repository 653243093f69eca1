//! The denoising view's companion: fetch the denoising autoencoder's manifest when the view opens
//! on a digit model, load it beside the current model, and give it each damaged input.

use crate::state::{Action, DENOISER, View};
use crate::web::handle::AppHandle;
use crate::web::io::requests::load_request;
use crate::web::io::startup;
use wasm_bindgen_futures::spawn_local;
use worker_protocol::ToWorker;
use yew::prelude::*;

#[hook]
pub fn use_denoiser_requests(state: &AppHandle, post: Callback<ToWorker>) {
    let s = &state.0;
    {
        let dispatcher = state.dispatcher();
        let wanted = s.view == View::Denoise && s.wants_denoiser() && s.denoise.denoiser.manifest.is_none();
        use_effect_with(wanted, move |wanted| {
            if *wanted {
                spawn_local(async move {
                    let action = match startup::fetch_manifest(DENOISER).await {
                        Ok(m) => Action::DenoiserManifest(Box::new(m)),
                        Err(e) => Action::Failed(format!(
                            "The denoising autoencoder {DENOISER} could not be opened beside this model: {e}."
                        )),
                    };
                    dispatcher.dispatch(action);
                });
            }
        });
    }
    {
        let (state, post) = (state.clone(), post.clone());
        use_effect_with(s.denoise.denoiser.load_id, move |id| {
            if let Some(m) = state.0.denoise.denoiser.manifest.as_ref().filter(|_| *id > 0) {
                match load_request(*id, m, state.0.load_backend(), true, false) {
                    Ok(msg) => post.emit(msg),
                    Err(e) => state.dispatch(Action::Failed(e)),
                }
            }
        });
    }
    let state = state.clone();
    use_effect_with(s.denoise.denoiser.encode_id, move |id| {
        if let Some(pixels) = state.0.denoise_pixels().filter(|_| *id > 0) {
            post.emit(ToWorker::Encode { id: *id, model: Some(DENOISER.into()), pixels });
        }
    });
}
