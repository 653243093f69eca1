//! The melody model, kept beside the image models (the melody view and an image view can be
//! open one after the other without reloading either). It runs on the CPU whatever the image
//! backend: a decode is 32 small GRU steps, each choosing the token the next one reads, so on
//! WebGPU every step would wait on a round trip to the GPU for a few hundred multiplications.

use super::devices::Devices;
use super::fetch::fetch_bytes;
use bundle::MelodyManifest;
use burn::prelude::*;
use vae::sequence::{SequenceVae, load_sequence};

/// The most melodies one request may decode (an interpolation row, a benchmark batch).
const MAX_MELODIES: usize = 64;

pub struct MelodyModel {
    pub manifest: MelodyManifest,
    model: SequenceVae,
    device: Device,
}

impl MelodyModel {
    /// Parse the manifest the page fetched, fetch the weights and build the model; a probe
    /// decode of the prior's centre catches weights that decode to nothing usable.
    pub async fn load(manifest_json: &str, weights_url: &str) -> Result<MelodyModel, String> {
        let manifest = MelodyManifest::parse(manifest_json).map_err(|e| e.to_string())?;
        let weights = fetch_bytes(weights_url, |_, _| {}).await?;
        let device = Devices::cpu();
        let model = load_sequence(&manifest, weights, &device).map_err(|e| e.to_string())?;
        let loaded = MelodyModel { manifest, model, device };
        let probe = loaded.decode(&[vec![0.0; loaded.latent()]]).await?;
        if probe.len() != 1 {
            return Err(format!("{} decodes to nothing: its weights are damaged", loaded.manifest.name));
        }
        Ok(loaded)
    }

    fn latent(&self) -> usize {
        self.manifest.architecture.latent
    }

    /// The greedy melody of each code, `steps` tokens each.
    pub async fn decode(&self, zs: &[Vec<f32>]) -> Result<Vec<Vec<u8>>, String> {
        let dim = self.latent();
        if zs.is_empty()
            || zs.len() > MAX_MELODIES
            || zs.iter().any(|z| z.len() != dim || z.iter().any(|v| !v.is_finite()))
        {
            return Err(format!(
                "a melody request must hold 1 to {MAX_MELODIES} finite codes of {dim} numbers"
            ));
        }
        let flat: Vec<f32> = zs.concat();
        let z = Tensor::<1>::from_floats(flat.as_slice(), &self.device).reshape([zs.len(), dim]);
        // NaN weights make every logit NaN, and argmax of NaN is still a token: refuse them here.
        let tokens = self.model.decode_tokens(z);
        let data = tokens.into_data_async().await.map_err(|e| format!("decoding a melody failed: {e:?}"))?;
        let all: Vec<i64> =
            data.convert::<i64>().try_to_vec().map_err(|e| format!("a melody had unexpected data: {e:?}"))?;
        let vocab = self.manifest.architecture.vocab as i64;
        if all.iter().any(|t| !(0..vocab).contains(t)) {
            return Err("the melody model chose a token it does not have: its weights are damaged".into());
        }
        Ok(all
            .chunks(self.manifest.architecture.steps)
            .map(|row| row.iter().map(|t| *t as u8).collect())
            .collect())
    }

    /// μ of a melody (the steps' tokens).
    pub async fn encode(&self, tokens: &[u8]) -> Result<Vec<f32>, String> {
        let a = &self.manifest.architecture;
        if tokens.len() != a.steps || tokens.iter().any(|t| usize::from(*t) >= a.vocab) {
            return Err(format!(
                "a melody for {} is {} steps of tokens below {}",
                self.manifest.name, a.steps, a.vocab
            ));
        }
        let ints: Vec<i64> = tokens.iter().map(|t| i64::from(*t)).collect();
        let x = Tensor::<1, Int>::from_ints(ints.as_slice(), &self.device).reshape([1, a.steps]);
        let (mu, _) = self.model.encode(x);
        let data = mu.into_data_async().await.map_err(|e| format!("encoding a melody failed: {e:?}"))?;
        let mu = data.try_to_vec::<f32>().map_err(|e| format!("a code had unexpected data: {e:?}"))?;
        if mu.iter().any(|v| !v.is_finite()) {
            return Err(format!(
                "{} encodes this melody to NaN: its weights are damaged",
                self.manifest.name
            ));
        }
        Ok(mu)
    }
}
