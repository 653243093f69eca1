//! The tabs under the sliders: the workbench and the lecture views, one open at a time.

use super::beta::BetaView;
use super::compare::CompareView;
use super::denoise::DenoiseView;
use super::drawpad::DrawPad;
use super::gallery::Gallery;
use super::interpolation::Interpolation;
use super::latent_map::LatentMap;
use super::melody_view::MelodyView;
use super::traversal::TraversalGrid;
use super::units::UnitsView;
use crate::state::{Action, View};
use crate::web::handle::PanelProps as Props;
use yew::prelude::*;

#[function_component(Views)]
pub fn views(props: &Props) -> Html {
    let s = &props.state.0;
    let (state, m, cb) = (props.state.clone(), props.manifest.clone(), props.on_action.clone());
    let tab = |v: View| {
        let cb = cb.clone();
        html! {
            <button role="tab" aria-selected={(s.view == v).to_string()} class={classes!((s.view == v).then_some("on"))}
                data-testid="view-tab" data-view={v.key()} onclick={Callback::from(move |_| cb.emit(Action::SetView(v)))}>
                { v.title() }
            </button>
        }
    };
    let body = match s.view {
        View::Workbench => html! {
            <div class="workbench">
                <Gallery state={state.clone()} manifest={m.clone()} on_action={cb.clone()} />
                if m.image.channels == 1 {
                    <DrawPad manifest={m.clone()} on_action={cb.clone()} />
                }
                <Interpolation state={state.clone()} manifest={m.clone()} on_action={cb.clone()} />
            </div>
        },
        View::Map => html! { <LatentMap {state} manifest={m} on_action={cb.clone()} /> },
        View::Traversal => html! { <TraversalGrid {state} manifest={m} on_action={cb.clone()} /> },
        View::Compare => html! { <CompareView {state} manifest={m} on_action={cb.clone()} /> },
        View::Beta => html! { <BetaView {state} manifest={m} on_action={cb.clone()} /> },
        View::Denoise => html! { <DenoiseView {state} manifest={m} on_action={cb.clone()} /> },
        View::Units => html! { <UnitsView {state} manifest={m} on_action={cb.clone()} /> },
        View::Melody => html! { <MelodyView {state} on_action={cb.clone()} /> },
    };
    html! {
        <section class="views" data-testid="views" data-view={s.view.key()}>
            <nav class="tabs" role="tablist" aria-label="views">{ for View::ALL.into_iter().map(tab) }</nav>
            <div class="view-body">{ body }</div>
        </section>
    }
}
