//! Playing the interpolation: a tick into the reducer every 50 ms while it plays.

use crate::state::Action;
use crate::web::handle::AppHandle;
use gloo_timers::callback::Interval;
use yew::prelude::*;

#[hook]
pub fn use_playback(state: &AppHandle) {
    let dispatcher = state.dispatcher();
    use_effect_with(state.0.interp.playing, move |playing| {
        let timer = playing.then(|| Interval::new(50, move || dispatcher.dispatch(Action::Tick)));
        // Dropping the interval (playing stopped, or the page is leaving) clears it.
        move || drop(timer)
    });
}
