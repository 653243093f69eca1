//! The autoencoder family under AE vs VAE: each shipped digit autoencoder with the figures its
//! trainer measured on the test set, so what each variant changes is read off one table.

use crate::state::{State, family_kind, stage_errors};
use bundle::Manifest;
use yew::prelude::*;

fn figure(m: &Manifest, key: &str, show: impl Fn(f64) -> String) -> Html {
    let v = m.metrics.get(key).copied();
    html! { <td data-key={key.to_string()} data-value={v.map(|v| format!("{v:.5}")).unwrap_or_default()}>{ v.map(show).unwrap_or_else(|| "–".into()) }</td> }
}

/// What the code of each member is like, in words.
fn code(m: &Manifest) -> String {
    match (m.metrics.get("units_on_per_image"), m.metrics.get("active_units")) {
        (Some(on), _) => format!("{on:.1} of {} units on per image", m.latent_dim),
        // A VAE leaves the dimensions it does not need at the prior: say how many carry the image.
        (None, Some(active)) if m.architecture.is_variational() => {
            format!("{active:.0} of {} dimensions in use", m.latent_dim)
        }
        _ => format!("{} dimensions, all in use", m.latent_dim),
    }
}

pub fn family_table(s: &State) -> Html {
    let family = &s.compare.family;
    if family.is_empty() {
        return html! {};
    }
    let stacked = family.iter().find_map(|m| {
        let e = stage_errors(m);
        (!e.is_empty()).then(|| (m.name.clone(), e))
    });
    html! {
        <div class="family" data-testid="family">
            <h4>{ "The autoencoder family, measured on the test digits" }</h4>
            <table data-testid="family-table">
                <thead><tr>
                    <th scope="col">{ "model" }</th>
                    <th scope="col">{ "kind" }</th>
                    <th scope="col">{ "reconstruction error" }</th>
                    <th scope="col">{ "from half-masked digits" }</th>
                    <th scope="col">{ "random codes that decode to a clear digit" }</th>
                    <th scope="col">{ "code" }</th>
                </tr></thead>
                <tbody>
                    { for family.iter().map(|m| html! {
                        <tr data-testid="family-row" data-model={m.name.clone()} data-kind={family_kind(m)}>
                            <th scope="row">{ m.name.clone() }</th>
                            <td>{ family_kind(m) }</td>
                            { figure(m, "test_recon_mse", |v| format!("{v:.4}")) }
                            { figure(m, "test_masked_recon_mse", |v| format!("{v:.4}")) }
                            { figure(m, "prior_samples_confident_share", |v| format!("{:.0} in 100", v * 100.0)) }
                            <td>{ code(m) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <p class="hint">{ "Errors are mean squared pixel differences (0 is perfect). The denoising AE was trained on digits with half their pixels set to 0, so it rebuilds those best; the sparse AE switches on a few of many units; no autoencoder was trained to be sampled, so random codes rarely decode to a digit: only the VAE's prior and decoder agree." }</p>
            if let Some((name, errors)) = stacked {
                <p data-testid="family-stages" data-errors={errors.iter().map(|e| format!("{e:.5}")).collect::<Vec<_>>().join(",")}>
                    { format!("{name}, trained greedily: reconstruction error {} after fine-tuning end to end.",
                        errors.iter().enumerate().take(errors.len() - 1).map(|(k, e)| format!("{e:.4} with {} layer pair{}", k + 1, if k == 0 { "" } else { "s" })).collect::<Vec<_>>().join(", then ")
                        + &format!(", then {:.4}", errors[errors.len() - 1])) }
                </p>
            }
        </div>
    }
}
