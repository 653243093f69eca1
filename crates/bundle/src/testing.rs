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

/// A small consistent melody manifest: `latent` dimensions, 32 steps of the 32-token grid, a
/// "busy" vector and one example phrase.
pub fn melody_manifest(latent: usize) -> crate::MelodyManifest {
    use crate::{
        MelodyExample, MelodyGrid, MelodyManifest, MelodyTraining, NamedVector, SequenceArchitecture,
    };
    MelodyManifest {
        format_version: crate::FORMAT_VERSION,
        name: "melody-vae".into(),
        description: "test".into(),
        architecture: SequenceArchitecture {
            steps: 32,
            vocab: 32,
            embed: 8,
            hidden: 16,
            latent,
            variational: true,
        },
        grid: MelodyGrid { low: 55, high: 84, steps_per_bar: 16 },
        training: MelodyTraining {
            dataset: "tunes".into(),
            epochs: 1,
            batch_size: 2,
            learning_rate: 1e-3,
            beta: 0.5,
            free_nats: 1.0,
            seed: 1,
            seconds: 1.0,
            samples_per_second: 1.0,
        },
        kl_per_dim: vec![1.0; latent],
        metrics: Default::default(),
        vectors: vec![NamedVector { name: "busy".into(), vector: vec![0.5; latent], support: Some([3, 4]) }],
        examples: vec![MelodyExample { label: "a".into(), tokens: vec![2; 32], mu: vec![0.0; latent] }],
    }
}
