//! The melody view's effects: fetch the melody models' list and manifests when the view first
//! opens, send the worker each load, decode and encode the reducer asks for, and sound what the
//! play buttons ask (`io/synth.rs`), stopping by itself when the phrase is over.

use crate::state::{Action, MelodyAction, View};
use crate::web::browser;
use crate::web::handle::AppHandle;
use crate::web::io::synth;
use bundle::{MELODIES_URL, MELODY_FILE, MelodyEntry, MelodyManifest, WEIGHTS_FILE};
use gloo_timers::callback::Timeout;
use std::collections::BTreeSet;
use wasm_bindgen_futures::spawn_local;
use worker_protocol::ToWorker;
use yew::prelude::*;

async fn fetch_lab(dispatcher: crate::web::handle::Dispatcher) {
    let entries: Vec<MelodyEntry> = match browser::fetch_text(MELODIES_URL)
        .await
        .and_then(|t| serde_json::from_str(&t).map_err(|e| format!("{MELODIES_URL} is not valid: {e}")))
    {
        Ok(e) => e,
        Err(e) => {
            return dispatcher.dispatch(Action::Failed(format!("No melody models could be listed: {e}.")));
        }
    };
    dispatcher.dispatch(Action::Melody(MelodyAction::Index(entries.clone())));
    for e in entries {
        let url = MelodyManifest::file_url(&e.name, MELODY_FILE);
        match browser::fetch_text(&url)
            .await
            .and_then(|t| MelodyManifest::parse(&t).map_err(|e| e.to_string()))
        {
            // A manifest copied into another folder would load the other model's weights.
            Ok(m) if m.name == e.name => {
                dispatcher.dispatch(Action::Melody(MelodyAction::Manifest(Box::new(m))))
            }
            Ok(m) => dispatcher.dispatch(Action::Failed(format!(
                "The melody model {} could not be opened: its manifest says it is \"{}\".",
                e.name, m.name
            ))),
            Err(why) => dispatcher
                .dispatch(Action::Failed(format!("The melody model {} could not be opened: {why}.", e.name))),
        }
    }
}

#[hook]
pub fn use_melody_requests(state: &AppHandle, post: Callback<ToWorker>) {
    let s = &state.0;
    let lab = &s.melody;
    {
        let dispatcher = state.dispatcher();
        let wanted = s.view == View::Melody && lab.entries.is_empty() && lab.manifests.is_empty();
        use_effect_with(wanted, move |wanted| {
            if *wanted {
                spawn_local(fetch_lab(dispatcher));
            }
        });
    }
    {
        let (state, post) = (state.clone(), post.clone());
        use_effect_with(lab.loading.as_ref().map(|(id, _)| *id), move |id| {
            if let Some((id, m)) = state.0.melody.loading.as_ref().filter(|(l, _)| Some(*l) == *id) {
                match serde_json::to_string(&**m) {
                    Ok(manifest_json) => post.emit(ToWorker::LoadMelody {
                        id: *id,
                        manifest_json,
                        weights_url: browser::absolute(&MelodyManifest::file_url(&m.name, WEIGHTS_FILE)),
                    }),
                    Err(e) => {
                        state.dispatch(Action::Failed(format!("The melody model could not be sent: {e}")))
                    }
                }
            }
        });
    }
    {
        let (state, post) = (state.clone(), post.clone());
        use_effect_with(lab.decode_id, move |id| {
            if *id > 0 {
                post.emit(ToWorker::DecodeMelodies {
                    id: *id,
                    row: false,
                    zs: vec![state.0.melody.z.clone()],
                });
            }
        });
    }
    {
        let (state, post) = (state.clone(), post.clone());
        use_effect_with(lab.row_id, move |id| {
            if let Some(zs) = state.0.melody_row_codes().filter(|_| *id > 0) {
                post.emit(ToWorker::DecodeMelodies { id: *id, row: true, zs: zs.clone() });
            }
        });
    }
    {
        // Each pending encode is sent once; the set remembers which were.
        let sent = use_mut_ref(BTreeSet::<u64>::new);
        let post = post.clone();
        let pending: Vec<(u64, Vec<u8>)> = lab.pending.iter().map(|p| (p.id, p.tokens.clone())).collect();
        use_effect_with(pending, move |pending| {
            for (id, tokens) in pending {
                if sent.borrow_mut().insert(*id) {
                    post.emit(ToWorker::EncodeMelody { id: *id, tokens: tokens.clone() });
                }
            }
        });
    }
    {
        // Sound what the play buttons ask; the reducer hears when it is over.
        let state = state.clone();
        let timer = use_mut_ref(|| None::<Timeout>);
        use_effect_with((lab.play_rev, lab.playing), move |(_, playing)| {
            timer.borrow_mut().take();
            if playing.is_none() {
                synth::stop();
                return;
            }
            let phrases = state.0.melody_to_play();
            let dispatcher = state.dispatcher();
            let timer = timer.clone();
            spawn_local(async move {
                match synth::play(phrases).await {
                    Ok(seconds) => {
                        let d = dispatcher.clone();
                        *timer.borrow_mut() = Some(Timeout::new((seconds * 1000.0) as u32, move || {
                            d.dispatch(Action::Melody(MelodyAction::Stop))
                        }));
                    }
                    Err(e) => {
                        dispatcher.dispatch(Action::Melody(MelodyAction::Stop));
                        dispatcher.dispatch(Action::Failed(format!("The melody could not be played: {e}.")));
                    }
                }
            });
        });
    }
}
