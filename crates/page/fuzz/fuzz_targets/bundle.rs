//! Any bytes as a bundle's weights.bpk, loaded as the worker loads them: into the model a small
//! valid manifest describes. Loading must never panic; it either fails with a message or gives
//! a model that decodes a code of the right length into the right number of pixels.
//!
//! Half the inputs are edits of a valid weights file (offset, byte pairs), so the fuzzer reaches
//! past the header checks without a seed corpus; the other half are used as they are.
#![no_main]

use burn::prelude::*;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use bundle::{Architecture, ImageShape};
use vae::{Model, load_model, weights_bytes};

const ARCH_JSON: &str =
    r#"{"type": "mlp", "input": 16, "hidden": [8], "latent_dim": 2, "variational": true}"#;

fn manifest() -> bundle::Manifest {
    let json = format!(
        r#"{{"format_version": {}, "name": "tiny", "description": "", "architecture": {ARCH_JSON},
        "latent_dim": 2, "image": {{"width": 4, "height": 4, "channels": 1}}, "likelihood": "bernoulli",
        "beta": 1.0, "kl_per_dim": [1.0, 0.5], "label_names": [],
        "training": {{"dataset": "none", "epochs": 0, "batch_size": 1, "learning_rate": 0.001, "seed": 0,
        "seconds": 0, "backend": "none", "samples_per_second": 0}}}}"#,
        bundle::FORMAT_VERSION
    );
    bundle::Manifest::parse(&json).expect("the fuzz target's own manifest is valid")
}

fn valid_weights() -> &'static [u8] {
    static W: OnceLock<Vec<u8>> = OnceLock::new();
    W.get_or_init(|| {
        let arch: Architecture = serde_json::from_str(ARCH_JSON).expect("architecture");
        weights_bytes(Model::new(&arch, &Device::flex())).expect("weights")
    })
}

fuzz_target!(|data: &[u8]| {
    let m = manifest();
    let weights = match data.split_first() {
        Some((mode, edits)) if mode % 2 == 0 => {
            let mut w = valid_weights().to_vec();
            for pair in edits.chunks_exact(3) {
                let at = usize::from(u16::from_le_bytes([pair[0], pair[1]])) % w.len();
                w[at] = pair[2];
            }
            w
        }
        Some((_, raw)) => raw.to_vec(),
        None => Vec::new(),
    };
    let device = Device::flex();
    if let Ok(model) = load_model(&m, weights, &device) {
        let z = Tensor::<1>::from_floats([0.5f32, -1.0].as_slice(), &device).reshape([1, 2]);
        let out: Vec<f32> = model.decode(z).into_data().try_to_vec().unwrap_or_default();
        assert_eq!(out.len(), ImageShape { width: 4, height: 4, channels: 1 }.len());
    }
});
