//! A melody drawn as a piano roll: time left to right on the sixteenth grid (bar lines strong,
//! beats faint), pitch bottom to top with the black keys' rows shaded, a bar per note. SVG, not
//! a canvas: it scales to any width (a phone, a projector) and each note can be read back.

use melody::grid::{HIGH, LOW, STEPS};
use yew::prelude::*;

/// One step's width and one pitch row's height, in the drawing's units.
const STEP: usize = 10;
const ROW: usize = 5;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub tokens: Vec<u8>,
    /// The code it decodes, for the tests and for anyone checking (`data-z`).
    #[prop_or_default]
    pub z: Option<Vec<f32>>,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    #[prop_or_default]
    pub label: Option<AttrValue>,
    #[prop_or_default]
    pub small: bool,
}

fn is_black(pitch: u8) -> bool {
    matches!(pitch % 12, 1 | 3 | 6 | 8 | 10)
}

pub fn describe(tokens: &[u8]) -> String {
    let mut m = [melody::grid::REST; STEPS];
    m.iter_mut().zip(tokens).for_each(|(s, t)| *s = *t);
    let notes = melody::grid::notes(&m);
    if notes.is_empty() {
        return "silence".into();
    }
    notes.iter().map(|n| melody::grid::pitch_name(n.pitch)).collect::<Vec<_>>().join(" ")
}

#[function_component(PianoRoll)]
pub fn piano_roll(props: &Props) -> Html {
    let rows = usize::from(HIGH - LOW) + 1;
    let (w, h) = (STEPS * STEP, rows * ROW);
    let y = |pitch: u8| (usize::from(HIGH - pitch)) * ROW;
    let mut m = [melody::grid::REST; STEPS];
    m.iter_mut().zip(&props.tokens).for_each(|(s, t)| *s = *t);
    let notes = melody::grid::notes(&m);
    let tokens = props.tokens.iter().map(u8::to_string).collect::<Vec<_>>().join(",");
    let z = props.z.as_ref().map(|z| z.iter().map(|v| format!("{v:.6}")).collect::<Vec<_>>().join(","));
    let label = props
        .label
        .clone()
        .unwrap_or_else(|| AttrValue::from(format!("piano roll: {}", describe(&props.tokens))));
    html! {
        <svg class={classes!("piano-roll", props.small.then_some("small"))} viewBox={format!("0 0 {w} {h}")}
            preserveAspectRatio="none" role="img" aria-label={label}
            data-testid={props.testid.clone().unwrap_or(AttrValue::Static("piano-roll"))}
            data-tokens={tokens} data-z={z} data-notes={notes.len().to_string()}>
            { for (LOW..=HIGH).filter(|p| is_black(*p)).map(|p| html! {
                <rect class="black-key" x="0" y={y(p).to_string()} width={w.to_string()} height={ROW.to_string()} />
            }) }
            // A line under each C, so octaves can be read off the roll without labels.
            { for (LOW..=HIGH).filter(|p| p % 12 == 0).map(|p| html! {
                <line class="octave" x1="0" x2={w.to_string()} y1={(y(p) + ROW).to_string()} y2={(y(p) + ROW).to_string()} />
            }) }
            { for (0..=STEPS).step_by(4).map(|s| html! {
                <line class={if s % 16 == 0 { "bar" } else { "beat" }} x1={(s * STEP).to_string()} x2={(s * STEP).to_string()} y1="0" y2={h.to_string()} />
            }) }
            { for notes.iter().map(|n| html! {
                <rect class="note" x={(n.start * STEP).to_string()} y={y(n.pitch).to_string()}
                    width={(n.len * STEP - 1).to_string()} height={ROW.to_string()} rx="1"
                    data-pitch={n.pitch.to_string()} data-start={n.start.to_string()} data-len={n.len.to_string()} />
            }) }
        </svg>
    }
}
