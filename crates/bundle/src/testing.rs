//! A small valid manifest (an MLP over 28×28 grey images) for tests in this and other crates.

use crate::{Architecture, FORMAT_VERSION, ImageShape, Manifest, Training};
use std::collections::BTreeMap;

/// A VAE of `latent` dimensions whose KL grows with the dimension's index.
pub fn manifest(latent: usize) -> Manifest {
    Manifest {
        format_version: FORMAT_VERSION,
        name: "test".into(),
        description: "a test model".into(),
        architecture: Architecture::Mlp {
            input: 784,
            hidden: vec![16],
            latent_dim: latent,
            variational: true,
            relu_code: false,
        },
        latent_dim: latent,
        image: ImageShape { width: 28, height: 28, channels: 1 },
        likelihood: "bernoulli".into(),
        beta: 1.0,
        training: Training {
            dataset: "none".into(),
            epochs: 0,
            batch_size: 1,
            learning_rate: 0.0,
            learning_rate_schedule: String::new(),
            seed: 0,
            seconds: 0.0,
            backend: "flex".into(),
            samples_per_second: 0.0,
            input_mask: 0.0,
            sparsity: 0.0,
            greedy_epochs: 0,
        },
        kl_per_dim: (0..latent).map(|i| i as f32).collect(),
        label_names: vec![],
        label_means: vec![],
        vectors: vec![],
        map: None,
        examples: vec![],
        metrics: BTreeMap::new(),
        weights: None,
        ood: None,
        slider_order: Default::default(),
        codes: None,
        prior: None,
    }
}
