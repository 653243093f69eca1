//! Layer timings in the model card: a button that has the worker time each decoder layer, and
//! the table it answers with (one code, a batch of 64, each layer's share of the decode).

use crate::state::Action;
use crate::web::handle::PanelProps;
use yew::prelude::*;

#[function_component(LayerTimings)]
pub fn layer_timings(props: &PanelProps) -> Html {
    let s = &props.state.0;
    let m = &props.manifest;
    // Our MLPs are three matrix products; conv decoders and imported graphs have layers to show.
    let has_layers =
        m.architecture.is_imported() || matches!(m.architecture, bundle::Architecture::Conv { .. });
    if !has_layers {
        return html! {};
    }
    let on_click = {
        let cb = props.on_action.clone();
        Callback::from(move |_| cb.emit(Action::ProfileLayers))
    };
    let table = s.current_profile().map(|p| {
        let (one, batch) = p.totals();
        html! {
            <table class="layer-times" data-testid="layer-profile" data-total-one={format!("{one:.3}")} data-total-batch={format!("{batch:.2}")}>
                <caption>{ format!("One decode {one:.2} ms, a batch of 64 {batch:.1} ms, on the CPU in this browser") }</caption>
                <thead><tr><th scope="col">{ "layer" }</th><th scope="col">{ "op" }</th><th scope="col">{ "1 code (ms)" }</th><th scope="col">{ "64 codes (ms)" }</th><th scope="col">{ "share" }</th></tr></thead>
                <tbody>
                    { for p.layers.iter().map(|l| {
                        let share = if one > 0.0 { 100.0 * l.ms_one / one } else { 0.0 };
                        html! {
                            <tr data-op={l.op.clone()}>
                                <td>{ &l.name }</td><td>{ &l.op }</td>
                                <td>{ format!("{:.3}", l.ms_one) }</td><td>{ format!("{:.2}", l.ms_batch) }</td>
                                <td><span class="share" style={format!("width:{:.0}px", share.clamp(0.0, 100.0))}></span>{ format!(" {share:.0}%") }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        }
    });
    html! {
        <details class="layers">
            <summary>{ "Layer timings" }</summary>
            <p class="hint">{ "Where a decode's time goes: each layer of the decoder timed by the worker on the CPU (BatchNorms are folded into the layer before them when the model loads, so they take no time of their own), and last the decoder's output made into the picture you see." }</p>
            <button data-testid="profile-layers" onclick={on_click} disabled={s.profiling()}>
                { if s.profiling() { "Timing…" } else { "Time each layer" } }
            </button>
            { for table }
        </details>
    }
}
