//! The `?` overlay: every keyboard shortcut, for the lecturer.

use crate::state::{Action, SHORTCUTS};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub on_action: Callback<Action>,
}

#[function_component(Shortcuts)]
pub fn shortcuts(props: &Props) -> Html {
    let close = {
        let cb = props.on_action.clone();
        Callback::from(move |_| cb.emit(Action::Help(false)))
    };
    html! {
        <div class="overlay" data-testid="shortcuts" role="dialog" aria-label="keyboard shortcuts" onclick={close.clone()}>
            <div class="card" onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                <h3>{ "Keyboard shortcuts" }</h3>
                <table>
                    { for SHORTCUTS.iter().map(|(k, what)| html! {
                        <tr><td><kbd>{ *k }</kbd></td><td>{ *what }</td></tr>
                    }) }
                </table>
                <button onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}
