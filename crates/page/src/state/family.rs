//! The autoencoder family beside the AE vs VAE view: each shipped digit autoencoder's manifest,
//! fetched when the view opens, and what the view says of each (what kind it is, and the
//! figures its trainer measured).

use super::*;

/// The family, in the order the table lists it: the plain AE, then what each variant changes,
/// then the textbook VAE and the default one with its learned prior.
pub const FAMILY: [&str; 6] =
    ["mnist-ae", "mnist-dae", "mnist-sae", "mnist-stacked", "mnist-vae-classic", "mnist-vae"];

impl State {
    /// Family members the site ships whose manifests are not here yet.
    pub fn family_wanted(&self) -> Vec<String> {
        if self.view != View::Compare {
            return vec![];
        }
        FAMILY
            .iter()
            .filter(|n| self.models.iter().any(|e| e.name == **n && !e.imported))
            .filter(|n| !self.compare.family.iter().any(|m| m.name == **n))
            .map(|n| n.to_string())
            .collect()
    }

    pub(super) fn family_manifest(&mut self, manifest: Manifest) {
        if FAMILY.contains(&manifest.name.as_str())
            && !self.compare.family.iter().any(|m| m.name == manifest.name)
        {
            self.compare.family.push(Rc::new(manifest));
            self.compare.family.sort_by_key(|m| FAMILY.iter().position(|n| *n == m.name));
        }
    }
}

/// What kind of autoencoder a manifest describes, in a few words.
pub fn kind(m: &Manifest) -> &'static str {
    if m.architecture.is_variational() && m.prior.is_some() {
        "VAE (learned prior)"
    } else if m.architecture.is_variational() {
        "VAE"
    } else if m.architecture.has_relu_code() {
        "sparse AE"
    } else if m.training.greedy_epochs > 0 {
        "stacked AE"
    } else if m.training.input_mask > 0.0 {
        "denoising AE"
    } else {
        "plain AE"
    }
}

/// The stacked autoencoder's test reconstruction error after each greedy stage, then after
/// fine-tuning (empty for a model not trained greedily).
pub fn stage_errors(m: &Manifest) -> Vec<f64> {
    let stages: Vec<f64> =
        (1..).map_while(|k| m.metrics.get(&format!("greedy_stage_{k}_recon_mse")).copied()).collect();
    match (stages.is_empty(), m.metrics.get("test_recon_mse")) {
        (false, Some(done)) => stages.into_iter().chain([*done]).collect(),
        _ => vec![],
    }
}
