//! The test codes (`codes.bin`) of the model on screen, fetched when a view that measures the
//! latent space first needs them (`State::test_codes_wanted`), never with the first image.

use crate::state::Action;
use crate::web::browser;
use crate::web::handle::AppHandle;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

#[hook]
pub fn use_test_codes(state: &AppHandle) {
    let wanted = state.0.test_codes_wanted();
    let (dispatcher, model) = (state.dispatcher(), state.0.model.clone());
    use_effect_with(wanted, move |wanted| {
        let (Some((name, url)), Some(m)) = (wanted.clone(), model) else { return };
        let Some(file) = m.codes.clone() else { return };
        spawn_local(async move {
            let read = browser::fetch_bytes(&url).await.and_then(|bytes| {
                bundle::Codes::from_bytes(&bytes, m.latent_dim, file.count).map_err(|e| e.to_string())
            });
            match read {
                Ok(codes) => dispatcher.dispatch(Action::TestCodes { model: name, codes: codes.into() }),
                // The views fall back to the user's own images; the notice says why.
                Err(e) => dispatcher.dispatch(Action::Failed(format!(
                    "{name}'s test codes could not be read ({e}); the holes and separation views use your own images instead."
                ))),
            }
        });
    });
}
