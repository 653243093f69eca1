//! β and the KL term: one bar per latent dimension (its mean KL on the test set), and a switch
//! between the β = 1 and β = 4 models that keeps z, so the effect of β is seen in place.

use crate::web::handle::PanelProps as Props;
use crate::web::io::startup;
use bundle::ACTIVE_KL;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// The pair of models that differ only in β.
// Both against N(0, I): the β lesson compares like with like (mnist-vae learned its prior).
const BETA_MODELS: [(&str, &str); 2] = [("mnist-vae-classic", "β = 1"), ("mnist-vae-beta4", "β = 4")];

#[function_component(BetaView)]
pub fn beta_view(props: &Props) -> Html {
    let s = &props.state.0;
    let m = &props.manifest;
    let dims = m.dims_by_kl();
    let max = m.kl_per_dim.iter().copied().fold(0.0f32, f32::max).max(1e-6);
    let active = m.kl_per_dim.iter().filter(|k| **k > ACTIVE_KL).count();
    let switch = |name: &'static str| {
        let (d, z) = (props.state.dispatcher(), s.z.clone());
        Callback::from(move |_| {
            spawn_local(startup::load_manifest(d.clone(), name.to_string(), Some(z.clone())))
        })
    };
    let metric = |key: &str| m.metrics.get(key).copied();
    html! {
        <section class="panel beta-view" data-testid="beta" aria-label="beta and KL">
            <h3>{ "β: how hard the KL term pulls" }</h3>
            <div class="row">
                { for BETA_MODELS.iter().map(|(name, label)| html! {
                    <button class={classes!((m.name == *name).then_some("on"))} data-testid={format!("beta-{name}")}
                        onclick={switch(name)} disabled={m.name == *name}>{ format!("{label} ({name})") }</button>
                }) }
            </div>
            <p data-testid="beta-summary" data-active={active.to_string()}>
                { format!("{}: β = {}, {active} of {} dimensions active (KL > {ACTIVE_KL} nats)", m.name, m.beta, m.latent_dim) }
                if let (Some(kl), Some(mse)) = (metric("total_kl_nats"), metric("test_recon_mse")) {
                    { format!("; total KL {kl:.1} nats, reconstruction MSE {mse:.4}") }
                }
                { "." }
            </p>
            <div class="kl-bars" data-testid="kl-bars">
                { for dims.iter().map(|&d| {
                    let kl = m.kl_per_dim[d];
                    html! {
                        <div class={classes!("bar", (kl <= ACTIVE_KL).then_some("inactive"))} data-testid="kl-bar" title={format!("latent {d}: KL {kl:.3} nats")}>
                            <span style={format!("height:{:.1}%", 100.0 * kl / max)}></span>
                        </div>
                    }
                }) }
            </div>
            <p class="hint">{ "The VAE's loss is reconstruction error plus β × KL(q(z|x) ‖ N(0, I)). Each bar is one dimension's KL, averaged over the test set: information the code carries about the image. With β = 4 the price of information is four times higher, so the model switches more dimensions off (their bars drop to zero and their sliders do nothing) and reconstructs less sharply, in exchange for a smoother, more prior-like latent space. Switching keeps z, so the same code is decoded by the other model." }</p>
        </section>
    }
}
