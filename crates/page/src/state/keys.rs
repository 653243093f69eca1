//! Keyboard shortcuts, for a lecturer at the front of a room: one table from keys to what they
//! do, tested natively and shown by the `?` overlay.

use super::*;

/// What a key asks for. Most keys are plain actions; a few need the page (randomness, fetching
/// a manifest, the fullscreen API).
#[derive(Clone, Debug, PartialEq)]
pub enum KeyCommand {
    Do(Action),
    /// Sample z from the prior at the current temperature.
    Sample,
    /// Load the n-th model of the index (0-based).
    PickModel(usize),
    Fullscreen,
}

/// The shortcuts as the overlay lists them.
pub const SHORTCUTS: [(&str, &str); 12] = [
    ("↑ / ↓", "choose the latent dimension (most informative first)"),
    ("← / →", "move the chosen dimension by 0.1 (with Shift: 0.5)"),
    ("R", "sample z from the prior"),
    ("0", "reset z to the origin"),
    ("Space", "play or pause the interpolation"),
    ("1 … 9", "switch to the n-th model"),
    ("W M T C B D", "workbench, map, traversals, compare, β, denoising"),
    ("P", "presentation mode (large type)"),
    ("F", "fullscreen"),
    ("?", "show or hide this list"),
    ("Esc", "close this list, then leave presentation mode"),
    ("", "Shortcuts are off while typing in a text field."),
];

/// The command for a key press (`KeyboardEvent.key`), if it is a shortcut here.
pub fn key_command(key: &str, shift: bool, s: &State) -> Option<KeyCommand> {
    let step = if shift { 0.5 } else { 0.1 };
    let act = |a: Action| Some(KeyCommand::Do(a));
    let view = |v: View| act(Action::SetView(v));
    match key {
        "ArrowUp" => act(Action::FocusDim(-1)),
        "ArrowDown" => act(Action::FocusDim(1)),
        "ArrowLeft" => act(Action::NudgeFocused(-step)),
        "ArrowRight" => act(Action::NudgeFocused(step)),
        "r" | "R" => s.model.as_ref().map(|_| KeyCommand::Sample),
        "0" => act(Action::Reset),
        " " => act(Action::Play(!s.interp.playing)),
        "?" => act(Action::Help(!s.help)),
        "Escape" if s.help => act(Action::Help(false)),
        "Escape" if s.present => act(Action::Present(false)),
        "p" | "P" => act(Action::Present(!s.present)),
        "f" | "F" => Some(KeyCommand::Fullscreen),
        "w" | "W" => view(View::Workbench),
        "m" | "M" => view(View::Map),
        "t" | "T" => view(View::Traversal),
        "c" | "C" => view(View::Compare),
        "b" | "B" => view(View::Beta),
        "d" | "D" => view(View::Denoise),
        _ => {
            let n: usize = key.parse().ok().filter(|n| (1..=9).contains(n))?;
            (n <= s.models.len()).then_some(KeyCommand::PickModel(n - 1))
        }
    }
}
