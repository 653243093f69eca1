//! A bundle's `weights.bpk`: burnpack bytes in and out of the model its manifest describes.

use crate::model::Model;
use bundle::{BundleError, Manifest};
use burn::module::Module;
use burn::prelude::*;
use burn::store::ModuleRecord;

/// Build the model a manifest describes and load burnpack weights into it.
pub fn load_model(manifest: &Manifest, weights: Vec<u8>, device: &Device) -> Result<Model, BundleError> {
    // Cast every tensor to the module's dtype (f32) instead of taking the dtype the file
    // declares: a damaged file declaring u32 weights made burn panic while loading (found by the
    // `bundle` fuzz target), and a panic in the browser kills the worker.
    let record = ModuleRecord::from_bytes(burn::tensor::Bytes::from_bytes_vec(weights))
        .map_err(|e| BundleError::Weights(e.to_string()))?
        .cast_to_module_dtype();
    Model::try_new(&manifest.architecture, device)?
        .try_load_record(record)
        .map_err(|e| BundleError::Weights(e.to_string()))
}

/// Load a bundle from its folder (native: the trainer and the tests), whichever way it stores
/// its weights: compact halves or the one f32 `weights.bpk`.
pub fn load_bundle_dir(
    manifest: &Manifest,
    dir: &std::path::Path,
    device: &Device,
) -> Result<Model, BundleError> {
    let read = |file: &str| {
        std::fs::read(dir.join(file))
            .map_err(|e| BundleError::Weights(format!("{}: {e}", dir.join(file).display())))
    };
    match manifest.weight_files() {
        (decoder, Some(encoder)) => {
            let model =
                crate::compact::load_part(Model::try_new(&manifest.architecture, device)?, read(decoder)?)?;
            crate::compact::load_part(model, read(encoder)?)
        }
        (all, None) => load_model(manifest, read(all)?, device),
    }
}

/// Serialise a model's weights to burnpack bytes.
pub fn weights_bytes(model: Model) -> Result<Vec<u8>, BundleError> {
    let bytes = model.into_record().into_bytes().map_err(|e| BundleError::Weights(e.to_string()))?;
    Ok(bytes.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bundle::testing::manifest;
    use bundle::{Architecture, ImageShape};

    #[test]
    fn weights_round_trip_gives_identical_decodes() {
        let device = Device::flex();
        let m = manifest(4);
        let model = Model::new(&m.architecture, &device);
        let z = Tensor::<2>::random([3, 4], burn::tensor::Distribution::Normal(0.0, 1.0), &device);
        let before: Vec<f32> = model.decode(z.clone()).into_data().try_to_vec().unwrap();
        let bytes = weights_bytes(model).unwrap();
        let loaded = load_model(&m, bytes.clone(), &device).unwrap();
        let after: Vec<f32> = loaded.decode(z).into_data().try_to_vec().unwrap();
        assert_eq!(before, after);

        // The same weights under a manifest with another latent size must not load.
        let other = manifest(6);
        assert!(matches!(load_model(&other, bytes.clone(), &device), Err(BundleError::Weights(_))));
        // Truncated weights must not load.
        assert!(load_model(&m, bytes[..bytes.len() / 2].to_vec(), &device).is_err());
    }

    /// The `bundle` fuzz target's crash input, replayed: byte edits of a valid weights file (its
    /// first byte picks edit mode, then (offset, byte) triples) that make it declare u32
    /// weights. burn panicked on it; loading must answer with a model or an error instead.
    #[test]
    fn weights_declaring_another_dtype_do_not_panic() {
        let device = Device::flex();
        let mut m = manifest(2);
        m.architecture = Architecture::Mlp {
            input: 16,
            hidden: vec![8],
            latent_dim: 2,
            variational: true,
            relu_code: false,
        };
        m.image = ImageShape { width: 4, height: 4, channels: 1 };
        let mut w = weights_bytes(Model::new(&m.architecture, &device)).unwrap();
        let crash: [u8; 43] = [
            0x60, 0x28, 0x74, 0x55, 0x33, 0x32, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xd7, 0x71, 0x71,
            0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71,
            0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0xd7,
        ];
        for edit in crash[1..].chunks_exact(3) {
            let at = usize::from(u16::from_le_bytes([edit[0], edit[1]])) % w.len();
            w[at] = edit[2];
        }
        if let Ok(model) = load_model(&m, w, &device) {
            let z = Tensor::<1>::from_floats([0.5f32, -1.0].as_slice(), &device).reshape([1, 2]);
            assert_eq!(model.decode(z).dims(), [1, 16]);
        }
    }
}
