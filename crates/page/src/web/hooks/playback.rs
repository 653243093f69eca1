//! Playing the interpolation: a tick into the reducer every 50 ms while it plays.

use crate::state::Action;
use crate::web::handle::AppHandle;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use yew::prelude::*;

#[hook]
pub fn use_playback(state: &AppHandle) {
    let s = &state.0;
    {
        let dispatcher = state.dispatcher();
        use_effect_with(s.interp.playing, move |playing| {
            let timer = playing.then(|| {
                let tick = Closure::<dyn FnMut()>::new(move || dispatcher.dispatch(Action::Tick));
                let id = web_sys::window().and_then(|w| {
                    w.set_interval_with_callback_and_timeout_and_arguments_0(
                        tick.as_ref().unchecked_ref(),
                        50,
                    )
                    .ok()
                });
                (id, tick)
            });
            move || {
                if let (Some((Some(id), _tick)), Some(w)) = (timer, web_sys::window()) {
                    w.clear_interval_with_handle(id);
                }
            }
        });
    }
}
