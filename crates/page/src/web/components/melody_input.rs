//! The ways a melody gets in: an on-screen keyboard that writes notes onto the grid as they are
//! played, and a MIDI file (picked or dropped here), prepared onto the grid by `melody::midi`.
//! A file that cannot be read is a notice saying why; nothing the user had changes.

use super::piano_roll::PianoRoll;
use crate::state::{Action, MelodyAction, Playing};
use crate::web::handle::AppHandle;
use crate::web::io::synth;
use melody::grid::{HIGH, HOLD, LOW, STEPS};
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: AppHandle,
    pub on_action: Callback<Action>,
}

/// Read each MIDI file and add its melody, or say why it cannot be.
fn read_midi_files(cb: &Callback<Action>, files: Vec<web_sys::File>) {
    for file in files {
        let cb = cb.clone();
        spawn_local(async move {
            let name = file.name();
            // Refused before reading: a huge file is not read into memory at all.
            if file.size() > melody::midi::MAX_MIDI_BYTES as f64 {
                let e = melody::midi::MidiError::TooLarge { bytes: file.size() as usize };
                return cb.emit(Action::Failed(format!("{name}: {e} Nothing was changed.")));
            }
            let bytes = match gloo_file::futures::read_as_bytes(&gloo_file::File::from(file)).await {
                Ok(b) => b,
                Err(e) => {
                    return cb.emit(Action::Failed(format!(
                        "{name} could not be read: {e}. Nothing was changed."
                    )));
                }
            };
            match melody::midi::melody_from_midi(&bytes) {
                Ok(imported) => {
                    if !imported.remarks.is_empty() {
                        cb.emit(Action::Inform(format!("{name}: {}", imported.remarks.join("; "))));
                    }
                    cb.emit(Action::Melody(MelodyAction::Input { name, tokens: imported.melody.to_vec() }));
                }
                Err(e) => cb.emit(Action::Failed(format!("{name}: {e} Nothing was changed."))),
            }
        });
    }
}

fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    list.map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect()).unwrap_or_default()
}

fn is_black(pitch: u8) -> bool {
    matches!(pitch % 12, 1 | 3 | 6 | 8 | 10)
}

#[function_component(MelodyInput)]
pub fn melody_input(props: &Props) -> Html {
    let lab = &props.state.0.melody;
    let cb = &props.on_action;
    let kb = &lab.keyboard;
    let emit = |a: MelodyAction| {
        let cb = cb.clone();
        Callback::from(move |_: MouseEvent| cb.emit(Action::Melody(a.clone())))
    };
    let on_file = {
        let cb = cb.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            read_midi_files(&cb, files_of(input.files()));
            input.set_value("");
        })
    };
    let on_drop = {
        let cb = cb.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            // Not the page's image and model drop: a MIDI file dropped here is a melody.
            e.stop_propagation();
            read_midi_files(&cb, files_of(e.data_transfer().and_then(|d| d.files())));
        })
    };
    let on_steps = {
        let cb = cb.clone();
        Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(n) = sel.value().parse() {
                cb.emit(Action::Melody(MelodyAction::KeyNoteSteps(n)));
            }
        })
    };
    let key = |pitch: u8| {
        let cb = cb.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            cb.emit(Action::Melody(MelodyAction::KeyNote(pitch)));
            // Heard as it is played; the melody so far is played with its own button. Not when
            // rendering offline for the tests, where a preview would race the render they check.
            if let Some(t) = melody::grid::pitch_token(pitch).filter(|_| !synth::offline()) {
                spawn_local(async move {
                    let _ = synth::play(vec![vec![t, HOLD]]).await;
                });
            }
        });
        html! {
            <button class={classes!("key", if is_black(pitch) { "black" } else { "white" })}
                data-testid="melody-key" data-pitch={pitch.to_string()} {onclick}
                aria-label={melody::grid::pitch_name(pitch)}></button>
        }
    };
    let full = kb.tokens.len() >= STEPS;
    html! {
        <section class="melody-input" aria-label="play or drop a melody">
            <h4>{ "Play a melody, or drop a MIDI file" }</h4>
            <div class="keys" role="group" aria-label="keyboard">{ for (LOW..=HIGH).map(key) }</div>
            <div class="key-controls">
                <label>{ "next note " }
                    <select data-testid="melody-note-steps" onchange={on_steps}>
                        { for [(1, "sixteenth"), (2, "eighth"), (4, "quarter"), (8, "half")].into_iter().map(|(n, name)| html! {
                            <option value={n.to_string()} selected={kb.note_steps == n}>{ name }</option>
                        }) }
                    </select>
                </label>
                <button data-testid="melody-key-rest" disabled={full} onclick={emit(MelodyAction::KeyRest)}>{ "rest" }</button>
                <button data-testid="melody-key-undo" disabled={kb.tokens.is_empty()} onclick={emit(MelodyAction::KeyUndo)}>{ "undo" }</button>
                <button data-testid="melody-key-clear" disabled={kb.tokens.is_empty()} onclick={emit(MelodyAction::KeyClear)}>{ "clear" }</button>
                <button data-testid="melody-key-play" disabled={kb.tokens.is_empty()} onclick={emit(MelodyAction::Play(Playing::Keyboard))}>{ "▶" }</button>
                <button data-testid="melody-key-done" disabled={kb.tokens.is_empty()} onclick={emit(MelodyAction::KeyDone)}>{ "Encode it" }</button>
                <span class="meta">{ format!("{} of {STEPS} steps", kb.tokens.len()) }</span>
            </div>
            <PianoRoll tokens={kb.tokens.clone()} testid={AttrValue::Static("melody-keys-roll")} small=true />
            <label class="midi-drop" data-testid="melody-midi-drop" ondrop={on_drop}
                ondragover={Callback::from(|e: DragEvent| e.prevent_default())}>
                { "Drop a .mid file here, or " }
                <input type="file" accept=".mid,.midi,audio/midi" data-testid="melody-midi" onchange={on_file} />
                <span class="hint">{ "Its first two bars of 4/4 become a melody: the tracks merged into one line (the top note of a chord), onsets on the nearest sixteenth, moved by octaves into the model's range." }</span>
            </label>
        </section>
    }
}
