//! The melody view's gallery (the shipped phrases, and what was played or dropped) and the
//! interpolation between two of them: a row of piano rolls from A to B that plays in sequence,
//! as MusicVAE's demo does.

use super::piano_roll::{PianoRoll, describe};
use crate::state::{Action, MelodyAction, Playing, ROW_LENGTH};
use crate::web::handle::AppHandle;
use latent::Mode;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: AppHandle,
    pub on_action: Callback<Action>,
}

fn emit(cb: &Callback<Action>, a: MelodyAction) -> Callback<MouseEvent> {
    let cb = cb.clone();
    Callback::from(move |_| cb.emit(Action::Melody(a.clone())))
}

#[function_component(MelodyGallery)]
pub fn melody_gallery(props: &Props) -> Html {
    let lab = &props.state.0.melody;
    let cb = &props.on_action;
    let end_of = |key: u64| lab.ends.iter().position(|e| *e == Some(key));
    let row = lab.row.as_ref().filter(|r| r.0 == lab.row_id);
    let mode = lab.mode;
    html! {
        <div class="melody-lower">
            <section class="melody-gallery" aria-label="melodies">
                <h4>{ "Melodies" }</h4>
                <ul>
                    { for lab.items.iter().map(|item| {
                        let mu = item.mu.iter().map(|v| format!("{v:.6}")).collect::<Vec<_>>().join(",");
                        let end = end_of(item.key);
                        html! {
                            <li class={classes!("melody-item", end.map(|e| if e == 0 { "end-a" } else { "end-b" }))}
                                data-testid="melody-item" data-key={item.key.to_string()} data-mu={mu}
                                data-example={item.example.to_string()}>
                                <PianoRoll tokens={item.tokens.clone()} small=true />
                                <span class="name" title={describe(&item.tokens)}>{ item.name.clone() }</span>
                                <span class="buttons">
                                    <button data-testid="melody-use" title="set the sliders to its code"
                                        onclick={emit(cb, MelodyAction::UseItem(item.key))}>{ "use" }</button>
                                    <button data-testid="melody-end-a" aria-pressed={(end == Some(0)).to_string()}
                                        onclick={emit(cb, MelodyAction::SetEnd { end: 0, key: item.key })}>{ "A" }</button>
                                    <button data-testid="melody-end-b" aria-pressed={(end == Some(1)).to_string()}
                                        onclick={emit(cb, MelodyAction::SetEnd { end: 1, key: item.key })}>{ "B" }</button>
                                </span>
                            </li>
                        }
                    }) }
                </ul>
            </section>
            <section class="melody-row" data-testid="melody-row" aria-label="interpolation">
                <h4>{ "From A to B" }</h4>
                if let Some((_, zs, melodies)) = row {
                    <div class="row-controls">
                        <button data-testid="melody-mode" onclick={emit(cb, MelodyAction::Mode(if mode == Mode::Spherical { Mode::Linear } else { Mode::Spherical }))}
                            title="slerp follows the sphere where a Gaussian's mass is; lerp cuts through the middle">
                            { if mode == Mode::Spherical { "slerp" } else { "lerp" } }</button>
                        if lab.playing == Some(Playing::Row) {
                            <button data-testid="melody-row-stop" onclick={emit(cb, MelodyAction::Stop)}>{ "■ Stop" }</button>
                        } else {
                            <button data-testid="melody-row-play" disabled={melodies.len() != ROW_LENGTH}
                                onclick={emit(cb, MelodyAction::Play(Playing::Row))}>{ "▶ Play the row" }</button>
                        }
                    </div>
                    <ol class="rolls">
                        { for zs.iter().enumerate().map(|(k, z)| html! {
                            <li>
                                <PianoRoll tokens={melodies.get(k).cloned().unwrap_or_default()} z={Some(z.clone())}
                                    testid={AttrValue::Static("melody-row-roll")} small=true />
                            </li>
                        }) }
                    </ol>
                } else {
                    <p class="hint">{ "Choose two melodies as A and B: the row decodes the codes between them, and plays them one after the other." }</p>
                }
            </section>
        </div>
    }
}
