//! `manifest.json`: the model's description, parsed and checked before any weights are touched.

use crate::{Architecture, BundleError, FORMAT_VERSION};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A latent dimension whose mean KL over the test set is at most this (nats) carries no
/// information: the decoder ignores it. The sliders fold such dimensions away; the β view counts
/// the rest as active.
pub const ACTIVE_KL: f32 = 0.01;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageShape {
    pub width: usize,
    pub height: usize,
    pub channels: usize,
}

impl ImageShape {
    pub fn len(&self) -> usize {
        self.width * self.height * self.channels
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A named direction in latent space (attribute vector or class-to-class vector).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NamedVector {
    pub name: String,
    pub vector: Vec<f32>,
    /// How many codes each side was averaged over.
    #[serde(default)]
    pub support: Option<[usize; 2]>,
}

/// A 2-D PCA of test encodings: the projection plus the projected points, for the latent map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapProjection {
    pub projection: latent::Projection,
    /// `[x, y, label]` per test image.
    pub points: Vec<[f32; 3]>,
}

/// How the model was trained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Training {
    pub dataset: String,
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    /// "constant", or "cosine to <fraction>"; absent in bundles trained before schedules.
    #[serde(default)]
    pub learning_rate_schedule: String,
    pub seed: u64,
    pub seconds: f64,
    pub backend: String,
    pub samples_per_second: f64,
    /// The share of input pixels set to 0 at random in every training batch, while the target
    /// stays clean: masking noise, which makes a denoising autoencoder. 0 (absent) for the rest.
    #[serde(default, skip_serializing_if = "is_clean")]
    pub input_mask: f32,
    /// The L1 penalty λ·Σ|z| on the code, which makes a sparse autoencoder. 0 (absent) for the
    /// rest.
    #[serde(default, skip_serializing_if = "is_clean")]
    pub sparsity: f32,
    /// Epochs of greedy training per layer pair before `epochs` of fine-tuning: the stacked
    /// autoencoder. 0 (absent) for the rest.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub greedy_epochs: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn is_clean(mask: &f32) -> bool {
    *mask == 0.0
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format_version: u32,
    pub name: String,
    pub description: String,
    pub architecture: Architecture,
    pub latent_dim: usize,
    pub image: ImageShape,
    /// Only "bernoulli" is produced today.
    pub likelihood: String,
    pub beta: f32,
    pub training: Training,
    /// Mean KL (nats) of each latent dimension over the test set: orders the sliders.
    pub kl_per_dim: Vec<f32>,
    /// Names of the labels (digits, garment classes, or face attributes).
    pub label_names: Vec<String>,
    /// Mean μ of the test encodings of each label (classes only).
    #[serde(default)]
    pub label_means: Vec<Vec<f32>>,
    #[serde(default)]
    pub vectors: Vec<NamedVector>,
    #[serde(default)]
    pub map: Option<MapProjection>,
    /// Free-form measured numbers (test ELBO, NLL, MSE, active units, …).
    #[serde(default)]
    pub metrics: BTreeMap<String, f64>,
    /// Example images shipped beside the bundle (PNG, relative to its folder), so the gallery
    /// works without uploads.
    #[serde(default)]
    pub examples: Vec<Example>,
    /// Compact weights: a decoder file and an encoder file in f16. Absent in bundles made
    /// before them, which hold every weight in one f32 `weights.bpk`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<CompactWeights>,
    /// The test set's out-of-distribution scores, so the page can say when an input is unlike
    /// anything the model learned. Absent in bundles measured before it (no notice is shown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ood: Option<OodReference>,
    /// What `kl_per_dim` holds and so what orders the sliders. Absent (KL) in our own bundles.
    #[serde(default, skip_serializing_if = "SliderOrder::is_kl")]
    pub slider_order: SliderOrder,
    /// The first test images' q(z|x) and labels (`codes.rs`), for the views that measure the
    /// latent space. Absent in bundles written before it, and in imported models.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codes: Option<crate::CodesFile>,
    /// The prior the model learned with its encoder and decoder (`latent::prior`); absent for
    /// the models trained against N(0, I), which is then their prior.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prior: Option<latent::prior::Mixture>,
}

/// How the sliders are ordered: by each dimension's KL, or, for an imported model exported
/// without labelled examples (no KL known), by how much each moves the picture, which the worker
/// measures as it loads the model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SliderOrder {
    #[default]
    Kl,
    OutputChange,
}

impl SliderOrder {
    fn is_kl(&self) -> bool {
        *self == SliderOrder::Kl
    }
}

/// An input whose rarity (`latent::ood::rarity`) is above this percentile of the test set gets
/// the "unlike what it learned" notice. About one test image in 100 would too (two measures,
/// one in 200 each): rare enough that no bundled example is called unusual (the highest,
/// mnist-vae-2d's "1", sits at 99.1%), while a photo of a cat is rarer than 99.6% to 100% of
/// every grey model's test images (`train score <model> cat`).
pub const OOD_NOTICE_PERCENTILE: f64 = 99.5;

/// `latent::ood::negative_elbo` and `latent::ood::missed_share` over the model's test images, as
/// the page computes them for a gallery item (the 8-bit input, the 8-bit reconstruction of μ,
/// q(z|x)).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OodReference {
    /// The negative ELBO's percentiles 0, 1, …, 100: 101 non-decreasing values.
    pub quantiles: Vec<f64>,
    /// The missed share's percentiles, likewise; empty in bundles scored before it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missed_quantiles: Vec<f64>,
    /// How many test images they come from.
    pub images: usize,
    /// What the model learned, in the notice's words ("the drawn faces", "handwritten digits").
    pub learned: String,
    /// What it draws, singular ("face", "digit").
    pub draws: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Example {
    pub file: String,
    pub label: String,
    /// q(z|x) of this image, computed when the bundle was written, so the gallery shows the
    /// examples before the encoder's weights are fetched. Empty when not precomputed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mu: Vec<f32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logvar: Vec<f32>,
}

impl Example {
    /// Its precomputed encoding, when it has one.
    pub fn encoding(&self) -> Option<(&[f32], &[f32])> {
        (!self.mu.is_empty()).then_some((self.mu.as_slice(), self.logvar.as_slice()))
    }
}

/// Where a compact bundle's two weight files are, and how their floats are stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompactWeights {
    /// The stored float type ("f16"); the worker casts to f32 as it loads.
    pub dtype: String,
    /// Everything the decoder needs: the first image waits for this file only.
    pub decoder: String,
    /// Fetched when something is first encoded.
    pub encoder: String,
}

impl Manifest {
    /// The prior codes are drawn from: the learned mixture, or N(0, I).
    pub fn prior(&self) -> latent::prior::Prior<'_> {
        latent::prior::Prior::of(self.prior.as_ref())
    }

    /// Parse and check a manifest without touching any weights.
    pub fn parse(json: &str) -> Result<Self, BundleError> {
        // Read the version first so an old or future bundle gets the version message, not a
        // confusing missing-field error.
        #[derive(Deserialize)]
        struct Version {
            format_version: u32,
        }
        let v: Version = serde_json::from_str(json).map_err(|e| BundleError::Manifest(e.to_string()))?;
        if v.format_version != FORMAT_VERSION {
            return Err(BundleError::Version(v.format_version));
        }
        let m: Manifest = serde_json::from_str(json).map_err(|e| BundleError::Manifest(e.to_string()))?;
        m.check()?;
        Ok(m)
    }

    fn check(&self) -> Result<(), BundleError> {
        self.architecture.validate().map_err(BundleError::Inconsistent)?;
        let d = self.latent_dim;
        if self.architecture.latent_dim() != d {
            return Err(BundleError::Inconsistent(format!(
                "latent_dim is {d} but the architecture has {}",
                self.architecture.latent_dim()
            )));
        }
        if self.image.len() != self.architecture.input_len() {
            return Err(BundleError::Inconsistent(format!(
                "image {}x{}x{} does not match the architecture's input of {}",
                self.image.width,
                self.image.height,
                self.image.channels,
                self.architecture.input_len()
            )));
        }
        if self.kl_per_dim.len() != d {
            return Err(BundleError::Inconsistent(format!(
                "kl_per_dim has {} entries, not {d}",
                self.kl_per_dim.len()
            )));
        }
        for v in &self.vectors {
            if v.vector.len() != d {
                return Err(BundleError::Inconsistent(format!(
                    "vector \"{}\" has {} entries, not {d}",
                    v.name,
                    v.vector.len()
                )));
            }
        }
        if let Some(p) = &self.prior {
            p.validate(d).map_err(BundleError::Inconsistent)?;
        }
        for e in &self.examples {
            let sizes = (e.mu.len(), e.logvar.len());
            if sizes != (0, 0) && sizes != (d, d) {
                return Err(BundleError::Inconsistent(format!(
                    "example {} has an encoding of {} and {} numbers, not {d}",
                    e.file,
                    e.mu.len(),
                    e.logvar.len()
                )));
            }
        }
        if let Some(w) = &self.weights {
            let plain = |f: &str| !f.is_empty() && !f.contains("..") && !f.starts_with('/');
            if !plain(&w.decoder) || !plain(&w.encoder) || w.dtype != "f16" {
                return Err(BundleError::Inconsistent(format!(
                    "the weight files must be plain names inside the bundle, stored as f16 (found {:?})",
                    w
                )));
            }
        }
        if let Some(c) = &self.codes {
            let plain = !c.file.is_empty() && !c.file.contains("..") && !c.file.starts_with('/');
            if !plain || c.count == 0 || c.count > 100_000 {
                return Err(BundleError::Inconsistent(format!(
                    "the codes file must be a plain name inside the bundle holding 1 to 100,000 codes (found {:?}, {})",
                    c.file, c.count
                )));
            }
        }
        if let Some(o) = &self.ood {
            let good = |q: &[f64]| {
                q.len() == 101 && q.windows(2).all(|w| w[0] <= w[1]) && q.iter().all(|v| v.is_finite())
            };
            if !good(&o.quantiles) || !(o.missed_quantiles.is_empty() || good(&o.missed_quantiles)) {
                return Err(BundleError::Inconsistent(
                    "ood.quantiles and ood.missed_quantiles must be 101 finite, non-decreasing percentiles"
                        .into(),
                ));
            }
        }
        let all_finite = self
            .kl_per_dim
            .iter()
            .chain(self.vectors.iter().flat_map(|v| &v.vector))
            .chain(self.examples.iter().flat_map(|e| e.mu.iter().chain(&e.logvar)))
            .all(|x| x.is_finite());
        if !all_finite {
            return Err(BundleError::Inconsistent(
                "a KL value or vector entry is not a finite number".into(),
            ));
        }
        Ok(())
    }

    /// The weight file the first image needs, and the encoder's file when it is a separate one
    /// (compact bundles); legacy bundles hold both halves in `weights.bpk`.
    pub fn weight_files(&self) -> (&str, Option<&str>) {
        match &self.weights {
            Some(w) => (&w.decoder, Some(&w.encoder)),
            None => (crate::WEIGHTS_FILE, None),
        }
    }

    /// Every file of this bundle, relative to the page: what a device keeps to open it offline.
    pub fn files(&self) -> Vec<String> {
        let files = crate::ModelFiles::of(&self.name);
        let (decoder, encoder) = self.weight_files();
        let mut out = vec![files.manifest(), files.file(decoder)];
        out.extend(encoder.map(|e| files.file(e)));
        out.extend(self.examples.iter().map(|e| files.file(&e.file)));
        out.extend(self.codes.iter().map(|c| files.file(&c.file)));
        out
    }

    /// Latent dimensions ordered by KL, most informative first.
    pub fn dims_by_kl(&self) -> Vec<usize> {
        let mut dims: Vec<usize> = (0..self.latent_dim).collect();
        dims.sort_by(|&a, &b| self.kl_per_dim[b].total_cmp(&self.kl_per_dim[a]));
        dims
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::manifest;

    #[test]
    fn manifest_round_trip_and_ordering() {
        let m = manifest(4);
        let back = Manifest::parse(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.dims_by_kl(), vec![3, 2, 1, 0]);
    }

    #[test]
    fn compact_weights_and_precomputed_examples_are_checked() {
        let mut m = manifest(2);
        assert_eq!(m.weight_files(), ("weights.bpk", None));
        m.weights = Some(CompactWeights {
            dtype: "f16".into(),
            decoder: "decoder.bpk".into(),
            encoder: "encoder.bpk".into(),
        });
        m.examples = vec![Example {
            file: "examples/0.png".into(),
            label: "0".into(),
            mu: vec![0.5, -1.0],
            logvar: vec![-2.0, -3.0],
        }];
        let back = Manifest::parse(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back.weight_files(), ("decoder.bpk", Some("encoder.bpk")));
        assert_eq!(back.examples[0].encoding(), Some((&[0.5, -1.0][..], &[-2.0, -3.0][..])));
        let name = &m.name;
        assert_eq!(
            back.files(),
            ["manifest.json", "decoder.bpk", "encoder.bpk", "examples/0.png"]
                .map(|f| format!("models/{name}/{f}"))
        );
        assert_eq!(
            manifest(2).files(),
            [format!("models/{name}/manifest.json"), format!("models/{name}/weights.bpk")]
        );

        let mut short = m.clone();
        short.examples[0].mu.pop();
        let err = Manifest::parse(&serde_json::to_string(&short).unwrap()).unwrap_err();
        assert!(err.to_string().contains("example examples/0.png"), "{err}");
        let mut escape = m.clone();
        escape.weights.as_mut().unwrap().decoder = "../other/decoder.bpk".into();
        assert!(Manifest::parse(&serde_json::to_string(&escape).unwrap()).is_err());
        // An old manifest (no `weights`, examples without encodings) still reads.
        let mut old = serde_json::to_value(manifest(2)).unwrap();
        old.as_object_mut().unwrap().remove("weights");
        assert_eq!(Manifest::parse(&old.to_string()).unwrap().weight_files().1, None);
    }

    #[test]
    fn an_ood_reference_must_be_101_sorted_percentiles() {
        let mut m = manifest(2);
        let reference = |quantiles: Vec<f64>| {
            Some(OodReference {
                missed_quantiles: quantiles.iter().map(|q| q / 100.0).collect(),
                quantiles,
                images: 10,
                learned: "digits".into(),
                draws: "digit".into(),
            })
        };
        m.ood = reference((0..=100).map(f64::from).collect());
        let back = Manifest::parse(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back.ood, m.ood);
        // Scored before the missed share: the ELBO's quantiles alone still read.
        m.ood.as_mut().unwrap().missed_quantiles.clear();
        assert_eq!(Manifest::parse(&serde_json::to_string(&m).unwrap()).unwrap().ood, m.ood);
        // (Non-finite values cannot even be written: JSON has no NaN.)
        for bad in [(0..100).map(f64::from).collect(), (0..=100).rev().map(f64::from).collect::<Vec<_>>()] {
            m.ood = reference(bad);
            let err = Manifest::parse(&serde_json::to_string(&m).unwrap()).unwrap_err();
            assert!(err.to_string().contains("ood.quantiles"), "{err}");
        }
    }

    #[test]
    fn bad_manifests_are_refused_with_reasons() {
        assert!(matches!(Manifest::parse("{"), Err(BundleError::Manifest(_))));
        let mut m = manifest(4);
        m.format_version = 99;
        assert_eq!(Manifest::parse(&serde_json::to_string(&m).unwrap()), Err(BundleError::Version(99)));
        let mut m = manifest(4);
        m.latent_dim = 5;
        let err = Manifest::parse(&serde_json::to_string(&m).unwrap()).unwrap_err();
        assert!(err.to_string().contains("latent_dim is 5"), "{err}");
        let mut m = manifest(4);
        m.kl_per_dim[0] = f32::NAN;
        // serde_json writes NaN as null, which is already not a number.
        assert!(Manifest::parse(&serde_json::to_string(&m).unwrap()).is_err());
    }
}
