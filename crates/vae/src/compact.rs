//! Compact weights: a model's decoder and encoder in two burnpack files, floats stored as f16.
//!
//! Why two files: the first image needs only the decoder, so the encoder's half of the
//! download waits until something is encoded. Why f16: it halves the download, and the decoded
//! pixels move by at most a few 1/255 steps (each bundle's manifest records the measured
//! difference on 1,000 prior codes, `train compact` takes it).
//!
//! Written with burn-store (the trainer's `store` feature), read by `ModuleRecord::from_bytes`
//! in the worker, which needs nothing beyond burn-core.

use crate::model::Model;
use bundle::BundleError;
use burn::module::Module;
use burn::store::ModuleRecord;

/// Which half of a model a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Decoder,
    Encoder,
}

impl Part {
    /// The module fields of each half, for every architecture in `model.rs` (MLP: `enc`, `mu`,
    /// `logvar` / `dec`, `out`; conv: `down`, `mu`, `logvar` / `from_z`, `up`, `head`). A
    /// parameter's path is its field chain (`dec.0.weight`), possibly behind the enum variant.
    pub fn pattern(self) -> &'static str {
        match self {
            Part::Decoder => r"(^|\.)(dec|out|from_z|up|head)\.",
            Part::Encoder => r"(^|\.)(enc|down|mu|logvar)\.",
        }
    }
}

/// Load one half's weights into `model`, leaving the other half as it is. Every tensor is cast
/// to the module's dtype (f32), whatever the file declares (see `weights::load_model`).
pub fn load_part(model: Model, bytes: Vec<u8>) -> Result<Model, BundleError> {
    let record = ModuleRecord::from_bytes(burn::tensor::Bytes::from_bytes_vec(bytes))
        .map_err(|e| BundleError::Weights(e.to_string()))?
        .cast_to_module_dtype()
        .allow_partial(true);
    model.try_load_record(record).map_err(|e| BundleError::Weights(e.to_string()))
}

/// One half of `model` as burnpack bytes with every float tensor stored as f16.
#[cfg(feature = "store")]
pub fn part_bytes(model: &Model, part: Part) -> Result<Vec<u8>, BundleError> {
    use burn::store::{BurnpackStore, FloatCastAdapter, ModuleSnapshot};
    let mut store = BurnpackStore::from_bytes(None)
        .with_regex(part.pattern())
        .with_to_adapter(FloatCastAdapter::to(burn::tensor::DType::F16));
    model.save_into(&mut store).map_err(|e| BundleError::Weights(e.to_string()))?;
    Ok(store.get_bytes().map_err(|e| BundleError::Weights(e.to_string()))?.to_vec())
}

#[cfg(all(test, feature = "store"))]
mod tests {
    use super::*;
    use bundle::Architecture;
    use burn::prelude::*;

    fn values(t: Tensor<2>) -> Vec<f32> {
        t.into_data().try_to_vec().unwrap()
    }

    fn max_diff(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
    }

    #[test]
    fn halves_in_f16_rebuild_the_model_and_each_file_holds_only_its_half() {
        let device = Device::flex();
        for arch in [
            Architecture::Mlp {
                input: 64,
                hidden: vec![32, 16],
                latent_dim: 4,
                variational: true,
                relu_code: false,
            },
            Architecture::Conv { size: 32, channels: 3, widths: vec![4, 8, 8], latent_dim: 4, head: 0 },
        ] {
            let model = Model::new(&arch, &device);
            let z = Tensor::<2>::random([3, 4], burn::tensor::Distribution::Normal(0.0, 1.0), &device);
            let x = Tensor::<2>::random([2, arch.input_len()], burn::tensor::Distribution::Default, &device);
            let (decoded, (mu, _)) = (values(model.decode(z.clone())), model.encode(x.clone()));
            let mu = values(mu);
            let dec = part_bytes(&model, Part::Decoder).unwrap();
            let enc = part_bytes(&model, Part::Encoder).unwrap();

            // The decoder alone: decodes like the original (to f16 precision), encodes like a
            // fresh model, not like the original.
            let only_dec = load_part(Model::new(&arch, &device), dec.clone()).unwrap();
            let d = values(only_dec.decode(z.clone()));
            assert!(max_diff(&d, &decoded) < 2e-3, "{arch:?}: {}", max_diff(&d, &decoded));
            assert!(max_diff(&values(only_dec.encode(x.clone()).0), &mu) > 1e-2, "{arch:?}");

            // Then the encoder: the whole model is back.
            let both = load_part(only_dec, enc.clone()).unwrap();
            assert!(max_diff(&values(both.encode(x).0), &mu) < 5e-3, "{arch:?}");
            assert!(max_diff(&values(both.decode(z)), &decoded) < 2e-3);

            // f16: together about half of the f32 file.
            let full = crate::weights_bytes(model).unwrap();
            assert!(
                ((dec.len() + enc.len()) as f64) < 0.6 * full.len() as f64,
                "{} + {} vs {}",
                dec.len(),
                enc.len(),
                full.len()
            );
        }
    }

    #[test]
    fn a_damaged_half_is_an_error_not_a_panic() {
        let device = Device::flex();
        let arch = Architecture::Mlp {
            input: 16,
            hidden: vec![8],
            latent_dim: 2,
            variational: true,
            relu_code: false,
        };
        let dec = part_bytes(&Model::new(&arch, &device), Part::Decoder).unwrap();
        assert!(load_part(Model::new(&arch, &device), dec[..dec.len() / 2].to_vec()).is_err());
        assert!(load_part(Model::new(&arch, &device), b"not a burnpack file".to_vec()).is_err());
        // Another architecture's decoder does not fit.
        let other = Architecture::Mlp {
            input: 16,
            hidden: vec![12],
            latent_dim: 2,
            variational: true,
            relu_code: false,
        };
        assert!(load_part(Model::new(&other, &device), dec).is_err());
    }
}
